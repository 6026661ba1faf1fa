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
    /// How sure its detector is that this is an attack, 0.0 to 1.0. Rules
    /// and single-request detections are sure of what they matched (1.0);
    /// behaviour detectors say less where look-alikes exist (a new
    /// principal's first administrative call). See [`Combined`].
    pub confidence: f64,
}

/// Several signals read as one verdict: a score and a confidence.
///
/// The score is the sum of the signals' scores: detectors already scale
/// theirs by how far past its threshold the behaviour went, and thresholds
/// (`block_score`) are set so that one weak signal stays under them and
/// several together reach them. The confidence is that at least one of the
/// signals is right, taking them as independent witnesses
/// (`1 - product(1 - confidence)`): two signals each 0.5 sure make 0.75, so
/// a policy can ask for a sure verdict (`signals.confidence >= 0.9`) before
/// it bans. Signals of score 0 (counted, not judged) add nothing to either.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Combined {
    pub score: f64,
    pub confidence: f64,
}

impl Combined {
    /// The verdict of an exchange's reasons.
    pub fn of_reasons(reasons: &[Reason]) -> Combined {
        Combined::of(reasons.iter().map(|r| (r.score, r.confidence)))
    }

    /// Combines `(score, confidence)` pairs.
    pub fn of(signals: impl IntoIterator<Item = (f64, f64)>) -> Combined {
        let mut combined = Combined::default();
        let mut doubt = 1.0;
        for (score, confidence) in signals {
            if score <= 0.0 {
                continue;
            }
            combined.score += score;
            doubt *= 1.0 - confidence.clamp(0.0, 1.0);
        }
        combined.confidence = if combined.score > 0.0 {
            1.0 - doubt
        } else {
            0.0
        };
        combined
    }
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
            confidence: 1.0,
        }
    }

    /// The same reason from a detector that is only `confidence` sure.
    pub fn with_confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence.clamp(0.0, 1.0);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_add_up_and_confidences_combine_as_independent_witnesses() {
        let combined = Combined::of([(4.0, 0.5), (2.0, 1.0), (3.0, 0.0)]);
        assert_eq!(combined.score, 9.0);
        assert_eq!(combined.confidence, 1.0);
        let two_halves = Combined::of([(1.0, 0.5), (1.0, 0.5)]);
        assert_eq!(two_halves.confidence, 0.75);
        // Counted-only signals (score 0) and nothing at all say nothing.
        assert_eq!(Combined::of([(0.0, 1.0)]), Combined::default());
        assert_eq!(Combined::of([]), Combined::default());
        // Out-of-range confidences are clamped, not trusted.
        assert_eq!(Combined::of([(2.0, 7.0), (1.0, 0.5)]).confidence, 1.0);
        assert_eq!(
            Reason::new("s", "l", "e", 1.0)
                .with_confidence(-1.0)
                .confidence,
            0.0
        );
    }
}
