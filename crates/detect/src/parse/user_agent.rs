//! The `User-Agent` grammar (RFC 9110 §10.1.5): products (`name/version`)
//! and parenthesised comments.
//!
//! A User-Agent that follows this grammar is free text chosen by a client
//! library and is judged leniently; one that does not (`cat /etc/passwd`,
//! `x' onerror=alert(1) '`) is a value someone typed, and is read like any
//! other argument.

/// Comments nest at most this deep; deeper is not a real User-Agent.
const MAX_COMMENT_DEPTH: usize = 8;

/// Whether `value` is a product list with at least one version in it.
pub fn is_product_list(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    let mut versioned = false;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' => i += 1,
            b'(' => match comment_end(bytes, i) {
                Some(end) => i = end,
                None => return false,
            },
            _ => {
                let start = i;
                while i < bytes.len() && is_token_byte(bytes[i]) {
                    i += 1;
                }
                // A product never starts with `-`; an option does.
                if i == start || bytes[start] == b'-' {
                    return false;
                }
                // `Slackbot 1.0`: a version may also follow the name as a word.
                versioned |= bytes[start].is_ascii_digit();
                if bytes.get(i) == Some(&b'/') {
                    let version = i + 1;
                    i = version;
                    while i < bytes.len() && is_token_byte(bytes[i]) {
                        i += 1;
                    }
                    if i == version {
                        return false;
                    }
                    versioned = true;
                }
                if i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'(') {
                    return false;
                }
            }
        }
    }
    versioned
}

/// The index just past the comment opened at `open`, if it closes.
fn comment_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => {
                depth += 1;
                if depth > MAX_COMMENT_DEPTH {
                    return None;
                }
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// RFC 9110 `tchar`, without the quote and backquote a product never uses.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&*+-.^_|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_real_user_agents_as_product_lists() {
        for ua in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
            "curl/8.4.0",
            "python-requests/2.31.0",
            "Slackbot 1.0 (+https://api.slack.com/robots)",
            "okhttp/4.12.0",
            "Test/1.0 (compatible; nested (comment))",
        ] {
            assert!(is_product_list(ua), "{ua}");
        }
    }

    #[test]
    fn typed_values_are_not_product_lists() {
        for ua in [
            "cat /etc/passwd",
            "ansible all -m ping",
            "chef-client -t 1.1.1.1",
            "CustomBot/2.0 ' onerror=alert(1) '",
            "Mozilla/5.0 (unclosed",
            "",
            "x/",
        ] {
            assert!(!is_product_list(ua), "{ua}");
        }
    }
}
