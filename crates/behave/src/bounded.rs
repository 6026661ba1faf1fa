//! A map with a hard cap on its entries and a time to live, for state that
//! grows with traffic (BOLA's principals, ids and owners; account takeover's sources and
//! accounts).
//!
//! Entries past their time to live are treated as absent at once and
//! removed when room is needed; when the map is full of live entries, the
//! least recently seen eighth is evicted in one pass, so that a flood of new
//! keys costs amortised constant time per insert. Both kinds of removal are
//! counted for the operator.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// A configured duration in the milliseconds the maps and clocks count in.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Anything that remembers when it was last used (milliseconds).
pub(crate) trait Stamped {
    fn last_seen(&self) -> u64;
}

impl Stamped for u64 {
    fn last_seen(&self) -> u64 {
        *self
    }
}

/// How many entries left a map, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removals {
    /// Evicted while still live because the map was full: a bound was hit.
    pub evicted: u64,
    /// Removed after their time to live.
    pub expired: u64,
}

impl Removals {
    pub(crate) fn add(&mut self, other: Removals) {
        self.evicted += other.evicted;
        self.expired += other.expired;
    }
}

#[derive(Debug)]
pub(crate) struct BoundedMap<K, V> {
    entries: HashMap<K, V>,
    capacity: usize,
    ttl_millis: u64,
}

impl<K: Eq + Hash + Clone, V: Stamped> BoundedMap<K, V> {
    pub(crate) fn new(capacity: usize, ttl_millis: u64) -> Self {
        BoundedMap {
            entries: HashMap::new(),
            capacity: capacity.max(1),
            ttl_millis,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn live(&self, value: &V, now: u64) -> bool {
        value.last_seen().saturating_add(self.ttl_millis) > now
    }

    /// Every entry, live or expired (for statistics).
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values()
    }

    /// The live entry under `key`.
    pub(crate) fn get(&self, key: &K, now: u64) -> Option<&V> {
        self.entries.get(key).filter(|v| self.live(v, now))
    }

    /// The live entry under `key`, to change it.
    pub(crate) fn get_mut(&mut self, key: &K, now: u64) -> Option<&mut V> {
        let ttl = self.ttl_millis;
        self.entries
            .get_mut(key)
            .filter(|v| v.last_seen().saturating_add(ttl) > now)
    }

    /// The entry under `key`, made fresh by `make` when it is absent or
    /// expired; room is made first when the map is full.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: K,
        now: u64,
        make: impl FnOnce() -> V,
        removals: &mut Removals,
    ) -> &mut V {
        let expired = self.entries.get(&key).is_some_and(|v| !self.live(v, now));
        if expired {
            self.entries.remove(&key);
            removals.expired += 1;
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            removals.add(self.make_room(now));
        }
        self.entries.entry(key).or_insert_with(make)
    }

    /// Drops expired entries, then, if still full, the least recently seen
    /// eighth of the capacity (at least one).
    fn make_room(&mut self, now: u64) -> Removals {
        let before = self.entries.len();
        let ttl = self.ttl_millis;
        self.entries
            .retain(|_, v| v.last_seen().saturating_add(ttl) > now);
        let expired = (before - self.entries.len()) as u64;
        if self.entries.len() < self.capacity {
            return Removals {
                evicted: 0,
                expired,
            };
        }
        let mut stamps: Vec<u64> = self.entries.values().map(Stamped::last_seen).collect();
        let victims = (self.capacity / 8).max(1).min(stamps.len());
        let (_, cutoff, _) = stamps.select_nth_unstable(victims - 1);
        let cutoff = *cutoff;
        let mut left = victims;
        let live = self.entries.len();
        self.entries.retain(|_, v| {
            if left > 0 && v.last_seen() <= cutoff {
                left -= 1;
                false
            } else {
                true
            }
        });
        Removals {
            evicted: (live - self.entries.len()) as u64,
            expired,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_evicts_the_least_recently_seen_and_counts_it() {
        let mut map: BoundedMap<u32, u64> = BoundedMap::new(16, 1_000_000);
        let mut removals = Removals::default();
        for key in 0..16u32 {
            map.get_or_insert_with(key, u64::from(key), || u64::from(key), &mut removals);
        }
        assert_eq!(removals, Removals::default());
        map.get_or_insert_with(99, 100, || 100, &mut removals);
        assert_eq!(map.len(), 15, "two oldest out (16 / 8), one in");
        assert_eq!(removals.evicted, 2);
        assert!(map.get(&0, 100).is_none() && map.get(&1, 100).is_none());
        assert!(map.get(&2, 100).is_some() && map.get(&99, 100).is_some());
    }

    #[test]
    fn expired_entries_are_absent_and_make_room_first() {
        let mut map: BoundedMap<u32, u64> = BoundedMap::new(2, 10);
        let mut removals = Removals::default();
        map.get_or_insert_with(1, 0, || 0, &mut removals);
        map.get_or_insert_with(2, 5, || 5, &mut removals);
        assert!(
            map.get(&1, 10).is_none(),
            "stamped at 0, ttl 10: gone at 10"
        );
        assert!(map.get(&2, 10).is_some());
        let fresh = map.get_or_insert_with(1, 10, || 10, &mut removals);
        assert_eq!(*fresh, 10, "an expired entry is made anew");
        assert_eq!(
            removals,
            Removals {
                evicted: 0,
                expired: 1
            }
        );
        map.get_or_insert_with(3, 15, || 15, &mut removals);
        assert_eq!(
            removals,
            Removals {
                evicted: 0,
                expired: 2
            },
            "2 expired at 15"
        );
        assert_eq!(map.len(), 2);
    }
}
