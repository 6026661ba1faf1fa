//! Strikes against a key (a client, a principal) within a sliding window:
//! how many times it did something that alone proves little (a slow
//! upstream answer, a response full of secrets, an admin call refused by
//! the API) and, repeated, is a pattern.
//!
//! At most `cap` strikes are kept per key (the oldest go first, counted),
//! and the keys are a [`BoundedMap`] whose entries expire with the window.

use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use std::collections::VecDeque;
use std::time::Duration;

#[derive(Debug)]
struct Recent {
    at: VecDeque<u64>,
    last_seen: u64,
}

impl Stamped for Recent {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

#[derive(Debug)]
pub(crate) struct Strikes {
    keys: BoundedMap<u64, Recent>,
    window: u64,
    cap: usize,
    /// Keys removed by the map's bounds, and strikes past a key's cap.
    pub(crate) removed: Removals,
    pub(crate) dropped: u64,
}

impl Strikes {
    pub(crate) fn new(max_keys: usize, window: Duration, cap: usize) -> Self {
        let window = millis(window);
        Strikes {
            keys: BoundedMap::new(max_keys, window),
            window,
            cap: cap.max(1),
            removed: Removals::default(),
            dropped: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Records a strike against `key` at `now`; returns its strikes within
    /// the window, this one included.
    pub(crate) fn strike(&mut self, key: u64, now: u64) -> usize {
        let recent = self.keys.get_or_insert_with(
            key,
            now,
            || Recent {
                at: VecDeque::new(),
                last_seen: now,
            },
            &mut self.removed,
        );
        recent.last_seen = now;
        let window = self.window;
        while recent.at.front().is_some_and(|at| at + window <= now) {
            recent.at.pop_front();
        }
        if recent.at.len() >= self.cap {
            recent.at.pop_front();
            self.dropped += 1;
        }
        recent.at.push_back(now);
        recent.at.len()
    }

    /// The strikes against `key` within the window.
    pub(crate) fn count(&self, key: u64, now: u64) -> usize {
        self.keys.get(&key, now).map_or(0, |recent| {
            recent
                .at
                .iter()
                .filter(|at| *at + self.window > now)
                .count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strikes_count_within_the_window_and_the_cap() {
        let mut strikes = Strikes::new(8, Duration::from_millis(100), 3);
        assert_eq!(strikes.strike(1, 0), 1);
        assert_eq!(strikes.strike(1, 50), 2);
        assert_eq!(strikes.count(1, 99), 2);
        assert_eq!(strikes.count(1, 100), 1, "the first left the window");
        assert_eq!(strikes.strike(1, 120), 2);
        assert_eq!(strikes.strike(1, 121), 3);
        assert_eq!(strikes.strike(1, 122), 3, "capped");
        assert_eq!(strikes.dropped, 1);
        assert_eq!(strikes.count(2, 122), 0);
    }

    #[test]
    fn keys_are_bounded_and_removals_counted() {
        let mut strikes = Strikes::new(4, Duration::from_secs(60), 3);
        for key in 0..6 {
            strikes.strike(key, key);
        }
        assert!(strikes.len() <= 4);
        assert!(strikes.removed.evicted > 0);
    }
}
