//! Any bytes as a token, a body or header values: recognising and searching never
//! panic, and nothing but the one decoy minted is ever recognised (a forgery
//! would need the secret).
#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use rampart_core::ManualClock;
use rampart_prevent::deception::{Deceiver, DeceptionConfig, DeceptionSecret};
use rampart_prevent::RequestFacts;
use std::sync::{Arc, OnceLock};

struct Fixture {
    deceiver: Deceiver,
    token: String,
    /// How every decoy of this secret starts, so inputs get past the pre-check.
    prefix: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let config = DeceptionConfig {
            secret: Some(DeceptionSecret(
                "fuzz-secret-fuzz-secret-fuzz-secret".into(),
            )),
            ..DeceptionConfig::default()
        };
        let deceiver = Deceiver::new(&config, Arc::new(ManualClock::at(1_700_000_000_000)))
            .expect("a valid configuration");
        let facts = RequestFacts::new("POST", "/login", [203, 0, 113, 9].into());
        let body: serde_json::Value =
            serde_json::from_slice(&deceiver.fake_login(&facts, None).body).expect("JSON");
        let token = body["access_token"].as_str().expect("a token").to_string();
        let prefix = token[..=token.find('.').expect("a JWT")].to_string();
        Fixture {
            deceiver,
            token,
            prefix,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let text = String::from_utf8_lossy(data);
    for candidate in [text.to_string(), format!("{}{text}", fixture.prefix)] {
        if fixture.deceiver.recognise(&candidate).is_some() {
            assert_eq!(candidate, fixture.token);
        }
    }
    if fixture.deceiver.find_decoy_in(data).is_some() {
        assert!(contains(data, &fixture.token));
    }
    let mut headers = HeaderMap::new();
    for (i, line) in data.split(|&b| b == b'\n').take(8).enumerate() {
        let mut value = fixture.prefix.as_bytes().to_vec();
        value.extend_from_slice(line);
        if let Ok(value) = HeaderValue::from_bytes(if i % 2 == 0 { line } else { &value }) {
            headers.append(HeaderName::from_static("x-fuzz"), value);
        }
    }
    if let Some(hit) = fixture.deceiver.find_decoy(&headers) {
        let found = headers
            .get_all("x-fuzz")
            .iter()
            .any(|value| contains(value.as_bytes(), &fixture.token));
        assert!(found, "{hit:?} without the minted token in any header");
    }
});

fn contains(haystack: &[u8], token: &str) -> bool {
    haystack
        .windows(token.len())
        .any(|window| window == token.as_bytes())
}
