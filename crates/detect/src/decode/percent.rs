//! Percent-decoding as servers do it, including the IIS `%uXXXX` form.
//!
//! Malformed escapes are kept literally (like most servers) and reported, so
//! the protocol detector can call them out.

use super::DecodeFlags;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `input` holds at least one `%XX` or `%uXXXX` escape.
pub fn has_escape(input: &[u8]) -> bool {
    input
        .windows(3)
        .any(|w| w[0] == b'%' && hex(w[1]).is_some() && hex(w[2]).is_some())
        || input.windows(6).any(|w| {
            w[0] == b'%' && (w[1] | 0x20) == b'u' && w[2..].iter().all(|&b| hex(b).is_some())
        })
}

/// Decodes one round of percent escapes; `plus_as_space` for form encoding.
pub fn decode(input: &[u8], plus_as_space: bool, flags: &mut DecodeFlags) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            if let Some(code) = percent_u(&input[i..]) {
                flags.percent_u = true;
                let mut buf = [0u8; 4];
                let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                out.extend_from_slice(fold_fullwidth(ch).encode_utf8(&mut buf).as_bytes());
                i += 6;
                continue;
            }
            flags.bad_percent = true;
            out.push(b);
        } else if b == b'+' && plus_as_space {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    out
}

fn percent_u(s: &[u8]) -> Option<u32> {
    if s.len() < 6 || (s[1] | 0x20) != b'u' {
        return None;
    }
    s[2..6]
        .iter()
        .try_fold(0u32, |acc, &b| hex(b).map(|d| acc << 4 | u32::from(d)))
}

/// IIS maps full-width forms (U+FF01..U+FF5E) onto ASCII; so do we.
fn fold_fullwidth(ch: char) -> char {
    let c = ch as u32;
    if (0xFF01..=0xFF5E).contains(&c) {
        char::from_u32(c - 0xFEE0).unwrap_or(ch)
    } else {
        ch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plain_plus_and_iis_forms() {
        let mut f = DecodeFlags::default();
        assert_eq!(decode(b"a%20b+c", true, &mut f), b"a b c");
        assert_eq!(decode(b"a+c", false, &mut f), b"a+c");
        assert_eq!(decode(b"%uff0f", false, &mut f), b"/");
        assert!(f.percent_u);
        assert!(!f.bad_percent);
        assert_eq!(decode(b"100%", false, &mut f), b"100%");
        assert!(f.bad_percent);
    }
}
