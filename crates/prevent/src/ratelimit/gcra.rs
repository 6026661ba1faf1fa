//! The Generic Cell Rate Algorithm on one key: the arithmetic, no storage.
//!
//! GCRA keeps a single number per key, the theoretical arrival time (TAT) of
//! the next request. A request is admitted when charging one emission interval
//! keeps the TAT within `burst` intervals of now. It is exact, needs no
//! background refill, and a TAT at or before now means the same as no state at
//! all, which is what lets the keyed store evict such entries without loss.
//! Times are microseconds so that quotas above 1000/s keep their precision.

use serde::Deserialize;
use std::time::Duration;

/// How many requests a key may make per period, and how many at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Requests admitted per period, on average.
    pub requests: u32,
    /// The period, in seconds.
    pub per_seconds: u32,
    /// Requests admitted back to back from a fresh key; defaults to `requests`.
    #[serde(default)]
    pub burst: Option<u32>,
}

/// The outcome of a limit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allow,
    /// Over the limit: the earliest time a retry can be admitted.
    Limited {
        retry_after: Duration,
    },
}

impl RateDecision {
    /// The `Retry-After` header value: whole seconds, rounded up, at least 1.
    pub fn retry_after_header(&self) -> Option<String> {
        match self {
            RateDecision::Allow => None,
            RateDecision::Limited { retry_after } => {
                let micros = retry_after.as_micros();
                Some(micros.div_ceil(1_000_000).max(1).to_string())
            }
        }
    }
}

/// A quota turned into the two intervals GCRA works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    /// Microseconds between two admitted requests at the sustained rate.
    emission_micros: u64,
    /// How far ahead of now the TAT may run: `burst` emission intervals.
    window_micros: u64,
}

impl Gcra {
    /// `None` when the quota admits nothing (zero requests, period or burst).
    pub fn new(quota: &Quota) -> Option<Gcra> {
        let burst = quota.burst.unwrap_or(quota.requests);
        if quota.requests == 0 || quota.per_seconds == 0 || burst == 0 {
            return None;
        }
        let period_micros = u64::from(quota.per_seconds) * 1_000_000;
        let emission_micros = (period_micros / u64::from(quota.requests)).max(1);
        Some(Gcra {
            emission_micros,
            window_micros: emission_micros.saturating_mul(u64::from(burst)),
        })
    }

    /// Microseconds between two admitted requests at the sustained rate.
    /// With [`Gcra::window_micros`], all a limiter elsewhere (the shared
    /// limiter's Redis script) needs to run the same arithmetic.
    pub fn emission_micros(&self) -> u64 {
        self.emission_micros
    }

    /// How far ahead of now the TAT may run, in microseconds.
    pub fn window_micros(&self) -> u64 {
        self.window_micros
    }

    /// Admits and charges one request if the quota allows it. Returns the
    /// decision and the TAT to store (unchanged when limited).
    pub fn check(&self, tat: u64, now: u64) -> (RateDecision, u64) {
        let charged = tat.max(now).saturating_add(self.emission_micros);
        match self.excess(charged, now) {
            0 => (RateDecision::Allow, charged),
            excess => (limited(excess), tat),
        }
    }

    /// Whether one more request would be admitted, charging nothing.
    pub fn peek(&self, tat: u64, now: u64) -> RateDecision {
        let charged = tat.max(now).saturating_add(self.emission_micros);
        match self.excess(charged, now) {
            0 => RateDecision::Allow,
            excess => limited(excess),
        }
    }

    /// Charges one request whatever the state (an outcome that counts, seen
    /// after the response). The TAT never runs further than one window ahead,
    /// so a key is never locked out for longer than the quota's period.
    pub fn charge(&self, tat: u64, now: u64) -> u64 {
        let charged = tat.max(now).saturating_add(self.emission_micros);
        charged.min(now.saturating_add(self.window_micros))
    }

    /// Microseconds by which `charged` runs past the allowed window.
    fn excess(&self, charged: u64, now: u64) -> u64 {
        charged.saturating_sub(now.saturating_add(self.window_micros))
    }
}

fn limited(excess_micros: u64) -> RateDecision {
    RateDecision::Limited {
        retry_after: Duration::from_micros(excess_micros),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000;

    fn gcra(requests: u32, per_seconds: u32, burst: Option<u32>) -> Gcra {
        Gcra::new(&Quota {
            requests,
            per_seconds,
            burst,
        })
        .unwrap()
    }

    #[test]
    fn admits_the_burst_then_limits_with_the_time_to_the_next_slot() {
        let limit = gcra(10, 1, Some(3));
        let (mut tat, now) = (0, 100 * SECOND);
        for _ in 0..3 {
            let (decision, next) = limit.check(tat, now);
            assert_eq!(decision, RateDecision::Allow);
            tat = next;
        }
        let (decision, unchanged) = limit.check(tat, now);
        assert_eq!(unchanged, tat);
        assert_eq!(
            decision,
            RateDecision::Limited {
                retry_after: Duration::from_millis(100)
            }
        );
        let (decision, _) = limit.check(tat, now + SECOND / 10);
        assert_eq!(decision, RateDecision::Allow);
    }

    #[test]
    fn sustained_rate_is_exact_over_a_long_run() {
        let limit = gcra(100, 60, None);
        let mut tat = 0;
        let mut admitted = 0;
        // One attempt every 10 ms from 0 to 600 s inclusive.
        for step in 0..=60_000u64 {
            let (decision, next) = limit.check(tat, step * 10_000);
            if decision == RateDecision::Allow {
                admitted += 1;
            }
            tat = next;
        }
        // 100 per minute over 10 minutes, plus the initial burst of 100.
        assert_eq!(admitted, 1_000 + 100);
    }

    #[test]
    fn peek_charges_nothing_and_charge_is_capped_at_one_window() {
        let limit = gcra(2, 10, None);
        let now = 50 * SECOND;
        assert_eq!(limit.peek(0, now), RateDecision::Allow);
        let mut tat = 0;
        for _ in 0..100 {
            tat = limit.charge(tat, now);
        }
        assert_eq!(tat, now + 10 * SECOND);
        assert_eq!(
            limit.peek(tat, now),
            RateDecision::Limited {
                retry_after: Duration::from_secs(5)
            }
        );
        assert_eq!(limit.peek(tat, now + 5 * SECOND), RateDecision::Allow);
    }

    #[test]
    fn zero_quotas_are_rejected() {
        assert!(Gcra::new(&Quota {
            requests: 0,
            per_seconds: 1,
            burst: None
        })
        .is_none());
        assert!(Gcra::new(&Quota {
            requests: 1,
            per_seconds: 0,
            burst: None
        })
        .is_none());
        assert!(Gcra::new(&Quota {
            requests: 1,
            per_seconds: 1,
            burst: Some(0)
        })
        .is_none());
    }

    #[test]
    fn retry_after_header_rounds_up_to_whole_seconds() {
        let limited = |ms| RateDecision::Limited {
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(limited(1).retry_after_header().as_deref(), Some("1"));
        assert_eq!(limited(1_000).retry_after_header().as_deref(), Some("1"));
        assert_eq!(limited(1_001).retry_after_header().as_deref(), Some("2"));
        assert_eq!(RateDecision::Allow.retry_after_header(), None);
    }
}
