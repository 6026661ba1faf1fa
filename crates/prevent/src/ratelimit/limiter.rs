//! A named rate limit: a quota per key, checked before the request and,
//! for limits that count only some outcomes, charged after the response.

use super::gcra::{Gcra, Quota, RateDecision};
use super::key::{KeyHasher, KeySpec, LimitKey};
use super::store::TatStore;
use crate::facts::RequestFacts;
use rampart_core::Clock;
use serde::Deserialize;
use std::sync::Arc;

/// One `[[prevent.limits]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitConfig {
    /// How policy rules refer to this limit.
    pub name: String,
    pub key: KeySpec,
    pub quota: Quota,
    /// Charge only responses with these statuses (e.g. `[401, 403]` for
    /// failed logins); every request is charged when absent.
    #[serde(default)]
    pub count_only_status: Option<Vec<u16>>,
    /// The most keys tracked at once; beyond it the least useful are evicted.
    #[serde(default = "default_max_keys")]
    pub max_keys: usize,
}

fn default_max_keys() -> usize {
    100_000
}

/// A limit that cannot work as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("limit `{0}`: requests, per_seconds and burst must all be at least 1")]
    EmptyQuota(String),
    #[error("limit `{0}`: the key needs at least one part or an expression")]
    EmptyKey(String),
    #[error("limit `{}`: key expression at {}:{}: {}", .0.rule, .0.line, .0.column, .0.message)]
    KeyExpression(crate::policy::RuleError),
    #[error("limit `{0}`: max_keys must be at least 1")]
    NoKeys(String),
    #[error("limit `{0}`: count_only_status needs at least one status")]
    EmptyStatusList(String),
}

/// A GCRA rate limiter keyed by request facts, with a bounded key store.
pub struct RateLimiter {
    name: String,
    gcra: Gcra,
    keys: KeyHasher,
    counted_statuses: Option<Vec<u16>>,
    store: TatStore,
    clock: Arc<dyn Clock>,
}

impl RateLimiter {
    pub fn new(config: &LimitConfig, clock: Arc<dyn Clock>) -> Result<RateLimiter, LimitError> {
        let name = config.name.clone();
        let gcra = Gcra::new(&config.quota).ok_or_else(|| LimitError::EmptyQuota(name.clone()))?;
        if config.key.parts.is_empty() && config.key.expression.is_none() {
            return Err(LimitError::EmptyKey(name));
        }
        if config.max_keys == 0 {
            return Err(LimitError::NoKeys(name));
        }
        if config.count_only_status.as_ref().is_some_and(Vec::is_empty) {
            return Err(LimitError::EmptyStatusList(name));
        }
        Ok(RateLimiter {
            name,
            gcra,
            keys: KeyHasher::new(&config.name, config.key.clone())
                .map_err(LimitError::KeyExpression)?,
            counted_statuses: config.count_only_status.clone(),
            store: TatStore::new(config.max_keys),
            clock,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The request's key for this limit; `None` when the limit does not apply.
    pub fn key_for(&self, facts: &RequestFacts) -> Option<LimitKey> {
        self.keys.key_for(facts)
    }

    /// The request's key as every gateway computes it, for the same limit
    /// shared through Redis; `None` when the limit does not apply.
    pub fn shared_fingerprint(&self, facts: &RequestFacts) -> Option<u128> {
        self.keys.shared_fingerprint(facts)
    }

    /// Decides before the request goes upstream. A limit that counts every
    /// request charges it here when admitted; one that counts only some
    /// outcomes charges nothing until [`RateLimiter::record_outcome`].
    pub fn check(&self, key: LimitKey) -> RateDecision {
        let now = self.now_micros();
        if self.counted_statuses.is_some() {
            return self
                .store
                .update(key, now, |tat| (self.gcra.peek(tat, now), None));
        }
        self.store.update(key, now, |tat| {
            let (decision, tat) = self.gcra.check(tat, now);
            (decision, Some(tat))
        })
    }

    /// Whether a response with this status is charged after the fact
    /// (limits with `count_only_status`); limits that count every request
    /// charge nothing here.
    pub fn counts_outcome(&self, status: u16) -> bool {
        self.counted_statuses
            .as_ref()
            .is_some_and(|statuses| statuses.contains(&status))
    }

    /// Charges the response's outcome when this limit counts it.
    pub fn record_outcome(&self, key: LimitKey, status: u16) {
        if self.counts_outcome(status) {
            let now = self.now_micros();
            self.store
                .update(key, now, |tat| ((), Some(self.gcra.charge(tat, now))));
        }
    }

    /// Keys evicted while they still carried state (the bound was hit).
    pub fn evicted_keys(&self) -> u64 {
        self.store.evicted()
    }

    /// Keys tracked now.
    pub fn tracked_keys(&self) -> usize {
        self.store.len()
    }

    fn now_micros(&self) -> u64 {
        self.clock.now_millis().saturating_mul(1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::KeyPart;
    use rampart_core::ManualClock;
    use std::time::Duration;

    fn limiter(config: &str) -> (RateLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at(1_700_000_000_000));
        let config: LimitConfig = toml::from_str(config).unwrap();
        (RateLimiter::new(&config, clock.clone()).unwrap(), clock)
    }

    fn request(ip: &str) -> RequestFacts {
        RequestFacts::new("POST", "/login", ip.parse().unwrap())
    }

    #[test]
    fn limits_each_client_separately_and_recovers_with_time() {
        let (limiter, clock) = limiter(
            r#"
            name = "per-ip"
            key = { parts = ["ip"] }
            quota = { requests = 2, per_seconds = 10 }
            "#,
        );
        let first = limiter.key_for(&request("10.0.0.1")).unwrap();
        let second = limiter.key_for(&request("10.0.0.2")).unwrap();
        assert_eq!(limiter.check(first), RateDecision::Allow);
        assert_eq!(limiter.check(first), RateDecision::Allow);
        let limited = limiter.check(first);
        assert_eq!(
            limited,
            RateDecision::Limited {
                retry_after: Duration::from_secs(5)
            }
        );
        assert_eq!(limited.retry_after_header().as_deref(), Some("5"));
        assert_eq!(limiter.check(second), RateDecision::Allow);
        clock.advance(Duration::from_secs(5));
        assert_eq!(limiter.check(first), RateDecision::Allow);
        assert!(matches!(limiter.check(first), RateDecision::Limited { .. }));
    }

    #[test]
    fn counting_only_failed_logins_leaves_successes_free() {
        let (limiter, clock) = limiter(
            r#"
            name = "failed-logins"
            key = { parts = ["user"] }
            quota = { requests = 3, per_seconds = 60 }
            count_only_status = [401, 403]
            "#,
        );
        let mut facts = request("10.0.0.1");
        facts.client.user = Some("alice".into());
        let key = limiter.key_for(&facts).unwrap();
        for _ in 0..10 {
            assert_eq!(limiter.check(key), RateDecision::Allow);
            limiter.record_outcome(key, 200);
        }
        for _ in 0..3 {
            assert_eq!(limiter.check(key), RateDecision::Allow);
            limiter.record_outcome(key, 401);
        }
        assert_eq!(
            limiter.check(key),
            RateDecision::Limited {
                retry_after: Duration::from_secs(20)
            }
        );
        // Failures keep counting while limited, but never beyond one window.
        limiter.record_outcome(key, 403);
        clock.advance(Duration::from_secs(20));
        assert_eq!(limiter.check(key), RateDecision::Allow);
    }

    #[test]
    fn a_limit_without_its_key_part_does_not_apply() {
        let (limiter, _) = limiter(
            r#"
            name = "per-key"
            key = { parts = ["api_key"] }
            quota = { requests = 1, per_seconds = 1 }
            "#,
        );
        assert_eq!(limiter.key_for(&request("10.0.0.1")), None);
    }

    #[test]
    fn the_key_count_stays_bounded_under_a_flood_of_clients() {
        let (limiter, _) = limiter(
            r#"
            name = "per-ip"
            key = { parts = ["ip"] }
            quota = { requests = 1, per_seconds = 3600 }
            max_keys = 1024
            "#,
        );
        for n in 0..20_000u32 {
            let ip = std::net::Ipv4Addr::from(0x0a00_0000 + n);
            let facts = RequestFacts::new("GET", "/", ip.into());
            let key = limiter.key_for(&facts).unwrap();
            assert_eq!(limiter.check(key), RateDecision::Allow);
        }
        assert!(limiter.tracked_keys() <= 1024);
        assert!(limiter.evicted_keys() >= 20_000 - 1024);
    }

    #[test]
    fn invalid_limits_are_refused_with_their_name() {
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::at(0));
        let mut config = LimitConfig {
            name: "login".into(),
            key: KeySpec::of(&[KeyPart::Ip]),
            quota: Quota {
                requests: 0,
                per_seconds: 1,
                burst: None,
            },
            count_only_status: None,
            max_keys: 10,
        };
        let error = RateLimiter::new(&config, clock.clone()).err().unwrap();
        assert_eq!(error, LimitError::EmptyQuota("login".into()));
        config.quota.requests = 1;
        config.key.parts.clear();
        let error = RateLimiter::new(&config, clock.clone()).err().unwrap();
        assert_eq!(
            error.to_string(),
            "limit `login`: the key needs at least one part or an expression"
        );
        let unknown = toml::from_str::<LimitConfig>(
            "name = \"x\"\nkey = { parts = [\"ip\"] }\nquota = { requests = 1, per_seconds = 1 }\nwindow = 3\n",
        );
        assert!(unknown
            .unwrap_err()
            .to_string()
            .contains("unknown field `window`"));
    }
}
