//! Forwarding headers from a trusted peer, whatever they contain, yield an
//! address without panicking; from an untrusted peer they are ignored.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use rampart_gateway::forwarding::client_ip;
use rampart_gateway::ipset::IpSet;
use std::net::IpAddr;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (xff, forwarded) = text.split_once('\n').unwrap_or((&text, ""));
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(xff) {
        headers.insert("x-forwarded-for", v);
    }
    if let Ok(v) = HeaderValue::from_str(forwarded) {
        headers.insert("forwarded", v);
    }
    let trusted = IpSet::parse(&["10.0.0.0/8", "::1"]).unwrap();
    let proxy: IpAddr = "10.0.0.1".parse().unwrap();
    let stranger: IpAddr = "192.0.2.1".parse().unwrap();
    let _ = client_ip(proxy, &headers, &trusted);
    assert_eq!(client_ip(stranger, &headers, &trusted), stranger);
});
