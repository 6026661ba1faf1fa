//! What is usual for one endpoint: a decaying average of a measure (the
//! upstream's answer time, the sensitive values in a response) and of its
//! deviation, as TCP estimates round-trip times (RFC 6298: gains 1/8 and
//! 1/4), after a plain average over the first samples.
//!
//! A baseline judges nothing before `warmup` samples. What it learns from
//! a sample is capped at its threshold, so that a run of outliers (an
//! attack) drags it up only slowly, while a lasting change of the
//! endpoint (a heavier report) is followed within a few dozen samples.
//!
//! [`Watch`] is what the slow-upstream and data-exposure detectors share:
//! a baseline per endpoint, strikes per client for the outliers they were
//! answered, and the `repeated` signal once a client has enough of them.

use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use crate::strikes::Strikes;
use crate::{grow, Signal};
use rampart_core::Clock;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::time::Duration;

/// The gain of the average once warm.
const MEAN_GAIN: f64 = 1.0 / 8.0;
/// The gain of the deviation.
const DEVIATION_GAIN: f64 = 1.0 / 4.0;
/// The gain of the share of outliers.
const OUTLIER_GAIN: f64 = 1.0 / 8.0;

/// When a sample is an outlier: above all of `factor` times the average,
/// `deviations` deviations above it, and `floor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub factor: f64,
    pub deviations: f64,
    pub floor: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    samples: u64,
    mean: f64,
    deviation: f64,
    /// The decaying share of recent samples that were outliers.
    outliers: f64,
    last_seen: u64,
}

impl Stamped for Baseline {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

/// A sample as judged against the baseline before it was learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Judged {
    /// The baseline was warm and the sample above its threshold.
    pub outlier: bool,
    pub mean: f64,
    pub deviation: f64,
    pub threshold: f64,
    /// The share of recent samples that were outliers, this one included.
    pub outlier_share: f64,
}

impl Baseline {
    pub(crate) fn new(now: u64) -> Self {
        Baseline {
            samples: 0,
            mean: 0.0,
            deviation: 0.0,
            outliers: 0.0,
            last_seen: now,
        }
    }

    /// How many samples it has learned.
    pub(crate) fn samples(&self) -> u64 {
        self.samples
    }

    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }

    pub(crate) fn threshold(&self, limits: Limits) -> f64 {
        (self.mean * limits.factor)
            .max(self.mean + limits.deviations * self.deviation)
            .max(limits.floor)
    }

    /// Judges `value` against what was learned, learning nothing.
    pub(crate) fn judge(&self, value: f64, warmup: u64, limits: Limits) -> Judged {
        let threshold = self.threshold(limits);
        let outlier = self.samples >= warmup && value > threshold;
        Judged {
            outlier,
            mean: self.mean,
            deviation: self.deviation,
            threshold,
            outlier_share: self.outliers * (1.0 - OUTLIER_GAIN)
                + if outlier { OUTLIER_GAIN } else { 0.0 },
        }
    }

    /// Judges `value` against what was learned before, then learns it.
    pub(crate) fn observe(&mut self, value: f64, warmup: u64, limits: Limits, now: u64) -> Judged {
        self.last_seen = now;
        let judged = self.judge(value, warmup, limits);
        let threshold = judged.threshold;
        self.outliers = judged.outlier_share;
        let learned = if self.samples >= warmup {
            value.min(threshold)
        } else {
            value
        };
        self.samples += 1;
        if self.samples == 1 {
            self.mean = learned;
            self.deviation = learned / 2.0;
            return judged;
        }
        let gain = (1.0 / self.samples as f64).max(MEAN_GAIN);
        self.deviation += DEVIATION_GAIN * ((learned - self.mean).abs() - self.deviation);
        self.mean += gain * (learned - self.mean);
        judged
    }
}

/// What a [`Watch`] holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchStats {
    pub endpoints: usize,
    pub clients: usize,
    pub endpoints_removed: Removals,
    pub clients_removed: Removals,
    /// Strikes a client forgot because it held its cap.
    pub strikes_dropped: u64,
}

/// How a [`Watch`] is bounded, and its `repeated` signal: `source`, of
/// `score` once a client has `strikes` within `window`, its strikes being
/// `what` (`"requests answered far slower..."`).
pub(crate) struct WatchConfig {
    pub max_endpoints: usize,
    pub memory: Duration,
    pub max_clients: usize,
    pub window: Duration,
    pub strikes: usize,
    pub source: &'static str,
    pub score: f64,
    pub what: &'static str,
}

/// Baselines per endpoint, strikes per client.
pub(crate) struct Watch {
    config: WatchConfig,
    clock: Arc<dyn Clock>,
    /// Keyed hashing: endpoints and clients are named by requests.
    hasher: RandomState,
    endpoints: BoundedMap<u64, Baseline>,
    endpoints_removed: Removals,
    clients: Strikes,
}

impl Watch {
    pub(crate) fn new(config: WatchConfig, clock: Arc<dyn Clock>) -> Self {
        Watch {
            hasher: RandomState::new(),
            endpoints: BoundedMap::new(config.max_endpoints, millis(config.memory)),
            endpoints_removed: Removals::default(),
            clients: Strikes::new(config.max_clients, config.window, config.strikes * 2),
            clock,
            config,
        }
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now_millis()
    }

    pub(crate) fn stats(&self) -> WatchStats {
        WatchStats {
            endpoints: self.endpoints.len(),
            clients: self.clients.len(),
            endpoints_removed: self.endpoints_removed,
            clients_removed: self.clients.removed,
            strikes_dropped: self.clients.dropped,
        }
    }

    /// Judges `value` against the baseline of `endpoint`, then learns it.
    pub(crate) fn observe(
        &mut self,
        endpoint: impl Hash,
        value: f64,
        warmup: usize,
        limits: Limits,
        now: u64,
    ) -> Judged {
        let baseline = self.endpoints.get_or_insert_with(
            self.hasher.hash_one(endpoint),
            now,
            || Baseline::new(now),
            &mut self.endpoints_removed,
        );
        baseline.observe(value, warmup as u64, limits, now)
    }

    /// A strike against `client`; its strikes within the window.
    pub(crate) fn strike(&mut self, client: &str, now: u64) -> usize {
        self.clients.strike(self.hasher.hash_one(client), now)
    }

    /// The window strikes count in, for evidence.
    pub(crate) fn window_secs(&self) -> u64 {
        self.config.window.as_secs()
    }

    /// The `repeated` signal against `client`, once it has its strikes
    /// within the window: the configured score then, growing to twice it.
    pub(crate) fn judge(&self, client: &str) -> Option<Signal> {
        let c = &self.config;
        let strikes = self.clients.count(self.hasher.hash_one(client), self.now());
        (strikes >= c.strikes).then(|| {
            let growth = grow(strikes, c.strikes);
            Signal {
                source: c.source,
                score: c.score * growth,
                confidence: (0.5 + 0.2 * growth).min(0.9),
                evidence: format!(
                    "{client} had {strikes} {} within {}s",
                    c.what,
                    c.window.as_secs()
                ),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        factor: 4.0,
        deviations: 4.0,
        floor: 10.0,
    };

    #[test]
    fn nothing_is_judged_while_warming_up_then_outliers_are() {
        let mut b = Baseline::new(0);
        for n in 0..20u64 {
            let j = b.observe(
                if n == 3 { 500.0 } else { 20.0 + (n % 3) as f64 },
                20,
                LIMITS,
                n,
            );
            assert!(!j.outlier, "warming up at {n}");
        }
        assert!(!b.observe(24.0, 20, LIMITS, 21).outlier);
        let j = b.observe(400.0, 20, LIMITS, 22);
        assert!(j.outlier, "{j:?}");
        assert!(j.threshold >= 4.0 * j.mean);
    }

    #[test]
    fn a_run_of_outliers_drags_the_baseline_slowly_and_a_lasting_change_is_followed() {
        let mut b = Baseline::new(0);
        for n in 0..30 {
            b.observe(10.0, 20, LIMITS, n);
        }
        let before = b.threshold(LIMITS);
        assert!(b.observe(10_000.0, 20, LIMITS, 31).outlier);
        assert!(
            b.threshold(LIMITS) < before * 2.0,
            "capped at the threshold"
        );
        let mut quiet_after = None;
        for n in 0..60 {
            if !b.observe(1_000.0, 20, LIMITS, 40 + n).outlier {
                quiet_after = Some(n);
                break;
            }
        }
        assert!(quiet_after.is_some_and(|n| n > 1), "{quiet_after:?}");
    }
}
