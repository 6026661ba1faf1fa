//! Query strings, urlencoded forms, cookies and Content-Type headers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{content_type, cookie, query, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    query::parse(data, query::Origin::Query, &mut sink);
    cookie::parse(data, &mut sink);
    let _ = content_type::parse(&String::from_utf8_lossy(data));
});
