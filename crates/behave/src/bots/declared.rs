//! What an agent says it keeps to, held against what it does: a declared
//! rate (from the operator's documentation, or the `Crawl-delay` the site
//! publishes) compared with the requests its client made in the current
//! window, counted with the same per-client window as scraping.

use std::time::Duration;

/// How many times its declared rate a client may go before it is a mismatch.
pub const RATE_TOLERANCE: f64 = 2.0;

/// Agents (by the catalogue's name, case-insensitive) and the rate they declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredRate {
    pub agents: Vec<String>,
    pub requests: u64,
    pub per: Duration,
}

/// A client that went beyond its declared rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Exceeded {
    pub(crate) requests: u64,
    pub(crate) elapsed_millis: u64,
    /// What it may send by then: [`RATE_TOLERANCE`] times the declared
    /// rate, over the time elapsed and one period more (a first burst).
    pub(crate) allowed: f64,
}

impl DeclaredRate {
    pub(crate) fn names(&self, agent: &str) -> bool {
        self.agents.iter().any(|a| a.eq_ignore_ascii_case(agent))
    }

    /// Whether `requests` within `elapsed_millis` of the window's start go
    /// beyond the declared rate.
    pub(crate) fn exceeded(&self, requests: u64, elapsed_millis: u64) -> Option<Exceeded> {
        let period = self.per.as_millis().max(1) as f64;
        let periods = elapsed_millis as f64 / period + 1.0;
        let allowed = RATE_TOLERANCE * self.requests as f64 * periods;
        (requests as f64 > allowed).then_some(Exceeded {
            requests,
            elapsed_millis,
            allowed,
        })
    }

    /// The declared rate in words: `1 request per 1s`.
    pub(crate) fn describe(&self) -> String {
        let plural = if self.requests == 1 { "" } else { "s" };
        format!(
            "{} request{plural} per {}s",
            self.requests,
            self.per.as_secs_f64()
        )
    }
}
