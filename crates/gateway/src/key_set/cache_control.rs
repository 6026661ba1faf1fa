//! How long an identity provider says its key set stays fresh: the
//! `max-age` of its `Cache-Control` header (RFC 9111 section 5.2), read
//! from a header the provider controls, so bounded and forgiving: an
//! unreadable header is the same as none, and the caller clamps the
//! result between the configured refresh bounds.

use std::time::Duration;

/// Headers longer than this are not read (a real one is a few dozen bytes).
pub const MAX_CACHE_CONTROL_BYTES: usize = 1024;

/// What a `Cache-Control` header says about freshness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// `max-age=N`: fresh for N seconds.
    MaxAge(Duration),
    /// `no-cache`, `no-store` or `max-age=0`: refetch as soon as allowed.
    Revalidate,
    /// No usable directive: the caller's default applies.
    Unstated,
}

/// Reads one or more `Cache-Control` header values (joined as a list).
pub fn freshness<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Freshness {
    let mut max_age = None;
    let mut revalidate = false;
    let mut read = 0usize;
    for value in values {
        read += value.len();
        if read > MAX_CACHE_CONTROL_BYTES {
            return Freshness::Unstated;
        }
        let Ok(text) = std::str::from_utf8(value) else {
            continue;
        };
        for directive in text.split(',') {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim())),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
                revalidate = true;
            } else if name.eq_ignore_ascii_case("max-age") && max_age.is_none() {
                max_age = argument.and_then(delta_seconds);
            }
        }
    }
    match (revalidate, max_age) {
        (true, _) | (false, Some(0)) => Freshness::Revalidate,
        (false, Some(seconds)) => Freshness::MaxAge(Duration::from_secs(seconds)),
        (false, None) => Freshness::Unstated,
    }
}

/// `delta-seconds` (digits, optionally quoted); values past what a u64
/// holds are the largest (RFC 9111 section 1.2.2 says 2^31 suffices).
fn delta_seconds(argument: &str) -> Option<u64> {
    let digits = argument
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(argument);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(values: &[&str]) -> Freshness {
        freshness(values.iter().map(|v| v.as_bytes()))
    }

    #[test]
    fn max_age_is_read_among_other_directives_in_any_case() {
        assert_eq!(
            read(&["public, MAX-AGE=3600, must-revalidate"]),
            Freshness::MaxAge(Duration::from_secs(3600))
        );
        assert_eq!(
            read(&["max-age = \"120\""]),
            Freshness::MaxAge(Duration::from_secs(120))
        );
        assert_eq!(
            read(&["public", "max-age=60"]),
            Freshness::MaxAge(Duration::from_secs(60))
        );
    }

    #[test]
    fn the_first_max_age_counts() {
        assert_eq!(
            read(&["max-age=10, max-age=99999"]),
            Freshness::MaxAge(Duration::from_secs(10))
        );
    }

    #[test]
    fn no_cache_no_store_and_zero_ask_for_revalidation() {
        assert_eq!(read(&["no-cache"]), Freshness::Revalidate);
        assert_eq!(read(&["max-age=3600, no-store"]), Freshness::Revalidate);
        assert_eq!(read(&["max-age=0"]), Freshness::Revalidate);
    }

    #[test]
    fn unreadable_or_absent_values_are_unstated() {
        assert_eq!(read(&[]), Freshness::Unstated);
        assert_eq!(read(&["public"]), Freshness::Unstated);
        assert_eq!(read(&["max-age=-5"]), Freshness::Unstated);
        assert_eq!(read(&["max-age=1h"]), Freshness::Unstated);
        assert_eq!(read(&["max-age="]), Freshness::Unstated);
        assert_eq!(read(&["max-age"]), Freshness::Unstated);
        assert_eq!(
            freshness([&[0xff, b'x'][..]]),
            Freshness::Unstated,
            "not UTF-8"
        );
    }

    #[test]
    fn huge_values_saturate_and_huge_headers_are_not_read() {
        assert_eq!(
            read(&["max-age=99999999999999999999999"]),
            Freshness::MaxAge(Duration::from_secs(u64::MAX))
        );
        let long = format!("max-age=60, {}", "x".repeat(MAX_CACHE_CONTROL_BYTES));
        assert_eq!(read(&[&long]), Freshness::Unstated);
    }
}
