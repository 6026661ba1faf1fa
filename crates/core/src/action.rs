//! What a pipeline stage decides about an exchange, and why.
//!
//! Every decision that is not a plain `Allow` carries [`Reason`]s so that an
//! operator can see which detector or rule fired, on which value, where, and
//! with what score.

use serde::Serialize;

/// The outcome a stage asks the gateway to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Let the exchange go on untouched.
    Allow,
    /// Record what would have happened; change nothing.
    Monitor,
    /// End the exchange here with this response.
    Block {
        status: u16,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    },
}

impl Action {
    /// The lower-case name used in events, metrics and verdicts.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Monitor => "monitor",
            Action::Block { .. } => "block",
        }
    }

    /// Whether this action ends the exchange before the upstream sees it.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Action::Block { .. })
    }
}

/// One explained piece of evidence behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The detector, rule or stage that produced it, e.g. `ip_lists.deny`.
    pub source: String,
    /// Where the evidence sits, e.g. `client_ip`, `query.id`, `$.user.name`.
    pub location: String,
    /// A short, masked excerpt of the value that triggered it.
    pub evidence: String,
    /// Its contribution to the anomaly score.
    pub score: f64,
}

impl Reason {
    pub fn new(
        source: impl Into<String>,
        location: impl Into<String>,
        evidence: impl Into<String>,
        score: f64,
    ) -> Self {
        Reason {
            source: source.into(),
            location: location.into(),
            evidence: evidence.into(),
            score,
        }
    }
}
