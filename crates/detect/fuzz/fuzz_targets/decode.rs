//! Every decoder on arbitrary bytes: percent (all transports), UTF-8,
//! entities, escapes, base64, folding, path normalisation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::decode::{self, Transport};

fuzz_target!(|data: &[u8]| {
    for transport in [Transport::Form, Transport::Percent, Transport::Plain] {
        let d = decode::decode(data, transport);
        let _ = decode::path::normalize(&d.text);
        let _ = decode::base64::decode_text(&d.text);
        let _ = decode::fold::fold_comments_only(&d.text);
    }
});
