//! What a login request and its answer say: the username tried (from a
//! JSON or form body) and whether the attempt failed.
//!
//! Both are read from what the client and the API send, so both are
//! bounded: a username longer than [`MAX_USERNAME_CHARS`] is cut, and only
//! the first [`MAX_FAILURE_BODY_BYTES`] of an answer are searched.

use rampart_core::form::decode_component;
use serde_json::Value;

/// Longest username kept; longer ones are cut (they still count as one).
pub const MAX_USERNAME_CHARS: usize = 128;
/// How much of a `400` answer is searched for failure words.
pub const MAX_FAILURE_BODY_BYTES: usize = 4096;

/// The username a login body carries in the first of `fields` present: a
/// top-level string of `json`, the body read as JSON (the exchange view
/// parses it once for every stage), else an
/// `application/x-www-form-urlencoded` pair of `body`.
pub fn username(body: &[u8], json: Option<&Value>, fields: &[String]) -> Option<String> {
    let found = match json {
        Some(Value::Object(object)) => fields
            .iter()
            .find_map(|f| object.get(f)?.as_str().map(str::to_owned)),
        Some(_) => None,
        None => form_value(body, fields),
    }?;
    let name = found.trim();
    (!name.is_empty()).then(|| name.chars().take(MAX_USERNAME_CHARS).collect())
}

fn form_value(body: &[u8], fields: &[String]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let pairs: Vec<(String, String)> = text
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((decode(name)?, decode(value)?))
        })
        .collect();
    fields.iter().find_map(|f| {
        pairs
            .iter()
            .find(|(name, _)| name == f)
            .map(|(_, v)| v.clone())
    })
}

/// A form component decoded; `None` when not UTF-8.
fn decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    decode_component(text.as_bytes(), &mut out);
    String::from_utf8(out).ok()
}

/// How a login was answered, as far as account takeover is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// Neither (a redirect, a rate limit, a server error): not learned from.
    Unknown,
}

/// `2xx` is a success; `401` and `403` are failures, and so is a `400`
/// whose body (its first [`MAX_FAILURE_BODY_BYTES`]) holds one of
/// `failure_words`, case-insensitively.
pub fn outcome(status: u16, body: &[u8], failure_words: &[String]) -> Outcome {
    match status {
        200..=299 => Outcome::Success,
        401 | 403 => Outcome::Failure,
        400 => {
            let sample = &body[..body.len().min(MAX_FAILURE_BODY_BYTES)];
            let text = String::from_utf8_lossy(sample).to_lowercase();
            if failure_words
                .iter()
                .any(|w| text.contains(&w.to_lowercase()))
            {
                Outcome::Failure
            } else {
                Outcome::Unknown
            }
        }
        _ => Outcome::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        ["username", "email"].map(String::from).to_vec()
    }

    /// The username of a body, read as the gateway reads it: JSON when it
    /// parses as JSON.
    fn username(body: &[u8], fields: &[String]) -> Option<String> {
        let json = serde_json::from_slice::<Value>(body).ok();
        super::username(body, json.as_ref(), fields)
    }

    #[test]
    fn the_username_comes_from_json_or_form_bodies_and_is_bounded() {
        let json = br#"{"password": "x", "email": " ann@example.com "}"#;
        assert_eq!(
            username(json, &fields()).as_deref(),
            Some("ann@example.com")
        );
        let form = b"password=p%26w&username=bob+smith%40corp";
        assert_eq!(username(form, &fields()).as_deref(), Some("bob smith@corp"));
        assert_eq!(username(b"username=50%", &fields()).as_deref(), Some("50%"));
        assert_eq!(username(br#"{"username": 12}"#, &fields()), None);
        assert_eq!(username(br#"["username"]"#, &fields()), None);
        assert_eq!(username(b"user=ann", &fields()), None);
        let long = format!(r#"{{"username": "{}"}}"#, "a".repeat(1000));
        let cut = username(long.as_bytes(), &fields()).unwrap();
        assert_eq!(cut.chars().count(), MAX_USERNAME_CHARS);
    }

    #[test]
    fn a_400_is_a_failure_only_when_it_says_so() {
        let words = crate::ato::AtoConfig::default().failure_words;
        assert_eq!(outcome(204, b"", &words), Outcome::Success);
        assert_eq!(outcome(401, b"", &words), Outcome::Failure);
        assert_eq!(outcome(403, b"", &words), Outcome::Failure);
        let said = br#"{"error": "Invalid Credentials"}"#;
        assert_eq!(outcome(400, said, &words), Outcome::Failure);
        let malformed = br#"{"error": "password is required"}"#;
        assert_eq!(outcome(400, malformed, &words), Outcome::Unknown);
        assert_eq!(outcome(429, b"", &words), Outcome::Unknown);
        assert_eq!(outcome(302, b"", &words), Outcome::Unknown);
    }
}
