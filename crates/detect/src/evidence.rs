//! Evidence excerpts: short, printable, and masked where the field is a
//! secret, so verdicts and events never leak what they protect; the words
//! and the quoting are `rampart_core::redact`'s, which the behaviour
//! detectors quote values with too.

use crate::location::Location;
use rampart_core::redact;

const MAX_CHARS: usize = 80;

/// Whether the field at `location` holds a secret.
pub fn is_secret(location: &Location) -> bool {
    match location {
        Location::Header(n)
        | Location::Cookie(n)
        | Location::Query(n)
        | Location::Form(n)
        | Location::Json(n) => redact::secret_name(n),
        Location::Decoded(inner, _) => is_secret(inner),
        _ => false,
    }
}

/// A short printable excerpt of `text`, masked when `location` is secret.
pub fn excerpt(location: &Location, text: &str) -> String {
    redact::excerpt(text, is_secret(location), MAX_CHARS)
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
