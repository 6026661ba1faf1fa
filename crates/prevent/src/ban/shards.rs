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
//! Keys can be chosen by clients (API keys, user names, addresses), so they
//! are hashed with a keyed hash, once: the one hash picks the shard (bits
//! 32 to 39) and the bucket inside the shard's table (hashbrown's
//! `HashTable` reads the low bits for the bucket and the top seven for its
//! tags, so the shard bits are left to neither).

use hashbrown::HashTable;
use std::borrow::Borrow;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// Shards of every map: a change copies at most 1/256 of the entries.
const SHARDS: usize = 256;

/// Where the shard index sits in a key's hash.
const SHARD_SHIFT: u32 = 32;

/// One shard: its entries, shared by every snapshot until one changes.
type Shard<K, V> = Arc<HashTable<(K, V)>>;

/// A sharded copy-on-write hash map.
#[derive(Debug, Clone)]
pub(crate) struct CowMap<K, V> {
    shards: Box<[Shard<K, V>]>,
    /// Hashes keys; cloned with the map, so every snapshot finds a key
    /// where the master put it.
    hasher: RandomState,
    len: usize,
}

impl<K: Hash + Eq + Clone, V: Clone> CowMap<K, V> {
    pub(crate) fn new() -> Self {
        CowMap {
            shards: (0..SHARDS).map(|_| Arc::new(HashTable::new())).collect(),
            hasher: RandomState::new(),
            len: 0,
        }
    }

    /// The key's hash and its shard.
    fn locate<Q: Hash + ?Sized>(&self, key: &Q) -> (u64, usize) {
        let hash = self.hasher.hash_one(key);
        (hash, (hash >> SHARD_SHIFT) as usize % SHARDS)
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Most lists ban only addresses: the maps of API keys, users and
        // fingerprints are empty, and a lookup there must not pay for
        // hashing the key.
        if self.len == 0 {
            return None;
        }
        let (hash, shard) = self.locate(key);
        self.shards[shard]
            .find(hash, |(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// The entry to change in place; its shard is copied only when the key
    /// is there and a snapshot shares the shard.
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let is_key = |(k, _): &(K, V)| k.borrow() == key;
        self.shards[shard].find(hash, is_key)?;
        Arc::make_mut(&mut self.shards[shard])
            .find_mut(hash, is_key)
            .map(|(_, v)| v)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let (hash, shard) = self.locate(&key);
        let hasher = &self.hasher;
        let table = Arc::make_mut(&mut self.shards[shard]);
        match table.entry(hash, |(k, _)| *k == key, |(k, _)| hasher.hash_one(k)) {
            hashbrown::hash_table::Entry::Occupied(mut entry) => {
                Some(std::mem::replace(&mut entry.get_mut().1, value))
            }
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert((key, value));
                self.len += 1;
                None
            }
        }
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (hash, shard) = self.locate(key);
        let is_key = |(k, _): &(K, V)| k.borrow() == key;
        self.shards[shard].find(hash, is_key)?;
        let table = Arc::make_mut(&mut self.shards[shard]);
        let (_, value) = table.find_entry(hash, is_key).ok()?.remove().0;
        self.len -= 1;
        Some(value)
    }

    /// Keeps the entries `keep` accepts; only shards that lose one are copied.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        for shard in self.shards.iter_mut() {
            if shard.iter().all(|(_, v)| keep(v)) {
                continue;
            }
            let table = Arc::make_mut(shard);
            let before = table.len();
            table.retain(|(_, value)| keep(value));
            self.len -= before - table.len();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every entry, shard by shard (for listing, never on a request).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.shards
            .iter()
            .flat_map(|shard| shard.iter().map(|(k, v)| (k, v)))
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
