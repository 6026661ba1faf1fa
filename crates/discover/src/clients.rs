//! How many distinct clients called an endpoint, up to a bound.
//!
//! Traffic is evidence of what an endpoint takes only when it comes from
//! more than one caller: a single client sending a thousand requests must
//! not be able to teach the gateway a contract (`[detect.learned]
//! min_clients`). The inventory keeps, per endpoint, a small set of hashed
//! client addresses; past [`MAX_COUNTED_CLIENTS`] the count stays there,
//! which is far more than any sensible threshold.

use crate::vecmap::VecSet;
use rampart_core::hash::Fnv1a;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// Distinct clients counted per endpoint; more are not told apart.
pub const MAX_COUNTED_CLIENTS: usize = 64;

/// Hashes of the addresses that called an endpoint (at most
/// [`MAX_COUNTED_CLIENTS`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DistinctClients(VecSet<u64>);

impl DistinctClients {
    /// Counts a call from `client` (an address as the record gives it).
    pub fn observe(&mut self, client: &str) {
        self.insert(hash(client));
    }

    fn insert(&mut self, hashed: u64) {
        if self.0.len() < MAX_COUNTED_CLIENTS {
            self.0.insert(hashed);
        }
    }

    /// Clients told apart so far (at most [`MAX_COUNTED_CLIENTS`]).
    pub fn count(&self) -> u64 {
        self.0.len() as u64
    }

    /// Folds in the clients of an endpoint merged into this one.
    pub fn merge(&mut self, other: &DistinctClients) {
        for &hashed in other.0.iter() {
            self.insert(hashed);
        }
    }
}

fn hash(client: &str) -> u64 {
    let mut hasher = Fnv1a::default();
    hasher.write(client.as_bytes());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_client_once_up_to_the_bound() {
        let mut clients = DistinctClients::default();
        for _ in 0..3 {
            clients.observe("10.0.0.1");
        }
        clients.observe("10.0.0.2");
        assert_eq!(clients.count(), 2);
        let mut many = DistinctClients::default();
        for i in 0..200 {
            many.observe(&format!("10.0.{i}.9"));
        }
        assert_eq!(many.count(), MAX_COUNTED_CLIENTS as u64);
        clients.merge(&many);
        assert_eq!(clients.count(), MAX_COUNTED_CLIENTS as u64);
    }
}
