//! The TAT of every key a limiter tracks, bounded in count.
//!
//! Keys come from clients, so their number is the attacker's choice: the store
//! is split into shards with a fixed capacity each. When a shard is full it
//! first drops the keys whose TAT is already past (GCRA treats those exactly
//! like unknown keys, so nothing is lost), and only if that frees nothing it
//! evicts the eighth of its keys that are closest to being forgotten anyway,
//! counting them so the loss is visible.

use super::key::LimitKey;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

const SHARDS: usize = 16;

/// Keys are already random 128-bit fingerprints: hashing them again is waste.
#[derive(Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }
}

type Shard = HashMap<u128, u64, BuildHasherDefault<Fingerprint>>;

pub(crate) struct TatStore {
    shards: Vec<Mutex<Shard>>,
    shard_capacity: usize,
    evicted: AtomicU64,
}

impl TatStore {
    /// A store for at most `max_keys` keys (rounded up to a multiple of the
    /// shard count).
    pub(crate) fn new(max_keys: usize) -> Self {
        let shard_capacity = max_keys.div_ceil(SHARDS).max(1);
        TatStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            shard_capacity,
            evicted: AtomicU64::new(0),
        }
    }

    /// Runs `decide` on the key's TAT (0 when unknown) and stores the TAT it
    /// returns, if any.
    pub(crate) fn update<R>(
        &self,
        key: LimitKey,
        now: u64,
        decide: impl FnOnce(u64) -> (R, Option<u64>),
    ) -> R {
        let shard = &self.shards[(key.0 >> 64) as usize % SHARDS];
        let mut shard = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = shard.get(&key.0).copied().unwrap_or(0);
        let (result, new_tat) = decide(tat);
        match new_tat {
            Some(new_tat) if new_tat > now => {
                if !shard.contains_key(&key.0) && shard.len() >= self.shard_capacity {
                    self.make_room(&mut shard, now);
                }
                shard.insert(key.0, new_tat);
            }
            Some(_) => {
                shard.remove(&key.0);
            }
            None => {}
        }
        result
    }

    /// Keys evicted while they still carried state.
    pub(crate) fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    /// Keys currently tracked.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().map(|s| s.len()).unwrap_or(0))
            .sum()
    }

    fn make_room(&self, shard: &mut Shard, now: u64) {
        shard.retain(|_, tat| *tat > now);
        if shard.len() < self.shard_capacity {
            return;
        }
        let mut tats: Vec<u64> = shard.values().copied().collect();
        let cut = (tats.len() / 8).max(1) - 1;
        let (_, threshold, _) = tats.select_nth_unstable(cut);
        let threshold = *threshold;
        let before = shard.len();
        shard.retain(|_, tat| *tat > threshold);
        let evicted = (before - shard.len()) as u64;
        self.evicted.fetch_add(evicted, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_update(store: &TatStore, key: u128, now: u64, tat: u64) {
        store.update(LimitKey(key), now, |_| ((), Some(tat)));
    }

    fn tat_of(store: &TatStore, key: u128) -> u64 {
        store.update(LimitKey(key), 0, |tat| (tat, None))
    }

    #[test]
    fn expired_entries_are_dropped_before_anything_live_is_evicted() {
        let store = TatStore::new(SHARDS);
        // One key per shard fills the store; all of them expire at 100.
        let keys: Vec<u128> = (0..SHARDS as u128).map(|s| s << 64).collect();
        for key in &keys {
            store_update(&store, *key, 0, 100);
        }
        assert_eq!(store.len(), SHARDS);
        store_update(&store, 1, 200, 300);
        assert_eq!(store.evicted(), 0);
        assert_eq!(tat_of(&store, 1), 300);
        assert_eq!(tat_of(&store, keys[0]), 0);
    }

    #[test]
    fn a_full_store_evicts_the_keys_closest_to_expiry_and_counts_them() {
        let store = TatStore::new(SHARDS * 16);
        for key in 0..16u128 {
            store_update(&store, key, 0, 1_000 + key as u64);
        }
        store_update(&store, 99, 0, 5_000);
        assert_eq!(store.evicted(), 2);
        assert_eq!(tat_of(&store, 0), 0);
        assert_eq!(tat_of(&store, 1), 0);
        assert_eq!(tat_of(&store, 2), 1_002);
        assert_eq!(tat_of(&store, 99), 5_000);
    }

    #[test]
    fn a_tat_in_the_past_is_not_stored() {
        let store = TatStore::new(64);
        store_update(&store, 7, 500, 400);
        assert_eq!(store.len(), 0);
    }
}
