//! What the excessive-data-exposure detector is told. The gateway reads
//! these from `[behave.exposure]` and checks their ranges; it fills
//! `exempt_functions` with discovery's functions whose job is to hand out
//! credentials.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct ExposureConfig {
    /// The score of a response carrying credentials or secrets.
    pub secret_score: f64,
    /// Answers an endpoint gives before its baseline of sensitive values
    /// judges.
    pub warmup_answers: usize,
    /// Far more sensitive values than usual: more than `factor` times the
    /// endpoint's usual count and at least `min_excess` more.
    pub factor: f64,
    pub min_excess: usize,
    /// The score of such a response.
    pub excess_score: f64,
    /// Responses with exposure one client received within `window` that
    /// make its next requests a `repeated` signal...
    pub repeated_responses: usize,
    pub window: Duration,
    /// ...of this score, growing up to twice it.
    pub repeated_score: f64,
    /// Business functions whose answers carry credentials by design (the
    /// gateway's default: discovery's, login, sign-up, token refresh and
    /// one-time codes).
    pub exempt_functions: Vec<String>,
    /// Endpoint templates whose answers carry secrets by design (a page
    /// listing the caller's own API keys).
    pub exempt_templates: Vec<String>,
    /// How long an endpoint's baseline is kept after its last answer.
    pub memory: Duration,
    pub max_endpoints: usize,
    pub max_clients: usize,
}

impl Default for ExposureConfig {
    fn default() -> Self {
        ExposureConfig {
            secret_score: 3.0,
            warmup_answers: 20,
            factor: 3.0,
            min_excess: 10,
            excess_score: 3.0,
            repeated_responses: 3,
            window: Duration::from_secs(600),
            repeated_score: 5.0,
            exempt_functions: Vec::new(),
            exempt_templates: Vec::new(),
            memory: Duration::from_secs(24 * 3600),
            max_endpoints: 10_000,
            max_clients: 100_000,
        }
    }
}
