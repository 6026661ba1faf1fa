//! The sources a request is counted under when one client may hide behind
//! many addresses: its address, the address's network (/24 for IPv4, /64
//! for IPv6, what one subscriber or one cloud host usually holds), its
//! client fingerprint (which survives address rotation) and, where an ASN
//! database says, its autonomous system (what a campaign renting addresses
//! all over one provider still shares). Keys are keyed hashes
//! (`RandomState`), each with the name evidence calls it by.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;

/// Characters of a fingerprint shown in evidence.
const FINGERPRINT_CHARS: usize = 16;

/// Which kind of source a key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Address,
    /// The /24 (IPv4) or /64 (IPv6) of the address.
    Prefix,
    Fingerprint,
    /// The autonomous system announcing the address: many networks, many
    /// people, so a detector judges it against its own, higher threshold.
    Asn,
}

impl Scope {
    /// Whether a source of this scope, whose window holds requests from
    /// `addresses` distinct addresses, is judged: an address or a network
    /// always; a fingerprint or an autonomous system only once seen from
    /// two addresses or more (from one, its address already counts the
    /// same requests).
    pub(crate) fn is_judged(self, addresses: usize) -> bool {
        !matches!(self, Scope::Fingerprint | Scope::Asn) || addresses >= 2
    }
}

/// One source of a request: its scope, its key, and its name in evidence.
#[derive(Debug, Clone)]
pub struct Source {
    pub scope: Scope,
    pub key: u64,
    pub name: String,
}

/// The sources of a request from `address` with `fingerprint`, the address
/// first.
pub(crate) fn sources(hasher: &RandomState, address: IpAddr, fingerprint: &str) -> [Source; 3] {
    let prefix = prefix(address);
    let shown: String = fingerprint.chars().take(FINGERPRINT_CHARS).collect();
    [
        Source {
            scope: Scope::Address,
            key: address_key(hasher, address),
            name: format!("address {address}"),
        },
        Source {
            scope: Scope::Prefix,
            key: hasher.hash_one((Scope::Prefix, prefix)),
            name: format!("network {prefix}/{}", prefix_len(prefix)),
        },
        Source {
            scope: Scope::Fingerprint,
            key: hasher.hash_one((Scope::Fingerprint, fingerprint)),
            name: format!("fingerprint {shown}"),
        },
    ]
}

/// The source of a request from autonomous system `asn`, when known.
pub(crate) fn asn_source(hasher: &RandomState, asn: Option<u32>) -> Option<Source> {
    asn.map(|asn| Source {
        scope: Scope::Asn,
        key: hasher.hash_one((Scope::Asn, asn)),
        name: format!("AS{asn}"),
    })
}

/// The key of an address alone (what a window's entries record).
pub(crate) fn address_key(hasher: &RandomState, address: IpAddr) -> u64 {
    hasher.hash_one((Scope::Address, address))
}

/// A client-chosen value as evidence shows it: quoted, at most 64
/// characters.
pub(crate) fn shown(value: &str) -> String {
    let cut: String = value.chars().take(64).collect();
    format!("{cut:?}")
}

/// The /24 of an IPv4 address, the /64 of an IPv6 one.
pub(crate) fn prefix(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & 0xffff_ff00).into()),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

fn prefix_len(prefix: IpAddr) -> u8 {
    if prefix.is_ipv4() {
        24
    } else {
        64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_share_a_network_and_names_say_which() {
        let hasher = RandomState::new();
        let a = sources(&hasher, "203.0.113.7".parse().unwrap(), "fp-1");
        let b = sources(&hasher, "203.0.113.200".parse().unwrap(), "fp-1");
        assert_ne!(a[0].key, b[0].key);
        assert_eq!(a[1].key, b[1].key);
        assert_eq!(a[2].key, b[2].key);
        assert_eq!(a[1].name, "network 203.0.113.0/24");
        let v6 = sources(&hasher, "2001:db8:1:2:3:4:5:6".parse().unwrap(), "fp");
        assert_eq!(v6[1].name, "network 2001:db8:1:2::/64");
        assert_eq!(shown(&"x".repeat(100)).len(), 66);
    }

    #[test]
    fn an_autonomous_system_is_a_source_of_its_own_judged_across_addresses() {
        let hasher = RandomState::new();
        assert!(asn_source(&hasher, None).is_none());
        let a = asn_source(&hasher, Some(64_500)).unwrap();
        assert_eq!(a.name, "AS64500");
        assert_eq!(a.key, asn_source(&hasher, Some(64_500)).unwrap().key);
        assert_ne!(a.key, asn_source(&hasher, Some(64_501)).unwrap().key);
        assert!(!a.scope.is_judged(1) && a.scope.is_judged(2));
    }
}
