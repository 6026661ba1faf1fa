//! Verified JWTs: who a bearer token says the client is, believed only
//! once its signature, algorithm, validity window, issuer and audience
//! check out against keys the operator configured.
//!
//! A gateway that reads a token's claims without verifying them lets any
//! client claim any identity; one that verifies them loosely falls to the
//! well-known forgeries: `alg: none`, an HMAC token "signed" with the
//! server's public key (algorithm confusion), an expired or foreign token,
//! a secret from a tutorial. Each failure names its [`Check`], so the
//! decision is explainable; no explanation carries the token or a key.
//!
//! - `compact`: decoding, bounded; `algorithm`: the JWS algorithms;
//! - `keys`, `der`, `jwks`: the keys, from secrets, PEM files and key sets;
//! - `claims`: `exp`/`nbf` with leeway, `iss`, `aud`, required claims;
//! - `weak_secrets`: `HS*` tokens signed with a guessable secret.

mod algorithm;
mod claims;
mod compact;
mod der;
pub mod jwks;
mod keys;
#[cfg(any(test, feature = "test-support"))]
pub mod sign;
pub mod weak_secrets;

pub use algorithm::{Algorithm, KeyKind};
pub use claims::ClaimRules;
pub use compact::{decode, DecodeError, Decoded, MAX_TOKEN_BYTES};
pub use keys::{KeyError, VerificationKey};

use rampart_core::Clock;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The check a token failed, as reasons name it (`identity.jwt.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// No bearer token where one is required.
    Missing,
    /// Not a decodable compact JWS, or a claim of the wrong type.
    Malformed,
    /// `alg: none`: an unsigned token.
    AlgNone,
    /// An `alg` this verifier does not implement.
    UnsupportedAlgorithm,
    /// The `alg` does not fit the key's type or the key's pinned `alg`.
    AlgorithmConfusion,
    /// No configured key has the token's `kid`.
    UnknownKey,
    /// No key of the right kind verifies the signature.
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    MissingClaim,
}

impl Check {
    /// The name in reasons, metrics and the documentation.
    pub fn name(self) -> &'static str {
        match self {
            Check::Missing => "missing",
            Check::Malformed => "malformed",
            Check::AlgNone => "alg_none",
            Check::UnsupportedAlgorithm => "unsupported_alg",
            Check::AlgorithmConfusion => "algorithm_confusion",
            Check::UnknownKey => "unknown_kid",
            Check::Signature => "signature",
            Check::Expired => "expired",
            Check::NotYetValid => "not_yet_valid",
            Check::Issuer => "issuer",
            Check::Audience => "audience",
            Check::MissingClaim => "missing_claim",
        }
    }

    /// How strongly the failure suggests an attack, on the detectors'
    /// anomaly scale: a forgery is certain, a stale or misdirected token
    /// is usually a client bug.
    pub fn score(self) -> f64 {
        match self {
            Check::AlgNone | Check::AlgorithmConfusion | Check::Signature => 10.0,
            Check::UnknownKey | Check::Malformed | Check::UnsupportedAlgorithm => 5.0,
            Check::Issuer | Check::Audience => 5.0,
            Check::MissingClaim => 3.0,
            Check::Expired | Check::NotYetValid => 2.0,
            Check::Missing => 1.0,
        }
    }
}

/// Why a token was not believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub check: Check,
    /// What was found, without the token or any key material.
    pub detail: String,
}

impl Failure {
    pub fn new(check: Check, detail: impl Into<String>) -> Self {
        Failure {
            check,
            detail: detail.into(),
        }
    }
}

/// A token whose signature and claims checked out.
#[derive(Debug, Clone)]
pub struct Verified {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub claims: Map<String, Value>,
}

/// Verifies tokens with a fixed set of keys and claim rules.
pub struct TokenVerifier {
    keys: Vec<VerificationKey>,
    rules: ClaimRules,
    clock: Arc<dyn Clock>,
}

impl TokenVerifier {
    /// A verifier over `keys` (at least one).
    pub fn new(
        keys: Vec<VerificationKey>,
        rules: ClaimRules,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError("no key to verify tokens with".into()));
        }
        Ok(TokenVerifier { keys, rules, clock })
    }

    /// Decodes and verifies `token`.
    pub fn verify(&self, token: &str) -> Result<Verified, Failure> {
        let decoded = decode(token).map_err(|e| Failure::new(Check::Malformed, e.to_string()))?;
        let alg = self.algorithm(&decoded)?;
        self.signature(alg, &decoded)?;
        self.rules.check(&decoded.claims, self.clock.now_millis())?;
        Ok(Verified {
            alg,
            kid: decoded.kid,
            claims: decoded.claims,
        })
    }

    fn algorithm(&self, decoded: &Decoded<'_>) -> Result<Algorithm, Failure> {
        if decoded.alg.eq_ignore_ascii_case("none") {
            return Err(Failure::new(
                Check::AlgNone,
                format!("alg {:?}: an unsigned token", excerpt(&decoded.alg)),
            ));
        }
        Algorithm::from_name(&decoded.alg).ok_or_else(|| {
            Failure::new(
                Check::UnsupportedAlgorithm,
                format!("alg {:?} is not supported", excerpt(&decoded.alg)),
            )
        })
    }

    fn signature(&self, alg: Algorithm, decoded: &Decoded<'_>) -> Result<(), Failure> {
        let by_kid: Vec<&VerificationKey> = match &decoded.kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect(),
            None => self.keys.iter().collect(),
        };
        let named = decoded
            .kid
            .as_deref()
            .map(|kid| format!(" (kid {:?})", excerpt(kid)))
            .unwrap_or_default();
        if by_kid.is_empty() {
            return Err(Failure::new(
                Check::UnknownKey,
                format!("{alg} token{named}: no configured key has this kid"),
            ));
        }
        let input = decoded.signing_input.as_bytes();
        let fitting: Vec<&&VerificationKey> = by_kid.iter().filter(|k| k.accepts(alg)).collect();
        if fitting.is_empty() {
            let with_public_key = by_kid
                .iter()
                .any(|k| k.was_used_as_hmac_secret(alg, input, &decoded.signature));
            let detail = if with_public_key {
                format!("{alg} token{named} signed with a configured public key as the HMAC secret")
            } else {
                let kinds: Vec<String> = by_kid
                    .iter()
                    .map(|k| match k.alg {
                        Some(pinned) => format!("{} pinned to {pinned}", k.kind().name()),
                        None => k.kind().name().to_string(),
                    })
                    .collect();
                format!("{alg} token{named}, but its key is {}", kinds.join(" or "))
            };
            return Err(Failure::new(Check::AlgorithmConfusion, detail));
        }
        if fitting
            .iter()
            .any(|k| k.verifies(alg, input, &decoded.signature))
        {
            Ok(())
        } else {
            Err(Failure::new(
                Check::Signature,
                format!("{alg} token{named}: the signature does not verify"),
            ))
        }
    }
}

/// A header value as explanations show it: at most 32 characters.
fn excerpt(text: &str) -> String {
    text.chars().take(32).collect()
}

#[cfg(test)]
mod tests;
