//! Signed and token formats whose payload an application reads: JWTs,
//! Express signed cookies (`s:value.signature`), itsdangerous / Flask
//! sessions (`payload.timestamp.signature`, `.`-prefixed when the payload is
//! zlib-compressed) and Rails cookies (`data--digest`).
//!
//! The signature proves nothing to us (we hold no key) and is not what the
//! application reads; the payload is, so the payload is what detectors must
//! see. Each format is recognised by its full shape (every part in its
//! alphabet, lengths a signer produces), so a dotted version or a domain
//! is not mistaken for a token. Payloads that decode to binary (encrypted
//! Rails cookies, Marshal data) yield nothing.

use super::peel::Child;
use crate::location::Layer;
use ::base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ::base64::Engine;
use std::io::Read;

/// Inflated bytes kept from a compressed payload (a signed cookie is at
/// most a few kilobytes; a bomb stops here).
pub const MAX_INFLATED: usize = 16 * 1024;

/// The payloads a signed or token value carries, when it has one of the
/// known shapes.
pub fn reveal(text: &str) -> Option<Vec<Child>> {
    jwt(text)
        .or_else(|| express(text))
        .or_else(|| itsdangerous(text))
        .or_else(|| rails(text))
}

fn is_b64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Readable text, or nothing: binary payloads are not for detectors.
fn readable(bytes: Vec<u8>) -> Option<String> {
    let text = String::from_utf8(bytes).ok()?;
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || c.is_ascii_whitespace())
        .count();
    (!text.is_empty() && printable * 100 >= text.chars().count() * 95).then_some(text)
}

/// `header.claims.signature`, each part base64url; the header is a JSON
/// object (so it starts `eyJ`) with an `alg`. Unsigned tokens (`alg: none`) have an empty
/// signature.
fn jwt(text: &str) -> Option<Vec<Child>> {
    let mut parts = text.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !header.starts_with("eyJ")
        || !is_b64url(header)
        || !is_b64url(claims)
        || !(signature.is_empty() || is_b64url(signature))
    {
        return None;
    }
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(readable)
    };
    // A Flask session has the same three-part shape; a JOSE header names
    // its algorithm.
    let header = decode(header).filter(|h| h.contains("\"alg\""))?;
    let mut out = vec![Child::plain(Layer::Part("jwt.header"), header)];
    if let Some(claims) = decode(claims) {
        out.push(Child::plain(Layer::Part("jwt.claims"), claims));
    }
    Some(out)
}

/// `s:value.signature` (cookie-signature: the signature is 43 base64
/// characters without padding).
fn express(text: &str) -> Option<Vec<Child>> {
    let signed = text.strip_prefix("s:")?;
    let (value, signature) = signed.rsplit_once('.')?;
    let signature_shaped = signature.len() == 43
        && signature
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'));
    (signature_shaped && !value.is_empty())
        .then(|| vec![Child::plain(Layer::Part("signed"), value)])
}

/// `payload.timestamp.signature`, with a `.` in front when the payload is
/// zlib-compressed; all base64url, the timestamp a few characters.
fn itsdangerous(text: &str) -> Option<Vec<Child>> {
    let (compressed, body) = match text.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts = body.split('.');
    let (payload, timestamp, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !is_b64url(payload)
        || !is_b64url(timestamp)
        || !(4..=8).contains(&timestamp.len())
        || !is_b64url(signature)
        || signature.len() < 20
    {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    if compressed {
        let inflated = inflate(&bytes)?;
        return readable(inflated).map(|text| vec![Child::plain(Layer::Zlib, text)]);
    }
    readable(bytes).map(|text| vec![Child::plain(Layer::Part("itsdangerous"), text)])
}

/// zlib-inflates at most [`MAX_INFLATED`] bytes.
fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(MAX_INFLATED as u64)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// `data--digest`: base64 data (URL-encoded in transit; the transport
/// decoding already undid that) and a hex or base64 digest.
fn rails(text: &str) -> Option<Vec<Child>> {
    let (data, digest) = text.split_once("--")?;
    let digest_shaped = digest.len() >= 40
        && digest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if !digest_shaped || digest.contains("--") {
        return None;
    }
    let bytes = STANDARD.decode(data).ok()?;
    readable(bytes).map(|text| vec![Child::plain(Layer::Part("rails"), text)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;

    fn texts(children: Option<Vec<Child>>) -> Vec<(String, String)> {
        Child::described(children.unwrap_or_default())
    }

    #[test]
    fn reads_jwt_header_and_claims() {
        let token = format!(
            "{}.{}.sig_-x",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"' or 1=1--"}"#)
        );
        assert_eq!(
            texts(reveal(&token)),
            [
                ("jwt.header".into(), r#"{"alg":"HS256"}"#.into()),
                ("jwt.claims".into(), r#"{"sub":"' or 1=1--"}"#.into())
            ]
        );
    }

    #[test]
    fn reads_express_flask_compressed_and_rails() {
        let sig = "A".repeat(43);
        assert_eq!(
            texts(reveal(&format!("s:j:{{\"a\":1}}.{sig}"))),
            [("signed".into(), "j:{\"a\":1}".into())]
        );
        let flask = format!(
            "{}.Z3xQ2A.{}",
            URL_SAFE_NO_PAD.encode(r#"{"u":"x"}"#),
            "b".repeat(27)
        );
        assert_eq!(
            texts(reveal(&flask)),
            [("itsdangerous".into(), r#"{"u":"x"}"#.into())]
        );
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(br#"{"q":"<script>"}"#).unwrap();
        let packed = URL_SAFE_NO_PAD.encode(z.finish().unwrap());
        let compressed = format!(".{packed}.Z3xQ2A.{}", "b".repeat(27));
        assert_eq!(
            texts(reveal(&compressed)),
            [("zlib".into(), r#"{"q":"<script>"}"#.into())]
        );
        let rails = format!("{}--{}", STANDARD.encode(r#"{"id":"1"}"#), "f".repeat(40));
        assert_eq!(
            texts(reveal(&rails)),
            [("rails".into(), r#"{"id":"1"}"#.into())]
        );
    }

    #[test]
    fn dotted_names_and_binary_payloads_are_not_tokens() {
        assert!(reveal("api.example.com").is_none());
        assert!(reveal("1.2.3").is_none());
        assert!(reveal("s:short.sig").is_none());
        let encrypted = format!(
            "{}--{}",
            STANDARD.encode([0u8, 159, 146, 150, 1, 2]),
            "f".repeat(40)
        );
        assert!(reveal(&encrypted).is_none());
    }

    #[test]
    fn a_compression_bomb_stops_at_the_bound() {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![b'a'; 10 * MAX_INFLATED]).unwrap();
        let inflated = inflate(&z.finish().unwrap()).unwrap();
        assert_eq!(inflated.len(), MAX_INFLATED);
    }
}
