//! Counts kept in Redis fall back to this gateway's own windows, one
//! request at a time, when Redis does not answer: each fallback is counted,
//! and the operator is warned once per streak of failures (and told when
//! Redis answers again), not once per request.

use rampart_store::shared::SharedError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The fallbacks of one detector's shared counts.
pub(crate) struct Streak {
    /// The detector, as log lines name it.
    detector: &'static str,
    fallbacks: AtomicU64,
    /// The last call to Redis failed: the next failure is not warned about.
    failing: AtomicBool,
}

impl Streak {
    pub(crate) fn new(detector: &'static str) -> Streak {
        Streak {
            detector,
            fallbacks: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }

    /// Requests judged (or answers learned) by local windows.
    pub(crate) fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Redis answered.
    pub(crate) fn answered(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!(
                "{}: redis answers again; counts are shared again",
                self.detector
            );
        }
    }

    /// Redis did not answer: `requests` are `how` (judged, learned) by
    /// local windows instead.
    pub(crate) fn fell_back(&self, error: &SharedError, requests: &str, how: &str) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(%error, "{}: redis did not answer; {requests} are {how} by this gateway's own windows until it does", self.detector);
        }
    }
}
