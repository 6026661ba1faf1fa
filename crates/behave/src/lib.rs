//! Many requests over time, and who sends them.
//!
//! Single-request detection (`rampart-detect`) cannot see the costliest API
//! attacks: each request of an object-enumeration walk or a credential
//! stuffing run looks ordinary. This crate holds what must be remembered
//! across requests, and what must be verified about the client before any
//! of it means something: every module is pure logic on an injectable clock
//! (`rampart_core::Clock`), bounded in memory, and returns signals with
//! their evidence; the gateway feeds it and acts on what it says.

pub mod anomaly;
pub mod ato;
mod baseline;
pub mod bfla;
pub mod bola;
pub mod bots;
mod bounded;
pub mod exposure;
mod flood;
mod keyed;
pub mod otp;
pub mod shared_tally;
pub mod signup;
pub mod slow;
mod sources;
mod strikes;
mod tally;
pub mod tokens;
mod window;

pub use baseline::WatchStats;
pub use bounded::Removals;
pub use flood::{FloodDetector, FloodRules};
pub use sources::{Scope, Source};
pub use tally::{Counted, FloodCounts, TallyBounds, TallyStats, WindowCounts};

/// One behaviour signal, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// What raised it, e.g. `behave.bfla.escalation`; the part after
    /// `behave.` up to the next dot is the class the policy acts on.
    pub source: &'static str,
    pub score: f64,
    /// 0.0 to 1.0: how sure the detector is that this is an attack.
    pub confidence: f64,
    /// Who, what, how many, against what baseline.
    pub evidence: String,
}

/// A signal's growth past its threshold: 1 at it, up to 2 at twice it.
pub(crate) fn grow(count: usize, threshold: usize) -> f64 {
    (count as f64 / threshold.max(1) as f64).min(2.0)
}
