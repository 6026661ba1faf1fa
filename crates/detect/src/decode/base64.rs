//! Base64 where a value is base64: a payload hidden in an encoded field is
//! decoded and inspected like any other value.
//!
//! Only values that are wholly base64, long enough to matter, and decode to
//! readable text qualify; random tokens decode to binary and are left alone.

use base64::Engine;

/// Base64 characters (padding aside) a value needs before it is decoded:
/// 12 is 9 bytes, enough for `.ssh/id_rsa`; a random token that short
/// decodes to readable text about once in 7,000 (each byte printable ASCII
/// with odds of 3 in 8), and then to noise no detector reads as an attack.
const MIN_LEN: usize = 12;

/// The text a base64 value decodes to, when the value is base64 and the text
/// is readable.
pub fn decode_text(value: &str) -> Option<String> {
    let trimmed = value.trim_end_matches('=');
    if trimmed.len() < MIN_LEN
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
    {
        return None;
    }
    // A value with no digits nor mixed case is a word, not an encoding.
    let has_upper = trimmed.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = trimmed.bytes().any(|b| b.is_ascii_lowercase());
    if !(has_upper && has_lower) {
        return None;
    }
    let url_safe = trimmed.bytes().any(|b| b == b'-' || b == b'_');
    let engine = if url_safe {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
    } else {
        base64::engine::general_purpose::STANDARD_NO_PAD
    };
    let bytes = engine.decode(trimmed).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let readable = text
        .chars()
        .filter(|c| !c.is_control() || c.is_ascii_whitespace())
        .count();
    (readable * 100 >= text.chars().count() * 95).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_readable_base64_only() {
        assert_eq!(
            decode_text("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==").as_deref(),
            Some("<script>alert(1)</script>")
        );
        assert_eq!(decode_text("EHGfE-a8HpJ1zt6MU1NFOYIu45BJIO0U"), None);
        assert_eq!(decode_text("short"), None);
        assert_eq!(
            decode_text("LnNzaC9pZF9yc2E=").as_deref(),
            Some(".ssh/id_rsa")
        );
        assert_eq!(decode_text("aB3dE5fG7hJ9"), None, "a short random id");
        assert_eq!(decode_text("abcdefghijklmnopqrstuvwxyz"), None);
    }
}
