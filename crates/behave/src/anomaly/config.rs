//! What the anomaly model is told. The gateway reads these from
//! `[behave.anomaly]` and checks their ranges; the defaults judge a
//! parameter once 50 of its values from at least 5 clients were learned,
//! and an endpoint's rate once it has 10 minutes of traffic behind it.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyConfig {
    /// Values of a parameter learned before it is judged...
    pub warmup_values: usize,
    /// ...from at least this many distinct clients.
    pub quorum_clients: usize,
    /// Values one client adds to a parameter's profile, until
    /// [`crate::anomaly::CONTRIBUTORS`] other clients have added theirs.
    pub per_client_values: usize,
    /// A value is too long above `factor` times the usual length, more than
    /// `deviations` deviations above it...
    pub factor: f64,
    pub deviations: f64,
    /// ...and longer than this many characters.
    pub min_length: usize,
    /// A character class found in less than this share of a parameter's
    /// values is unusual in it (and hex-only values are expected when more
    /// than `1 - rare_share` of them were).
    pub rare_share: f64,
    /// A parameter is numeric when at least this share of its values are
    /// numbers: a value that is none is then out of range.
    pub numeric_share: f64,
    /// A number is out of range past the learned lowest or highest by more
    /// than `range_slack` times the larger of the learned span, the bound's
    /// magnitude and 1.
    pub range_slack: f64,
    /// The score of a value or rate anomaly as it is first found, growing
    /// up to three times it the further off it is.
    pub score: f64,
    /// Minutes of traffic an endpoint's request rate is learned for
    /// before it is judged.
    pub warmup_minutes: usize,
    /// Requests per minute on one endpoint that are never unusual, nor
    /// (the half of it) for one client on it.
    pub min_rate: usize,
    /// How long an endpoint's profiles are kept after its last request.
    pub memory: Duration,
    pub max_endpoints: usize,
    /// Parameters profiled per endpoint.
    pub max_parameters: usize,
    /// Clients counted per endpoint within a minute.
    pub max_clients: usize,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        AnomalyConfig {
            warmup_values: 50,
            quorum_clients: 5,
            per_client_values: 16,
            factor: 4.0,
            deviations: 4.0,
            min_length: 32,
            rare_share: 0.01,
            numeric_share: 0.98,
            range_slack: 1.0,
            score: 1.0,
            warmup_minutes: 10,
            min_rate: 60,
            memory: Duration::from_secs(7 * 24 * 3600),
            max_endpoints: 1000,
            max_parameters: 32,
            max_clients: 1000,
        }
    }
}
