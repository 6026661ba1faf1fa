//! `[identity.jwt] jwks_url`: an identity provider's key set, fetched at
//! start and kept fresh in the background, so that the provider rotates
//! its signing keys without anyone touching the gateway.
//!
//! Requests never wait on the network: they verify with the key set at
//! hand (an atomic snapshot). A token whose `kid` is unknown asks for one
//! refetch, at most once per [`REFETCH_SPACING`], so forged kids cannot make
//! the gateway hammer the provider; the request itself is judged with the
//! keys it found, and the clients' next requests see the new keys. A failed
//! fetch keeps the last good key set (never "no keys" because the provider
//! blipped), is retried with backoff, counted, and logged once per streak.
//! A reload that keeps the same URL and refresh bounds keeps the fetched
//! keys too.
//!
//! - `fetch`: the URL's rules and one bounded `GET`;
//! - `cache_control`: how long the provider says the set stays fresh.

pub mod cache_control;
pub mod fetch;

use crate::sync::lock;
use crate::telemetry;
use crate::tokens::TokenGuard;
use arc_swap::ArcSwapOption;
use cache_control::Freshness;
use fetch::{FetchError, Fetcher, KeySetUrl};
use rampart_behave::tokens::{
    jwks, Check, ClaimRules, Failure, TokenVerifier, VerificationKey, Verified,
};
use rampart_core::Clock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The least time between two refetches asked for by unknown kids.
pub const REFETCH_SPACING: Duration = Duration::from_secs(30);
/// The first retry after a failed fetch; each further failure doubles it,
/// up to the configured `min_refresh`.
const FIRST_RETRY: Duration = Duration::from_secs(2);

/// Where the keys come from and how often they are refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySource {
    pub url: KeySetUrl,
    /// Fetched again no sooner than this after a success (the provider's
    /// `max-age` is clamped between the two bounds).
    pub min_refresh: Duration,
    /// And no later than this.
    pub max_refresh: Duration,
}

impl KeySource {
    /// How long a set fetched with this `Cache-Control` is kept before the
    /// next scheduled fetch.
    pub fn fresh_for(&self, freshness: Freshness) -> Duration {
        match freshness {
            Freshness::MaxAge(age) => age.clamp(self.min_refresh, self.max_refresh),
            Freshness::Revalidate => self.min_refresh,
            Freshness::Unstated => self.max_refresh,
        }
    }
}

/// The keys of the last good fetch.
struct Fetched {
    keys: Vec<VerificationKey>,
    at_millis: u64,
    fresh_for: Duration,
}

/// The key set of one configuration: the fixed keys (`keys`, `jwks`)
/// and the fetched ones, behind one verifier snapshot.
pub struct RemoteKeySet {
    pub source: KeySource,
    fixed: Vec<VerificationKey>,
    rules: ClaimRules,
    clock: Arc<dyn Clock>,
    /// Verifies with the fixed and the fetched keys; none while there are
    /// no keys at all.
    verifier: ArcSwapOption<TokenVerifier>,
    fetched: ArcSwapOption<Fetched>,
    /// When an unknown kid last asked for a refetch (0: never).
    refetch_asked_millis: AtomicU64,
    /// Failed fetches since the last good one, and when the last ended.
    failures: AtomicU32,
    last_attempt_millis: AtomicU64,
    wake: Notify,
}

impl std::fmt::Debug for RemoteKeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeySet")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl RemoteKeySet {
    pub fn new(
        source: KeySource,
        fixed: Vec<VerificationKey>,
        rules: ClaimRules,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let set = RemoteKeySet {
            source,
            fixed,
            rules,
            clock,
            verifier: ArcSwapOption::empty(),
            fetched: ArcSwapOption::empty(),
            refetch_asked_millis: AtomicU64::new(0),
            failures: AtomicU32::new(0),
            last_attempt_millis: AtomicU64::new(0),
            wake: Notify::new(),
        };
        set.publish(&[]);
        set
    }

    /// Verifies `token` with the keys at hand; an unknown kid asks for a
    /// refetch (rate-limited) and fails this token.
    pub fn verify(&self, token: &str) -> Result<Verified, Failure> {
        let result = match self.verifier.load().as_deref() {
            Some(verifier) => verifier.verify(token),
            None => Err(Failure::new(
                Check::UnknownKey,
                format!(
                    "no key yet: the key set at {} has not been fetched",
                    self.source.url
                ),
            )),
        };
        if matches!(&result, Err(failure) if failure.check == Check::UnknownKey) {
            self.ask_for_refetch();
        }
        result
    }

    /// Wakes the refresh task unless an unknown kid did so less than
    /// [`REFETCH_SPACING`] ago; says whether it did.
    pub fn ask_for_refetch(&self) -> bool {
        let now = self.clock.now_millis();
        let last = self.refetch_asked_millis.load(Ordering::Relaxed);
        let spacing = REFETCH_SPACING.as_millis() as u64;
        let due = last == 0 || now.saturating_sub(last) >= spacing;
        let asked = due
            && self
                .refetch_asked_millis
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        let outcome = if asked { "started" } else { "limited" };
        metrics::counter!(telemetry::JWKS_UNKNOWN_KID_REFETCH, "refetch" => outcome).increment(1);
        if asked {
            self.wake.notify_one();
        }
        asked
    }

    /// How many keys the last good fetch gave.
    pub fn fetched_keys(&self) -> usize {
        self.fetched.load().as_ref().map_or(0, |f| f.keys.len())
    }

    /// Seconds since the last good fetch, if there was one.
    pub fn age_seconds(&self) -> Option<f64> {
        let fetched = self.fetched.load();
        let at = fetched.as_ref()?.at_millis;
        Some(self.clock.now_millis().saturating_sub(at) as f64 / 1000.0)
    }

    /// Takes over the fetched keys of the set this one replaces, when it
    /// reads the same source and fetched more recently.
    pub fn adopt(&self, previous: &RemoteKeySet) {
        if previous.source != self.source {
            return;
        }
        let Some(theirs) = previous.fetched.load_full() else {
            return;
        };
        let ours = self.fetched.load();
        if ours
            .as_ref()
            .is_some_and(|o| o.at_millis >= theirs.at_millis)
        {
            return;
        }
        self.publish(&theirs.keys);
        self.fetched.store(Some(theirs));
        let asked = previous.refetch_asked_millis.load(Ordering::Relaxed);
        self.refetch_asked_millis
            .fetch_max(asked, Ordering::Relaxed);
    }

    /// Builds the verifier over the fixed keys and `fetched`.
    fn publish(&self, fetched: &[VerificationKey]) {
        let keys: Vec<VerificationKey> = self.fixed.iter().chain(fetched).cloned().collect();
        let verifier = TokenVerifier::new(keys, self.rules.clone(), Arc::clone(&self.clock)).ok();
        self.verifier.store(verifier.map(Arc::new));
    }

    /// How long until the next scheduled fetch.
    fn until_next_fetch(&self) -> Duration {
        let now = self.clock.now_millis();
        let due = match self.failures.load(Ordering::Relaxed) {
            0 => match self.fetched.load().as_ref() {
                Some(fetched) => fetched.at_millis + fetched.fresh_for.as_millis() as u64,
                None => return Duration::ZERO,
            },
            failures => {
                let doubled = FIRST_RETRY.saturating_mul(1 << (failures - 1).min(16));
                let retry = doubled.min(self.source.min_refresh.max(FIRST_RETRY));
                self.last_attempt_millis.load(Ordering::Relaxed) + retry.as_millis() as u64
            }
        };
        Duration::from_millis(due.saturating_sub(now))
    }

    /// Fetches the set once; on success the new keys serve from now on, on
    /// failure the last good ones stay.
    pub async fn refresh(&self, fetcher: &Fetcher) {
        let result = fetcher.fetch().await.and_then(|document| {
            let set =
                jwks::parse(&document.body).map_err(|e| FetchError::Invalid(e.to_string()))?;
            if set.keys.is_empty() {
                return Err(FetchError::Invalid(
                    "no signature key in the key set".into(),
                ));
            }
            Ok((set, document.freshness))
        });
        let now = self.clock.now_millis();
        self.last_attempt_millis.store(now, Ordering::Relaxed);
        match result {
            Ok((set, freshness)) => {
                let recovered = self.failures.swap(0, Ordering::Relaxed) > 0;
                for skipped in &set.skipped {
                    tracing::debug!(url = %self.source.url, "jwks_url: {skipped}, skipped");
                }
                let count = set.keys.len();
                let fresh_for = self.source.fresh_for(freshness);
                self.publish(&set.keys);
                self.fetched.store(Some(Arc::new(Fetched {
                    keys: set.keys,
                    at_millis: now,
                    fresh_for,
                })));
                metrics::counter!(telemetry::JWKS_FETCHES, "result" => "ok").increment(1);
                metrics::gauge!(telemetry::JWKS_KEYS).set(count as f64);
                metrics::gauge!(telemetry::JWKS_AGE).set(0.0);
                if recovered {
                    tracing::info!(url = %self.source.url, keys = count, "jwks_url: key set fetched again");
                } else {
                    tracing::debug!(url = %self.source.url, keys = count, ?fresh_for, "jwks_url: key set fetched");
                }
            }
            Err(error) => {
                metrics::counter!(telemetry::JWKS_FETCHES, "result" => error.label()).increment(1);
                let streak = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
                let kept = self.fetched_keys();
                if streak == 1 {
                    tracing::warn!(
                        url = %self.source.url,
                        kept_keys = kept,
                        "jwks_url: fetching the key set failed ({error}); the last good keys stay and the fetch is retried"
                    );
                } else {
                    tracing::debug!(url = %self.source.url, streak, "jwks_url: fetch failed again ({error})");
                }
            }
        }
    }

    /// Keeps the set fresh until aborted: a fetch when due, or when an
    /// unknown kid asks.
    async fn keep_fresh(self: Arc<Self>, fetcher: Fetcher) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.until_next_fetch()) => {}
                _ = self.wake.notified() => {}
            }
            self.refresh(&fetcher).await;
        }
    }
}

/// Owns the refresh task of the running configuration's key set: started
/// with the gateway, replaced on reload, stopped on shutdown.
pub struct KeyRefresh {
    runtime: tokio::runtime::Handle,
    running: Mutex<Option<Running>>,
}

struct Running {
    set: Arc<RemoteKeySet>,
    task: JoinHandle<()>,
}

impl KeyRefresh {
    /// An owner spawning on the current tokio runtime (panics outside one).
    pub fn on_current_runtime() -> Self {
        KeyRefresh {
            runtime: tokio::runtime::Handle::current(),
            running: Mutex::new(None),
        }
    }

    /// Fetches the key set of `tokens` once (bounded by
    /// [`fetch::FETCH_TIMEOUT`]), so that a gateway starting with a
    /// reachable provider verifies from its first request; a failure is
    /// logged and the gateway starts anyway. [`KeyRefresh::follow`] then
    /// keeps the set fresh.
    pub async fn fetch_now(&self, tokens: &TokenGuard) {
        if let Some(set) = tokens.remote_keys() {
            set.refresh(&Fetcher::new(set.source.url.clone())).await;
        }
    }

    /// Makes the task follow the configuration just put in place: the
    /// previous task stops (its keys adopted when the source is the same)
    /// and one starts for the new set, if any.
    pub fn follow(&self, tokens: &TokenGuard) {
        let next = tokens.remote_keys();
        let mut running = lock(&self.running);
        if let (Some(current), Some(next)) = (running.as_ref(), next) {
            if Arc::ptr_eq(&current.set, next) {
                return;
            }
        }
        if let Some(previous) = running.take() {
            previous.task.abort();
            if let Some(next) = next {
                next.adopt(&previous.set);
            }
        }
        if let Some(next) = next {
            let fetcher = Fetcher::new(next.source.url.clone());
            let task = self.runtime.spawn(Arc::clone(next).keep_fresh(fetcher));
            *running = Some(Running {
                set: Arc::clone(next),
                task,
            });
        }
    }

    /// Exports the age of the key set (called on each metrics upkeep).
    pub fn export_age(&self) {
        let running = lock(&self.running);
        if let Some(age) = running.as_ref().and_then(|r| r.set.age_seconds()) {
            metrics::gauge!(telemetry::JWKS_AGE).set(age);
        }
    }

    /// Stops the task (shutdown).
    pub fn stop(&self) {
        if let Some(running) = lock(&self.running).take() {
            running.task.abort();
        }
    }
}

#[cfg(test)]
mod tests;
