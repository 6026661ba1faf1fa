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
}
