//! `[identity.jwt] jwks_url`: an identity provider's key set as fetched
//! keys, merged with the configured ones behind one token verifier.

use super::fetch::{Document, FetchError, KeySetUrl};
use super::{FetchMetrics, KeyFormat, KeySource, RemoteKeys};
use crate::telemetry;
use arc_swap::ArcSwapOption;
use rampart_behave::tokens::jwks::{self, MAX_JWKS_BYTES};
use rampart_behave::tokens::{
    Check, ClaimRules, Failure, TokenVerifier, VerificationKey, Verified,
};
use rampart_core::Clock;
use std::sync::Arc;

/// A JWKS document's signature keys, verifying tokens with the fixed keys
/// (`keys`, `jwks`) of the same configuration.
pub struct Jwks {
    fixed: Vec<VerificationKey>,
    rules: ClaimRules,
    clock: Arc<dyn Clock>,
    metrics: FetchMetrics,
    /// Verifies with the fixed and the fetched keys; none while there are
    /// no keys at all.
    verifier: ArcSwapOption<TokenVerifier>,
}

impl Jwks {
    pub fn new(fixed: Vec<VerificationKey>, rules: ClaimRules, clock: Arc<dyn Clock>) -> Self {
        Jwks {
            fixed,
            rules,
            clock,
            metrics: FetchMetrics {
                fetches: telemetry::JWKS_FETCHES,
                keys: telemetry::JWKS_KEYS,
                age: telemetry::JWKS_AGE,
                unknown_key: telemetry::JWKS_UNKNOWN_KID_REFETCH,
                labels: Vec::new(),
            },
            verifier: ArcSwapOption::empty(),
        }
    }

    /// Whether a verifier is in service (some key is at hand).
    pub fn has_verifier(&self) -> bool {
        self.verifier.load().is_some()
    }
}

impl KeyFormat for Jwks {
    type Keys = Vec<VerificationKey>;

    fn setting(&self) -> &str {
        "jwks_url"
    }

    fn accept(&self) -> &'static str {
        "application/jwk-set+json, application/json"
    }

    fn max_bytes(&self) -> usize {
        MAX_JWKS_BYTES
    }

    fn metrics(&self) -> &FetchMetrics {
        &self.metrics
    }

    fn parse(&self, document: &Document, url: &KeySetUrl) -> Result<Self::Keys, FetchError> {
        let set = jwks::parse(&document.body).map_err(|e| FetchError::Invalid(e.to_string()))?;
        if set.keys.is_empty() {
            return Err(FetchError::Invalid(
                "no signature key in the key set".into(),
            ));
        }
        for skipped in &set.skipped {
            tracing::debug!(%url, "jwks_url: {skipped}, skipped");
        }
        Ok(set.keys)
    }

    fn count(keys: &Self::Keys) -> usize {
        keys.len()
    }

    fn publish(&self, fetched: Option<&Self::Keys>) {
        let keys: Vec<VerificationKey> = self
            .fixed
            .iter()
            .chain(fetched.into_iter().flatten())
            .cloned()
            .collect();
        let verifier = TokenVerifier::new(keys, self.rules.clone(), Arc::clone(&self.clock)).ok();
        self.verifier.store(verifier.map(Arc::new));
    }
}

/// The key set of one `[identity.jwt]`: the fixed keys and the fetched ones.
pub type RemoteKeySet = RemoteKeys<Jwks>;

impl RemoteKeys<Jwks> {
    /// The set of `source`, verifying with `fixed` and what it fetches.
    pub fn jwks(
        source: KeySource,
        fixed: Vec<VerificationKey>,
        rules: ClaimRules,
        clock: Arc<dyn Clock>,
    ) -> Self {
        RemoteKeys::new(source, Jwks::new(fixed, rules, Arc::clone(&clock)), clock)
    }

    /// Verifies `token` with the keys at hand; an unknown kid asks for a
    /// refetch (rate-limited) and fails this token.
    pub fn verify(&self, token: &str) -> Result<Verified, Failure> {
        let result = match self.format().verifier.load().as_deref() {
            Some(verifier) => verifier.verify(token),
            None => Err(Failure::new(
                Check::UnknownKey,
                format!(
                    "no key yet: the key set at {} has not been fetched",
                    self.source.url
                ),
            )),
        };
        if matches!(&result, Err(failure) if failure.check == Check::UnknownKey) {
            self.ask_for_refetch();
        }
        result
    }
}
