//! Resource abuse: requests that hold the upstream far longer than their
//! endpoint usually takes (a ReDoS payload, a query that scans a table).
//!
//! Per endpoint (method and template) the detector keeps a baseline of the
//! upstream's answer time (`crate::baseline`: a decaying average and
//! deviation, judged only after `warmup_answers`). The gateway measures
//! the time from sending the request to the response head and hands it to
//! [`SlowDetector::observe`]:
//!
//! - `behave.slow.request`: this answer took more than `factor` times the
//!   usual, `deviations` deviations above it and `min_slow`; a weak signal
//!   (`score`) against the client, recorded once the upstream has already
//!   done the work;
//! - `behave.slow.repeated`: the client had `repeated_requests` slow answers
//!   within `window`; [`SlowDetector::judge`] raises it on its next
//!   requests, before the upstream sees them, so a client that keeps
//!   sending heavy requests is refused.
//!
//! A legitimately slow endpoint (a report that always takes seconds) has a
//! slow baseline and is not judged slow. When most recent answers of an
//! endpoint are slow, the upstream is struggling for everyone: nobody is
//! struck until the baseline has followed. What it cannot see: a heavy
//! request that is quick on a warm upstream, cost that shows in the
//! upstream's CPU rather than its answer time, and attacks spread so that
//! no client reaches `repeated_requests`. Clients are keyed as the gateway
//! names them (the principal, else the address and fingerprint); every map
//! is bounded and expires, and what bounds removed is counted in
//! [`SlowStats`].

mod config;
#[cfg(test)]
mod tests;

pub use config::SlowConfig;

use crate::baseline::{Limits, Watch, WatchConfig, WatchStats};
use crate::Signal;
use rampart_core::Clock;
use std::sync::Arc;
use std::time::Duration;

pub const REQUEST: &str = "behave.slow.request";
pub const REPEATED: &str = "behave.slow.repeated";

/// Above this share of slow recent answers an endpoint is struggling for
/// everyone, and its slow answers strike no client.
const STRUGGLING_SHARE: f64 = 0.5;

/// An answer the upstream gave.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub method: &'a str,
    pub template: &'a str,
    /// Who asked, as evidence names it.
    pub client: &'a str,
    /// From sending the request to the response head.
    pub took: Duration,
}

/// What the detector holds and what its bounds removed.
pub type SlowStats = WatchStats;

pub struct SlowDetector {
    config: SlowConfig,
    watch: Watch,
}

impl SlowDetector {
    pub fn new(config: SlowConfig, clock: Arc<dyn Clock>) -> Self {
        let watch = WatchConfig {
            max_endpoints: config.max_endpoints,
            memory: config.memory,
            max_clients: config.max_clients,
            window: config.window,
            strikes: config.repeated_requests,
            source: REPEATED,
            score: config.repeated_score,
            what: "requests answered far slower than their endpoint's baseline",
        };
        SlowDetector {
            watch: Watch::new(watch, clock),
            config,
        }
    }

    pub fn stats(&self) -> SlowStats {
        self.watch.stats()
    }

    /// Judges a client before its request goes upstream, by the strikes
    /// against it within the window (`behave.slow.repeated`).
    pub fn judge(&self, client: &str) -> Option<Signal> {
        self.watch.judge(client)
    }

    /// Judges an answer's time against its endpoint's baseline, then
    /// learns it; a slow answer is a strike against the client.
    pub fn observe(&mut self, answer: &Answer<'_>) -> Option<Signal> {
        let now = self.watch.now();
        let c = &self.config;
        let limits = Limits {
            factor: c.factor,
            deviations: c.deviations,
            floor: c.min_slow.as_secs_f64() * 1000.0,
        };
        let took = answer.took.as_secs_f64() * 1000.0;
        let endpoint = (answer.method, answer.template);
        let judged = self
            .watch
            .observe(endpoint, took, c.warmup_answers, limits, now);
        if !judged.outlier || judged.outlier_share > STRUGGLING_SHARE {
            return None;
        }
        let strikes = self.watch.strike(answer.client, now);
        let factor = took / judged.mean.max(1.0);
        Some(Signal {
            source: REQUEST,
            score: c.score,
            confidence: (0.3 + 0.05 * factor).min(0.8),
            evidence: format!(
                "{} {} took {took:.0}ms for {}, {factor:.1}x its usual {:.0}ms (deviation {:.0}ms, threshold {:.0}ms); slow answer {strikes} for this client within {}s",
                answer.method,
                answer.template,
                answer.client,
                judged.mean,
                judged.deviation,
                judged.threshold,
                self.watch.window_secs()
            ),
        })
    }
}
