//! Reads a JWKS document (RFC 7517) into verification keys: RSA (`n`,
//! `e`), EC P-256/P-384 (`x`, `y`), OKP Ed25519 (`x`) and `oct` secrets
//! (`k`), each with its `kid` and pinned to its `alg` when it has one.
//!
//! Bounded (document size, key count); keys meant for encryption
//! (`use: "enc"`) or of a type or curve this verifier does not know are
//! skipped and listed, as RFC 7517 asks, so the operator learns of them.

use super::algorithm::{Algorithm, KeyKind};
use super::compact::base64url;
use super::der::PublicKey;
use super::keys::{KeyError, VerificationKey};
use serde::Deserialize;

/// JWKS documents larger than this are refused.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// A key set with more keys than this is refused.
pub const MAX_JWKS_KEYS: usize = 64;

/// The usable keys of a key set, and why the others were left out.
#[derive(Debug)]
pub struct KeySet {
    pub keys: Vec<VerificationKey>,
    pub skipped: Vec<String>,
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    alg: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
    k: Option<String>,
}

/// Parses a JWKS document.
pub fn parse(bytes: &[u8]) -> Result<KeySet, KeyError> {
    if bytes.len() > MAX_JWKS_BYTES {
        return Err(KeyError(format!(
            "{} bytes, more than the {MAX_JWKS_BYTES} a key set may have",
            bytes.len()
        )));
    }
    let document: Document = serde_json::from_slice(bytes)
        .map_err(|e| KeyError(format!("expected a JWKS document {{\"keys\": [...]}}: {e}")))?;
    if document.keys.len() > MAX_JWKS_KEYS {
        return Err(KeyError(format!(
            "{} keys, more than the {MAX_JWKS_KEYS} a key set may have",
            document.keys.len()
        )));
    }
    let mut set = KeySet {
        keys: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, jwk) in document.keys.into_iter().enumerate() {
        let name = format!("keys[{i}] (kid {:?})", jwk.kid.as_deref().unwrap_or(""));
        match key(jwk) {
            Ok(Some(key)) => set.keys.push(key),
            Ok(None) => set.skipped.push(format!("{name}: not a signature key")),
            Err(KeyError(why)) if why.starts_with("unsupported") => {
                set.skipped.push(format!("{name}: {why}"))
            }
            Err(KeyError(why)) => return Err(KeyError(format!("{name}: {why}"))),
        }
    }
    Ok(set)
}

fn key(jwk: Jwk) -> Result<Option<VerificationKey>, KeyError> {
    if jwk.usage.as_deref().is_some_and(|usage| usage != "sig") {
        return Ok(None);
    }
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => Some(
            Algorithm::from_name(name)
                .ok_or_else(|| KeyError(format!("unsupported alg {name:?}")))?,
        ),
    };
    let member = |value: Option<String>, name: &'static str| {
        let text = value.ok_or_else(|| KeyError(format!("no \"{name}\" member")))?;
        base64url(&text, name).map_err(|e| KeyError(e.to_string()))
    };
    let public = |key: PublicKey| VerificationKey::public(key, Vec::new(), jwk.kid.clone(), alg);
    match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("oct", _) => {
            VerificationKey::secret(&member(jwk.k.clone(), "k")?, jwk.kid.clone(), alg).map(Some)
        }
        ("RSA", _) => {
            let n = member(jwk.n.clone(), "n")?;
            let e = member(jwk.e.clone(), "e")?;
            public(PublicKey::Rsa { n, e }).map(Some)
        }
        ("EC", Some(curve @ ("P-256" | "P-384"))) => {
            let (kind, size) = if curve == "P-256" {
                (KeyKind::EcP256, 32)
            } else {
                (KeyKind::EcP384, 48)
            };
            let x = member(jwk.x.clone(), "x")?;
            let y = member(jwk.y.clone(), "y")?;
            if x.len() != size || y.len() != size {
                return Err(KeyError(format!(
                    "{curve} coordinates must be {size} bytes"
                )));
            }
            let bytes = [&[4u8][..], &x, &y].concat();
            public(PublicKey::Point { kind, bytes }).map(Some)
        }
        ("OKP", Some("Ed25519")) => {
            let bytes = member(jwk.x.clone(), "x")?;
            if bytes.len() != 32 {
                return Err(KeyError("an Ed25519 key must be 32 bytes".into()));
            }
            public(PublicKey::Point {
                kind: KeyKind::Ed25519,
                bytes,
            })
            .map(Some)
        }
        (kty, crv) => Err(KeyError(format!(
            "unsupported key type {kty:?}{}",
            crv.map(|c| format!(" on curve {c:?}")).unwrap_or_default()
        ))),
    }
}
