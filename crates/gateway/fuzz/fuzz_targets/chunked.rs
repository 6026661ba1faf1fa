//! The chunked decoder gives the same data, end, leftover bytes and error
//! whether the input arrives at once or in two reads, and never panics.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rampart_gateway::h1::chunked::{ChunkedDecoder, ChunkedError, ChunkedStep};

/// What decoding `pieces`, appended one by one, found: the data, the last
/// step or error, and the bytes left in the buffer.
fn decode(pieces: &[&[u8]]) -> (Vec<u8>, Result<ChunkedStep, ChunkedError>, BytesMut) {
    let mut decoder = ChunkedDecoder::new();
    let mut buf = BytesMut::new();
    let mut data = Vec::new();
    let mut last = Ok(ChunkedStep::NeedMore);
    for piece in pieces {
        buf.extend_from_slice(piece);
        if last != Ok(ChunkedStep::NeedMore) {
            continue; // Ended or failed: later bytes stay in the buffer.
        }
        last = loop {
            match decoder.decode(&mut buf) {
                Ok(ChunkedStep::Data(bytes)) => {
                    assert!(!bytes.is_empty());
                    data.extend_from_slice(&bytes);
                }
                step => break step,
            }
        };
    }
    assert_eq!(decoder.is_done(), matches!(last, Ok(ChunkedStep::End(_))));
    (data, last, buf)
}

fuzz_target!(|data: &[u8]| {
    let Some((split, bytes)) = data.split_first_chunk::<2>() else {
        return;
    };
    let cut = usize::from(u16::from_le_bytes(*split)).min(bytes.len());
    let whole = decode(&[bytes]);
    let split = decode(&[&bytes[..cut], &bytes[cut..]]);
    assert_eq!(whole, split);
});
