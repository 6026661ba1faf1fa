//! The `[redis]` section: where the shared state lives, how long a request
//! may wait for it, and what each limit does when it is unreachable.

use super::fallback::OnRedisError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The `[redis]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port/db` or `unix:///path/to.sock`.
    #[serde(default = "default_url")]
    pub url: String,
    /// Put before every key and the ban channel, so that several
    /// deployments can share one Redis.
    #[serde(default = "default_key_prefix")]
    pub key_prefix: String,
    /// The longest a request waits for Redis before its limit falls back.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// The longest a connection attempt, a health probe, or one round trip
    /// of the ban load after a connection may take.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// The first wait before reconnecting; it doubles on each failure...
    #[serde(default = "default_reconnect_min_ms")]
    pub reconnect_min_ms: u64,
    /// ...up to this.
    #[serde(default = "default_reconnect_max_ms")]
    pub reconnect_max_ms: u64,
    /// What a limit does while Redis is unreachable, unless
    /// `on_error_by_limit` names it.
    #[serde(default)]
    pub on_error: OnRedisError,
    /// Per limit name (`[[prevent.limits]] name`), overriding `on_error`.
    #[serde(default)]
    pub on_error_by_limit: BTreeMap<String, OnRedisError>,
}

fn default_url() -> String {
    "redis://127.0.0.1:6379/0".to_string()
}

fn default_key_prefix() -> String {
    "rampart:".to_string()
}

fn default_timeout_ms() -> u64 {
    50
}

fn default_connect_timeout_ms() -> u64 {
    1_000
}

fn default_reconnect_min_ms() -> u64 {
    100
}

fn default_reconnect_max_ms() -> u64 {
    5_000
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: default_url(),
            key_prefix: default_key_prefix(),
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            reconnect_min_ms: default_reconnect_min_ms(),
            reconnect_max_ms: default_reconnect_max_ms(),
            on_error: OnRedisError::default(),
            on_error_by_limit: BTreeMap::new(),
        }
    }
}

/// A `[redis]` section that cannot work. The URL is never repeated, as it
/// may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisConfigError {
    #[error("redis.url: expected redis://host:port/db or unix:///path ({0})")]
    Url(String),
    #[error("redis.key_prefix: expected a non-empty prefix such as \"rampart:\"")]
    EmptyPrefix,
    #[error("redis.{0}: expected at least 1 millisecond, got 0")]
    ZeroDuration(&'static str),
    #[error("redis.reconnect_min_ms: expected at most reconnect_max_ms ({max}), got {min}")]
    Backoff { min: u64, max: u64 },
    #[error("redis.on_error_by_limit.{name}: expected the name of a [[prevent.limits]] entry (known: {known})")]
    UnknownLimit { name: String, known: String },
}

impl RedisConfig {
    /// Checks everything but the limit names (see
    /// [`RedisConfig::check_limit_names`]) and returns the parsed address.
    pub(crate) fn validate(&self) -> Result<redis::ConnectionInfo, RedisConfigError> {
        if self.key_prefix.is_empty() {
            return Err(RedisConfigError::EmptyPrefix);
        }
        for (key, value) in [
            ("timeout_ms", self.timeout_ms),
            ("connect_timeout_ms", self.connect_timeout_ms),
            ("reconnect_min_ms", self.reconnect_min_ms),
            ("reconnect_max_ms", self.reconnect_max_ms),
        ] {
            if value == 0 {
                return Err(RedisConfigError::ZeroDuration(key));
            }
        }
        if self.reconnect_min_ms > self.reconnect_max_ms {
            return Err(RedisConfigError::Backoff {
                min: self.reconnect_min_ms,
                max: self.reconnect_max_ms,
            });
        }
        redis::IntoConnectionInfo::into_connection_info(self.url.as_str())
            .map_err(|error| RedisConfigError::Url(error.to_string()))
    }

    /// Checks the section as [`SharedState::start`](super::SharedState::start)
    /// will, without connecting: for configuration checks and reloads.
    pub fn check(&self) -> Result<(), RedisConfigError> {
        self.validate().map(|_| ())
    }

    /// Refuses an `on_error_by_limit` entry that names no configured limit
    /// (a typo would otherwise silently keep the default policy).
    pub fn check_limit_names<'a>(
        &self,
        known: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<(), RedisConfigError> {
        let unknown = self
            .on_error_by_limit
            .keys()
            .find(|name| !known.clone().into_iter().any(|k| k == name.as_str()));
        match unknown {
            None => Ok(()),
            Some(name) => Err(RedisConfigError::UnknownLimit {
                name: name.clone(),
                known: known
                    .into_iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The policy of the limit with this name.
    pub fn on_error_for(&self, limit: &str) -> OnRedisError {
        self.on_error_by_limit
            .get(limit)
            .copied()
            .unwrap_or(self.on_error)
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RedisConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_point_at_a_local_redis() {
        let config = parse("").unwrap();
        assert_eq!(config, RedisConfig::default());
        let info = config.validate().unwrap();
        assert_eq!(info.redis_settings().db(), 0);
        assert_eq!(config.timeout(), Duration::from_millis(50));
    }

    #[test]
    fn per_limit_policies_override_the_default() {
        let config = parse(
            "on_error = \"open\"\n[on_error_by_limit]\nfailed-logins = \"closed\"\nsearch = \"local\"\n",
        )
        .unwrap();
        assert_eq!(config.on_error_for("failed-logins"), OnRedisError::Closed);
        assert_eq!(config.on_error_for("search"), OnRedisError::Local);
        assert_eq!(config.on_error_for("anything-else"), OnRedisError::Open);
        assert!(config
            .check_limit_names(["failed-logins", "search"])
            .is_ok());
        assert_eq!(
            config.check_limit_names(["failed-logins"]).unwrap_err().to_string(),
            "redis.on_error_by_limit.search: expected the name of a [[prevent.limits]] entry (known: \"failed-logins\")"
        );
    }

    #[test]
    fn unknown_fields_and_policies_are_refused() {
        assert!(parse("urll = \"redis://x\"")
            .unwrap_err()
            .contains("unknown field `urll`"));
        assert!(parse("on_error = \"maybe\"")
            .unwrap_err()
            .contains("expected one of `local`, `open`, `closed`"));
    }

    #[test]
    fn invalid_values_say_what_was_expected() {
        let error = |text: &str| parse(text).unwrap().validate().unwrap_err().to_string();
        assert_eq!(
            error("timeout_ms = 0"),
            "redis.timeout_ms: expected at least 1 millisecond, got 0"
        );
        assert_eq!(
            error("reconnect_min_ms = 10000"),
            "redis.reconnect_min_ms: expected at most reconnect_max_ms (5000), got 10000"
        );
        assert_eq!(
            error("key_prefix = \"\""),
            "redis.key_prefix: expected a non-empty prefix such as \"rampart:\""
        );
        let url = error("url = \"http://user:s3cret@example.com\"");
        assert!(url.starts_with("redis.url: expected redis://host:port/db"));
        assert!(!url.contains("s3cret"), "{url}");
    }
}
