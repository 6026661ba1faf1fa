//! The total rate cap: every simulated request waits for its turn on one
//! shared ticker, so all actors together never send more than the cap
//! per second, however fast each of them would go.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::{Interval, MissedTickBehavior};

pub(super) struct Pacer {
    ticks: Mutex<Interval>,
}

impl Pacer {
    /// At most `per_second` turns a second (at least one a second).
    pub(super) fn new(per_second: f64) -> Self {
        let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second.max(1.0)));
        // A late turn does not earn a burst of turns afterwards.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Pacer {
            ticks: Mutex::new(ticks),
        }
    }

    /// Waits for the next turn.
    pub(super) async fn turn(&self) {
        self.ticks.lock().await.tick().await;
    }
}
