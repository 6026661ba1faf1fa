//! Decodes a compact JWS (`header.claims.signature`, base64url) into its
//! header, claims and signature, refusing anything oversized or malformed
//! with the reason, before any key is looked at.
//!
//! Only the compact serialisation with a JSON object as payload is a JWT
//! here; JWE (five segments), unpadded-base64 violations, non-object
//! headers or claims and a `crit` header (extensions this verifier does
//! not understand, which RFC 7515 says must then be refused) are errors.

use base64::Engine as _;
use serde_json::{Map, Value};

/// Tokens longer than this are refused undecoded.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The decoded JOSE header is small; more than this is not a real one.
pub const MAX_HEADER_BYTES: usize = 1024;
/// Longest `kid` kept (it is echoed, masked, in explanations).
const MAX_KID_CHARS: usize = 128;

/// Why a token could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("token of {0} bytes, more than the {MAX_TOKEN_BYTES} accepted")]
    TooLong(usize),
    #[error("expected three base64url segments separated by dots, got {0}")]
    Segments(usize),
    #[error("the {0} segment is not base64url")]
    Base64(&'static str),
    #[error("header of {0} bytes, more than the {MAX_HEADER_BYTES} accepted")]
    HeaderTooLong(usize),
    #[error("the {0} is not a JSON object")]
    NotAnObject(&'static str),
    #[error("the header has no string \"alg\"")]
    NoAlg,
    #[error("the header's \"kid\" is not a string of at most {MAX_KID_CHARS} characters")]
    BadKid,
    #[error("the header names critical extensions (\"crit\") this verifier does not support")]
    Critical,
}

/// The parts of a decoded token, borrowed from it where they can be.
#[derive(Debug, Clone)]
pub struct Decoded<'t> {
    /// The `alg` as written (not yet known to be supported).
    pub alg: String,
    pub kid: Option<String>,
    pub claims: Map<String, Value>,
    /// `header.claims`, the bytes the signature covers.
    pub signing_input: &'t str,
    pub signature: Vec<u8>,
}

/// Decodes `token` without checking anything about its signature.
pub fn decode(token: &str) -> Result<Decoded<'_>, DecodeError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(DecodeError::TooLong(token.len()));
    }
    let segments = token.split('.').count();
    let (signing_input, signature) = match token.rsplit_once('.') {
        Some((input, signature)) if segments == 3 => (input, signature),
        _ => return Err(DecodeError::Segments(segments)),
    };
    let (header, claims) = signing_input
        .split_once('.')
        .ok_or(DecodeError::Segments(segments))?;
    if header.len() > MAX_HEADER_BYTES * 4 / 3 + 4 {
        return Err(DecodeError::HeaderTooLong(header.len() * 3 / 4));
    }
    let header = object(&base64url(header, "header")?, "header")?;
    let claims = object(&base64url(claims, "claims")?, "claims")?;
    let signature = base64url(signature, "signature")?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(DecodeError::NoAlg),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) if kid.chars().count() <= MAX_KID_CHARS => Some(kid.clone()),
        Some(_) => return Err(DecodeError::BadKid),
    };
    if header.contains_key("crit") {
        return Err(DecodeError::Critical);
    }
    Ok(Decoded {
        alg,
        kid,
        claims,
        signing_input,
        signature,
    })
}

/// Strict base64url without padding, as RFC 7515 writes segments.
pub fn base64url(text: &str, what: &'static str) -> Result<Vec<u8>, DecodeError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| DecodeError::Base64(what))
}

fn object(bytes: &[u8], what: &'static str) -> Result<Map<String, Value>, DecodeError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(DecodeError::NotAnObject(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    fn token(header: &str, claims: &str, signature: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            B64.encode(header),
            B64.encode(claims),
            B64.encode(signature)
        )
    }

    #[test]
    fn a_well_formed_token_gives_its_parts() {
        let text = token(
            r#"{"alg":"HS256","kid":"k1"}"#,
            r#"{"sub":"alice"}"#,
            b"sig",
        );
        let decoded = decode(&text).unwrap();
        assert_eq!(decoded.alg, "HS256");
        assert_eq!(decoded.kid.as_deref(), Some("k1"));
        assert_eq!(decoded.claims["sub"], "alice");
        assert_eq!(decoded.signature, b"sig");
        assert_eq!(decoded.signing_input, text.rsplit_once('.').unwrap().0);
    }

    #[test]
    fn hostile_shapes_are_refused_with_their_reason() {
        let ok_header = r#"{"alg":"HS256"}"#;
        let cases = [
            ("a.b".to_string(), DecodeError::Segments(2)),
            ("a.b.c.d.e".to_string(), DecodeError::Segments(5)),
            ("!!.e30.c2ln".to_string(), DecodeError::Base64("header")),
            (
                token(ok_header, "[1,2]", b"s"),
                DecodeError::NotAnObject("claims"),
            ),
            (token(r#"{"typ":"JWT"}"#, "{}", b"s"), DecodeError::NoAlg),
            (token(r#"{"alg":7}"#, "{}", b"s"), DecodeError::NoAlg),
            (
                token(r#"{"alg":"HS256","kid":{"x":1}}"#, "{}", b"s"),
                DecodeError::BadKid,
            ),
            (
                token(r#"{"alg":"HS256","crit":["exp"]}"#, "{}", b"s"),
                DecodeError::Critical,
            ),
            (
                format!("{}.e30.", B64.encode(ok_header)) + "=",
                DecodeError::Base64("signature"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(decode(&text).unwrap_err(), expected, "{text}");
        }
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(decode(&long).unwrap_err(), DecodeError::TooLong(long.len()));
        let padded_header = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "p".repeat(2000));
        assert!(matches!(
            decode(&token(&padded_header, "{}", b"s")).unwrap_err(),
            DecodeError::HeaderTooLong(_)
        ));
    }
}
