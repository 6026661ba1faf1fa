//! Excessive data exposure: responses that hand a client credentials and
//! secrets, or far more sensitive values than their endpoint usually does.
//!
//! The gateway scans the sampled response body with discovery's
//! validators (`rampart_discover::sensitive`: card numbers by Luhn, JWTs by
//! their header, password fields, private keys, provider API keys...) and
//! hands the hits to [`ExposureDetector::observe`], with the endpoint and
//! its business function:
//!
//! - `behave.exposure.secrets`: the response carries passwords (or their
//!   hashes), private keys, API keys or tokens, on an endpoint whose job is
//!   not to hand credentials out (`exempt_functions`: login, sign-up, token
//!   refresh, one-time codes; `exempt_templates`);
//! - `behave.exposure.excess`: more sensitive values than `factor` times
//!   the endpoint's usual count (a decaying average, judged after
//!   `warmup_answers`), and at least `min_excess` more: a list that
//!   suddenly returns everyone's records;
//! - `behave.exposure.repeated`: the client received `repeated_responses`
//!   such responses within `window`; [`ExposureDetector::judge`] raises it
//!   on its next requests, before the upstream sees them.
//!
//! The first two are known only once the answer has gone out: they are
//! recorded against the client, not refused (masking is prevention's job).
//! What it cannot see: bodies that are not JSON, what lies past the sample
//! the gateway keeps, and secrets the validators do not recognise (a
//! password under an unusual name). Every map is bounded and expires; what
//! bounds removed is counted in [`ExposureStats`].

mod config;
#[cfg(test)]
mod tests;

pub use config::ExposureConfig;

use crate::baseline::{Limits, Watch, WatchConfig, WatchStats};
use crate::Signal;
use rampart_core::Clock;
use std::sync::Arc;

pub const SECRETS: &str = "behave.exposure.secrets";
pub const EXCESS: &str = "behave.exposure.excess";
pub const REPEATED: &str = "behave.exposure.repeated";

/// Secret fields named in one signal's evidence.
const MAX_NAMED: usize = 4;

/// A sensitive value found in a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a> {
    /// Its JSONPath, e.g. `$.users[*].password`.
    pub path: &'a str,
    /// What discovery calls it, e.g. `PASSWORD`.
    pub kind: &'a str,
    /// A credential or a secret: whoever reads it can act as someone else.
    pub secret: bool,
}

/// A 2xx response, as the detector judges it.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub template: &'a str,
    pub function: Option<&'a str>,
    /// Who received it, as evidence names it.
    pub client: &'a str,
    pub hits: &'a [Hit<'a>],
}

/// What the detector holds and what its bounds removed.
pub type ExposureStats = WatchStats;

pub struct ExposureDetector {
    config: ExposureConfig,
    watch: Watch,
}

impl ExposureDetector {
    pub fn new(config: ExposureConfig, clock: Arc<dyn Clock>) -> Self {
        let watch = WatchConfig {
            max_endpoints: config.max_endpoints,
            memory: config.memory,
            max_clients: config.max_clients,
            window: config.window,
            strikes: config.repeated_responses,
            source: REPEATED,
            score: config.repeated_score,
            what: "responses exposing secrets or unusually many sensitive values",
        };
        ExposureDetector {
            watch: Watch::new(watch, clock),
            config,
        }
    }

    pub fn stats(&self) -> ExposureStats {
        self.watch.stats()
    }

    /// Judges a client before its request goes upstream, by the strikes
    /// against it within the window (`behave.exposure.repeated`).
    pub fn judge(&self, client: &str) -> Option<Signal> {
        self.watch.judge(client)
    }

    /// Judges a response's sensitive values against its endpoint, then
    /// learns their count; an exposure is a strike against the client.
    pub fn observe(&mut self, response: &Response<'_>) -> Vec<Signal> {
        let now = self.watch.now();
        let c = &self.config;
        let limits = Limits {
            factor: c.factor,
            deviations: 0.0,
            floor: 0.0,
        };
        let count = response.hits.len() as f64;
        let judged = self
            .watch
            .observe(response.template, count, c.warmup_answers, limits, now);
        let mut signals = Vec::new();
        let exempt = response
            .function
            .is_some_and(|f| c.exempt_functions.iter().any(|e| e == f))
            || c.exempt_templates.iter().any(|t| t == response.template);
        let secrets: Vec<String> = response
            .hits
            .iter()
            .filter(|h| h.secret)
            .map(|h| format!("{} at {}", h.kind, h.path))
            .collect();
        if !exempt && !secrets.is_empty() {
            let mut named = secrets[..secrets.len().min(MAX_NAMED)].join(", ");
            if secrets.len() > MAX_NAMED {
                named.push_str(&format!(" and {} more", secrets.len() - MAX_NAMED));
            }
            signals.push(Signal {
                source: SECRETS,
                score: c.secret_score,
                confidence: 0.8,
                evidence: format!(
                    "{} answered {} with {} secret value(s): {named}",
                    response.template,
                    response.client,
                    secrets.len()
                ),
            });
        }
        if judged.outlier && count >= judged.mean + c.min_excess as f64 {
            signals.push(Signal {
                source: EXCESS,
                score: c.excess_score,
                confidence: 0.6,
                evidence: format!(
                    "{} answered {} with {count:.0} sensitive values, {:.1}x its usual {:.1}",
                    response.template,
                    response.client,
                    count / judged.mean.max(1.0),
                    judged.mean
                ),
            });
        }
        if !signals.is_empty() {
            let strikes = self.watch.strike(response.client, now);
            for signal in &mut signals {
                signal.evidence.push_str(&format!(
                    "; exposure {strikes} for this client within {}s",
                    self.watch.window_secs()
                ));
            }
        }
        signals
    }
}
