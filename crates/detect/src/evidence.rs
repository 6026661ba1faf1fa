//! Evidence excerpts: short, printable, and masked where the field is a
//! secret, so verdicts and events never leak what they protect.

use crate::location::Location;

const MAX_CHARS: usize = 80;
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

/// Whether the field at `location` holds a secret.
pub fn is_secret(location: &Location) -> bool {
    let name = match location {
        Location::Header(n)
        | Location::Cookie(n)
        | Location::Query(n)
        | Location::Form(n)
        | Location::Json(n) => n,
        Location::Decoded(inner, _) => return is_secret(inner),
        _ => return false,
    };
    let lower = name.to_ascii_lowercase();
    let last = lower
        .rsplit(['.', '[', '\''])
        .find(|s| !s.is_empty())
        .unwrap_or(&lower);
    SECRET_NAMES.iter().any(|s| last.contains(s))
}

/// A short printable excerpt of `text`, masked when `location` is secret.
pub fn excerpt(location: &Location, text: &str) -> String {
    if is_secret(location) {
        let shown: String = text.chars().take(2).collect();
        return format!("{shown}***({} chars)", text.chars().count());
    }
    let mut out = String::new();
    for (i, ch) in text.chars().enumerate() {
        if i == MAX_CHARS {
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
    fn masks_secrets_and_shortens() {
        let e = excerpt(&Location::Form("password".into()), "' or 1=1--");
        assert_eq!(e, "' ***(10 chars)");
        let e = excerpt(&Location::Query("q".into()), &"a".repeat(200));
        assert_eq!(e.chars().count(), MAX_CHARS + 1);
        assert_eq!(excerpt(&Location::Query("q".into()), "a\r\nb"), "a\\r\\nb");
    }
}
