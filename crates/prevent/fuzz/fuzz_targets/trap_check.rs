//! Any path, query, form or JSON body against honeypots and decoy fields:
//! checking never panics and an excerpt stays within its bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::ManualClock;
use rampart_prevent::deception::{Deceiver, DeceptionConfig, TrapRequest, MAX_EXCERPT_BYTES};
use std::sync::{Arc, OnceLock};

fn deceiver() -> &'static Deceiver {
    static DECEIVER: OnceLock<Deceiver> = OnceLock::new();
    DECEIVER.get_or_init(|| {
        let config: DeceptionConfig = toml::from_str(
            r#"
            secret = "fuzz-secret-fuzz-secret-fuzz-secret"
            decoy_fields = ["is_admin", "_debug"]
            [[honeypots]]
            path = "/.env"
            [[honeypots]]
            prefix = "/wp-admin"
            methods = ["GET"]
            "#,
        )
        .expect("valid TOML");
        Deceiver::new(&config, Arc::new(ManualClock::at(1_700_000_000_000)))
            .expect("a valid configuration")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let path = parts.next().unwrap_or_default();
    let query = parts.next();
    let body = parts.next().unwrap_or_default();
    let json = serde_json::from_str::<serde_json::Value>(body).ok();
    let mut request = TrapRequest::new("GET", path);
    request.query = query.or(request.query);
    request.form = Some(body.as_bytes());
    request.json = json.as_ref();
    if let Some(hit) = deceiver().check_traps(&request) {
        assert!(hit.excerpt.len() <= MAX_EXCERPT_BYTES);
        assert!(hit.reason().starts_with("honeypot: "));
    }
});
