//! The engine with contracts learned from traffic: they apply only where no
//! configured contract does, report under their own rules, and report
//! endpoints they do not know only when the learned set says to.

use rampart_detect::contract::LearnedFrom;
use rampart_detect::{
    Body, DetectConfig, EndpointContract, Enforcement, Engine, LearnedConfig, LearnedContracts,
    RequestView, Verdict,
};

fn post(engine: &Engine, learned: &LearnedContracts, path: &str, body: &str) -> Verdict {
    let view = RequestView::new(
        "POST",
        path,
        "",
        vec![
            ("Host", b"api.test".as_slice()),
            ("Content-Type", b"application/json".as_slice()),
        ],
        Some(Body {
            bytes: body.as_bytes(),
            truncated: false,
        }),
    );
    let mut scan = engine.begin_with(&view, Some(learned));
    engine.feed(&mut scan, body.as_bytes());
    engine.finish(scan)
}

fn rules(verdict: &Verdict) -> Vec<(&str, &str)> {
    verdict
        .detections
        .iter()
        .map(|d| (d.rule.as_str(), d.evidence.as_str()))
        .collect()
}

/// A learned contract for `path`: an object body taking only `email`.
fn learned(path: &str) -> EndpointContract {
    let mut contract: EndpointContract = toml::from_str(&format!(
        "method = \"POST\"\npath = {path:?}\n[body]\ntype = \"object\"\nadditional_properties = false\nproperties.email = {{ type = \"string\" }}\n"
    ))
    .unwrap();
    contract.breaches = Some(LearnedConfig::default().breaches());
    contract.traffic.learned_from = Some(LearnedFrom {
        requests: 120,
        clients: 9,
    });
    contract
}

#[test]
fn learned_contracts_apply_only_where_no_configured_one_does() {
    let hand_written = "[[detect.contracts]]\nmethod = \"POST\"\npath = \"/signup\"\n";
    let engine = Engine::new(DetectConfig::from_toml(hand_written).unwrap()).unwrap();
    let set = LearnedContracts::new(vec![learned("/signup"), learned("/orders")], None);
    let admin = r#"{"email":"a@b.c","is_admin":true}"#;

    assert!(
        rules(&post(&engine, &set, "/signup", admin)).is_empty(),
        "the hand-written contract, which lists no body, wins"
    );
    let verdict = post(&engine, &set, "/orders", admin);
    assert_eq!(
        rules(&verdict),
        [(
            "contract.learned.unexpected_property",
            "POST /orders (learned from 120 requests by 9 clients): is_admin=true"
        )]
    );
    assert!(!verdict.blocked, "monitored by default: {verdict:?}");
    assert!(rules(&post(&engine, &set, "/elsewhere", admin)).is_empty());
}

#[test]
fn unknown_endpoints_are_reported_once_the_learned_set_says_so() {
    let engine = Engine::new(DetectConfig::default()).unwrap();
    let set = LearnedContracts::new(vec![learned("/orders")], Some(Enforcement::Enforce));
    let verdict = post(&engine, &set, "/admin/export", "{}");
    assert!(verdict.blocked, "{verdict:?}");
    assert_eq!(
        rules(&verdict),
        [(
            "contract.unknown_endpoint",
            "POST /admin/export (not in the learned inventory)"
        )]
    );
    assert!(rules(&post(&engine, &set, "/orders", r#"{"email":"a@b.c"}"#)).is_empty());

    let declared = "[detect]\nunknown_endpoint = \"off\"\n[[detect.contracts]]\nmethod = \"GET\"\npath = \"/health\"\n";
    let configured = Engine::new(DetectConfig::from_toml(declared).unwrap()).unwrap();
    assert!(
        rules(&post(&configured, &set, "/admin/export", "{}")).is_empty(),
        "[detect] unknown_endpoint wins over the learned set"
    );
}
