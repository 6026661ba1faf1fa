//! The chunked decoder gives the same data, end, leftover bytes and error
//! whether the input arrives at once or in two reads, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_gateway::h1::chunked::decode_pieces;

fuzz_target!(|data: &[u8]| {
    let Some((split, bytes)) = data.split_first_chunk::<2>() else {
        return;
    };
    let cut = usize::from(u16::from_le_bytes(*split)).min(bytes.len());
    let whole = decode_pieces([bytes]);
    let split = decode_pieces([&bytes[..cut], &bytes[cut..]]);
    assert_eq!(whole, split);
});
