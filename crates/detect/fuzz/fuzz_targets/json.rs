//! The streaming JSON reader on arbitrary bytes: never panics, stays within
//! its limits, and gives the same events and outcome whether the input
//! arrives whole or cut in three pieces (the first two bytes pick the cuts),
//! and accepts nothing `serde_json` refuses but out-of-range numbers (and
//! what it does not read: string bytes past the kept length).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::json_stream::{JsonError, JsonEvents, JsonLimits, JsonStream};

#[derive(Default, PartialEq, Debug)]
struct Events(Vec<String>, bool);

impl JsonEvents for Events {
    fn key(&mut self, path: &str, depth: usize, key: &str, truncated: bool) {
        assert!(key.len() <= LIMITS.max_string_bytes && depth <= LIMITS.max_depth);
        self.1 |= truncated;
        self.0.push(format!("k{path}{depth}{key}{truncated}"));
    }
    fn string(&mut self, path: &str, depth: usize, value: &str, truncated: bool) {
        assert!(value.len() <= LIMITS.max_string_bytes && depth <= LIMITS.max_depth);
        self.1 |= truncated;
        self.0.push(format!("s{path}{depth}{value}{truncated}"));
    }
    fn open(&mut self, path: &str, depth: usize, array: bool) {
        self.0.push(format!("o{path}{depth}{array}"));
    }
    fn close(&mut self, path: &str, depth: usize, array: bool) {
        self.0.push(format!("c{path}{depth}{array}"));
    }
}

const LIMITS: JsonLimits = JsonLimits {
    max_depth: 16,
    max_string_bytes: 64,
    max_elements: 1000,
};

fn read(pieces: &[&[u8]]) -> (Events, Result<(), JsonError>) {
    let mut stream = JsonStream::new(LIMITS);
    let mut events = Events::default();
    for piece in pieces {
        if let Err(e) = stream.feed(piece, &mut events) {
            return (events, Err(e));
        }
    }
    let end = stream.finish();
    (events, end)
}

fuzz_target!(|data: &[u8]| {
    let (cuts, body) = data.split_at(data.len().min(2));
    let a = cuts.first().map_or(0, |&c| c as usize).min(body.len());
    let b = cuts.get(1).map_or(0, |&c| c as usize).clamp(a, body.len().max(a));
    let b = b.min(body.len());
    let whole = read(&[body]);
    let pieces = read(&[&body[..a], &body[a..b], &body[b..]]);
    assert_eq!(whole, pieces);
    if whole.1.is_ok() && !whole.0 .1 {
        // What the reader accepts, serde_json accepts, but for numbers
        // past f64's range (`1e999`), read here for their grammar only, and
        // bytes past the kept length of a string, which are not read.
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(body) {
            assert!(e.to_string().contains("number out of range"), "{e}");
        }
    }
});
