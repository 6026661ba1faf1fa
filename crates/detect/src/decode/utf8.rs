//! Bytes to text the way a lenient decoder would read them.
//!
//! Overlong UTF-8 sequences (`C0 AF` for `/`) are decoded to the character
//! they smuggle, as vulnerable decoders did; bytes that are not UTF-8 at all
//! are read as Latin-1. Both are reported.

use super::DecodeFlags;

/// Decodes bytes to text, never failing. Valid UTF-8 (nearly every value)
/// becomes the text without a copy.
pub fn to_text(bytes: Vec<u8>, flags: &mut DecodeFlags) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(invalid) => lenient(invalid.as_bytes(), flags),
    }
}

/// Bytes that are not UTF-8, read as a lenient decoder would.
fn lenient(bytes: &[u8], flags: &mut DecodeFlags) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                // valid_up_to guarantees this prefix is UTF-8.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let used = match overlong(after) {
                    Some((ch, len)) => {
                        flags.overlong_utf8 = true;
                        out.push(ch);
                        len
                    }
                    None => {
                        flags.invalid_utf8 = true;
                        out.push(char::from(after[0]));
                        1
                    }
                };
                rest = &after[used..];
            }
        }
    }
    out
}

/// An overlong 2- or 3-byte sequence at the start of `s`: its character and length.
fn overlong(s: &[u8]) -> Option<(char, usize)> {
    let cont = |b: u8| b & 0xC0 == 0x80;
    match s {
        [a @ (0xC0 | 0xC1), b, ..] if cont(*b) => {
            char::from_u32(u32::from(a & 0x1F) << 6 | u32::from(b & 0x3F)).map(|c| (c, 2))
        }
        [0xE0, b, c, ..] if cont(*b) && cont(*c) && *b < 0xA0 => {
            char::from_u32(u32::from(b & 0x3F) << 6 | u32::from(c & 0x3F)).map(|ch| (ch, 3))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_overlong_slash_and_latin1_fallback() {
        let mut f = DecodeFlags::default();
        assert_eq!(to_text(b"..\xc0\xafetc".to_vec(), &mut f), "../etc");
        assert!(f.overlong_utf8);
        let mut f = DecodeFlags::default();
        assert_eq!(to_text(b"\xbcx".to_vec(), &mut f), "\u{bc}x");
        assert!(f.invalid_utf8);
        let mut f = DecodeFlags::default();
        assert_eq!(to_text("d\u{e9}j\u{e0}".into(), &mut f), "d\u{e9}j\u{e0}");
        assert!(!f.invalid_utf8 && !f.overlong_utf8);
    }
}
