//! Any text as a rule condition: compiling never panics, and a rule that
//! compiles evaluates without panicking on requests with and without facts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_prevent::policy::{ActionConfig, RuleConfig};
use rampart_prevent::{Policy, PolicyConfig, RequestFacts, Signal};

fuzz_target!(|data: &[u8]| {
    let Ok(when) = std::str::from_utf8(data) else {
        return;
    };
    let config = PolicyConfig {
        rules: vec![RuleConfig {
            name: "fuzz".into(),
            when: when.to_string(),
            action: ActionConfig::Monitor {},
            mode: None,
        }],
        ..PolicyConfig::default()
    };
    let Ok(policy) = Policy::compile(&config, &[]) else {
        return;
    };
    let mut known = RequestFacts::new("POST", "/login", [203, 0, 113, 9].into());
    known.client.country = Some("KP".into());
    known.client.asn = Some(64_500);
    known.client.user = Some("alice".into());
    known.endpoint.risk = 0.7;
    let signals = [Signal {
        class: "bot".into(),
        source: "bot.headless".into(),
        location: "headers".into(),
        score: 2.0,
    }];
    let bare = RequestFacts::new("GET", "", [0u16; 8].into());
    policy.evaluate(&known, &signals);
    policy.evaluate(&bare, &[]);
});
