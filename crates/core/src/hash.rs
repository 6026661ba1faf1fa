//! A fast, unkeyed hasher for maps whose keys an attacker cannot choose.
//!
//! The standard library's `HashMap` uses SipHash with a random key: the right
//! default wherever a client decides what gets inserted (client addresses,
//! API keys, user names), because it defeats collision flooding. It costs
//! several times more than needed where the keys are fixed or ours:
//! word lists built once at start and only looked up with request text (a
//! lookup cannot lengthen a probe chain that the fixed keys did not already
//! make), or identifiers the process assigns itself. Those maps use
//! [`FixedState`]: FNV-1a, one multiply per byte, no key.

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a (64-bit).
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(OFFSET_BASIS)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`Fnv1a`] hashers: for `HashMap`/`HashSet` with fixed or
/// process-assigned keys only (see the module docs).
pub type FixedState = BuildHasherDefault<Fnv1a>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        // Test vectors from the FNV reference (draft-eastlake-fnv).
        let hash = |bytes: &[u8]| {
            let mut h = Fnv1a::default();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_fixed_state_set_finds_its_words() {
        let set: HashSet<&str, FixedState> = ["cat", "curl", "wget"].into_iter().collect();
        assert!(set.contains("curl") && !set.contains("curly"));
        assert_eq!(
            FixedState::default().hash_one("cat"),
            FixedState::default().hash_one("cat"),
            "unkeyed: the same in every process"
        );
    }
}
