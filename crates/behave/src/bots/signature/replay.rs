//! The nonces of verified Web Bot Auth signatures, remembered until their
//! signature expires, so that a signed request replayed as it is (same
//! `keyid`, same `nonce`) is seen the second time.
//!
//! Entries are a SHA-256 digest of the keyid and nonce (16 bytes, whatever
//! the nonce's length) and are bounded: when the cache is full, expired
//! entries go first, then those expiring soonest; both removals are
//! counted. Only verified signatures are remembered, so only a key holder
//! can fill it.

use crate::bounded::{BoundedMap, Removals, Stamped};
use ring::digest::{digest, SHA256};

/// One remembered nonce.
#[derive(Debug, Clone, Copy)]
struct Seen {
    first_seen_millis: u64,
    expires_millis: u64,
}

impl Stamped for Seen {
    /// The map's time to live is zero, so an entry lives until this.
    fn last_seen(&self) -> u64 {
        self.expires_millis
    }
}

/// Remembered (keyid, nonce) pairs.
#[derive(Debug)]
pub struct NonceCache {
    seen: BoundedMap<[u8; 16], Seen>,
    removals: Removals,
}

impl NonceCache {
    /// A cache of at most `capacity` nonces.
    pub fn new(capacity: usize) -> Self {
        NonceCache {
            seen: BoundedMap::new(capacity, 0),
            removals: Removals::default(),
        }
    }

    /// Remembers the nonce of a signature by `keyid` valid until `expires`
    /// (seconds since the epoch); when it is already remembered, when it
    /// was first seen (milliseconds), and it stays as it was.
    pub fn remember(
        &mut self,
        keyid: &str,
        nonce: &str,
        expires: i64,
        now_millis: u64,
    ) -> Option<u64> {
        let key = entry_key(keyid, nonce);
        if let Some(seen) = self.seen.get(&key, now_millis) {
            return Some(seen.first_seen_millis);
        }
        let expires_millis = u64::try_from(expires).unwrap_or(0).saturating_mul(1000);
        self.seen.get_or_insert_with(
            key,
            now_millis,
            || Seen {
                first_seen_millis: now_millis,
                expires_millis,
            },
            &mut self.removals,
        );
        None
    }

    /// How many nonces are held (expired ones included until room is made).
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.len() == 0
    }

    /// What the bound (evicted) and expiry removed so far.
    pub fn removals(&self) -> Removals {
        self.removals
    }
}

fn entry_key(keyid: &str, nonce: &str) -> [u8; 16] {
    let mut input = Vec::with_capacity(keyid.len() + nonce.len() + 1);
    input.extend_from_slice(keyid.as_bytes());
    input.push(0);
    input.extend_from_slice(nonce.as_bytes());
    let hash = digest(&SHA256, &input);
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.as_ref()[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_again_until_its_signature_expires() {
        let mut cache = NonceCache::new(10);
        assert_eq!(cache.remember("k", "n1", 100, 50_000), None);
        assert_eq!(cache.remember("k", "n1", 100, 60_000), Some(50_000));
        assert_eq!(
            cache.remember("other", "n1", 100, 60_000),
            None,
            "per keyid"
        );
        assert_eq!(
            cache.remember("k", "n1", 100, 100_000),
            None,
            "expired at 100 s"
        );
        assert_eq!(cache.removals().expired, 1);
    }

    #[test]
    fn the_bound_holds_and_evicts_the_soonest_expiring_first() {
        let mut cache = NonceCache::new(16);
        cache.remember("k", "long-lived", 10_000, 0);
        for i in 0..100 {
            cache.remember("k", &format!("n{i}"), 1_000 + i, 0);
            assert!(cache.len() <= 16, "{}", cache.len());
        }
        assert!(cache.removals().evicted >= 84, "{:?}", cache.removals());
        assert_eq!(cache.removals().expired, 0);
        assert_eq!(
            cache.remember("k", "long-lived", 10_000, 1),
            Some(0),
            "the entry expiring last is kept"
        );
        assert_eq!(cache.remember("k", "n99", 1_099, 1), Some(0));
    }
}
