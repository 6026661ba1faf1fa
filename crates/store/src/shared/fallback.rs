//! What a shared limit decides when Redis cannot: each rule chooses between
//! protection and availability.

use rampart_prevent::ratelimit::LimitKey;
use rampart_prevent::{RateDecision, RateLimiter};
use serde::Deserialize;
use std::time::Duration;

/// A limit's answer while Redis is unreachable (`on_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnRedisError {
    /// Limit with this gateway's own limiter: the quota holds per gateway
    /// instead of across all of them.
    #[default]
    Local,
    /// Admit: availability first (search, browsing).
    Open,
    /// Refuse: protection first (failed logins, password resets).
    Closed,
}

impl OnRedisError {
    /// The decision before the request. A refusal asks the client to come
    /// back after `refusal_retry_after` (the limit's emission interval: the
    /// soonest the quota could admit it again).
    pub(crate) fn check(
        self,
        local: &RateLimiter,
        key: LimitKey,
        refusal_retry_after: Duration,
    ) -> RateDecision {
        match self {
            OnRedisError::Local => local.check(key),
            OnRedisError::Open => RateDecision::Allow,
            OnRedisError::Closed => RateDecision::Limited {
                retry_after: refusal_retry_after,
            },
        }
    }

    /// Charges an outcome where the fallback keeps state (only `local`).
    pub(crate) fn record_outcome(self, local: &RateLimiter, key: LimitKey, status: u16) {
        if self == OnRedisError::Local {
            local.record_outcome(key, status);
        }
    }
}
