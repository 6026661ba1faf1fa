//! A hash map whose clone costs almost nothing and whose changes copy little.
//!
//! The gateway reads bans from an immutable published snapshot and makes
//! changes on a master copy that it publishes after each change. With one
//! plain map per kind, every ban cloned the whole list: at the default bound
//! of a million entries that is a hundred megabytes copied per ban, so a
//! flood of bans (honeypot hits from rotating addresses) would turn each new
//! ban into tens of milliseconds under the master's lock. Here the map is cut
//! into [`SHARDS`] shards behind `Arc`s: a clone shares every shard, and a
//! change copies only the one shard it touches when a snapshot still holds
//! it (`Arc::make_mut`), 1/256 of the list.
//!
//! Keys can be chosen by clients (API keys, user names, addresses), so the
//! shard is picked with a keyed hash, as the shards' own maps do.

use std::borrow::Borrow;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// Shards of every map: a change copies at most 1/256 of the entries.
const SHARDS: usize = 256;

/// A sharded copy-on-write hash map.
#[derive(Debug, Clone)]
pub(crate) struct CowMap<K, V> {
    shards: Box<[Arc<HashMap<K, V>>]>,
    /// Picks the shard of a key; cloned with the map, so every snapshot
    /// finds a key where the master put it.
    router: RandomState,
    len: usize,
}

impl<K: Hash + Eq + Clone, V: Clone> CowMap<K, V> {
    pub(crate) fn new() -> Self {
        CowMap {
            shards: (0..SHARDS).map(|_| Arc::new(HashMap::new())).collect(),
            router: RandomState::new(),
            len: 0,
        }
    }

    fn shard_of<Q: Hash + ?Sized>(&self, key: &Q) -> usize {
        // The top bits: the low ones also pick the bucket inside a shard's
        // map when both hashers agree, and SHARDS is a power of two.
        (self.router.hash_one(key) >> (64 - SHARDS.trailing_zeros())) as usize
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Most lists ban only addresses: the maps of API keys, users and
        // fingerprints are empty, and a lookup there must not pay for
        // hashing the key to find its shard.
        if self.len == 0 {
            return None;
        }
        self.shards[self.shard_of(key)].get(key)
    }

    /// The entry to change in place; its shard is copied only when the key
    /// is there and a snapshot shares the shard.
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard_of(key);
        if !self.shards[shard].contains_key(key) {
            return None;
        }
        Arc::make_mut(&mut self.shards[shard]).get_mut(key)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let shard = self.shard_of(&key);
        let previous = Arc::make_mut(&mut self.shards[shard]).insert(key, value);
        if previous.is_none() {
            self.len += 1;
        }
        previous
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard_of(key);
        if !self.shards[shard].contains_key(key) {
            return None;
        }
        let removed = Arc::make_mut(&mut self.shards[shard]).remove(key);
        self.len -= usize::from(removed.is_some());
        removed
    }

    /// Keeps the entries `keep` accepts; only shards that lose one are copied.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        for shard in self.shards.iter_mut() {
            if shard.values().all(&mut keep) {
                continue;
            }
            let map = Arc::make_mut(shard);
            let before = map.len();
            map.retain(|_, value| keep(value));
            self.len -= before - map.len();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every entry, shard by shard (for listing, never on a request).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.shards.iter().flat_map(|shard| shard.iter())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_is_a_snapshot_that_later_changes_do_not_reach() {
        let mut master: CowMap<u32, u32> = CowMap::new();
        for key in 0..10_000 {
            master.insert(key, key);
        }
        let snapshot = master.clone();
        master.insert(5, 50);
        assert_eq!(master.remove(&7), Some(7));
        master.insert(20_000, 1);
        *master.get_mut(&8).unwrap() = 80;
        assert_eq!(
            (snapshot.get(&5), snapshot.get(&7), snapshot.get(&8)),
            (Some(&5), Some(&7), Some(&8))
        );
        assert_eq!(snapshot.get(&20_000), None);
        assert_eq!((snapshot.len(), master.len()), (10_000, 10_000));
        assert_eq!(
            (master.get(&5), master.get(&7), master.get(&8)),
            (Some(&50), None, Some(&80))
        );
    }

    #[test]
    fn a_change_copies_one_shard_and_shares_the_rest() {
        let mut master: CowMap<u32, u32> = CowMap::new();
        for key in 0..10_000 {
            master.insert(key, key);
        }
        let snapshot = master.clone();
        master.insert(1, 2);
        let shared = master
            .shards
            .iter()
            .zip(snapshot.shards.iter())
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, SHARDS - 1);
        // A miss or a removal of an absent key copies nothing.
        let before = master.clone();
        assert!(master.get_mut(&99_999).is_none());
        assert!(master.remove(&99_999).is_none());
        assert!(master
            .shards
            .iter()
            .zip(before.shards.iter())
            .all(|(a, b)| Arc::ptr_eq(a, b)));
    }

    #[test]
    fn retain_counts_what_it_drops() {
        let mut map: CowMap<u32, u32> = CowMap::new();
        for key in 0..1_000 {
            map.insert(key, key);
        }
        map.retain(|value| value % 2 == 0);
        assert_eq!(map.len(), 500);
        assert!((0..1_000).all(|key| map.get(&key).is_some() == (key % 2 == 0)));
        map.retain(|_| false);
        assert!(map.is_empty());
    }
}
