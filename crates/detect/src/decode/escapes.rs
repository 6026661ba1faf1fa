//! Backslash escapes that languages decode before using a string:
//! `\uXXXX` (JavaScript, JSON, Java) and `\xNN` (C, PHP, Python, shells).

use std::borrow::Cow;

fn hex_value(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(s, 16).ok()
    } else {
        None
    }
}

/// Decodes `\uXXXX` and `\xNN`; borrows when there are none.
pub fn decode(input: &str) -> Cow<'_, str> {
    if !input.contains('\\') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    let mut changed = false;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let width = match after.as_bytes().first() {
            Some(b'u' | b'U') => 4,
            Some(b'x' | b'X') => 2,
            _ => 0,
        };
        let code = after
            .get(1..1 + width)
            .filter(|_| width > 0)
            .and_then(hex_value);
        match code.and_then(char::from_u32) {
            Some(ch) => {
                out.push(ch);
                rest = &after[1 + width..];
                changed = true;
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_unicode_and_hex_escapes_only() {
        assert_eq!(decode(r"\u0061lert\x28\x29"), "alert()");
        assert_eq!(decode(r"C:\users\xyz"), r"C:\users\xyz");
        assert_eq!(decode(r"\u00e9t\u00e9"), "\u{e9}t\u{e9}");
    }
}
