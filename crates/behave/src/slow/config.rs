//! What the slow-upstream (resource abuse) detector is told. The gateway
//! reads these from `[behave.slow]` and checks their ranges; the defaults
//! judge an endpoint after 20 answers and call slow only what takes four
//! times its usual time and at least a quarter of a second.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct SlowConfig {
    /// Answers an endpoint gives before its baseline judges.
    pub warmup_answers: usize,
    /// A slow answer takes more than `factor` times the endpoint's usual
    /// time, more than `deviations` deviations above it...
    pub factor: f64,
    pub deviations: f64,
    /// ...and at least this long.
    pub min_slow: Duration,
    /// The score of one slow answer, against the client that asked.
    pub score: f64,
    /// Slow answers to one client within `window` that make its next
    /// requests a `repeated` signal...
    pub repeated_requests: usize,
    pub window: Duration,
    /// ...of this score, growing up to twice it.
    pub repeated_score: f64,
    /// How long an endpoint's baseline is kept after its last answer.
    pub memory: Duration,
    pub max_endpoints: usize,
    pub max_clients: usize,
}

impl Default for SlowConfig {
    fn default() -> Self {
        SlowConfig {
            warmup_answers: 20,
            factor: 4.0,
            deviations: 4.0,
            min_slow: Duration::from_millis(250),
            score: 1.0,
            repeated_requests: 3,
            window: Duration::from_secs(600),
            repeated_score: 5.0,
            memory: Duration::from_secs(24 * 3600),
            max_endpoints: 10_000,
            max_clients: 100_000,
        }
    }
}
