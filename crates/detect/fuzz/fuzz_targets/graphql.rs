//! GraphQL documents, including pathological nesting.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{graphql, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    let _ = graphql::parse(&text, &mut sink);
});
