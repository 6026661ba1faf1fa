//! Fake-account and one-time-code floods judged on tallies kept in Redis
//! (`[redis]` and `[behave.ato] secret`, the one secret of every shared
//! behaviour count), so that N gateways behind a load balancer refuse a
//! burst of sign-ups or codes at the request one gateway seeing all of it
//! would, not N times later.
//!
//! The `behave` stage computes a request's shared keys once its account or
//! recipient is read (`request_body`) and has it counted in Redis during
//! `settle` (the pipeline awaits it; no worker thread waits), judged as the
//! local tally would be (`rampart_behave::shared_tally`). When Redis cannot
//! answer within `[redis] timeout_ms`, that request is counted and judged
//! by this gateway's own tally instead: counted (`fallbacks`) and warned
//! about once per streak of failures; never refused for it.

use crate::shared::SharedLink;
use crate::stages::shared_streak::Streak;
use crate::sync::lock;
use rampart_behave::ato::shared::AtoSecret;
use rampart_behave::shared_tally::{self, FloodKeys, SharedTally};
use rampart_behave::{FloodCounts, FloodDetector, FloodRules, Signal};
use rampart_store::shared::{AtoWindows, FloodKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the shared tally of one detector did, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedFloodStats {
    /// Requests counted and judged in Redis.
    pub counted: u64,
    /// Requests counted and judged by this gateway's own tally instead.
    pub fallbacks: u64,
    /// Requests a window in Redis forgot because it held its cap.
    pub requests_dropped: u64,
}

/// The Redis side of `[behave.signup]` or `[behave.otp]`.
pub struct SharedFloodCounts {
    kind: FloodKind,
    windows: AtoWindows,
    secret: AtoSecret,
    keys: SharedTally,
    link: Arc<SharedLink>,
    counted: AtomicU64,
    requests_dropped: AtomicU64,
    streak: Streak,
}

impl SharedFloodCounts {
    /// The tally of `kind` with `windows` under `secret`, kept with
    /// `previous`'s statistics when none of them changed.
    pub fn new(
        kind: FloodKind,
        windows: AtoWindows,
        secret: &AtoSecret,
        link: &Arc<SharedLink>,
        previous: Option<&Arc<SharedFloodCounts>>,
    ) -> Arc<SharedFloodCounts> {
        let same = |p: &&Arc<SharedFloodCounts>| p.windows == windows && p.secret == *secret;
        if let Some(kept) = previous.filter(same) {
            return Arc::clone(kept);
        }
        Arc::new(SharedFloodCounts {
            kind,
            windows,
            secret: secret.clone(),
            keys: SharedTally::new(secret),
            link: Arc::clone(link),
            counted: AtomicU64::new(0),
            requests_dropped: AtomicU64::new(0),
            streak: Streak::new(match kind {
                FloodKind::SignUp => "sign-up floods",
                FloodKind::Otp => "one-time-code floods",
            }),
        })
    }

    pub fn stats(&self) -> SharedFloodStats {
        SharedFloodStats {
            counted: self.counted.load(Ordering::Relaxed),
            fallbacks: self.streak.fallbacks(),
            requests_dropped: self.requests_dropped.load(Ordering::Relaxed),
        }
    }

    /// The keys of a request of flood `R`.
    pub fn keys<R: FloodRules>(&self, request: &R::Request<'_>) -> FloodKeys {
        self.keys.keys::<R>(request)
    }

    /// Counts the request in Redis; `None` (counted, warned about) when
    /// Redis does not answer.
    async fn count(&self, keys: &FloodKeys) -> Option<FloodCounts> {
        let state = &self.link.state;
        match state.flood_count(self.kind, keys, self.windows).await {
            Ok(counted) => {
                self.streak.answered();
                self.counted.fetch_add(1, Ordering::Relaxed);
                (self.requests_dropped).fetch_add(counted.dropped, Ordering::Relaxed);
                Some(counted.counts)
            }
            Err(error) => {
                let requests = match self.kind {
                    FloodKind::SignUp => "sign-ups",
                    FloodKind::Otp => "code requests",
                };
                self.streak.fell_back(&error, requests, "counted");
                None
            }
        }
    }

    /// Judges a request on the tally in Redis, or on `local`'s when Redis
    /// does not answer.
    pub async fn judge<R: FloodRules>(
        &self,
        rules: &R,
        request: &R::Request<'_>,
        keys: &FloodKeys,
        local: &Mutex<FloodDetector<R>>,
    ) -> Vec<Signal> {
        match self.count(keys).await {
            Some(counts) => shared_tally::judge(rules, request, keys, &counts),
            None => lock(local).judge(request),
        }
    }
}
