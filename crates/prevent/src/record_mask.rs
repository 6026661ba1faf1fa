//! Masking a recorded exchange before it is written to disk, so that the
//! gateway's own recordings (input of `rampart replay` and of the console's
//! policy replay) never hold a credential or the sensitive data responses
//! are masked for.
//!
//! - Credential headers (`Authorization`, `Proxy-Authorization`, `Cookie`,
//!   `Set-Cookie`, API-key and token headers, and the configured API-key
//!   headers) and credential query parameters: the value becomes
//!   `masked:` and a keyed digest (HMAC-SHA256 under a key drawn at start
//!   and never written), so a replay still tells clients apart (limits and
//!   bans per API key behave as they did) while the secret, even a
//!   guessable one, cannot be recovered from the file. `Authorization`
//!   keeps its scheme (`Bearer masked:...`).
//! - Secret fields of JSON and form bodies (passwords, tokens, keys, PINs,
//!   card security codes) become `"***"`.
//! - Card numbers, SSNs and well-known secret tokens anywhere in a body, as
//!   [`crate::mask`] masks responses.
//! - Any of the credentials above found again elsewhere in the exchange
//!   (an upstream that echoes the request, a token repeated in a body).
//!
//! A masked value can no longer trigger a detection on replay: an injection
//! sent in a password field is recorded, but not its text.

use crate::mask::{mask_in_place, BodyKind};
use rampart_core::form::decode_component;
use rampart_core::ExchangeRecord;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

/// What replaces a secret field's value.
const MASKED_FIELD: &str = "***";
/// Nesting deeper than this is not walked (the body stays as it is, then
/// masked as text).
const MAX_JSON_DEPTH: usize = 64;
/// Credentials looked for elsewhere in one exchange.
const MAX_SECRETS: usize = 32;
/// Shorter values are masked where found but not searched for elsewhere
/// (they would mask common words).
const MIN_SECRET_CHARS: usize = 6;

/// Masks exchanges; one per recorder, its key never leaves memory.
pub struct RecordMasker {
    key: hmac::Key,
    /// Lower-case names of configured API-key headers, beside the built-in ones.
    api_key_headers: Vec<String>,
}

impl std::fmt::Debug for RecordMasker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordMasker")
            .field("api_key_headers", &self.api_key_headers)
            .finish_non_exhaustive()
    }
}

/// No system randomness to draw the digest key from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no system randomness to key the masking of recorded credentials")]
pub struct NoRandomness;

impl RecordMasker {
    pub fn new(api_key_headers: &[String]) -> Result<RecordMasker, NoRandomness> {
        let mut secret = [0u8; 32];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| NoRandomness)?;
        Ok(RecordMasker {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            api_key_headers: api_key_headers
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        })
    }

    /// Masks every credential and sensitive value of `record` in place.
    pub fn mask(&self, record: &mut ExchangeRecord) {
        let mut secrets = Secrets::default();
        for (name, value) in record
            .request_headers
            .iter_mut()
            .chain(record.response_headers.iter_mut())
        {
            if self.is_credential_header(name) {
                let masked = self.masked_header(name, value, &mut secrets);
                *value = masked;
            }
        }
        if !record.query.is_empty() {
            record.query = self.masked_form(&record.query, true, &mut secrets);
        }
        let request_type = record.request_header("content-type").map(str::to_owned);
        let response_type = record.response_header("content-type").map(str::to_owned);
        if let Some(body) = &mut record.request_body {
            self.mask_body(body, request_type.as_deref(), &mut secrets);
        }
        if let Some(body) = &mut record.response_body {
            self.mask_body(body, response_type.as_deref(), &mut secrets);
        }
        for body in [&mut record.request_body, &mut record.response_body]
            .into_iter()
            .flatten()
        {
            secrets.replace_in(body);
        }
    }

    fn is_credential_header(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-key"
        ) || [
            "api-key", "api_key", "apikey", "token", "secret", "session", "auth",
        ]
        .iter()
        .any(|part| lower.contains(part))
            || self.api_key_headers.contains(&lower)
    }

    fn digest(&self, value: &str) -> String {
        let tag = hmac::sign(&self.key, value.as_bytes());
        let hex: String = tag.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("masked:{hex}")
    }

    fn masked_header(&self, name: &str, value: &str, secrets: &mut Secrets) -> String {
        if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            if let Some((scheme, credentials)) = value.split_once(' ') {
                let credentials = credentials.trim();
                let masked = self.digest(credentials);
                secrets.add(credentials, &masked);
                return format!("{scheme} {masked}");
            }
        }
        if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie") {
            for pair in value.split(';') {
                if let Some((_, cookie)) = pair.split_once('=') {
                    secrets.add(cookie.trim(), MASKED_FIELD);
                }
            }
        }
        let masked = self.digest(value);
        secrets.add(value, &masked);
        masked
    }

    /// `a=1&password=x` with secret values replaced; in a query string, by
    /// a digest (keys in URLs identify clients), in a body by `***`.
    fn masked_form(&self, form: &str, digest: bool, secrets: &mut Secrets) -> String {
        let mut name = Vec::new();
        form.split('&')
            .map(|pair| {
                let Some((raw_name, raw_value)) = pair.split_once('=') else {
                    return pair.to_owned();
                };
                decode_component(raw_name.as_bytes(), &mut name);
                if !is_secret_field(&String::from_utf8_lossy(&name)) {
                    return pair.to_owned();
                }
                let masked = if digest {
                    self.digest(raw_value)
                } else {
                    MASKED_FIELD.to_owned()
                };
                secrets.add(raw_value, &masked);
                format!("{raw_name}={masked}")
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Masks a body by its content type: secret fields of JSON and form
    /// bodies, then card numbers, SSNs and secret tokens anywhere.
    fn mask_body(&self, body: &mut Vec<u8>, content_type: Option<&str>, secrets: &mut Secrets) {
        let content_type = content_type.unwrap_or("").to_ascii_lowercase();
        let mut kind = BodyKind::Text;
        if content_type.contains("json") {
            if let Ok(mut document) = serde_json::from_slice::<Value>(body) {
                if mask_json_fields(&mut document, 0, secrets) {
                    if let Ok(rewritten) = serde_json::to_vec(&document) {
                        *body = rewritten;
                    }
                }
                kind = BodyKind::Json;
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            if let Ok(text) = std::str::from_utf8(body) {
                *body = self.masked_form(text, false, secrets).into_bytes();
            }
        }
        mask_in_place(body, kind);
    }
}

/// The credentials found in one exchange and what replaced them, to mask
/// them wherever else they appear. Bounded by [`MAX_SECRETS`] and
/// [`MIN_SECRET_CHARS`].
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, value: &str, masked: &str) {
        if value.len() >= MIN_SECRET_CHARS
            && self.0.len() < MAX_SECRETS
            && !self.0.iter().any(|(known, _)| known == value)
        {
            self.0.push((value.to_owned(), masked.to_owned()));
        }
    }

    /// Replaces every occurrence of a known credential in `body`, longest
    /// first (a whole `Cookie` header before the cookie values in it).
    fn replace_in(&mut self, body: &mut Vec<u8>) {
        self.0
            .sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
        for (secret, masked) in &self.0 {
            let finder = memchr::memmem::Finder::new(secret.as_bytes());
            if finder.find(body).is_none() {
                continue;
            }
            let mut out = Vec::with_capacity(body.len());
            let mut rest = &body[..];
            while let Some(at) = finder.find(rest) {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(masked.as_bytes());
                rest = &rest[at + secret.len()..];
            }
            out.extend_from_slice(rest);
            *body = out;
        }
    }
}

/// Replaces the values of secret fields; true when anything changed.
fn mask_json_fields(value: &mut Value, depth: usize, secrets: &mut Secrets) -> bool {
    if depth > MAX_JSON_DEPTH {
        return false;
    }
    let mut changed = false;
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                if is_secret_field(name) && !matches!(field, Value::Null) {
                    if let Value::String(text) = field {
                        secrets.add(text, MASKED_FIELD);
                    }
                    *field = Value::String(MASKED_FIELD.to_owned());
                    changed = true;
                } else {
                    changed |= mask_json_fields(field, depth + 1, secrets);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                changed |= mask_json_fields(item, depth + 1, secrets);
            }
        }
        _ => {}
    }
    changed
}

/// Field names whose values are secrets. Short names must match whole
/// (`pin`, not `shipping`); longer ones anywhere in the name
/// (`new_password`, `client_secret`).
fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "pin" | "pwd" | "otp" | "cvv" | "cvc" | "ssn" | "key" | "sig" | "signature" | "auth"
    ) || [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "api_key",
        "apikey",
        "api-key",
        "credential",
        "private_key",
    ]
    .iter()
    .any(|part| lower.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ExchangeRecord {
        ExchangeRecord {
            method: "POST".into(),
            path: "/login".into(),
            query: "api_key=k3y&page=2&access_token=t0k".into(),
            request_headers: vec![
                ("Authorization".into(), "Bearer abc.def.ghi".into()),
                ("Cookie".into(), "session=s3cr3t".into()),
                ("X-API-Key".into(), "key-123".into()),
                ("X-Tenant-Key".into(), "tenant-9".into()),
                ("content-type".into(), "application/json".into()),
                ("accept".into(), "*/*".into()),
            ],
            request_body: Some(
                br#"{"email":"a@b.test","password":"hunter2","card":"4111 1111 1111 1111","nested":[{"otp":"123456","shipping":"x"}]}"#.to_vec(),
            ),
            status: Some(200),
            response_headers: vec![
                ("set-cookie".into(), "session=n3w; HttpOnly".into()),
                ("content-type".into(), "text/plain".into()),
            ],
            response_body: Some(b"ssn 078-05-1120 ok".to_vec()),
            ..ExchangeRecord::default()
        }
    }

    #[test]
    fn credentials_become_stable_digests_and_secret_fields_are_masked() {
        let masker = RecordMasker::new(&["X-Tenant-Key".into()]).unwrap();
        let mut first = record();
        masker.mask(&mut first);
        let authorization = first.request_header("authorization").unwrap();
        assert!(
            authorization.starts_with("Bearer masked:"),
            "{authorization}"
        );
        for name in ["cookie", "x-api-key", "x-tenant-key"] {
            let value = first.request_header(name).unwrap();
            assert!(value.starts_with("masked:"), "{name}: {value}");
        }
        assert!(first
            .response_header("set-cookie")
            .unwrap()
            .starts_with("masked:"));
        assert_eq!(first.request_header("accept"), Some("*/*"));
        assert!(first.query.contains("page=2"));
        assert!(!first.query.contains("k3y") && !first.query.contains("t0k"));
        let body: Value = serde_json::from_slice(first.request_body.as_ref().unwrap()).unwrap();
        assert_eq!(body["password"], "***");
        assert_eq!(body["nested"][0]["otp"], "***");
        assert_eq!(body["nested"][0]["shipping"], "x");
        assert_eq!(body["email"], "a@b.test");
        assert!(!body["card"].as_str().unwrap().contains("4111 1111 1111"));
        assert!(
            !String::from_utf8_lossy(first.response_body.as_ref().unwrap()).contains("078-05-1120")
        );

        let echoed = ExchangeRecord {
            method: "GET".into(),
            path: "/echo".into(),
            request_headers: vec![("x-api-key".into(), "key-123456".into())],
            response_body: Some(b"you sent key-123456 and key-123456".to_vec()),
            ..ExchangeRecord::default()
        };
        let mut echoed_masked = echoed.clone();
        masker.mask(&mut echoed_masked);
        let digest = echoed_masked
            .request_header("x-api-key")
            .unwrap()
            .to_owned();
        assert_eq!(
            String::from_utf8(echoed_masked.response_body.unwrap()).unwrap(),
            format!("you sent {digest} and {digest}"),
            "a credential echoed back is masked as it was in the request"
        );

        let mut second = record();
        masker.mask(&mut second);
        assert_eq!(
            first.request_headers, second.request_headers,
            "same key, same digest"
        );
        let other = RecordMasker::new(&[]).unwrap();
        let mut third = record();
        other.mask(&mut third);
        assert_ne!(
            first.request_header("x-api-key"),
            third.request_header("x-api-key"),
            "each recorder draws its own key"
        );
    }

    #[test]
    fn form_bodies_and_bodies_that_do_not_parse_are_masked_too() {
        let masker = RecordMasker::new(&[]).unwrap();
        let mut form = ExchangeRecord {
            method: "POST".into(),
            path: "/login".into(),
            request_headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            request_body: Some(b"user=bob&pass%77ord=p%26w&new_password=x".to_vec()),
            ..ExchangeRecord::default()
        };
        masker.mask(&mut form);
        assert_eq!(
            form.request_body.as_deref(),
            Some(&b"user=bob&pass%77ord=***&new_password=***"[..])
        );
        let mut broken = ExchangeRecord {
            method: "POST".into(),
            path: "/pay".into(),
            request_headers: vec![("content-type".into(), "application/json".into())],
            request_body: Some(b"{\"card\": \"4111111111111111\"".to_vec()),
            ..ExchangeRecord::default()
        };
        masker.mask(&mut broken);
        let body = String::from_utf8(broken.request_body.unwrap()).unwrap();
        assert!(!body.contains("4111111111111111"), "{body}");
    }

    #[test]
    fn what_bot_detection_reads_is_recorded_as_sent() {
        // A signed agent's signature is no credential (bound to one host,
        // expiring), and browsers' headers are what tells them from bots:
        // a replay of the record must see them.
        let kept = [
            ("Signature-Agent", "\"https://agent.test\""),
            (
                "Signature-Input",
                "sig1=(\"@authority\" \"signature-agent\");created=1;expires=2;keyid=\"k\"",
            ),
            ("Signature", "sig1=:c2lnbmF0dXJl:"),
            ("sec-ch-ua", "\"Chromium\";v=\"131\""),
            ("accept-language", "en-GB,en;q=0.9"),
            ("user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"),
        ];
        let mut signed = ExchangeRecord {
            method: "GET".into(),
            path: "/articles".into(),
            request_headers: kept
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..ExchangeRecord::default()
        };
        RecordMasker::new(&[]).unwrap().mask(&mut signed);
        for (name, value) in kept {
            assert_eq!(signed.request_header(name), Some(value), "{name}");
        }
    }
}
