//! Keys fetched by URL and kept fresh in the background, so that whoever
//! publishes them rotates them without anyone touching the gateway:
//! `[identity.jwt] jwks_url` (an identity provider's key set, `jwks`) and
//! `[[bots.signed]] keys_url` (a Web Bot Auth agent's key directory,
//! `directory`). What a document becomes is the [`KeyFormat`]'s business;
//! fetching, freshness, backoff, rate limits and metrics are shared here.
//!
//! Requests never wait on the network: they verify with the keys at hand
//! (an atomic snapshot). A key id that is unknown asks for one refetch, at
//! most once per [`REFETCH_SPACING`] for each set, so forged ids cannot make
//! the gateway hammer the publisher; the request itself is judged with the
//! keys it found, and the clients' next requests see the new keys. A failed
//! fetch (or a document the format refuses) keeps the last good keys (never
//! "no keys" because the publisher blipped), is retried with backoff,
//! counted, and logged once per streak. A reload that keeps the same URL
//! and refresh bounds keeps the fetched keys too.
//!
//! - `fetch`: the URL's rules and one bounded `GET`;
//! - `cache_control`: how long the publisher says the keys stay fresh.

pub mod cache_control;
pub mod directory;
pub mod fetch;
pub mod jwks;

use crate::sync::lock;
use arc_swap::ArcSwapOption;
use cache_control::Freshness;
use fetch::{Document, FetchError, Fetcher, KeySetUrl};
use metrics::Label;
use rampart_core::Clock;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use jwks::RemoteKeySet;

/// The least time between two refetches asked for by unknown key ids.
pub const REFETCH_SPACING: Duration = Duration::from_secs(30);
/// The first retry after a failed fetch; each further failure doubles it,
/// up to the configured `min_refresh`.
const FIRST_RETRY: Duration = Duration::from_secs(2);

/// Where the keys come from and how often they are refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySource {
    pub url: KeySetUrl,
    /// Fetched again no sooner than this after a success (the publisher's
    /// `max-age` is clamped between the two bounds).
    pub min_refresh: Duration,
    /// And no later than this.
    pub max_refresh: Duration,
}

impl KeySource {
    /// How long keys fetched with this `Cache-Control` are kept before the
    /// next scheduled fetch.
    pub fn fresh_for(&self, freshness: Freshness) -> Duration {
        match freshness {
            Freshness::MaxAge(age) => age.clamp(self.min_refresh, self.max_refresh),
            Freshness::Revalidate => self.min_refresh,
            Freshness::Unstated => self.max_refresh,
        }
    }
}

/// The metric names of one kind of fetched keys, and the labels that tell
/// one set from another (none for the single `jwks_url`).
#[derive(Debug, Clone)]
pub struct FetchMetrics {
    /// Counter of fetches, by `result`.
    pub fetches: &'static str,
    /// Gauge of keys in the last good set.
    pub keys: &'static str,
    /// Gauge of seconds since the last good fetch.
    pub age: &'static str,
    /// Counter of unknown key ids, by `refetch` (started, limited).
    pub unknown_key: &'static str,
    pub labels: Vec<Label>,
}

impl FetchMetrics {
    fn with(&self, name: &'static str, value: &'static str) -> Vec<Label> {
        let mut labels = self.labels.clone();
        labels.push(Label::new(name, value));
        labels
    }
}

/// What fetched documents become, and what is told when they change.
pub trait KeyFormat: Send + Sync + 'static {
    /// The usable keys of one document.
    type Keys: Send + Sync + 'static;
    /// The setting it is fetched for, as logs name it (`jwks_url`).
    fn setting(&self) -> &str;
    /// What the request says it accepts.
    fn accept(&self) -> &'static str;
    /// The largest document read.
    fn max_bytes(&self) -> usize;
    fn metrics(&self) -> &FetchMetrics;
    /// The keys of a document (`FetchError::Invalid` when it gives none).
    fn parse(&self, document: &Document, url: &KeySetUrl) -> Result<Self::Keys, FetchError>;
    fn count(keys: &Self::Keys) -> usize;
    /// Puts these keys in service (`None`: none fetched yet).
    fn publish(&self, keys: Option<&Self::Keys>);
}

/// The keys of the last good fetch.
struct Fetched<K> {
    keys: K,
    at_millis: u64,
    fresh_for: Duration,
}

/// The keys of one source, as last fetched, and when to fetch again.
pub struct RemoteKeys<F: KeyFormat> {
    pub source: KeySource,
    format: F,
    clock: Arc<dyn Clock>,
    fetched: ArcSwapOption<Fetched<F::Keys>>,
    /// When an unknown key id last asked for a refetch (0: never).
    refetch_asked_millis: AtomicU64,
    /// Failed fetches since the last good one, and when the last ended.
    failures: AtomicU32,
    last_attempt_millis: AtomicU64,
    wake: Notify,
}

impl<F: KeyFormat> std::fmt::Debug for RemoteKeys<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("setting", &self.format.setting())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<F: KeyFormat> RemoteKeys<F> {
    pub fn new(source: KeySource, format: F, clock: Arc<dyn Clock>) -> Self {
        format.publish(None);
        RemoteKeys {
            source,
            format,
            clock,
            fetched: ArcSwapOption::empty(),
            refetch_asked_millis: AtomicU64::new(0),
            failures: AtomicU32::new(0),
            last_attempt_millis: AtomicU64::new(0),
            wake: Notify::new(),
        }
    }

    pub fn format(&self) -> &F {
        &self.format
    }

    /// Wakes the refresh task unless an unknown key id did so less than
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
        let metrics = self.format.metrics();
        metrics::counter!(metrics.unknown_key, metrics.with("refetch", outcome)).increment(1);
        if asked {
            self.wake.notify_one();
        }
        asked
    }

    /// How many keys the last good fetch gave.
    pub fn fetched_keys(&self) -> usize {
        self.fetched
            .load()
            .as_ref()
            .map_or(0, |f| F::count(&f.keys))
    }

    /// Seconds since the last good fetch, if there was one.
    pub fn age_seconds(&self) -> Option<f64> {
        let fetched = self.fetched.load();
        let at = fetched.as_ref()?.at_millis;
        Some(self.clock.now_millis().saturating_sub(at) as f64 / 1000.0)
    }

    /// Takes over the fetched keys of the set this one replaces, when it
    /// reads the same source and fetched more recently.
    pub fn adopt(&self, previous: &RemoteKeys<F>) {
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
        self.format.publish(Some(&theirs.keys));
        self.fetched.store(Some(theirs));
        let asked = previous.refetch_asked_millis.load(Ordering::Relaxed);
        self.refetch_asked_millis
            .fetch_max(asked, Ordering::Relaxed);
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

    fn fetcher(&self) -> Fetcher {
        Fetcher::new(
            self.source.url.clone(),
            self.format.accept(),
            self.format.max_bytes(),
        )
    }

    /// Fetches the keys once; on success the new keys serve from now on, on
    /// failure the last good ones stay.
    pub async fn refresh(&self, fetcher: &Fetcher) {
        let url = &self.source.url;
        let result = fetcher.fetch().await.and_then(|document| {
            let keys = self.format.parse(&document, url)?;
            Ok((keys, document.freshness))
        });
        let now = self.clock.now_millis();
        self.last_attempt_millis.store(now, Ordering::Relaxed);
        let (metrics, setting) = (self.format.metrics(), self.format.setting());
        match result {
            Ok((keys, freshness)) => {
                let recovered = self.failures.swap(0, Ordering::Relaxed) > 0;
                let count = F::count(&keys);
                let fresh_for = self.source.fresh_for(freshness);
                self.format.publish(Some(&keys));
                self.fetched.store(Some(Arc::new(Fetched {
                    keys,
                    at_millis: now,
                    fresh_for,
                })));
                metrics::counter!(metrics.fetches, metrics.with("result", "ok")).increment(1);
                metrics::gauge!(metrics.keys, metrics.labels.iter()).set(count as f64);
                metrics::gauge!(metrics.age, metrics.labels.iter()).set(0.0);
                if recovered {
                    tracing::info!(%url, keys = count, "{setting}: keys fetched again");
                } else {
                    tracing::debug!(%url, keys = count, ?fresh_for, "{setting}: keys fetched");
                }
            }
            Err(error) => {
                metrics::counter!(metrics.fetches, metrics.with("result", error.label()))
                    .increment(1);
                let streak = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
                let kept = self.fetched_keys();
                if streak == 1 {
                    tracing::warn!(
                        %url,
                        kept_keys = kept,
                        "{setting}: fetching the keys failed ({error}); the last good keys stay and the fetch is retried"
                    );
                } else {
                    tracing::debug!(%url, streak, "{setting}: fetch failed again ({error})");
                }
            }
        }
    }

    /// Keeps the keys fresh until aborted: a fetch when due, or when an
    /// unknown key id asks.
    async fn keep_fresh(self: Arc<Self>) {
        let fetcher = self.fetcher();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.until_next_fetch()) => {}
                _ = self.wake.notified() => {}
            }
            self.refresh(&fetcher).await;
        }
    }
}

/// A future the refresh owner runs on its runtime.
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Fetched keys, whatever their format, as [`KeyRefresh`] drives them.
pub trait Refreshed: Send + Sync {
    /// One fetch (bounded by [`fetch::FETCH_TIMEOUT`]).
    fn fetch_once(self: Arc<Self>) -> Task;
    /// Fetches when due or asked, forever.
    fn keep_fresh_task(self: Arc<Self>) -> Task;
    /// Exports the age of the keys (called on each metrics upkeep).
    fn export_age(&self);
}

impl<F: KeyFormat> Refreshed for RemoteKeys<F> {
    fn fetch_once(self: Arc<Self>) -> Task {
        Box::pin(async move { self.refresh(&self.fetcher()).await })
    }

    fn keep_fresh_task(self: Arc<Self>) -> Task {
        Box::pin(self.keep_fresh())
    }

    fn export_age(&self) {
        if let Some(age) = self.age_seconds() {
            let metrics = self.format.metrics();
            metrics::gauge!(metrics.age, metrics.labels.iter()).set(age);
        }
    }
}

/// The same set (whatever the vtable of the pointer).
fn same_set(a: &Arc<dyn Refreshed>, b: &Arc<dyn Refreshed>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// Owns the refresh tasks of the running configuration's fetched keys:
/// started with the gateway, replaced on reload, stopped on shutdown.
pub struct KeyRefresh {
    runtime: tokio::runtime::Handle,
    running: Mutex<Vec<Running>>,
}

struct Running {
    set: Arc<dyn Refreshed>,
    task: JoinHandle<()>,
}

impl KeyRefresh {
    /// An owner spawning on the current tokio runtime (panics outside one).
    pub fn on_current_runtime() -> Self {
        KeyRefresh {
            runtime: tokio::runtime::Handle::current(),
            running: Mutex::new(Vec::new()),
        }
    }

    /// Fetches every set once, together (each bounded by
    /// [`fetch::FETCH_TIMEOUT`]), so that a gateway starting with reachable
    /// publishers verifies from its first request; a failure is logged and
    /// the gateway starts anyway. [`KeyRefresh::follow`] then keeps them
    /// fresh.
    pub async fn fetch_now(&self, sets: &[Arc<dyn Refreshed>]) {
        let mut fetches = tokio::task::JoinSet::new();
        for set in sets {
            fetches.spawn_on(Arc::clone(set).fetch_once(), &self.runtime);
        }
        while fetches.join_next().await.is_some() {}
    }

    /// Makes the tasks follow the configuration just put in place: the
    /// tasks of sets it no longer has stop, and one starts for each new
    /// set (a replacing set has adopted its predecessor's keys already).
    pub fn follow(&self, sets: &[Arc<dyn Refreshed>]) {
        let mut running = lock(&self.running);
        running.retain(|r| {
            let kept = sets.iter().any(|s| same_set(s, &r.set));
            if !kept {
                r.task.abort();
            }
            kept
        });
        for set in sets {
            if !running.iter().any(|r| same_set(set, &r.set)) {
                let task = self.runtime.spawn(Arc::clone(set).keep_fresh_task());
                running.push(Running {
                    set: Arc::clone(set),
                    task,
                });
            }
        }
    }

    /// Exports the age of every set (called on each metrics upkeep).
    pub fn export_age(&self) {
        for running in lock(&self.running).iter() {
            running.set.export_age();
        }
    }

    /// Stops the tasks (shutdown).
    pub fn stop(&self) {
        for running in lock(&self.running).drain(..) {
            running.task.abort();
        }
    }
}

#[cfg(test)]
mod tests;
