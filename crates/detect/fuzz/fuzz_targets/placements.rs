//! Header values by kind, path segments, and the nested-encoding peeler
//! (JSON, base64, signed-cookie formats, zlib payloads).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{header, path, peel, signed, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    for name in ["authorization", "forwarded", "x-forwarded-for", "x-custom"] {
        header::parse(name, data, &mut sink);
    }
    let text = String::from_utf8_lossy(data);
    path::parse(&text, &mut sink);
    let mut budget = limits.max_value_bytes;
    let _ = peel::layers(&text, true, &mut budget);
    let _ = signed::reveal(&text);
});
