//! XML bodies, including DOCTYPEs and unbalanced documents.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{xml, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let limits = Limits::default();
    for truncated in [false, true] {
        let mut sink = Collector::new(&limits);
        let _ = xml::parse(&text, truncated, &mut sink);
    }
});
