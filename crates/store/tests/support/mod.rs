//! What the `shared_*` tests have in common: a Redis of their own, and
//! gateways (clients) whose reports they can wait for.
// Each test binary uses its own part of this module.
#![allow(dead_code)]

pub mod server;

use rampart_core::SystemClock;
use rampart_prevent::BanTarget;
use rampart_store::shared::{Health, RedisConfig, SharedBan, SharedState, SharedStateListener};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// The longest a test waits for a report; reaching it fails the test.
const REPORT_WAIT: Duration = Duration::from_secs(15);

/// A configuration for tests: a generous call timeout (a loaded test machine
/// must not turn a check into a fallback) and quick reconnects.
pub fn config(url: &str) -> RedisConfig {
    RedisConfig {
        url: url.to_string(),
        key_prefix: "test:".to_string(),
        timeout_ms: 5_000,
        reconnect_min_ms: 20,
        reconnect_max_ms: 200,
        ..RedisConfig::default()
    }
}

/// A small deterministic generator (no dependency for a test sequence).
pub struct Sequence(pub u64);

impl Sequence {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (self.0 >> 33) % n
    }
}

/// Forwards what a client reports to the test.
struct Recorder {
    health: UnboundedSender<Health>,
    bans: UnboundedSender<SharedBan>,
    lifts: UnboundedSender<BanTarget>,
}

impl SharedStateListener for Recorder {
    fn health_changed(&self, health: Health) {
        let _ = self.health.send(health);
    }

    fn ban_received(&self, ban: SharedBan) {
        let _ = self.bans.send(ban);
    }

    fn ban_lifted(&self, target: BanTarget) {
        let _ = self.lifts.send(target);
    }
}

/// What one client reported, in order.
pub struct Reports {
    health: UnboundedReceiver<Health>,
    bans: UnboundedReceiver<SharedBan>,
    lifts: UnboundedReceiver<BanTarget>,
}

impl Reports {
    pub async fn next_health(&mut self) -> Health {
        next(&mut self.health, "health change").await
    }

    pub async fn next_ban(&mut self) -> SharedBan {
        next(&mut self.bans, "ban").await
    }

    pub async fn next_lift(&mut self) -> BanTarget {
        next(&mut self.lifts, "lifted ban").await
    }

    /// Lifts reported and not yet taken.
    pub fn pending_lifts(&mut self) -> Vec<BanTarget> {
        std::iter::from_fn(|| self.lifts.try_recv().ok()).collect()
    }

    /// Bans reported and not yet taken.
    pub fn pending_bans(&mut self) -> Vec<SharedBan> {
        std::iter::from_fn(|| self.bans.try_recv().ok()).collect()
    }
}

async fn next<T>(receiver: &mut UnboundedReceiver<T>, what: &str) -> T {
    tokio::time::timeout(REPORT_WAIT, receiver.recv())
        .await
        .unwrap_or_else(|_| panic!("no {what} reported within {REPORT_WAIT:?}"))
        .unwrap_or_else(|| panic!("the client stopped before reporting a {what}"))
}

/// A client (one gateway) and its reports; it connects in the background.
pub fn start(config: &RedisConfig) -> (SharedState, Reports) {
    let (health, health_reports) = unbounded_channel();
    let (bans, ban_reports) = unbounded_channel();
    let (lifts, lift_reports) = unbounded_channel();
    let recorder = Arc::new(Recorder {
        health,
        bans,
        lifts,
    });
    let state = SharedState::start(config, recorder, Arc::new(SystemClock)).expect("valid config");
    let reports = Reports {
        health: health_reports,
        bans: ban_reports,
        lifts: lift_reports,
    };
    (state, reports)
}

/// A client that is connected.
pub async fn connected(config: &RedisConfig) -> (SharedState, Reports) {
    let (state, mut reports) = start(config);
    assert_eq!(reports.next_health().await, Health::Up);
    (state, reports)
}

/// Redis's own clock in microseconds, the one the scripts read.
pub fn redis_micros(connection: &mut redis::Connection) -> u64 {
    let (seconds, micros): (u64, u64) = redis::cmd("TIME").query(connection).expect("TIME");
    seconds * 1_000_000 + micros
}
