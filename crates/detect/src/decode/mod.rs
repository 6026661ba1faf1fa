//! One decoding pass per value, cached in the value itself.
//!
//! Raw bytes go through percent-decoding (repeated while escapes remain, so
//! double encoding is seen), lenient UTF-8 (overlong forms), HTML entities and
//! backslash escapes; the result is then folded (case, comments, whitespace).
//! Detectors read `text` and `folded` and never decode again. What decoding
//! had to repair is kept in [`DecodeFlags`] for the protocol detector.

pub mod base64;
pub mod content_encoding;
pub mod entities;
pub mod escapes;
pub mod fold;
pub mod path;
pub mod percent;
pub mod utf8;

/// Decoding rounds beyond the first: enough for double and triple encoding,
/// bounded against pathological nesting.
const MAX_PERCENT_ROUNDS: usize = 3;

/// Character-reference layers decoded: the document's and the page's.
const MAX_ENTITY_ROUNDS: usize = 2;

/// What decoding found and repaired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeFlags {
    pub null_byte: bool,
    pub invalid_utf8: bool,
    pub overlong_utf8: bool,
    pub percent_u: bool,
    pub bad_percent: bool,
    /// Percent escapes were still there after the transport decoding.
    pub multiple_encoding: bool,
}

/// A value decoded once, in the forms detectors read.
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    /// Fully decoded text, case preserved.
    pub text: String,
    /// The folded form when it differs from `text` (most keys and many
    /// values are already folded: lower case, single spaces, no comments).
    folded: Option<String>,
    pub flags: DecodeFlags,
}

impl Decoded {
    /// `text` lower-cased with comments and whitespace runs folded.
    pub fn folded(&self) -> &str {
        self.folded.as_deref().unwrap_or(&self.text)
    }
}

/// How the transport already encoded the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Percent-encoded with `+` for space (query strings, urlencoded forms).
    Form,
    /// Percent-encoded, `+` literal (paths).
    Percent,
    /// Not encoded by the transport (headers, JSON strings, multipart).
    Plain,
}

/// Decodes a raw value once.
pub fn decode(raw: &[u8], transport: Transport) -> Decoded {
    let mut flags = DecodeFlags::default();
    let mut bytes = match transport {
        Transport::Form => percent::decode(raw, true, &mut flags),
        Transport::Percent => percent::decode(raw, false, &mut flags),
        Transport::Plain => raw.to_vec(),
    };
    // Encoding validity is judged on what the transport delivered: bytes that
    // only appear after decoding a second time (a password containing `%`)
    // are content, not a broken encoding.
    let transport_valid = std::str::from_utf8(&bytes).is_ok();
    for _ in 0..MAX_PERCENT_ROUNDS {
        if !percent::has_escape(&bytes) {
            break;
        }
        if transport != Transport::Plain {
            flags.multiple_encoding = true;
        }
        bytes = percent::decode(&bytes, false, &mut flags);
    }
    flags.null_byte = bytes.contains(&0);
    let text = utf8::to_text(bytes, &mut flags);
    if transport_valid && flags.multiple_encoding {
        flags.invalid_utf8 = false;
    }
    // A document format's own escaping (`&amp;tab;` in XML) wraps the
    // references a browser decodes next: decode as many layers as that.
    let mut text = text;
    for _ in 0..MAX_ENTITY_ROUNDS {
        match entities::decode(&text) {
            std::borrow::Cow::Owned(s) if s != text => text = s,
            _ => break,
        }
    }
    let text = match escapes::decode(&text) {
        std::borrow::Cow::Owned(s) => s,
        std::borrow::Cow::Borrowed(_) => text,
    };
    let folded = (!fold::is_folded(&text)).then(|| fold::fold(&text));
    Decoded {
        text,
        folded,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_double_encoding_entities_and_escapes_once() {
        let d = decode(b"%253Cscript%253E", Transport::Form);
        assert_eq!(d.text, "<script>");
        assert!(d.flags.multiple_encoding);
        let d = decode(b"%26lt%3Bimg+src%3Dx%26gt%3B", Transport::Form);
        assert_eq!(d.text, "<img src=x>");
        let d = decode(br"\u0027 OR 1=1", Transport::Plain);
        assert_eq!(d.folded(), "' or 1=1");
        let d = decode(b"ja&amp;tab;vascript:", Transport::Plain);
        assert_eq!(d.text, "ja\tvascript:");
        let d = decode(b"a%00b", Transport::Percent);
        assert!(d.flags.null_byte);
    }
}
