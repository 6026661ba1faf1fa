//! Decoy tokens: what a fake login hands out, and how to know them again.
//!
//! A decoy looks like a real bearer token: a JWT
//! (`header.payload.signature`, base64url) signed HS256, with the usual
//! claims (`sub`, `iat`, `exp`, `jti`). The upstream never issued it, so it
//! is never valid there; whoever presents it has been through a fake login
//! (or was handed the token by someone who was), and is marked.
//!
//! The signature is the full HMAC-SHA256 of the signing input under a key
//! derived from the deception secret, as a real HS256 token's would be, so a
//! decoy cannot be told from a real token by its shape, and nobody without
//! the secret can forge one. The header carries a `kid` derived from the
//! secret; since the header is the same for every decoy of one secret, its
//! encoding is a fixed prefix: finding it in a request is one substring
//! search per header value, and only a candidate that starts with it costs
//! an HMAC (at most [`MAX_CANDIDATES`] per request). The `jti` carries the
//! fingerprint of the client the decoy was minted for, so a decoy presented
//! by another client links the two.

use crate::deception::key::DeceptionKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::{HeaderMap, HeaderName};
use memchr::memmem::Finder;
use ring::hmac;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest candidate token examined.
pub const MAX_TOKEN_BYTES: usize = 2048;
/// The most header values searched for a decoy in one request.
pub const MAX_HEADERS_SCANNED: usize = 64;
/// The most bytes of one header value searched.
pub const MAX_VALUE_BYTES_SCANNED: usize = 16 * 1024;
/// The most bytes of a query string or body searched.
pub const MAX_TEXT_BYTES_SCANNED: usize = 256 * 1024;
/// The most candidates verified (one HMAC each) in one request.
pub const MAX_CANDIDATES: usize = 4;

const SIGNATURE_BYTES: usize = 32;

/// A short, keyed fingerprint of a client identity: who a decoy was minted
/// for, without writing the identity into the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientFingerprint(pub [u8; 8]);

impl fmt::Display for ClientFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl ClientFingerprint {
    fn parse_hex(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(ClientFingerprint(bytes))
    }
}

/// What a recognised decoy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoyMark {
    /// The client the decoy was minted for.
    pub minted_for: ClientFingerprint,
    /// When it was minted, in seconds since the Unix epoch.
    pub issued_at_secs: u64,
    /// When it claims to expire. An expired decoy is still recognised: who
    /// presents it is still the one who logged in falsely.
    pub expires_at_secs: u64,
}

/// A decoy found in a request's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoyHit {
    pub header: HeaderName,
    pub mark: DecoyMark,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: u64,
    exp: u64,
    jti: String,
}

/// Mints and recognises the decoys of one deception secret.
pub struct DecoyTokens {
    signing: hmac::Key,
    /// The encoded header and its dot: how every decoy starts.
    prefix: String,
    finder: Finder<'static>,
}

/// What a decoy is minted with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minting {
    pub minted_for: ClientFingerprint,
    /// The fake user id in `sub`.
    pub subject: u64,
    /// Makes every `jti` different.
    pub nonce: u64,
    pub now_secs: u64,
    pub ttl_secs: u64,
}

impl DecoyTokens {
    pub(crate) fn new(key: &DeceptionKey) -> Self {
        let kid = format!("{:016x}", key.derive_u64("token-kid", &[]));
        let header = format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{kid}"}}"#);
        let prefix = format!("{}.", URL_SAFE_NO_PAD.encode(header));
        DecoyTokens {
            signing: key.subkey("token-signature"),
            finder: Finder::new(prefix.as_bytes()).into_owned(),
            prefix,
        }
    }

    /// A new decoy.
    pub(crate) fn mint(&self, minting: &Minting) -> String {
        let claims = Claims {
            sub: minting.subject.to_string(),
            iat: minting.now_secs,
            exp: minting.now_secs.saturating_add(minting.ttl_secs),
            jti: format!("{}{:016x}", minting.minted_for, minting.nonce),
        };
        // Serializing strings and integers cannot fail.
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let mut token = self.prefix.clone();
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = hmac::sign(&self.signing, token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut token);
        token
    }

    /// What a token says if it is a decoy of this secret; `None` for any
    /// other token, tampered or foreign.
    pub fn recognise(&self, token: &str) -> Option<DecoyMark> {
        self.recognise_bytes(token.as_bytes())
    }

    fn recognise_bytes(&self, token: &[u8]) -> Option<DecoyMark> {
        if token.len() > MAX_TOKEN_BYTES || !token.starts_with(self.prefix.as_bytes()) {
            return None;
        }
        let dot = token.iter().rposition(|&b| b == b'.')?;
        let (signed, signature) = (&token[..dot], &token[dot + 1..]);
        let mut decoded = [0u8; SIGNATURE_BYTES + 3];
        let length = URL_SAFE_NO_PAD.decode_slice(signature, &mut decoded).ok()?;
        if length != SIGNATURE_BYTES {
            return None;
        }
        hmac::verify(&self.signing, signed, &decoded[..length]).ok()?;
        let payload = URL_SAFE_NO_PAD
            .decode(signed.get(self.prefix.len()..)?)
            .ok()?;
        let claims: Claims = serde_json::from_slice(&payload).ok()?;
        Some(DecoyMark {
            minted_for: ClientFingerprint::parse_hex(claims.jti.get(..16)?)?,
            issued_at_secs: claims.iat,
            expires_at_secs: claims.exp,
        })
    }

    /// The first decoy in any header: `Authorization: Bearer`, a cookie, an
    /// API-key header or any other. Bounded: [`MAX_HEADERS_SCANNED`] values,
    /// [`MAX_VALUE_BYTES_SCANNED`] bytes of each, [`MAX_CANDIDATES`] HMACs.
    pub fn find_in_headers(&self, headers: &HeaderMap) -> Option<DecoyHit> {
        let mut candidates = 0;
        for (name, value) in headers.iter().take(MAX_HEADERS_SCANNED) {
            let bytes = value.as_bytes();
            let bytes = &bytes[..bytes.len().min(MAX_VALUE_BYTES_SCANNED)];
            if let Some(mark) = self.search(bytes, &mut candidates) {
                return Some(DecoyHit {
                    header: name.clone(),
                    mark,
                });
            }
        }
        None
    }

    /// The first decoy in a query string or a body (a refresh token posted
    /// back). Bounded: [`MAX_TEXT_BYTES_SCANNED`] bytes, [`MAX_CANDIDATES`]
    /// HMACs.
    pub fn find_in_text(&self, text: &[u8]) -> Option<DecoyMark> {
        self.search(&text[..text.len().min(MAX_TEXT_BYTES_SCANNED)], &mut 0)
    }

    /// Candidates start with the decoys' fixed prefix and run to the first
    /// byte no JWT holds; each costs one of the request's `candidates`.
    fn search(&self, bytes: &[u8], candidates: &mut usize) -> Option<DecoyMark> {
        let mut from = 0;
        while *candidates < MAX_CANDIDATES {
            let start = from + self.finder.find(&bytes[from..])?;
            let length = bytes[start..]
                .iter()
                .position(|&b| !is_token_byte(b))
                .unwrap_or(bytes.len() - start);
            *candidates += 1;
            if let Some(mark) = self.recognise_bytes(&bytes[start..start + length]) {
                return Some(mark);
            }
            from = start + length;
        }
        None
    }
}

/// The bytes a JWT is made of: base64url and the dots between its parts.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minting() -> Minting {
        Minting {
            minted_for: ClientFingerprint([1, 2, 3, 4, 5, 6, 7, 8]),
            subject: 1234,
            nonce: 99,
            now_secs: 1_700_000_000,
            ttl_secs: 3600,
        }
    }

    #[test]
    fn a_minted_decoy_looks_like_a_jwt_and_says_who_and_when() {
        let tokens = DecoyTokens::new(&DeceptionKey::from_secret(&[1; 32]));
        let token = tokens.mint(&minting());
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(token.starts_with("eyJ"));
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["sub"], "1234");
        assert_eq!(payload["exp"], 1_700_003_600);
        let mark = tokens.recognise(&token).unwrap();
        assert_eq!(mark.minted_for.to_string(), "0102030405060708");
        assert_eq!(mark.issued_at_secs, 1_700_000_000);
        assert_eq!(mark.expires_at_secs, 1_700_003_600);
    }

    #[test]
    fn the_signature_length_is_checked_before_the_hmac() {
        let tokens = DecoyTokens::new(&DeceptionKey::from_secret(&[1; 32]));
        let token = tokens.mint(&minting());
        let short = &token[..token.len() - 4];
        assert_eq!(tokens.recognise(short), None);
        assert_eq!(tokens.recognise(&format!("{token}AAAA")), None);
    }

    #[test]
    fn fingerprints_round_trip_through_hex() {
        let fingerprint = ClientFingerprint([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 0xff]);
        assert_eq!(
            ClientFingerprint::parse_hex(&fingerprint.to_string()),
            Some(fingerprint)
        );
        assert_eq!(ClientFingerprint::parse_hex("zz00000000000000"), None);
        assert_eq!(ClientFingerprint::parse_hex("00"), None);
        assert_eq!(ClientFingerprint::parse_hex("+f00000000000000"), None);
    }
}
