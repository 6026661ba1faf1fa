//! Passwords and bearer tokens for the demo API: salted PBKDF2 password hashes
//! and HS256 JSON Web Tokens, so that login, sign-up and protected endpoints
//! behave like a real service (and a gateway sees real-looking JWTs), using
//! `ring` which the workspace already builds for TLS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::{hmac, pbkdf2};
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;

/// Low on purpose: the demo answers logins at load-test rates. A production
/// service would use hundreds of thousands of iterations or a memory-hard KDF.
const PBKDF2_ITERATIONS: NonZeroU32 = match NonZeroU32::new(1_000) {
    Some(n) => n,
    None => panic!("iteration count must be non-zero"),
};

/// Tokens longer than this are refused before any decoding.
const MAX_TOKEN_BYTES: usize = 4096;

/// A salted PBKDF2-HMAC-SHA256 hash of a password.
#[derive(Clone)]
pub struct PasswordHash {
    salt: [u8; 16],
    hash: [u8; 32],
}

impl PasswordHash {
    pub fn new(password: &str, salt: [u8; 16]) -> Self {
        let mut hash = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            PBKDF2_ITERATIONS,
            &salt,
            password.as_bytes(),
            &mut hash,
        );
        PasswordHash { salt, hash }
    }

    /// Constant-time comparison against the stored hash.
    pub fn matches(&self, password: &str) -> bool {
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            PBKDF2_ITERATIONS,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// What a user may do once logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Admin,
}

/// The claims carried by a demo token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string per RFC 7519.
    pub sub: String,
    pub role: Role,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
}

/// Why a bearer token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("token longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("token is not three base64url segments")]
    Malformed,
    #[error("token header is not a supported HS256 JWT header")]
    UnsupportedHeader,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token claims are not valid JSON claims")]
    BadClaims,
    #[error("token expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
}

/// Signs and verifies HS256 JWTs with one key.
pub struct TokenIssuer {
    key: hmac::Key,
}

impl TokenIssuer {
    pub fn new(secret: &[u8]) -> Self {
        TokenIssuer {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    pub fn issue(&self, claims: &Claims) -> String {
        let header = Header {
            alg: "HS256".to_owned(),
            typ: "JWT".to_owned(),
        };
        let signing_input = format!(
            "{}.{}",
            encode_json_segment(&header),
            encode_json_segment(claims)
        );
        let signature = hmac::sign(&self.key, signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }

    /// Checks size, shape, header, signature, then claims and expiry at `now_secs`.
    pub fn verify(&self, token: &str, now_secs: u64) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong);
        }
        let mut segments = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let header_json = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| TokenError::Malformed)?;
        let parsed_header: Header =
            serde_json::from_slice(&header_json).map_err(|_| TokenError::UnsupportedHeader)?;
        if parsed_header.alg != "HS256" || parsed_header.typ != "JWT" {
            return Err(TokenError::UnsupportedHeader);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let signing_input_len = header.len() + 1 + claims.len();
        hmac::verify(
            &self.key,
            &token.as_bytes()[..signing_input_len],
            &signature,
        )
        .map_err(|_| TokenError::BadSignature)?;
        let claims_json = URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|_| TokenError::Malformed)?;
        let claims: Claims =
            serde_json::from_slice(&claims_json).map_err(|_| TokenError::BadClaims)?;
        if claims.exp <= now_secs {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn encode_json_segment<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail; an empty object keeps the
    // token well-formed if it ever did.
    let json = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    URL_SAFE_NO_PAD.encode(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: "7".to_owned(),
            role: Role::Customer,
            iat: 1_000,
            exp,
        }
    }

    #[test]
    fn password_hash_accepts_only_the_right_password() {
        let hash = PasswordHash::new("correct horse", [1; 16]);
        assert!(hash.matches("correct horse"));
        assert!(!hash.matches("correct horsf"));
        assert!(!hash.matches(""));
        let other_salt = PasswordHash::new("correct horse", [2; 16]);
        assert_ne!(hash.hash, other_salt.hash);
    }

    #[test]
    fn issued_token_round_trips_and_looks_like_a_jwt() {
        let issuer = TokenIssuer::new(b"secret");
        let token = issuer.issue(&claims(2_000));
        assert!(token.starts_with("eyJ"), "{token}");
        assert_eq!(token.matches('.').count(), 2);
        assert_eq!(issuer.verify(&token, 1_500), Ok(claims(2_000)));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let issuer = TokenIssuer::new(b"secret");
        let token = issuer.issue(&claims(2_000));
        assert_eq!(issuer.verify(&token, 2_000), Err(TokenError::Expired));
        assert_eq!(
            TokenIssuer::new(b"other").verify(&token, 1_500),
            Err(TokenError::BadSignature)
        );
        let admin_claims = Claims {
            role: Role::Admin,
            ..claims(2_000)
        };
        let forged_payload = encode_json_segment(&admin_claims);
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(issuer.verify(&forged, 1_500), Err(TokenError::BadSignature));
        let none_header = encode_json_segment(&Header {
            alg: "none".to_owned(),
            typ: "JWT".to_owned(),
        });
        let alg_none = format!("{none_header}.{}.", parts[1]);
        assert_eq!(
            issuer.verify(&alg_none, 1_500),
            Err(TokenError::UnsupportedHeader)
        );
        assert_eq!(issuer.verify("a.b", 0), Err(TokenError::Malformed));
        assert_eq!(issuer.verify("!!.!!.!!", 0), Err(TokenError::Malformed));
        assert_eq!(
            issuer.verify(&"a".repeat(5000), 0),
            Err(TokenError::TooLong)
        );
    }
}
