//! JSON read as a stream: a body of any size is tokenized chunk by chunk in
//! memory bounded by the limits, never by the body.
//!
//! The gateway forwards a large body while it arrives, so the engine cannot
//! wait for the whole document (nor hold it) before reading it. This
//! tokenizer keeps only what the grammar needs: one frame per open container
//! (at most `max_depth`), the JSONPath of the current position, and the
//! string or key being read (its first `max_string_bytes`; the rest is
//! dropped unread, and the event says the string was cut). Every key and string leaf is handed to a
//! [`JsonEvents`] sink as soon as it is complete, with its JSONPath, so that
//! detectors read it while the rest of the body is still on the wire.
//!
//! The grammar is RFC 8259 as `serde_json` reads it (no trailing commas, no
//! comments, no lone surrogates, no control characters in strings, one
//! top-level value): a body the buffered parser would call malformed is
//! malformed here too, except numbers past `f64`'s range (`1e999`), which
//! are read for their grammar only (a detector never reads a number). Chunk boundaries may fall anywhere, inside escapes
//! and multi-byte characters included; the events and the outcome are the
//! same for every chunking of the same bytes.

use std::fmt::Write;

/// The bounds one document is read within.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimits {
    /// Open containers at once; a deeper one stops the stream.
    pub max_depth: usize,
    /// Bytes of one key or string kept for the detectors.
    pub max_string_bytes: usize,
    /// Values (scalars and containers) in the document.
    pub max_elements: usize,
}

/// Bytes of one key kept in a JSONPath: the path names the field, and a
/// longer key is evidence enough on its own (it is handed whole, up to
/// `max_string_bytes`, to the detectors as a key).
const MAX_PATH_KEY_BYTES: usize = 256;

/// What the reader tells its sink, in document order.
pub trait JsonEvents {
    /// An object key, with the JSONPath of the object holding it and the
    /// depth of that object (the root is 1). `truncated`: the key was longer
    /// than `max_string_bytes` and only its start is given.
    fn key(&mut self, object_path: &str, depth: usize, key: &str, truncated: bool);
    /// A string leaf at `path`.
    fn string(&mut self, path: &str, depth: usize, value: &str, truncated: bool);
    /// A container opened at `path` (depth counts it: the root is 1).
    fn open(&mut self, _path: &str, _depth: usize, _array: bool) {}
    /// A container closed.
    fn close(&mut self, _path: &str, _depth: usize, _array: bool) {}
}

/// Why a stream stopped being read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    #[error("{reason} at byte {offset}")]
    Syntax { reason: &'static str, offset: u64 },
    #[error("nesting deeper than {limit} at {path}")]
    TooDeep { limit: usize, path: String },
    #[error("more than {limit} elements (at {path})")]
    TooManyElements { limit: usize, path: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

#[derive(Debug)]
struct Frame {
    kind: Container,
    /// Length of the JSONPath of the container itself.
    base: usize,
    /// Items seen so far (arrays: the next index).
    items: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    E,
    ESign,
    Exp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    Backslash,
    /// `\u` and the hex digits read so far.
    Unicode {
        digits: u8,
        value: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value is expected (`first_in_array`: `]` is allowed too).
    Value {
        first_in_array: bool,
    },
    /// A key or `}` (after `{`).
    FirstKey,
    /// A key (after `,` in an object).
    Key,
    Colon,
    /// `,` or the container's end.
    AfterValue,
    Str {
        key: bool,
    },
    Literal {
        word: &'static [u8],
        pos: u8,
    },
    Num(Number),
    /// The top-level value is complete; only whitespace may follow.
    End,
}

/// A JSON document read chunk by chunk.
#[derive(Debug)]
pub struct JsonStream {
    limits: JsonLimits,
    state: State,
    stack: Vec<Frame>,
    path: String,
    /// The current key or string, decoded, up to `max_string_bytes`.
    text: Vec<u8>,
    /// Bytes the current string had beyond what `text` keeps.
    dropped: bool,
    escape: Escape,
    /// A `\uD8xx` waiting for its low half.
    high_surrogate: Option<u32>,
    elements: usize,
    offset: u64,
    failed: Option<JsonError>,
}

impl JsonStream {
    pub fn new(limits: JsonLimits) -> Self {
        JsonStream {
            limits,
            state: State::Value {
                first_in_array: false,
            },
            stack: Vec::new(),
            path: String::from("$"),
            text: Vec::new(),
            dropped: false,
            escape: Escape::None,
            high_surrogate: None,
            elements: 0,
            offset: 0,
            failed: None,
        }
    }

    /// Reads the next bytes; an error is final (later calls return it again).
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl JsonEvents) -> Result<(), JsonError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut i = 0;
        while i < chunk.len() {
            // Inside a string, plain bytes are copied in one go up to the
            // next quote, backslash or control character.
            if matches!(self.state, State::Str { .. })
                && self.escape == Escape::None
                && self.high_surrogate.is_none()
            {
                let run = chunk[i..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .unwrap_or(chunk.len() - i);
                if run > 0 {
                    self.keep_raw(&chunk[i..i + run]);
                    self.offset += run as u64;
                    i += run;
                    continue;
                }
            }
            if let Err(e) = self.byte(chunk[i], sink) {
                self.failed = Some(e.clone());
                return Err(e);
            }
            self.offset += 1;
            i += 1;
        }
        Ok(())
    }

    /// The end of the body: the document must be complete.
    pub fn finish(&mut self) -> Result<(), JsonError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = match self.state {
            State::End => Ok(()),
            // A number only ends with what follows it; at the top level,
            // the end of the body does.
            State::Num(n) if self.stack.is_empty() && number_complete(n) => {
                self.state = State::End;
                Ok(())
            }
            State::Value { .. } if self.stack.is_empty() && self.elements == 0 => {
                Err(self.syntax("empty body"))
            }
            _ => Err(self.syntax("unexpected end of body")),
        };
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn syntax(&self, reason: &'static str) -> JsonError {
        JsonError::Syntax {
            reason,
            offset: self.offset,
        }
    }

    fn byte(&mut self, b: u8, sink: &mut impl JsonEvents) -> Result<(), JsonError> {
        match self.state {
            State::Str { key } => self.string_byte(b, key, sink),
            State::Literal { word, pos } => {
                if word.get(pos as usize) != Some(&b) {
                    return Err(self.syntax("invalid literal"));
                }
                if pos as usize + 1 == word.len() {
                    self.value_done();
                } else {
                    self.state = State::Literal { word, pos: pos + 1 };
                }
                Ok(())
            }
            State::Num(n) => match next_number(n, b) {
                Some(n) => {
                    self.state = State::Num(n);
                    Ok(())
                }
                None if number_complete(n) => {
                    self.value_done();
                    self.byte(b, sink)
                }
                None => Err(self.syntax("invalid number")),
            },
            _ if matches!(b, b' ' | b'\t' | b'\n' | b'\r') => Ok(()),
            State::Value { first_in_array } => {
                if first_in_array && b == b']' {
                    return self.close(Container::Array, sink);
                }
                self.value_start(b, sink)
            }
            State::FirstKey | State::Key => match b {
                b'"' => {
                    self.begin_string(true);
                    Ok(())
                }
                b'}' if self.state == State::FirstKey => self.close(Container::Object, sink),
                _ => Err(self.syntax("expected a key")),
            },
            State::Colon => match b {
                b':' => {
                    self.state = State::Value {
                        first_in_array: false,
                    };
                    Ok(())
                }
                _ => Err(self.syntax("expected `:`")),
            },
            State::AfterValue => match (b, self.stack.last().map(|f| f.kind)) {
                (b',', Some(Container::Object)) => {
                    self.state = State::Key;
                    Ok(())
                }
                (b',', Some(Container::Array)) => {
                    self.state = State::Value {
                        first_in_array: false,
                    };
                    Ok(())
                }
                (b'}', Some(Container::Object)) => self.close(Container::Object, sink),
                (b']', Some(Container::Array)) => self.close(Container::Array, sink),
                _ => Err(self.syntax("expected `,` or the end of the container")),
            },
            State::End => Err(self.syntax("trailing characters")),
        }
    }

    /// The first byte of a value: counts it and sets its path.
    fn value_start(&mut self, b: u8, sink: &mut impl JsonEvents) -> Result<(), JsonError> {
        if let Some(frame) = self.stack.last_mut() {
            if frame.kind == Container::Array {
                self.path.truncate(frame.base);
                // Writing to a String cannot fail.
                let _ = write!(self.path, "[{}]", frame.items);
                frame.items += 1;
            }
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(JsonError::TooManyElements {
                limit: self.limits.max_elements,
                path: self.path.clone(),
            });
        }
        match b {
            b'{' | b'[' => {
                let kind = if b == b'{' {
                    Container::Object
                } else {
                    Container::Array
                };
                if self.stack.len() >= self.limits.max_depth {
                    return Err(JsonError::TooDeep {
                        limit: self.limits.max_depth,
                        path: self.path.clone(),
                    });
                }
                self.stack.push(Frame {
                    kind,
                    base: self.path.len(),
                    items: 0,
                });
                sink.open(&self.path, self.stack.len(), kind == Container::Array);
                self.state = match kind {
                    Container::Object => State::FirstKey,
                    Container::Array => State::Value {
                        first_in_array: true,
                    },
                };
            }
            b'"' => self.begin_string(false),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' => self.state = State::Num(Number::Minus),
            b'0' => self.state = State::Num(Number::Zero),
            b'1'..=b'9' => self.state = State::Num(Number::Int),
            _ => return Err(self.syntax("expected a value")),
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) {
        self.state = State::Literal { word, pos: 1 };
    }

    fn begin_string(&mut self, key: bool) {
        self.text.clear();
        self.dropped = false;
        self.escape = Escape::None;
        self.high_surrogate = None;
        self.state = State::Str { key };
    }

    fn close(&mut self, kind: Container, sink: &mut impl JsonEvents) -> Result<(), JsonError> {
        let depth = self.stack.len();
        match self.stack.pop() {
            Some(frame) if frame.kind == kind => {
                self.path.truncate(frame.base);
                sink.close(&self.path, depth, kind == Container::Array);
                self.value_done();
                Ok(())
            }
            _ => Err(self.syntax("mismatched bracket")),
        }
    }

    /// A value ended: what may follow depends on where it sits.
    fn value_done(&mut self) {
        self.state = if self.stack.is_empty() {
            State::End
        } else {
            State::AfterValue
        };
    }

    fn string_byte(
        &mut self,
        b: u8,
        key: bool,
        sink: &mut impl JsonEvents,
    ) -> Result<(), JsonError> {
        match self.escape {
            Escape::Backslash => {
                let c = match b {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'u' => {
                        self.escape = Escape::Unicode {
                            digits: 0,
                            value: 0,
                        };
                        return Ok(());
                    }
                    _ => return Err(self.syntax("invalid escape")),
                };
                self.escape = Escape::None;
                if self.high_surrogate.is_some() {
                    return Err(self.syntax("lone surrogate"));
                }
                self.keep(&[c]);
                Ok(())
            }
            Escape::Unicode { digits, value } => {
                let digit = (b as char)
                    .to_digit(16)
                    .ok_or_else(|| self.syntax("invalid \\u escape"))?;
                let value = value * 16 + digit;
                if digits < 3 {
                    self.escape = Escape::Unicode {
                        digits: digits + 1,
                        value,
                    };
                    return Ok(());
                }
                self.escape = Escape::None;
                self.code_point(value)
            }
            Escape::None => {
                if self.high_surrogate.is_some() && b != b'\\' {
                    return Err(self.syntax("lone surrogate"));
                }
                match b {
                    b'"' => self.string_done(key, sink),
                    b'\\' => {
                        self.escape = Escape::Backslash;
                        Ok(())
                    }
                    0..=0x1f => Err(self.syntax("control character in string")),
                    _ => {
                        self.keep_raw(&[b]);
                        Ok(())
                    }
                }
            }
        }
    }

    fn code_point(&mut self, value: u32) -> Result<(), JsonError> {
        let scalar = match (self.high_surrogate.take(), value) {
            (None, 0xD800..=0xDBFF) => {
                self.high_surrogate = Some(value);
                return Ok(());
            }
            (Some(high), 0xDC00..=0xDFFF) => 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00),
            (None, 0xDC00..=0xDFFF) | (Some(_), _) => return Err(self.syntax("lone surrogate")),
            (None, v) => v,
        };
        let c = char::from_u32(scalar).ok_or_else(|| self.syntax("invalid code point"))?;
        let mut buf = [0u8; 4];
        self.keep(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    /// Keeps one decoded character whole, or drops it.
    fn keep(&mut self, bytes: &[u8]) {
        if self.text.len() + bytes.len() <= self.limits.max_string_bytes {
            self.text.extend_from_slice(bytes);
        } else {
            self.dropped = true;
        }
    }

    /// Keeps raw string bytes up to the bound (the same as keeping them one
    /// by one: a character cut by the bound is at the end of the text).
    fn keep_raw(&mut self, bytes: &[u8]) {
        let room = self.limits.max_string_bytes.saturating_sub(self.text.len());
        let kept = bytes.len().min(room);
        self.text.extend_from_slice(&bytes[..kept]);
        self.dropped |= kept < bytes.len();
    }

    fn string_done(&mut self, key: bool, sink: &mut impl JsonEvents) -> Result<(), JsonError> {
        let text = match std::str::from_utf8(&self.text) {
            Ok(text) => text,
            // Cut inside a character by the bound: keep the whole ones.
            Err(e) if self.dropped && e.error_len().is_none() => {
                // The prefix up to `valid_up_to` is valid UTF-8 by definition.
                std::str::from_utf8(&self.text[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => return Err(self.syntax("invalid UTF-8 in string")),
        };
        let depth = self.stack.len();
        if key {
            let base = self.stack.last().map_or(0, |f| f.base);
            self.path.truncate(base);
            sink.key(&self.path, depth, text, self.dropped);
            let mut end = text.len().min(MAX_PATH_KEY_BYTES);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            crate::parse::json::push_key(&mut self.path, &text[..end]);
            self.state = State::Colon;
        } else {
            sink.string(&self.path, depth, text, self.dropped);
            self.value_done();
        }
        Ok(())
    }
}

fn next_number(n: Number, b: u8) -> Option<Number> {
    use Number::*;
    Some(match (n, b) {
        (Minus, b'0') => Zero,
        (Minus, b'1'..=b'9') => Int,
        (Int, b'0'..=b'9') => Int,
        (Zero | Int, b'.') => Dot,
        (Zero | Int | Frac, b'e' | b'E') => E,
        (Dot | Frac, b'0'..=b'9') => Frac,
        (E, b'+' | b'-') => ESign,
        (E | ESign | Exp, b'0'..=b'9') => Exp,
        _ => return None,
    })
}

fn number_complete(n: Number) -> bool {
    matches!(n, Number::Zero | Number::Int | Number::Frac | Number::Exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Record(Vec<String>);

    impl JsonEvents for Record {
        fn key(&mut self, path: &str, depth: usize, key: &str, truncated: bool) {
            self.0.push(format!("k {path} {depth} {key} {truncated}"));
        }
        fn string(&mut self, path: &str, depth: usize, value: &str, truncated: bool) {
            self.0.push(format!("s {path} {depth} {value} {truncated}"));
        }
        fn open(&mut self, path: &str, depth: usize, array: bool) {
            self.0.push(format!("o {path} {depth} {array}"));
        }
        fn close(&mut self, path: &str, depth: usize, array: bool) {
            self.0.push(format!("c {path} {depth} {array}"));
        }
    }

    const LIMITS: JsonLimits = JsonLimits {
        max_depth: 32,
        max_string_bytes: 64,
        max_elements: 10_000,
    };

    fn read(chunks: &[&[u8]], limits: JsonLimits) -> (Vec<String>, Result<(), JsonError>) {
        let mut stream = JsonStream::new(limits);
        let mut events = Record::default();
        for chunk in chunks {
            if let Err(e) = stream.feed(chunk, &mut events) {
                return (events.0, Err(e));
            }
        }
        let end = stream.finish();
        (events.0, end)
    }

    #[test]
    fn keys_and_leaves_carry_their_jsonpath() {
        let doc = br#"{"user":{"name":"x","tags":["a","b\n\u00e9\ud83d\ude00"]},"odd key":"v","n":-1.5e3,"t":[true,null,{}]}"#;
        let (events, end) = read(&[doc], LIMITS);
        end.unwrap();
        for want in [
            "k $ 1 user false",
            "s $.user.name 2 x false",
            "s $.user.tags[1] 3 b\n\u{e9}\u{1F600} false",
            "s $['odd key'] 1 v false",
            "c $.t 2 true",
        ] {
            assert!(events.contains(&want.to_string()), "{want}: {events:?}");
        }
    }

    #[test]
    fn every_chunking_gives_the_same_events() {
        let doc =
            br#"[{"q":"caf\u00e9 \"x\"","n":[1,2.5,-0e+1]}, "\u00e9\u00e8", 12, "\ud83d\ude00"]"#;
        let (whole, end) = read(&[doc], LIMITS);
        end.unwrap();
        for cut in 0..doc.len() {
            for cut2 in cut..doc.len() {
                let (parts, end) = read(&[&doc[..cut], &doc[cut..cut2], &doc[cut2..]], LIMITS);
                end.unwrap();
                assert_eq!(parts, whole, "cut at {cut},{cut2}");
            }
        }
    }

    #[test]
    fn malformed_documents_are_refused_as_serde_json_refuses_them() {
        for bad in [
            &br#"{"a":1,}"#[..],
            b"[1 2]",
            b"{\"a\" 1}",
            b"\"\\ud800\"",
            b"\"\\udc00x\"",
            b"[01]",
            b"[1.]",
            b"[-]",
            b"\"a\x01\"",
            b"\"\xff\"",
            b"{} {}",
            b"[tru]",
            b"",
            b"   ",
            b"{\"a\":",
            b"]",
        ] {
            let (_, end) = read(&[bad], LIMITS);
            assert!(end.is_err(), "{:?}", String::from_utf8_lossy(bad));
            assert!(
                serde_json::from_slice::<serde_json::Value>(bad).is_err(),
                "serde agrees: {:?}",
                String::from_utf8_lossy(bad)
            );
        }
        for good in [&b"0"[..], b" 12 ", b"-0.5E-2", b"\"\"", b"[]", b"{}"] {
            read(&[good], LIMITS).1.unwrap();
            assert!(serde_json::from_slice::<serde_json::Value>(good).is_ok());
        }
        // Found by the json fuzz target: serde_json refuses a number past
        // f64's range; its grammar is fine, and no detector reads numbers.
        read(&[b"1.05e111111"], LIMITS).1.unwrap();
        // Bytes past the kept length of a string are dropped unread.
        let (events, end) = read(&[b"[\"", &[b'a'; 70], b"\xcb5\"]"], LIMITS);
        end.unwrap();
        assert!(events[1].ends_with(" true"), "{events:?}");
    }

    #[test]
    fn depth_elements_and_strings_are_bounded() {
        let deep = "[".repeat(100_000);
        let (_, end) = read(&[deep.as_bytes()], LIMITS);
        assert!(matches!(end, Err(JsonError::TooDeep { limit: 32, .. })));
        let many = format!("[{}1]", "1,".repeat(20_000));
        let (_, end) = read(&[many.as_bytes()], LIMITS);
        match end {
            Err(JsonError::TooManyElements { limit, path }) => {
                assert_eq!((limit, path.as_str()), (10_000, "$[9999]"));
            }
            other => panic!("{other:?}"),
        }
        let long = format!("[\"{}\u{e9}\"]", "a".repeat(63));
        let (events, end) = read(&[long.as_bytes()], LIMITS);
        end.unwrap();
        assert_eq!(events[1], format!("s $[0] 1 {} true", "a".repeat(63)));
    }
}
