//! The login attempts one key (a source, or an account) made or received
//! within a sliding window, and the counts the detector judges by: failures
//! for one username, distinct failing usernames, distinct failing addresses,
//! the failure ratio.
//!
//! Attempts are kept as hashes in arrival order, at most `cap` of them (the
//! oldest go first, counted), so every count is exact within the cap.

use crate::bounded::Stamped;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy)]
struct Attempt {
    user: u64,
    address: u64,
    failed: bool,
    at: u64,
}

#[derive(Debug)]
pub(crate) struct Window {
    attempts: Vec<Attempt>,
    last_seen: u64,
}

impl Stamped for Window {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

impl Window {
    pub(crate) fn new(now: u64) -> Self {
        Window {
            attempts: Vec::new(),
            last_seen: now,
        }
    }

    /// Forgets attempts at or before `now - window`.
    pub(crate) fn slide(&mut self, now: u64, window: u64) {
        self.attempts.retain(|a| a.at.saturating_add(window) > now);
    }

    /// Records an attempt (`user`, `address`: hashes); returns how many old
    /// attempts left to keep `cap`.
    pub(crate) fn record(
        &mut self,
        user: u64,
        address: u64,
        failed: bool,
        now: u64,
        cap: usize,
    ) -> u64 {
        self.last_seen = now;
        self.attempts.push(Attempt {
            user,
            address,
            failed,
            at: now,
        });
        let over = self.attempts.len().saturating_sub(cap.max(1));
        self.attempts.drain(..over);
        over as u64
    }

    /// Failed attempts for `user`.
    pub(crate) fn failures_for(&self, user: u64) -> usize {
        self.attempts
            .iter()
            .filter(|a| a.failed && a.user == user)
            .count()
    }

    /// Distinct usernames that failed.
    pub(crate) fn failing_users(&self) -> usize {
        self.distinct(|a| a.failed.then_some(a.user))
    }

    /// Distinct addresses that failed.
    pub(crate) fn failing_addresses(&self) -> usize {
        self.distinct(|a| a.failed.then_some(a.address))
    }

    /// Distinct addresses, failed or not.
    pub(crate) fn addresses(&self) -> usize {
        self.distinct(|a| Some(a.address))
    }

    /// The share of attempts that failed (0 when there are none).
    pub(crate) fn failure_ratio(&self) -> f64 {
        if self.attempts.is_empty() {
            return 0.0;
        }
        let failed = self.attempts.iter().filter(|a| a.failed).count();
        failed as f64 / self.attempts.len() as f64
    }

    fn distinct(&self, key: impl Fn(&Attempt) -> Option<u64>) -> usize {
        self.attempts
            .iter()
            .filter_map(key)
            .collect::<HashSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hold_within_the_window_and_the_cap() {
        let mut window = Window::new(0);
        assert_eq!(window.record(1, 10, true, 0, 3), 0);
        assert_eq!(window.record(1, 11, true, 5, 3), 0);
        assert_eq!(window.record(2, 11, false, 6, 3), 0);
        assert_eq!(window.failures_for(1), 2);
        assert_eq!(window.failing_users(), 1);
        assert_eq!(window.failing_addresses(), 2);
        assert_eq!(window.addresses(), 2);
        assert!((window.failure_ratio() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(window.record(3, 12, true, 7, 3), 1, "the oldest left");
        assert_eq!(window.failures_for(1), 1);
        window.slide(106, 100);
        assert_eq!(window.failures_for(1), 0, "at 5, out of (6, 106]");
        assert_eq!(window.failing_users(), 1);
    }
}
