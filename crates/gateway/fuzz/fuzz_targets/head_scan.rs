//! The head scanner gives the same answer however the bytes are split into
//! reads, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_gateway::head_scan::HeadScanner;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let mut whole = HeadScanner::default();
    let at_once = whole.scan(bytes);
    let mut pieces = HeadScanner::default();
    let cut = usize::from(split).min(bytes.len());
    let first = pieces.scan(&bytes[..cut]);
    let second = pieces.scan(&bytes[cut..]);
    assert_eq!(at_once, first || second);
});
