//! Key directories: the Ed25519 keys an agent publishes (a JWKS-like JSON
//! document, `{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "..."}]}`),
//! each found by its JWK thumbprint (RFC 7638), which Web Bot Auth uses as
//! the `keyid`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::digest::{digest, SHA256};
use serde::Deserialize;

/// Largest directory file read.
pub const MAX_DIRECTORY_BYTES: usize = 256 * 1024;
/// Most keys one directory may hold.
pub const MAX_KEYS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("larger than {MAX_DIRECTORY_BYTES} bytes")]
    TooLarge,
    #[error("not a key directory: {0}")]
    Json(String),
    #[error("more than {MAX_KEYS} keys")]
    TooMany,
    #[error("no Ed25519 key (kty OKP, crv Ed25519, a 32-byte x)")]
    NoKey,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    crv: String,
    #[serde(default)]
    x: String,
}

/// One agent's published keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDirectory {
    /// The agent as its `Signature-Agent` header names it (`https://chatgpt.com`).
    pub agent: String,
    /// Thumbprint and raw public key.
    keys: Vec<(String, [u8; 32])>,
}

/// The RFC 7638 thumbprint of an Ed25519 key given by its base64url `x`.
pub fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()))
}

impl KeyDirectory {
    /// The Ed25519 keys of a directory document; other keys are skipped.
    pub fn parse(agent: &str, text: &str) -> Result<KeyDirectory, DirectoryError> {
        if text.len() > MAX_DIRECTORY_BYTES {
            return Err(DirectoryError::TooLarge);
        }
        let jwks: Jwks =
            serde_json::from_str(text).map_err(|e| DirectoryError::Json(e.to_string()))?;
        if jwks.keys.len() > MAX_KEYS {
            return Err(DirectoryError::TooMany);
        }
        let keys: Vec<(String, [u8; 32])> = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "OKP" && k.crv == "Ed25519")
            .filter_map(|k| {
                let raw: [u8; 32] = URL_SAFE_NO_PAD.decode(&k.x).ok()?.try_into().ok()?;
                Some((thumbprint(&k.x), raw))
            })
            .collect();
        if keys.is_empty() {
            return Err(DirectoryError::NoKey);
        }
        Ok(KeyDirectory {
            agent: agent.to_string(),
            keys,
        })
    }

    /// A directory of `agent` with no key yet (a fetched one before its
    /// first fetch): every keyid is unknown to it.
    pub fn empty(agent: &str) -> KeyDirectory {
        KeyDirectory {
            agent: agent.to_string(),
            keys: Vec::new(),
        }
    }

    /// Each key's thumbprint and raw public key.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.keys
            .iter()
            .map(|(id, key)| (id.as_str(), key.as_slice()))
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Never true for a parsed directory (it holds a key at least), only
    /// for [`KeyDirectory::empty`].
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The directory with only the keys `keep` accepts; `NoKey` when none is left.
    pub fn retain(
        mut self,
        mut keep: impl FnMut(&str, &[u8]) -> bool,
    ) -> Result<KeyDirectory, DirectoryError> {
        self.keys.retain(|(id, key)| keep(id, key));
        match self.keys.is_empty() {
            true => Err(DirectoryError::NoKey),
            false => Ok(self),
        }
    }

    /// The raw public key whose thumbprint is `keyid`.
    pub fn key(&self, keyid: &str) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|(id, _)| id == keyid)
            .map(|(_, key)| key.as_slice())
    }
}
