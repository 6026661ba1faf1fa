//! Case, comment and whitespace folding: the form most detectors read.
//!
//! `SeLeCt/**/x`, `document/*a*/.cookie` and `un\tion` all read as the
//! grammar that executes them would: comments become a space, whitespace runs
//! become one space, letters are lower case. MySQL's executable comments
//! (`/*!50000select*/`) keep their content.

/// Folds `text` into lower case with comments and whitespace runs collapsed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        if rest.starts_with("/*") {
            let body = &rest[2..];
            if let Some(version_body) = body.strip_prefix('!') {
                let digits = version_body.bytes().take_while(u8::is_ascii_digit).count();
                rest = &version_body[digits..];
            } else {
                rest = body.find("*/").map_or("", |end| &body[end + 2..]);
            }
            pending_space = true;
            continue;
        }
        if rest.starts_with("*/") {
            rest = &rest[2..];
            pending_space = true;
            continue;
        }
        rest = &rest[ch.len_utf8()..];
        if ch.is_whitespace() || ch == '\u{0b}' || ch == '\u{0c}' {
            pending_space = true;
            continue;
        }
        if ch == '\0' {
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.extend(ch.to_lowercase());
        }
    }
    out
}

/// Whether `fold` would give `text` back unchanged: ASCII without upper
/// case, control characters or a space that is leading, trailing or
/// doubled, and without the comment markers `/*` and `*/`. Checked first so
/// that such values (most keys, ids and enum values) are not copied.
pub fn is_folded(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut previous_space = true;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b' ' if previous_space => return false,
            b' ' => previous_space = true,
            b'A'..=b'Z' | 0..=0x1f | 0x7f..=0xff => return false,
            b'/' if bytes.get(i + 1) == Some(&b'*') => return false,
            b'*' if bytes.get(i + 1) == Some(&b'/') => return false,
            _ => previous_space = false,
        }
    }
    !previous_space || bytes.is_empty()
}

/// Removes `/* */` comments only (keeping case and whitespace), for
/// detectors that read line structure themselves.
pub fn fold_comments_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        out.push(' ');
        let body = &rest[start + 2..];
        rest = body.find("*/").map_or("", |end| &body[end + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_comments_and_whitespace() {
        assert_eq!(fold("SeLeCt/**/x  FROM\t\ty"), "select x from y");
        assert_eq!(fold("document/*foo*/.cookie"), "document .cookie");
        assert_eq!(fold("/*!50000select*/ 1"), "select 1");
        assert_eq!(fold("  lead and trail  "), "lead and trail");
        assert_eq!(fold("open /* comment"), "open");
    }

    #[test]
    fn a_text_said_to_be_folded_folds_to_itself() {
        for text in ["", "order_id", "ann lee", "tok_1mx2q8", "a/b*c", "1=1"] {
            assert!(is_folded(text), "{text:?}");
            assert_eq!(fold(text), text);
        }
        for text in ["Ann", " a", "a ", "a  b", "a\tb", "a/*b", "b*/", "é", "a\0"] {
            assert!(!is_folded(text), "{text:?}");
        }
        // Every string over an alphabet of the characters folding treats
        // specially: whenever the quick check says "unchanged", it is.
        let alphabet = ['a', 'Z', ' ', '/', '*', '\t', '\0', 'é', '1', '-'];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            for i in 0..(state >> 60) {
                let pick = (state >> (i * 4 % 56)) as usize % alphabet.len();
                text.push(alphabet[pick]);
            }
            if is_folded(&text) {
                assert_eq!(fold(&text), text, "{text:?}");
            }
        }
    }
}
