//! The `[prevent.deception]` section, as operators write it, and its checks.
//!
//! ```toml
//! [prevent.deception]
//! secret = "..."            # shared by every gateway of a cluster; >= 32 bytes
//! token_ttl_seconds = 3600  # `exp` and `expires_in` of fake logins
//! decoy_fields = ["is_admin", "_debug"]
//! on_trap = "ban"           # or "tag"
//!
//! [prevent.deception.tarpit]
//! delay_seconds = 10
//! max_held = 256
//!
//! [[prevent.deception.honeypots]]
//! prefix = "/wp-admin"
//!
//! [[prevent.deception.honeypots]]
//! name = "dotenv"
//! path = "/.env"
//! methods = ["GET"]
//! ```
//!
//! Every error names the key and what was expected.

use crate::deception::key::{NoRandomness, MIN_SECRET_BYTES};
use serde::Deserialize;
use std::fmt;

/// The most honeypots; they are matched one by one.
pub const MAX_HONEYPOTS: usize = 1024;
/// The most decoy fields; they are matched one by one.
pub const MAX_DECOY_FIELDS: usize = 256;
/// The longest decoy field name.
pub const MAX_DECOY_FIELD_BYTES: usize = 64;
/// The longest honeypot path or prefix.
pub const MAX_HONEYPOT_PATH_BYTES: usize = 1024;
const MAX_TOKEN_TTL_SECONDS: u64 = 30 * 86_400;
const MAX_TARPIT_DELAY_SECONDS: u64 = 300;
const MAX_TARPIT_HELD: usize = 100_000;

/// `[prevent.deception]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeceptionConfig {
    /// Keys fakes and decoy tokens. Gateways that share it recognise each
    /// other's decoys and show an attacker the same fakes. When absent, each
    /// process draws its own at start.
    pub secret: Option<DeceptionSecret>,
    /// Lifetime claimed by fake login tokens.
    pub token_ttl_seconds: u64,
    pub tarpit: TarpitConfig,
    /// Paths no legitimate client asks for.
    pub honeypots: Vec<HoneypotConfig>,
    /// Request parameter names (query, form, JSON, at any depth) the real
    /// application never reads, e.g. `is_admin`; matched without regard to
    /// ASCII case.
    pub decoy_fields: Vec<String>,
    /// What touching a honeypot or a decoy field does to the client.
    pub on_trap: TrapResponse,
}

impl Default for DeceptionConfig {
    fn default() -> Self {
        DeceptionConfig {
            secret: None,
            token_ttl_seconds: 3600,
            tarpit: TarpitConfig::default(),
            honeypots: Vec::new(),
            decoy_fields: Vec::new(),
            on_trap: TrapResponse::default(),
        }
    }
}

/// The deception secret; never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DeceptionSecret(pub String);

impl fmt::Debug for DeceptionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeceptionSecret(..)")
    }
}

/// `[prevent.deception.tarpit]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TarpitConfig {
    /// How long an answer is held.
    pub delay_seconds: u64,
    /// The most answers held at once; beyond, requests get the fallback.
    pub max_held: usize,
}

impl Default for TarpitConfig {
    fn default() -> Self {
        TarpitConfig {
            delay_seconds: 10,
            max_held: 256,
        }
    }
}

/// `[[prevent.deception.honeypots]]`: exactly one of `path` and `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoneypotConfig {
    /// Named in events and ban reasons; the path or prefix by default.
    pub name: Option<String>,
    /// This path only (a trailing `/` does not matter).
    pub path: Option<String>,
    /// This path and everything under it, by whole segments: `/wp-admin`
    /// traps `/wp-admin/setup.php`, not `/wp-admins`.
    pub prefix: Option<String>,
    /// The methods trapped; every method when empty.
    #[serde(default)]
    pub methods: Vec<String>,
}

/// What the gateway does to a client that touched a trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrapResponse {
    /// Ban the client (reason `honeypot: ...`), and answer with a fake.
    #[default]
    Ban,
    /// Only tag the client in events, and answer with a fake.
    Tag,
}

/// Why a deception section was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeceptionError {
    #[error("deception.{key}: expected {expected}")]
    Invalid { key: String, expected: String },
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
}

fn invalid(key: impl Into<String>, expected: impl Into<String>) -> DeceptionError {
    DeceptionError::Invalid {
        key: key.into(),
        expected: expected.into(),
    }
}

impl DeceptionConfig {
    /// Checks every key.
    pub fn validate(&self) -> Result<(), DeceptionError> {
        if let Some(DeceptionSecret(secret)) = &self.secret {
            if secret.len() < MIN_SECRET_BYTES {
                return Err(invalid(
                    "secret",
                    format!("at least {MIN_SECRET_BYTES} bytes, got {}", secret.len()),
                ));
            }
        }
        if !(1..=MAX_TOKEN_TTL_SECONDS).contains(&self.token_ttl_seconds) {
            return Err(invalid(
                "token_ttl_seconds",
                format!(
                    "1 to {MAX_TOKEN_TTL_SECONDS}, got {}",
                    self.token_ttl_seconds
                ),
            ));
        }
        let tarpit = &self.tarpit;
        if !(1..=MAX_TARPIT_DELAY_SECONDS).contains(&tarpit.delay_seconds) {
            return Err(invalid(
                "tarpit.delay_seconds",
                format!(
                    "1 to {MAX_TARPIT_DELAY_SECONDS}, got {}",
                    tarpit.delay_seconds
                ),
            ));
        }
        if !(1..=MAX_TARPIT_HELD).contains(&tarpit.max_held) {
            return Err(invalid(
                "tarpit.max_held",
                format!("1 to {MAX_TARPIT_HELD}, got {}", tarpit.max_held),
            ));
        }
        if self.honeypots.len() > MAX_HONEYPOTS {
            return Err(invalid(
                "honeypots",
                format!("at most {MAX_HONEYPOTS} entries"),
            ));
        }
        for (i, honeypot) in self.honeypots.iter().enumerate() {
            honeypot.validate(&format!("honeypots[{i}]"))?;
        }
        if self.decoy_fields.len() > MAX_DECOY_FIELDS {
            return Err(invalid(
                "decoy_fields",
                format!("at most {MAX_DECOY_FIELDS} names"),
            ));
        }
        for (i, field) in self.decoy_fields.iter().enumerate() {
            let plain = field
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"[].=&?#\"\\".contains(&b));
            if field.is_empty() || field.len() > MAX_DECOY_FIELD_BYTES || !plain {
                return Err(invalid(
                    format!("decoy_fields[{i}]"),
                    format!(
                        "a parameter name of 1 to {MAX_DECOY_FIELD_BYTES} visible ASCII characters \
                         without []. = & ? # quotes or backslash, got {field:?}"
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl HoneypotConfig {
    fn validate(&self, key: &str) -> Result<(), DeceptionError> {
        let (which, pattern) = match (&self.path, &self.prefix) {
            (Some(path), None) => ("path", path),
            (None, Some(prefix)) => ("prefix", prefix),
            _ => return Err(invalid(key, "exactly one of `path` and `prefix`")),
        };
        let plain = pattern
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#');
        if !pattern.starts_with('/')
            || pattern.len() > MAX_HONEYPOT_PATH_BYTES
            || !plain
            || pattern.split('/').all(|segment| segment.is_empty())
        {
            return Err(invalid(
                format!("{key}.{which}"),
                format!(
                    "a path below `/` of at most {MAX_HONEYPOT_PATH_BYTES} bytes, without \
                     spaces, `?` or `#`, got {pattern:?}"
                ),
            ));
        }
        for (i, method) in self.methods.iter().enumerate() {
            if http::Method::from_bytes(method.as_bytes()).is_err() {
                return Err(invalid(
                    format!("{key}.methods[{i}]"),
                    format!("an HTTP method, got {method:?}"),
                ));
            }
        }
        Ok(())
    }

    /// The name events and ban reasons give this honeypot.
    pub fn display_name(&self) -> String {
        match (&self.name, &self.path, &self.prefix) {
            (Some(name), _, _) => name.clone(),
            (None, Some(path), _) => path.clone(),
            (None, None, Some(prefix)) => format!("{}/*", prefix.trim_end_matches('/')),
            (None, None, None) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DeceptionConfig, String> {
        let config: DeceptionConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    #[test]
    fn an_empty_section_has_working_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config, DeceptionConfig::default());
        assert_eq!(config.tarpit.delay_seconds, 10);
        assert_eq!(config.tarpit.max_held, 256);
        assert_eq!(config.on_trap, TrapResponse::Ban);
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        let error = |text| parse(text).unwrap_err();
        assert_eq!(
            error("secret = \"short\""),
            "deception.secret: expected at least 32 bytes, got 5"
        );
        assert!(
            error("[tarpit]\nmax_held = 0").starts_with("deception.tarpit.max_held: expected 1 to")
        );
        assert!(error("token_ttl_seconds = 0").starts_with("deception.token_ttl_seconds:"));
        assert_eq!(
            error("[[honeypots]]\npath = \"/a\"\nprefix = \"/b\""),
            "deception.honeypots[0]: expected exactly one of `path` and `prefix`"
        );
        assert!(error("[[honeypots]]\nprefix = \"wp-admin\"")
            .starts_with("deception.honeypots[0].prefix: expected a path below `/`"));
        assert!(error("[[honeypots]]\nprefix = \"/\"").contains("got \"/\""));
        assert!(error("[[honeypots]]\npath = \"/x\"\nmethods = [\"G T\"]")
            .starts_with("deception.honeypots[0].methods[0]: expected an HTTP method"));
        assert!(error("decoy_fields = [\"a b\"]").starts_with("deception.decoy_fields[0]:"));
        assert!(error("on_trap = \"maim\"").contains("unknown variant"));
        assert!(error("tarpits = {}").contains("unknown field"));
    }

    #[test]
    fn the_secret_is_never_printed() {
        let config = parse(&format!("secret = \"{}\"", "s3cr3t".repeat(6))).unwrap();
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn honeypots_are_named_by_their_pattern_by_default() {
        let config = parse("[[honeypots]]\nprefix = \"/wp-admin\"\n[[honeypots]]\nname = \"env\"\npath = \"/.env\"").unwrap();
        assert_eq!(config.honeypots[0].display_name(), "/wp-admin/*");
        assert_eq!(config.honeypots[1].display_name(), "env");
    }
}
