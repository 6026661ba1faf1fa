//! Excerpts of client values for evidence: short, printable, and masked
//! when the field's name says it holds a secret, so that verdicts, events
//! and behaviour signals never leak what they protect. Single-request
//! detection (`rampart-detect`) and the behaviour detectors
//! (`rampart-behave`) quote values the same way, from here.

/// Words that make a field a secret when its last name segment contains
/// one (`user.password`, `api_key`, `x-session-token`).
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "authorization",
    "api_key",
    "apikey",
    "api-key",
    "session",
    "cookie",
    "card",
    "cvv",
    "cvc",
    "ssn",
    "pin",
    "otp",
    "private",
    "credential",
];

/// Whether a field named `name` (a parameter, header, cookie or JSON path;
/// only its last segment after `.`, `[` or `'` counts) holds a secret.
pub fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let last = lower
        .rsplit(['.', '[', '\''])
        .find(|s| !s.is_empty())
        .unwrap_or(&lower);
    SECRET_NAMES.iter().any(|s| last.contains(s))
}

/// At most `max_chars` characters of `text`, controls escaped and `…`
/// marking a cut; when `secret`, only its first two characters and its
/// length.
pub fn excerpt(text: &str, secret: bool, max_chars: usize) -> String {
    if secret {
        let shown: String = text.chars().take(2).collect();
        return format!("{shown}***({} chars)", text.chars().count());
    }
    let mut out = String::new();
    for (i, ch) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_told_by_their_last_name_segment() {
        assert!(secret_name("password"));
        assert!(secret_name("json.user.Api_Key"));
        assert!(secret_name("json.items[].x-session"));
        assert!(!secret_name("password.hint.q"));
        assert!(!secret_name("page"));
    }

    #[test]
    fn excerpts_are_masked_shortened_and_printable() {
        assert_eq!(excerpt("' or 1=1--", true, 80), "' ***(10 chars)");
        assert_eq!(excerpt(&"a".repeat(200), false, 80).chars().count(), 81);
        assert_eq!(excerpt("a\r\nb\u{1}", false, 80), "a\\r\\nb\\x01");
    }
}
