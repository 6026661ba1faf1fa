//! The prose reading and the detectors that consult it on arbitrary text:
//! the classifier, and SQL and shell injection as they judge a value that
//! reads as prose (every reading, every step), must neither panic nor run
//! unbounded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::decode::fold::fold;
use rampart_detect::detectors::{cmdi, prose, sqli};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = prose::reads_as_prose(&text);
    let folded = fold(&text);
    let mut hits = Vec::new();
    sqli::detect(&folded, &text, &mut hits);
    cmdi::detect(&folded, &text, &mut hits);
});
