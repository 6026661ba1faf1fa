//! Any JSON as a learned response schema: a fake success never panics, is
//! valid JSON and stays within the size bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::ManualClock;
use rampart_prevent::deception::{Deceiver, DeceptionConfig, DeceptionSecret, MAX_FAKE_BYTES};
use rampart_prevent::RequestFacts;
use std::sync::{Arc, OnceLock};

fn deceiver() -> &'static Deceiver {
    static DECEIVER: OnceLock<Deceiver> = OnceLock::new();
    DECEIVER.get_or_init(|| {
        let config = DeceptionConfig {
            secret: Some(DeceptionSecret(
                "fuzz-secret-fuzz-secret-fuzz-secret".into(),
            )),
            ..DeceptionConfig::default()
        };
        Deceiver::new(&config, Arc::new(ManualClock::at(1_700_000_000_000)))
            .expect("a valid configuration")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(schema) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let mut facts = RequestFacts::new("GET", "/items/7", [203, 0, 113, 9].into());
    facts.endpoint.template = Some("/items/{id}".into());
    let fake = deceiver().fake_success(&facts, Some(&schema));
    assert!(
        fake.body.len() <= MAX_FAKE_BYTES,
        "{} bytes",
        fake.body.len()
    );
    serde_json::from_slice::<serde_json::Value>(&fake.body).expect("a JSON body");
    let login = deceiver().fake_login(&facts, Some(&schema));
    serde_json::from_slice::<serde_json::Value>(&login.body).expect("a JSON body");
});
