//! Whether Redis is reachable, who is told when that changes, and the
//! counters an operator graphs: an outage must be visible, not just survived.

use super::bans::SharedBan;
use rampart_prevent::BanTarget;
use std::sync::atomic::{AtomicU64, Ordering};

/// The connection to Redis, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Connected and subscribed to ban announcements; the active bans are
    /// loaded right after and reported as they arrive.
    Up,
    /// Unreachable since this time (milliseconds since the Unix epoch);
    /// calls fail at once and limits apply their `on_error` policy.
    Down { since_millis: u64 },
}

/// Told what happens on the Redis side. Called on the client's own thread:
/// implementations must not block for long (take a lock, send on a channel).
pub trait SharedStateListener: Send + Sync + 'static {
    /// Redis became reachable, or was lost. The first call is the first
    /// connection; the client starts [`Health::Down`] without a call.
    fn health_changed(&self, health: Health);

    /// A ban made by another gateway, or found active when this one
    /// (re)connected: copy it into the local ban list.
    fn ban_received(&self, ban: SharedBan);

    /// Another gateway lifted the ban on `target`: drop it from the local
    /// ban list.
    fn ban_lifted(&self, target: BanTarget);
}

/// The counters, read for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedStats {
    /// Calls that reached Redis and failed or did not answer in time.
    pub errors: u64,
    /// Of those, the ones that did not answer within `timeout_ms`.
    pub timeouts: u64,
    /// Limit decisions taken by an `on_error` policy instead of Redis.
    pub fallbacks: u64,
    /// Connections re-established after one was lost.
    pub reconnects: u64,
    /// Bans announced by other gateways or loaded at (re)connection.
    pub bans_received: u64,
    /// Ban announcements that could not be read (another version's format).
    pub bans_unreadable: u64,
    /// Bans lifted by other gateways.
    pub lifts_received: u64,
}

/// The live counters behind [`SharedStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) errors: AtomicU64,
    pub(crate) timeouts: AtomicU64,
    pub(crate) fallbacks: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) bans_received: AtomicU64,
    pub(crate) bans_unreadable: AtomicU64,
    pub(crate) lifts_received: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> SharedStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        SharedStats {
            errors: read(&self.errors),
            timeouts: read(&self.timeouts),
            fallbacks: read(&self.fallbacks),
            reconnects: read(&self.reconnects),
            bans_received: read(&self.bans_received),
            bans_unreadable: read(&self.bans_unreadable),
            lifts_received: read(&self.lifts_received),
        }
    }
}
