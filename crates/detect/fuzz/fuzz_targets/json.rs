//! JSON bodies, including deep nesting and huge key counts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{json, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    let _ = json::parse(data, &mut sink);
});
