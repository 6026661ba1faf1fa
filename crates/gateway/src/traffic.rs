//! Traffic and mitigation counts per minute for the console's statistics.
//!
//! Each answered request (and each connection refused at accept because of
//! a ban) adds to a few atomic counters in [`TrafficTally`]; once a minute,
//! and at shutdown, [`record_minutes`] takes them and adds them to the
//! embedded store's `traffic_minutes` table (`[events] sqlite`), which keeps
//! them as long as events (`[events] sqlite_max_age`). The counters are the
//! same outcomes the `rampart_requests_total` metric is labelled with.

use rampart_core::{Clock, SystemClock};
use rampart_store::{Store, TrafficCounts};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// One minute, in milliseconds.
pub const MINUTE_MILLIS: u64 = 60_000;

/// Counts since they were last taken.
#[derive(Debug, Default)]
pub struct TrafficTally {
    requests: AtomicU64,
    blocked: AtomicU64,
    would_block: AtomicU64,
    rate_limited: AtomicU64,
    banned: AtomicU64,
    deceived: AtomicU64,
    upstream_errors: AtomicU64,
}

impl TrafficTally {
    /// Counts one answered request by the action applied (or held back) as
    /// events name it; `upstream_failed` when forwarding failed.
    pub fn count(&self, action: &str, upstream_failed: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let outcome = match action {
            "block" => Some(&self.blocked),
            "rate_limit" => Some(&self.rate_limited),
            "ban" => Some(&self.banned),
            "deceive" => Some(&self.deceived),
            held_back if held_back.starts_with("would_") => Some(&self.would_block),
            _ => None,
        };
        if let Some(counter) = outcome {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if upstream_failed {
            self.upstream_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a connection refused at accept (its peer is banned).
    pub fn refused_connection(&self) {
        self.banned.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far, without resetting them.
    pub fn peek(&self) -> TrafficCounts {
        self.read(|counter| counter.load(Ordering::Relaxed))
    }

    /// The counts so far; the counters start again from zero.
    pub fn take(&self) -> TrafficCounts {
        self.read(|counter| counter.swap(0, Ordering::Relaxed))
    }

    fn read(&self, read: impl Fn(&AtomicU64) -> u64) -> TrafficCounts {
        TrafficCounts {
            requests: read(&self.requests),
            blocked: read(&self.blocked),
            would_block: read(&self.would_block),
            rate_limited: read(&self.rate_limited),
            banned: read(&self.banned),
            deceived: read(&self.deceived),
            upstream_errors: read(&self.upstream_errors),
        }
    }
}

/// The start of the minute holding `millis`.
pub fn minute_of(millis: u64) -> u64 {
    millis - millis % MINUTE_MILLIS
}

/// Where and how long the minutes are kept.
#[derive(Debug, Clone)]
pub struct TrafficStore {
    pub path: PathBuf,
    pub max_age: Duration,
}

/// Adds the tally to the store at the end of every minute until `stop`,
/// then once more. Write errors are logged; the counts of that minute are
/// lost, never retried into the next.
pub async fn record_minutes(
    tally: Arc<TrafficTally>,
    store: TrafficStore,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let now = SystemClock.now_millis();
        let next = minute_of(now) + MINUTE_MILLIS;
        let stopped = tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(next - now)) => false,
            _ = stop.wait_for(|stopped| *stopped) => true,
        };
        let minute = if stopped {
            minute_of(now)
        } else {
            next - MINUTE_MILLIS
        };
        write_minute(&tally, &store, minute).await;
        if stopped {
            return;
        }
    }
}

/// Takes the tally and adds it to `minute`, pruning minutes past the age.
pub async fn write_minute(tally: &TrafficTally, store: &TrafficStore, minute: u64) {
    let counts = tally.take();
    let store = store.clone();
    let written = tokio::task::spawn_blocking(move || {
        let db = Store::open(&store.path)?;
        if !counts.is_empty() {
            db.add_traffic(minute, &counts)?;
        }
        let max_age = u64::try_from(store.max_age.as_millis()).unwrap_or(u64::MAX);
        db.prune_traffic_before(minute.saturating_sub(max_age))
    })
    .await;
    match written {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => tracing::error!(%error, "traffic statistics not written"),
        Err(error) => tracing::error!(%error, "traffic statistics writer failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_counted_by_outcome_and_taking_resets() {
        let tally = TrafficTally::default();
        for action in [
            "allow",
            "block",
            "would_ban",
            "would_block",
            "rate_limit",
            "deceive",
            "ban",
        ] {
            tally.count(action, false);
        }
        tally.count("allow", true);
        tally.refused_connection();
        let counts = tally.take();
        assert_eq!(counts.requests, 8);
        assert_eq!(counts.blocked, 1);
        assert_eq!(counts.would_block, 2);
        assert_eq!(counts.rate_limited, 1);
        assert_eq!(counts.deceived, 1);
        assert_eq!(counts.banned, 2);
        assert_eq!(counts.upstream_errors, 1);
        assert!(tally.take().is_empty());
    }

    #[test]
    fn minutes_start_on_the_minute() {
        assert_eq!(minute_of(125_000), 120_000);
        assert_eq!(minute_of(120_000), 120_000);
    }
}
