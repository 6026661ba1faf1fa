//! The keys tokens are verified with: HMAC secrets and public keys, each
//! with the key id and algorithm it is pinned to, read from configured
//! secrets and PEM files (here) or a JWKS document (`jwks`).
//!
//! A key only ever verifies the algorithms of its own kind, and only the
//! one it is pinned to when it has an `alg`: that is the whole defence
//! against algorithm confusion. A public key also remembers its encodings
//! (PEM text, DER) so that an HMAC token made with them as the secret, the
//! classic confusion attack, can be named as such in the explanation.

use super::algorithm::{Algorithm, KeyKind};
use super::der::{self, PublicKey};
use base64::Engine as _;

/// PEM files larger than this are not public keys.
pub const MAX_PEM_BYTES: usize = 16 * 1024;

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// One key tokens can be verified with.
#[derive(Clone)]
pub struct VerificationKey {
    pub kid: Option<String>,
    /// The only algorithm it verifies, when pinned.
    pub alg: Option<Algorithm>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Hmac(Vec<u8>),
    Public {
        key: PublicKey,
        /// The key's PEM text and DER: never HMAC keys here, kept only to
        /// recognise a token that used them as one.
        encodings: Vec<Vec<u8>>,
    },
}

impl std::fmt::Debug for VerificationKey {
    /// Names the key, never its material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kind", &self.kind())
            .finish()
    }
}

impl VerificationKey {
    /// An HMAC secret, for `HS*` tokens (only `alg` when given).
    pub fn secret(
        secret: &[u8],
        kid: Option<String>,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        if secret.is_empty() {
            return Err(KeyError("an empty HMAC secret".into()));
        }
        Self::pinned(kid, alg, Material::Hmac(secret.to_vec()))
    }

    /// A PEM `PUBLIC KEY` (SubjectPublicKeyInfo): RSA, EC P-256/P-384 or Ed25519.
    pub fn from_pem(
        pem: &[u8],
        kid: Option<String>,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        if pem.len() > MAX_PEM_BYTES {
            return Err(KeyError(format!(
                "{} bytes, more than the {MAX_PEM_BYTES} a public key file may have",
                pem.len()
            )));
        }
        let der = pem_body(pem)?;
        let key = der::subject_public_key_info(&der).map_err(KeyError)?;
        Self::public(key, vec![pem.to_vec(), der], kid, alg)
    }

    /// A public key from its raw parts (a JWK).
    pub(super) fn public(
        key: PublicKey,
        encodings: Vec<Vec<u8>>,
        kid: Option<String>,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        if let PublicKey::Rsa { n, .. } = &key {
            if n.len() < 256 {
                return Err(KeyError(format!(
                    "an RSA key of {} bits; at least 2048 are required",
                    n.len() * 8
                )));
            }
        }
        Self::pinned(kid, alg, Material::Public { key, encodings })
    }

    fn pinned(
        kid: Option<String>,
        alg: Option<Algorithm>,
        material: Material,
    ) -> Result<Self, KeyError> {
        let key = VerificationKey { kid, alg, material };
        if let Some(alg) = alg {
            if alg.key_kind() != key.kind() {
                return Err(KeyError(format!(
                    "alg {alg} needs {}, but this is {}",
                    alg.key_kind().name(),
                    key.kind().name()
                )));
            }
        }
        Ok(key)
    }

    pub fn kind(&self) -> KeyKind {
        match &self.material {
            Material::Hmac(_) => KeyKind::Hmac,
            Material::Public { key, .. } => key.kind(),
        }
    }

    /// The secret, for the weak-secret check of configured keys.
    pub fn hmac_secret(&self) -> Option<&[u8]> {
        match &self.material {
            Material::Hmac(secret) => Some(secret),
            Material::Public { .. } => None,
        }
    }

    /// Whether a token of `alg` may be checked with this key.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        alg.key_kind() == self.kind() && self.alg.is_none_or(|pinned| pinned == alg)
    }

    /// Checks `signature` over `input` (the caller has checked `accepts`).
    pub fn verifies(&self, alg: Algorithm, input: &[u8], signature: &[u8]) -> bool {
        match (&self.material, alg.hmac(), alg.rsa(), alg.point_verifier()) {
            (Material::Hmac(secret), Some(hmac), _, _) => {
                ring::hmac::verify(&ring::hmac::Key::new(hmac, secret), input, signature).is_ok()
            }
            (Material::Public { key, .. }, _, Some(rsa), _) => match key {
                PublicKey::Rsa { n, e } => ring::signature::RsaPublicKeyComponents { n, e }
                    .verify(rsa, input, signature)
                    .is_ok(),
                PublicKey::Point { .. } => false,
            },
            (Material::Public { key, .. }, _, _, Some(verifier)) => match key {
                PublicKey::Point { bytes, .. } => {
                    ring::signature::UnparsedPublicKey::new(verifier, bytes)
                        .verify(input, signature)
                        .is_ok()
                }
                PublicKey::Rsa { .. } => false,
            },
            _ => false,
        }
    }

    /// Whether an `HS*` signature was made with this public key's own
    /// bytes as the HMAC secret (algorithm confusion, caught red-handed).
    pub fn was_used_as_hmac_secret(&self, alg: Algorithm, input: &[u8], signature: &[u8]) -> bool {
        let (Material::Public { encodings, .. }, Some(hmac)) = (&self.material, alg.hmac()) else {
            return false;
        };
        encodings.iter().any(|bytes| {
            ring::hmac::verify(&ring::hmac::Key::new(hmac, bytes), input, signature).is_ok()
        })
    }
}

/// The DER inside the first `PUBLIC KEY` block of a PEM text.
fn pem_body(pem: &[u8]) -> Result<Vec<u8>, KeyError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let text = std::str::from_utf8(pem).map_err(|_| KeyError("not PEM text".into()))?;
    let body = text
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(body, _)| body)
        .ok_or_else(|| {
            KeyError(format!(
                "expected a PEM public key ({BEGIN}); private keys, certificates and PKCS#1 \"RSA PUBLIC KEY\" blocks are not read"
            ))
        })?;
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| KeyError("the PEM block is not base64".into()))
}
