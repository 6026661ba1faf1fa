//! The detector every flood of ordinary requests shares (one-time codes,
//! sign-ups): a [`Tally`] over a window, counted before the API answers,
//! and the rules of one kind of flood that say what a request is counted
//! as and what its counts mean ([`FloodRules`]). The rules are also what
//! the Redis-shared tally (`crate::shared_tally`) judges with, so a flood
//! is judged alike wherever its counts are kept.

use crate::sources::Source;
use crate::tally::{Counted, FloodCounts, Tally, TallyBounds, TallyStats};
use crate::Signal;
use rampart_core::Clock;
use std::sync::Arc;
use std::time::Duration;

/// One kind of flood, as its configuration describes it.
pub trait FloodRules {
    /// One request of this kind, as the gateway hands it over.
    type Request<'a>;
    /// What a request is counted as (its recipient, its account).
    type Key;

    /// How long a request counts.
    fn window(&self) -> Duration;
    fn bounds(&self) -> TallyBounds;
    fn key(request: &Self::Request<'_>) -> Self::Key;
    /// The request as a tally records it.
    fn counted<'k>(key: &'k Self::Key, request: &'k Self::Request<'_>) -> Counted<'k>;
    /// The signals of a request (`key`) on what its windows hold (`counts`
    /// of `sources`, this request included).
    fn verdict(&self, key: &Self::Key, sources: &[Source], counts: &FloodCounts) -> Vec<Signal>;
}

/// Counts requests of one kind of flood and judges each by its windows.
pub struct FloodDetector<R: FloodRules> {
    rules: R,
    clock: Arc<dyn Clock>,
    tally: Tally,
}

impl<R: FloodRules> FloodDetector<R> {
    pub fn new(rules: R, clock: Arc<dyn Clock>) -> Self {
        FloodDetector {
            tally: Tally::new(rules.window(), rules.bounds()),
            clock,
            rules,
        }
    }

    pub fn config(&self) -> &R {
        &self.rules
    }

    pub fn stats(&self) -> TallyStats {
        self.tally.stats()
    }

    /// Counts a request and judges it by what its sources and its subject
    /// did within the window (this request included).
    pub fn judge(&mut self, request: &R::Request<'_>) -> Vec<Signal> {
        let now = self.clock.now_millis();
        let key = R::key(request);
        let (sources, counts) = self.tally.record(&R::counted(&key, request), now);
        self.rules.verdict(&key, &sources, &counts)
    }
}
