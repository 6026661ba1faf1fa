//! Whatever a client puts in its credentials and query, reading its
//! identity never panics and stays bounded: a JWT payload, Basic
//! credentials, API-key headers and query parameters, and the fingerprint.
#![no_main]

use http::{HeaderMap, HeaderValue, Version};
use libfuzzer_sys::fuzz_target;
use rampart_gateway::identity::IdentityConfig;
use rampart_gateway::tokens::TokenVerdict;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (authorization, api_key, query) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut headers = HeaderMap::new();
    for (name, value) in [("authorization", authorization), ("x-api-key", api_key)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    let identity = IdentityConfig::default().identify(
        Version::HTTP_11,
        &headers,
        query,
        &TokenVerdict::Unchecked,
    );
    for claimed in [&identity.api_key, &identity.user].into_iter().flatten() {
        assert!(claimed.chars().count() <= 256);
    }
});
