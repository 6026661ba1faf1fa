//! Sensitive data found by validators, not by bare patterns.
//!
//! A card number must pass Luhn and carry a card-network prefix, an IBAN its
//! mod-97 checksum, an SSN the rules of issued numbers, a JWT must decode to
//! a JSON header naming an algorithm, an API key must be a known provider
//! format or a high-entropy value under a credential-like name. Each hit is
//! reported with its location as a JSONPath (`$.users[*].email`).

use crate::json::Json;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// What kind of sensitive value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SensitiveKind {
    CreditCard,
    Ssn,
    Iban,
    Email,
    PhoneNumber,
    Jwt,
    Password,
    PrivateKey,
    ApiKey,
    IpAddress,
}

/// Where in the exchange a value sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Location {
    #[serde(rename = "request.body")]
    RequestBody,
    #[serde(rename = "response.body")]
    ResponseBody,
    #[serde(rename = "query")]
    Query,
    #[serde(rename = "header")]
    Header,
}

impl SensitiveKind {
    /// Kinds that let whoever reads them act as someone else.
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            SensitiveKind::Password
                | SensitiveKind::PrivateKey
                | SensitiveKind::ApiKey
                | SensitiveKind::Jwt
        )
    }

    /// Weight of one kind in the endpoint's risk score.
    pub fn risk_weight(self) -> u32 {
        match self {
            SensitiveKind::CreditCard | SensitiveKind::PrivateKey | SensitiveKind::Password => 30,
            SensitiveKind::Ssn
            | SensitiveKind::Iban
            | SensitiveKind::ApiKey
            | SensitiveKind::Jwt => 25,
            SensitiveKind::Email | SensitiveKind::PhoneNumber => 10,
            SensitiveKind::IpAddress => 5,
        }
    }
}

/// Classifies one value found under `key` (the last name on its path).
pub fn classify_value(key: &str, value: &str) -> Option<SensitiveKind> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if is_password_name(key) {
        return Some(SensitiveKind::Password);
    }
    if value.len() < 6 || value.len() > 8192 {
        return None;
    }
    if value.starts_with("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        return Some(SensitiveKind::PrivateKey);
    }
    if value.len() > 512 {
        return None;
    }
    if is_jwt(value) {
        return Some(SensitiveKind::Jwt);
    }
    if crate::segment::is_email(value) {
        return Some(SensitiveKind::Email);
    }
    // Numbers with separators: cards, SSNs, phone numbers.
    if value
        .bytes()
        .all(|b| b.is_ascii_digit() || b" -().+".contains(&b))
    {
        if is_card_number(value) {
            return Some(SensitiveKind::CreditCard);
        }
        if is_ssn(value) {
            return Some(SensitiveKind::Ssn);
        }
        if is_phone_number(key, value) {
            return Some(SensitiveKind::PhoneNumber);
        }
    }
    if value.len() >= 15
        && value.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
        && is_iban(value)
    {
        return Some(SensitiveKind::Iban);
    }
    if value
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
        && is_ip_address(value)
    {
        return Some(SensitiveKind::IpAddress);
    }
    if is_provider_key(value)
        || (value.len() >= 16 && is_secret_name(key) && is_high_entropy_secret(value))
    {
        return Some(SensitiveKind::ApiKey);
    }
    None
}

/// Walks a JSON value and reports every sensitive string with its JSONPath.
pub fn scan_json<T: JsonTree>(value: &T, found: &mut impl FnMut(&str, SensitiveKind)) {
    let mut walker = Walker {
        steps: Vec::new(),
        path: String::new(),
    };
    walker.walk(value, "", 0, found);
}

/// A JSON document the scan walks: discovery's borrowed [`Json`], or the
/// `serde_json::Value` a gateway stage already parsed (a body is parsed
/// once per reader, not once per detector).
pub trait JsonTree {
    fn string(&self) -> Option<&str>;
    fn is_number(&self) -> bool;
    /// Calls `each` with the first `limit` items of an array.
    fn items<'v>(&'v self, limit: usize, each: impl FnMut(&'v Self));
    /// Calls `each` with the first `limit` members of an object.
    fn members<'v>(&'v self, limit: usize, each: impl FnMut(&'v str, &'v Self));
}

impl JsonTree for Json<'_> {
    fn string(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Json::Number { .. })
    }

    fn items<'v>(&'v self, limit: usize, each: impl FnMut(&'v Self)) {
        if let Json::Array(items) = self {
            items.iter().take(limit).for_each(each);
        }
    }

    fn members<'v>(&'v self, limit: usize, mut each: impl FnMut(&'v str, &'v Self)) {
        if let Json::Object(members) = self {
            for (k, v) in members.iter().take(limit) {
                each(k, v);
            }
        }
    }
}

impl JsonTree for serde_json::Value {
    fn string(&self) -> Option<&str> {
        self.as_str()
    }

    fn is_number(&self) -> bool {
        self.is_number()
    }

    fn items<'v>(&'v self, limit: usize, each: impl FnMut(&'v Self)) {
        if let serde_json::Value::Array(items) = self {
            items.iter().take(limit).for_each(each);
        }
    }

    fn members<'v>(&'v self, limit: usize, mut each: impl FnMut(&'v str, &'v Self)) {
        if let serde_json::Value::Object(members) = self {
            for (k, v) in members.iter().take(limit) {
                each(k, v);
            }
        }
    }
}

/// A step on the way to a value: a member, or every item of an array.
enum Step<'v> {
    Member(&'v str),
    Items,
}

/// The steps to the value walked; they are written out as a JSONPath only
/// for the few values that are sensitive.
struct Walker<'v> {
    steps: Vec<Step<'v>>,
    path: String,
}

impl<'v> Walker<'v> {
    fn walk<T: JsonTree>(
        &mut self,
        value: &'v T,
        key: &str,
        depth: usize,
        found: &mut impl FnMut(&str, SensitiveKind),
    ) {
        if depth > crate::schema::MAX_DEPTH {
            return;
        }
        if let Some(s) = value.string() {
            if let Some(kind) = classify_value(key, s) {
                found(self.path(), kind);
            }
            return;
        }
        if value.is_number() {
            if is_password_name(key) {
                found(self.path(), SensitiveKind::Password);
            }
            return;
        }
        self.steps.push(Step::Items);
        value.items(64, |item| self.walk(item, key, depth + 1, found));
        self.steps.pop();
        value.members(crate::schema::MAX_PROPERTIES * 2, |k, v| {
            self.steps.push(Step::Member(k));
            self.walk(v, k, depth + 1, found);
            self.steps.pop();
        });
    }

    /// The JSONPath of the value walked now.
    fn path(&mut self) -> &str {
        self.path.clear();
        self.path.push('$');
        for step in &self.steps {
            match step {
                Step::Member(name) => push_member(&mut self.path, name),
                Step::Items => self.path.push_str("[*]"),
            }
        }
        &self.path
    }
}

/// Appends `.name`, or `['name']` when the name is not a plain identifier.
pub fn push_member(path: &mut String, name: &str) {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        path.push('.');
        path.push_str(name);
    } else {
        path.push_str("['");
        for c in name.chars() {
            if c == '\'' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("']");
    }
}

/// Case-insensitive substring test without allocating (needles are lower-case).
pub(crate) fn lower_contains(key: &str, needles: &[&str]) -> bool {
    let key = key.as_bytes();
    needles.iter().any(|n| {
        key.windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n.as_bytes()))
    })
}

fn is_password_name(key: &str) -> bool {
    (lower_contains(key, &["pass"]) && lower_contains(key, &["password", "passwd", "passphrase"]))
        || key.eq_ignore_ascii_case("pwd")
}

/// Names under which a high-entropy value is a secret. Names of identifiers
/// of secrets (`api_key_uuid`, `CredentialSid`) and pagination cursors
/// (`page_token`) are not.
fn is_secret_name(key: &str) -> bool {
    if !lower_contains(
        key,
        &["key", "secret", "token", "credential", "signature", "auth"],
    ) {
        return false;
    }
    let words = crate::function::words(key);
    let names_an_id = words.last().is_some_and(|w| {
        ["id", "sid", "uuid", "ids", "name", "type", "plugin"].contains(&w.as_str())
    });
    let cursor = words
        .iter()
        .any(|w| ["page", "cursor", "next", "continuation"].contains(&w.as_str()));
    !names_an_id && !cursor
}

/// Whether a hit is exposure worth reporting. A password sent in a request
/// body is the API working as designed (login, sign-up); one in a URL or
/// coming back in a response is exposure.
pub fn is_exposure(location: Location, kind: SensitiveKind) -> bool {
    !(kind == SensitiveKind::Password && location == Location::RequestBody)
}

/// Long, no spaces, mixing letter cases and digits: not a word someone chose.
fn is_high_entropy_secret(value: &str) -> bool {
    if value.len() < 16 || value.bytes().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    let lower = value.bytes().any(|b| b.is_ascii_lowercase());
    let upper = value.bytes().any(|b| b.is_ascii_uppercase());
    let digit = value.bytes().any(|b| b.is_ascii_digit());
    let classes = [lower, upper, digit].iter().filter(|&&c| c).count();
    let word_separators = value.bytes().filter(|&b| b == b'_' || b == b'-').count();
    word_separators <= 1
        && (classes >= 3 || (value.len() >= 24 && shannon_bits_per_char(value) >= 4.0))
}

fn shannon_bits_per_char(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in value.bytes() {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Formats issued by cloud and SaaS providers, recognisable on their own.
fn is_provider_key(v: &str) -> bool {
    if v.len() < 20 {
        return false;
    }
    let tail_ok = |prefix: &str, min: usize| {
        v.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= min
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
    };
    (v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        || ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
            .iter()
            .any(|p| tail_ok(p, 36))
        || tail_ok("github_pat_", 40)
        || ["xoxb-", "xoxp-", "xoxa-", "xoxr-"]
            .iter()
            .any(|p| tail_ok(p, 20))
        || ["sk_live_", "rk_live_", "sk_test_"]
            .iter()
            .any(|p| tail_ok(p, 16))
        || tail_ok("AIza", 35)
        || tail_ok("glpat-", 20)
        || tail_ok("npm_", 36)
        || (v.starts_with("SG.") && v.len() >= 60)
}

fn is_jwt(v: &str) -> bool {
    // Checked before splitting: this runs on every string of every body.
    if !v.starts_with("eyJ") {
        return false;
    }
    let mut parts = v.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if !header.starts_with("eyJ") || !payload.starts_with("eyJ") {
        return false;
    }
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    engine
        .decode(header.trim_end_matches('='))
        .ok()
        .is_some_and(|bytes| Json::parse(&bytes).is_some_and(|h| h.get("alg").is_some()))
}

fn digits_of(v: &str, separators: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_digit() {
            digits.push(b - b'0');
        } else if !separators.contains(&b) {
            return None;
        }
    }
    Some(digits)
}

/// Luhn-valid number of 13 to 19 digits with a card network's prefix.
pub fn is_card_number(v: &str) -> bool {
    let Some(d) = digits_of(v, b" -") else {
        return false;
    };
    if !(13..=19).contains(&d.len()) {
        return false;
    }
    let prefix = |n: usize| {
        d.iter()
            .take(n)
            .fold(0u32, |acc, &x| acc * 10 + u32::from(x))
    };
    let network = d[0] == 4
        || (51..=55).contains(&prefix(2))
        || (2221..=2720).contains(&prefix(4))
        || [34, 37].contains(&prefix(2))
        || prefix(4) == 6011
        || prefix(2) == 65
        || (3528..=3589).contains(&prefix(4))
        || [36, 38, 39].contains(&prefix(2));
    network && luhn(&d)
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `AAA-GG-SSSS` as issued: area not 000, 666 or 9xx; group and serial not zero.
pub fn is_ssn(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 11 || b[3] != b'-' || b[6] != b'-' {
        return false;
    }
    let Some(d) = digits_of(v, b"-") else {
        return false;
    };
    let num = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// ISO 13616 IBAN: country, check digits, BBAN; mod 97 of the rearranged number is 1.
pub fn is_iban(v: &str) -> bool {
    let compact: Vec<u8> = v.bytes().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&compact.len())
        || !compact[..2].iter().all(u8::is_ascii_uppercase)
        || !compact[2..4].iter().all(u8::is_ascii_digit)
        || !compact[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let mut remainder = 0u32;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// E.164 (`+` and 8 to 15 digits, separators allowed), or 10 to 15 digits
/// under a phone-like name.
fn is_phone_number(key: &str, v: &str) -> bool {
    let Some(d) = digits_of(v.strip_prefix('+').unwrap_or(v), b" -().") else {
        return false;
    };
    if v.starts_with('+') {
        return (8..=15).contains(&d.len()) && d[0] != 0;
    }
    lower_contains(key, &["phone", "mobile", "msisdn", "tel"]) && (10..=15).contains(&d.len())
}

fn is_ip_address(v: &str) -> bool {
    match v.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => v.split('.').count() == 4,
        Ok(std::net::IpAddr::V6(_)) => v.contains("::") || v.split(':').count() >= 4,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_accept_real_values_and_reject_lookalikes() {
        assert!(is_card_number("4111 1111 1111 1111"));
        assert!(!is_card_number("4111 1111 1111 1112"));
        assert!(!is_card_number("1234567812345670"));
        assert!(is_iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!is_iban("GB82 WEST 1234 5698 7654 33"));
        assert!(is_ssn("123-45-6789"));
        assert!(!is_ssn("666-45-6789") && !is_ssn("123-00-6789"));
    }

    #[test]
    fn classifies_by_value_and_name() {
        let jwt = "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiOTkifQ.c2ln";
        assert_eq!(classify_value("token", jwt), Some(SensitiveKind::Jwt));
        assert_eq!(
            classify_value("x", "jo@example.com"),
            Some(SensitiveKind::Email)
        );
        assert_eq!(
            classify_value("phone", "+12162617471"),
            Some(SensitiveKind::PhoneNumber)
        );
        assert_eq!(classify_value("count", "12162617471"), None);
        assert_eq!(
            classify_value("password", "hunter2"),
            Some(SensitiveKind::Password)
        );
        assert_eq!(
            classify_value("api_key", "key_vMG1qxvvhsp38MX9T4FiLJXgucAey3Yj"),
            Some(SensitiveKind::ApiKey)
        );
        assert_eq!(classify_value("token", "sierra-ultra"), None);
        assert_eq!(
            classify_value("note", "AKIAIOSFODNN7EXAMPLE"),
            Some(SensitiveKind::ApiKey)
        );
        assert_eq!(
            classify_value("ip", "10.0.0.1"),
            Some(SensitiveKind::IpAddress)
        );
        assert_eq!(classify_value("version", "1.2.3"), None);
    }

    #[test]
    fn scan_reports_json_paths() {
        let body = Json::parse(
            br#"{"users": [{"email": "a@b.io"}, {"email": "c@d.io"}], "weird key": "+33953468962"}"#,
        )
        .unwrap();
        let mut hits = Vec::new();
        scan_json(&body, &mut |path, kind| hits.push((path.to_owned(), kind)));
        assert!(hits.contains(&("$.users[*].email".into(), SensitiveKind::Email)));
        assert!(hits.contains(&("$['weird key']".into(), SensitiveKind::PhoneNumber)));
    }
}
