//! Account takeover judged on counts kept in Redis (`[redis]` and
//! `[behave.ato] secret`), so that N gateways behind a load balancer refuse
//! a credential-stuffing run after as many attempts as one gateway seeing
//! all of it would, not N times as many.
//!
//! The `behave` stage computes an attempt's shared keys once its username
//! is read (`request_body`), has the counts read in Redis during `settle`
//! (the pipeline awaits it; no worker thread waits) and judged as the local
//! windows would be (`rampart_behave::ato::shared`), and has the answer
//! recorded in Redis after the exchange (`logging`, on a task of its own).
//! When Redis cannot answer within `[redis] timeout_ms`, that request is
//! judged, or its answer learned, by this gateway's own windows instead:
//! counted (`fallbacks`) and warned about once per streak of failures;
//! never refused for it.

use crate::shared::SharedLink;
use crate::stages::shared_streak::Streak;
use crate::sync::lock;
use rampart_behave::ato::shared::{AtoSecret, SharedAto, SharedKeys};
use rampart_behave::ato::{AtoConfig, AtoDetector, Attempt, Outcome};
use rampart_behave::Signal;
use rampart_store::shared::AtoWindows;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the shared counts did, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedAtoStats {
    /// Attempts judged on counts Redis returned.
    pub tallied: u64,
    /// Answers recorded in Redis.
    pub recorded: u64,
    /// Judgements and answers that fell back to this gateway's windows.
    pub fallbacks: u64,
    /// Attempts a window in Redis forgot because it held its cap.
    pub attempts_dropped: u64,
}

/// The Redis side of one `[behave.ato]` section.
pub struct SharedAtoCounts {
    config: AtoConfig,
    secret: AtoSecret,
    keys: SharedAto,
    link: Arc<SharedLink>,
    tallied: AtomicU64,
    recorded: AtomicU64,
    attempts_dropped: AtomicU64,
    streak: Streak,
}

impl SharedAtoCounts {
    /// The counts for `config` under `secret`, kept with `previous`'s
    /// statistics when neither changed.
    pub fn new(
        config: &AtoConfig,
        secret: &AtoSecret,
        link: &Arc<SharedLink>,
        previous: Option<&Arc<SharedAtoCounts>>,
    ) -> Arc<SharedAtoCounts> {
        if let Some(kept) = previous.filter(|p| p.config == *config && p.secret == *secret) {
            return Arc::clone(kept);
        }
        Arc::new(SharedAtoCounts {
            config: config.clone(),
            secret: secret.clone(),
            keys: SharedAto::new(secret),
            link: Arc::clone(link),
            tallied: AtomicU64::new(0),
            recorded: AtomicU64::new(0),
            attempts_dropped: AtomicU64::new(0),
            streak: Streak::new("account takeover"),
        })
    }

    pub fn stats(&self) -> SharedAtoStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        SharedAtoStats {
            tallied: read(&self.tallied),
            recorded: read(&self.recorded),
            fallbacks: self.streak.fallbacks(),
            attempts_dropped: read(&self.attempts_dropped),
        }
    }

    /// The attempt's keys in Redis.
    pub fn keys(&self, attempt: &Attempt<'_>) -> SharedKeys {
        self.keys.keys(attempt)
    }

    fn windows(&self) -> AtoWindows {
        AtoWindows {
            window: self.config.window,
            cap: self.config.max_attempts_per_key,
        }
    }

    /// Judges `attempt` on the counts in Redis, or on `local`'s windows
    /// when Redis does not answer.
    pub async fn judge(
        &self,
        attempt: &Attempt<'_>,
        keys: &SharedKeys,
        local: &Mutex<AtoDetector>,
    ) -> Vec<Signal> {
        match self.link.state.ato_tally(keys, self.windows()).await {
            Ok(tallies) => {
                self.streak.answered();
                self.tallied.fetch_add(1, Ordering::Relaxed);
                self.keys.judge(&self.config, attempt, keys, &tallies)
            }
            Err(error) => {
                self.streak.fell_back(&error, "login attempts", "judged");
                lock(local).judge(attempt)
            }
        }
    }

    /// Records how `attempt` was answered in Redis, or in `local`'s windows
    /// when Redis does not answer.
    pub async fn learn(
        &self,
        attempt: &Attempt<'_>,
        keys: &SharedKeys,
        outcome: Outcome,
        local: &Mutex<AtoDetector>,
    ) {
        let failed = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Unknown => return,
        };
        if attempt.username.is_none() {
            return;
        }
        match self
            .link
            .state
            .ato_record(keys, self.windows(), failed)
            .await
        {
            Ok(dropped) => {
                self.streak.answered();
                self.recorded.fetch_add(1, Ordering::Relaxed);
                self.attempts_dropped.fetch_add(dropped, Ordering::Relaxed);
            }
            Err(error) => {
                self.streak.fell_back(&error, "login attempts", "learned");
                lock(local).learn(attempt, outcome);
            }
        }
    }
}
