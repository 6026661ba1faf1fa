//! Rate limits checked in Redis, with the same decisions as the local
//! [`RateLimiter`]: limits that count every request charge on admission,
//! limits that count only some outcomes peek before the request and charge
//! after the response.

use super::fallback::OnRedisError;
use super::health::Counters;
use super::scripts::{self, GcraMode};
use super::state::{SharedError, SharedState};
use rampart_prevent::ratelimit::{Gcra, LimitError, LimitKey};
use rampart_prevent::{LimitConfig, RateDecision, RateLimiter};
use std::time::Duration;

/// The longest interval handed to the script: Lua's doubles are exact below
/// 2^53, and the largest value the script computes, now (below 2^51 µs until
/// 2041) plus a window plus an emission interval, stays below it. It is 71
/// years, forever for a rate limit.
const MAX_INTERVAL_MICROS: u64 = 1 << 51;

/// One `[[prevent.limits]]` entry, as the shared limiter runs it. Built at
/// load and reload, beside the local [`RateLimiter`] of the same entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedLimit {
    name: String,
    emission_micros: u64,
    window_micros: u64,
    counted_statuses: Option<Vec<u16>>,
    on_error: OnRedisError,
}

impl SharedLimit {
    pub fn new(config: &LimitConfig, on_error: OnRedisError) -> Result<SharedLimit, LimitError> {
        let gcra =
            Gcra::new(&config.quota).ok_or_else(|| LimitError::EmptyQuota(config.name.clone()))?;
        Ok(SharedLimit {
            name: config.name.clone(),
            emission_micros: gcra.emission_micros().min(MAX_INTERVAL_MICROS),
            window_micros: gcra.window_micros().min(MAX_INTERVAL_MICROS),
            counted_statuses: config.count_only_status.clone(),
            on_error,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn counts(&self, status: u16) -> bool {
        self.counted_statuses
            .as_ref()
            .is_some_and(|statuses| statuses.contains(&status))
    }

    async fn run(
        &self,
        state: &SharedState,
        fingerprint: u128,
        mode: GcraMode,
    ) -> Result<u64, SharedError> {
        let key = state.limit_key(self, fingerprint);
        state
            .link
            .call(state.timeout, |mut connection| async move {
                scripts::GCRA
                    .key(key)
                    .arg(self.emission_micros)
                    .arg(self.window_micros)
                    .arg(mode.as_arg())
                    .invoke_async::<u64>(&mut connection)
                    .await
            })
            .await
    }
}

impl SharedState {
    /// The Redis key holding this key's TAT (for operators and tests):
    /// `{prefix}limit:{name}:{fingerprint as 32 hex digits}`.
    pub fn limit_key(&self, limit: &SharedLimit, fingerprint: u128) -> String {
        format!("{}limit:{}:{fingerprint:032x}", self.prefix, limit.name)
    }

    /// Decides before the request goes upstream, like
    /// [`RateLimiter::check`]. `fingerprint` identifies the request's key and
    /// must be computed identically by every gateway.
    pub async fn check(
        &self,
        limit: &SharedLimit,
        fingerprint: u128,
    ) -> Result<RateDecision, SharedError> {
        let mode = if limit.counted_statuses.is_some() {
            GcraMode::Peek
        } else {
            GcraMode::Check
        };
        let excess_micros = limit.run(self, fingerprint, mode).await?;
        Ok(match excess_micros {
            0 => RateDecision::Allow,
            excess => RateDecision::Limited {
                retry_after: Duration::from_micros(excess),
            },
        })
    }

    /// Charges the response's outcome when the limit counts it, like
    /// [`RateLimiter::record_outcome`]; no round trip otherwise.
    pub async fn record_outcome(
        &self,
        limit: &SharedLimit,
        fingerprint: u128,
        status: u16,
    ) -> Result<(), SharedError> {
        if limit.counts(status) {
            limit.run(self, fingerprint, GcraMode::Charge).await?;
        }
        Ok(())
    }

    /// [`SharedState::check`], or the limit's `on_error` policy when Redis
    /// cannot answer (`local` uses `local` and `key`, the gateway's own
    /// limiter for the same entry). Fallbacks are counted.
    pub async fn check_or_fallback(
        &self,
        limit: &SharedLimit,
        fingerprint: u128,
        local: &RateLimiter,
        key: LimitKey,
    ) -> RateDecision {
        match self.check(limit, fingerprint).await {
            Ok(decision) => decision,
            Err(error) => {
                tracing::debug!(limit = %limit.name, %error, policy = ?limit.on_error, "shared limit fell back");
                Counters::bump(&self.counters.fallbacks);
                let refusal = Duration::from_micros(limit.emission_micros);
                limit.on_error.check(local, key, refusal)
            }
        }
    }

    /// [`SharedState::record_outcome`], or the `on_error` policy's
    /// bookkeeping when Redis cannot answer.
    pub async fn record_outcome_or_fallback(
        &self,
        limit: &SharedLimit,
        fingerprint: u128,
        local: &RateLimiter,
        key: LimitKey,
        status: u16,
    ) {
        if let Err(error) = self.record_outcome(limit, fingerprint, status).await {
            tracing::debug!(limit = %limit.name, %error, policy = ?limit.on_error, "shared outcome fell back");
            Counters::bump(&self.counters.fallbacks);
            limit.on_error.record_outcome(local, key, status);
        }
    }
}
