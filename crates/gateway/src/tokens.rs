//! `[identity.jwt]`: bearer tokens verified before their claims are
//! believed, and `HS*` tokens signed with a guessable secret reported.
//!
//! The verifier itself is `rampart_behave::tokens`; this module reads its
//! keys from the configuration (secrets, environment variables, PEM files,
//! a JWKS file, all loaded at start and on every reload, a bad one refusing
//! the configuration with the file named; an identity provider's key set
//! URL, fetched and kept fresh by `crate::key_set`), and tells the prevent stage what
//! one request's token is: verified, failed (which check), or absent. The
//! weak-secret watch runs on every `HS*` bearer token, configured or not,
//! so an API whose own tokens can be forged is reported before any attack.

use crate::config::units::ConfigDuration;
use crate::key_set::fetch::KeySetUrl;
use crate::key_set::{KeySource, RemoteKeySet};
use rampart_behave::tokens::weak_secrets::{self, Sighting, WeakSecretWatch};
use rampart_behave::tokens::{
    decode, jwks, Algorithm, Check, ClaimRules, Failure, TokenVerifier, VerificationKey, Verified,
};
use rampart_core::Clock;
use rampart_prevent::policy::Mode;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The `[identity.jwt]` table as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// `enforce` refuses a failed token with 401; `monitor` records what it would have done.
    #[serde(default)]
    pub mode: Mode,
    /// Whether a request without a bearer token is refused.
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// A JWKS file (an issuer's key set), relative to the configuration file.
    pub jwks: Option<PathBuf>,
    /// An identity provider's key set URL, fetched and kept fresh.
    pub jwks_url: Option<String>,
    /// `jwks_url` is fetched again no sooner than this after a success.
    #[serde(default = "default_min_refresh")]
    pub min_refresh: ConfigDuration,
    /// And no later than this.
    #[serde(default = "default_max_refresh")]
    pub max_refresh: ConfigDuration,
    #[serde(default)]
    pub issuers: Vec<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Clock skew forgiven on `exp` and `nbf`.
    #[serde(default = "default_leeway")]
    pub leeway: ConfigDuration,
    /// Claims a token must carry.
    #[serde(default = "default_required_claims")]
    pub required_claims: Vec<String>,
}

fn default_leeway() -> ConfigDuration {
    ConfigDuration(std::time::Duration::from_secs(30))
}

fn default_min_refresh() -> ConfigDuration {
    ConfigDuration(std::time::Duration::from_secs(5 * 60))
}

fn default_max_refresh() -> ConfigDuration {
    ConfigDuration(std::time::Duration::from_secs(24 * 60 * 60))
}

fn default_required_claims() -> Vec<String> {
    vec!["exp".into()]
}

/// One `[[identity.jwt.keys]]` entry: exactly one of `secret`,
/// `secret_env` and `public_key`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub kid: Option<String>,
    /// The only algorithm the key verifies (`HS256`, `RS256`, `ES256`...).
    pub alg: Option<String>,
    pub secret: Option<String>,
    /// The environment variable holding the secret.
    pub secret_env: Option<String>,
    /// A PEM public key file, relative to the configuration file.
    pub public_key: Option<PathBuf>,
}

/// What the gateway knows about bearer tokens, built from the configuration.
pub struct TokenGuard {
    verification: Option<Verification>,
    watch: WeakSecretWatch,
}

struct Verification {
    keys: Keys,
    mode: Mode,
    required: bool,
}

/// The keys tokens are verified with.
enum Keys {
    /// Read from the configuration once (`keys`, `jwks`).
    Fixed(TokenVerifier),
    /// Those and the key set of `jwks_url`, as last fetched.
    Fetched(Arc<RemoteKeySet>),
}

impl Keys {
    fn verify(&self, token: &str) -> Result<Verified, Failure> {
        match self {
            Keys::Fixed(verifier) => verifier.verify(token),
            Keys::Fetched(set) => set.verify(token),
        }
    }
}

impl std::fmt::Debug for TokenGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGuard")
            .field("verifies", &self.verification.is_some())
            .finish()
    }
}

/// A problem with `[identity.jwt]`: the key path and what was expected.
pub type ConfigProblem = (String, String);

/// What one request's bearer token turned out to be.
pub enum TokenVerdict {
    /// No bearer token, and none is required (or nothing is verified).
    Absent,
    /// Tokens are not verified (`[identity.jwt]` is not configured).
    Unchecked,
    Verified(Verified),
    /// The token failed a check (or is missing where required).
    Failed(Failure),
}

/// One request's verdict and the weak-secret watch's sighting.
pub struct TokenReport {
    pub verdict: TokenVerdict,
    pub weak_secret: Sighting,
    /// The `alg` of an `HS*` token signed with a weak secret.
    pub weak_alg: Option<Algorithm>,
}

impl TokenGuard {
    /// No verification, only the weak-secret watch.
    pub fn watching() -> Self {
        TokenGuard {
            verification: None,
            watch: WeakSecretWatch::default(),
        }
    }

    /// Builds the guard, reading every key file; `resolve` makes a path
    /// relative to the configuration file absolute. Problems (errors) and
    /// warnings are returned with their key paths.
    pub fn load(
        config: &JwtConfig,
        resolve: impl Fn(&Path) -> PathBuf,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, Vec<ConfigProblem>), Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut keys = Vec::new();
        for (i, key) in config.keys.iter().enumerate() {
            let at = format!("identity.jwt.keys[{i}]");
            match load_key(key, &resolve) {
                Ok(loaded) => {
                    if let Some(weak) = loaded.hmac_secret().and_then(weak_secrets::is_listed) {
                        warnings.push((
                            at,
                            format!("this HMAC secret is {weak}: anyone can forge tokens with it"),
                        ));
                    } else if loaded.hmac_secret().is_some_and(|s| s.len() < 32) {
                        warnings.push((
                            at,
                            "an HMAC secret shorter than 32 bytes (RFC 7518 asks for at least the hash size)".into(),
                        ));
                    }
                    keys.push(loaded);
                }
                Err(message) => problems.push((at, message)),
            }
        }
        if let Some(path) = &config.jwks {
            let path = resolve(path);
            let read = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| jwks::parse(&bytes).map_err(|e| e.to_string()));
            match read {
                Ok(set) => {
                    for skipped in set.skipped {
                        warnings.push((
                            "identity.jwt.jwks".into(),
                            format!("{}: {skipped}, skipped", path.display()),
                        ));
                    }
                    keys.extend(set.keys);
                }
                Err(e) => problems.push((
                    "identity.jwt.jwks".into(),
                    format!("expected a JWKS file, {}: {e}", path.display()),
                )),
            }
        }
        let source = key_source(config, &mut problems, &mut warnings);
        if config.keys.is_empty() && config.jwks.is_none() && config.jwks_url.is_none() {
            problems.push((
                "identity.jwt".into(),
                "expected at least one key ([[identity.jwt.keys]]) or a key set (jwks, jwks_url)"
                    .into(),
            ));
        }
        if let Some(empty) = config.required_claims.iter().position(String::is_empty) {
            problems.push((
                format!("identity.jwt.required_claims[{empty}]"),
                "expected a claim name, got an empty string".into(),
            ));
        }
        let rules = ClaimRules {
            issuers: config.issuers.clone(),
            audiences: config.audiences.clone(),
            leeway_seconds: config.leeway.0.as_secs(),
            required: config.required_claims.clone(),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let keys = match source {
            Some(source) => Keys::Fetched(Arc::new(RemoteKeySet::jwks(source, keys, rules, clock))),
            None => Keys::Fixed(TokenVerifier::new(keys, rules, clock).map_err(|e| {
                vec![(
                    "identity.jwt.jwks".to_string(),
                    format!("expected a key set with at least one signature key: {e}"),
                )]
            })?),
        };
        Ok((
            TokenGuard {
                verification: Some(Verification {
                    keys,
                    mode: config.mode,
                    required: config.required,
                }),
                watch: WeakSecretWatch::default(),
            },
            warnings,
        ))
    }

    /// The key set fetched from `jwks_url`, when one is configured.
    pub fn remote_keys(&self) -> Option<&Arc<RemoteKeySet>> {
        match &self.verification.as_ref()?.keys {
            Keys::Fetched(set) => Some(set),
            Keys::Fixed(_) => None,
        }
    }

    /// Takes over the keys `previous` fetched from the same `jwks_url`
    /// (a reload keeps them rather than starting with none).
    pub fn adopt_keys(&self, previous: &TokenGuard) {
        if let (Some(ours), Some(theirs)) = (self.remote_keys(), previous.remote_keys()) {
            ours.adopt(theirs);
        }
    }

    /// Whether failures are only recorded.
    pub fn monitors(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.mode == Mode::Monitor)
    }

    /// Checks the request's bearer token (`None` when it sends none).
    pub fn inspect(&self, bearer: Option<&str>) -> TokenReport {
        let (weak_secret, weak_alg) = match bearer {
            Some(token) => self.sight(token),
            None => (Sighting::Clean, None),
        };
        let verdict = match (&self.verification, bearer) {
            (None, Some(_)) => TokenVerdict::Unchecked,
            (None, None) => TokenVerdict::Absent,
            (Some(v), None) if v.required => TokenVerdict::Failed(Failure::new(
                Check::Missing,
                "no bearer token, and one is required",
            )),
            (Some(_), None) => TokenVerdict::Absent,
            (Some(v), Some(token)) => match v.keys.verify(token) {
                Ok(verified) => TokenVerdict::Verified(verified),
                Err(failure) => TokenVerdict::Failed(failure),
            },
        };
        TokenReport {
            verdict,
            weak_secret,
            weak_alg,
        }
    }

    fn sight(&self, token: &str) -> (Sighting, Option<Algorithm>) {
        let Ok(decoded) = decode(token) else {
            return (Sighting::Clean, None);
        };
        let Some(alg) = Algorithm::from_name(&decoded.alg).filter(|a| a.hmac().is_some()) else {
            return (Sighting::Clean, None);
        };
        let issuer = decoded
            .claims
            .get("iss")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let sighting = self.watch.sight(
            alg,
            decoded.signing_input.as_bytes(),
            &decoded.signature,
            issuer,
        );
        (sighting, Some(alg))
    }
}

/// The `jwks_url` source, checked; refresh bounds without a URL are warned about.
fn key_source(
    config: &JwtConfig,
    problems: &mut Vec<ConfigProblem>,
    warnings: &mut Vec<ConfigProblem>,
) -> Option<KeySource> {
    let (min_refresh, max_refresh) = (config.min_refresh.0, config.max_refresh.0);
    let Some(text) = &config.jwks_url else {
        for (key, set, default) in [
            ("min_refresh", config.min_refresh, default_min_refresh()),
            ("max_refresh", config.max_refresh, default_max_refresh()),
        ] {
            if set != default {
                warnings.push((
                    format!("identity.jwt.{key}"),
                    format!("{key} only applies to jwks_url, which is not set"),
                ));
            }
        }
        return None;
    };
    let url = KeySetUrl::parse(text)
        .map_err(|message| problems.push(("identity.jwt.jwks_url".into(), message)))
        .ok();
    if min_refresh < std::time::Duration::from_secs(1) {
        problems.push((
            "identity.jwt.min_refresh".into(),
            format!("expected at least 1s, got {min_refresh:?}"),
        ));
    }
    if max_refresh < min_refresh {
        problems.push((
            "identity.jwt.max_refresh".into(),
            format!("expected at least min_refresh ({min_refresh:?}), got {max_refresh:?}"),
        ));
    }
    Some(KeySource {
        url: url?,
        min_refresh,
        max_refresh,
    })
}

fn load_key(
    key: &KeyConfig,
    resolve: impl Fn(&Path) -> PathBuf,
) -> Result<VerificationKey, String> {
    let alg = match key.alg.as_deref() {
        None => None,
        Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
            format!("expected alg one of {}, got {name:?}", known.join(", "))
        })?),
    };
    let kid = key.kid.clone();
    match (&key.secret, &key.secret_env, &key.public_key) {
        (Some(secret), None, None) => {
            VerificationKey::secret(secret.as_bytes(), kid, alg).map_err(|e| format!("secret: {e}"))
        }
        (None, Some(name), None) => {
            let secret = std::env::var(name).map_err(|_| {
                format!(
                    "expected the environment variable {name:?} to hold the secret; it is not set"
                )
            })?;
            VerificationKey::secret(secret.as_bytes(), kid, alg)
                .map_err(|e| format!("secret_env: {e}"))
        }
        (None, None, Some(path)) => {
            let path = resolve(path);
            let pem =
                std::fs::read(&path).map_err(|e| format!("public_key {}: {e}", path.display()))?;
            VerificationKey::from_pem(&pem, kid, alg)
                .map_err(|e| format!("public_key {}: {e}", path.display()))
        }
        _ => Err("expected exactly one of secret, secret_env and public_key".into()),
    }
}
