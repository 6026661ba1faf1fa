//! Multipart bodies; the first line of the input is the boundary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{multipart, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let boundary = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or_default();
    let limits = Limits::default();
    for truncated in [false, true] {
        let mut sink = Collector::new(&limits);
        let _ = multipart::parse(body, &boundary, truncated, &mut sink);
    }
});
