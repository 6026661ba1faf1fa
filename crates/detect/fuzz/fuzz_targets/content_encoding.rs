//! Compressed bodies: the first byte picks the coding, the second how the
//! rest is chunked. Properties: no panic, and the inflated size never passes
//! the bound whatever the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::decode::content_encoding::{BodyDecoder, InflateLimits};

const CODINGS: [&str; 5] = ["gzip", "deflate", "br", "gzip, br", "deflate, gzip"];

fuzz_target!(|data: &[u8]| {
    let [pick, step, body @ ..] = data else {
        return;
    };
    let limits = InflateLimits {
        max_output_bytes: 1 << 20,
        max_ratio: 100,
    };
    let header = CODINGS[usize::from(*pick) % CODINGS.len()];
    let Ok(Some(mut decoder)) = BodyDecoder::new(header, limits) else {
        return;
    };
    let mut total = 0u64;
    let mut count = |piece: &[u8]| total += piece.len() as u64;
    for chunk in body.chunks(usize::from(*step).max(1)) {
        if decoder.feed(chunk, &mut count).is_err() {
            break;
        }
    }
    let _ = decoder.finish(&mut count);
    assert!(total <= limits.max_output_bytes);
});
