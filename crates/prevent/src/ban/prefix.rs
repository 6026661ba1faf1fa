//! Addresses and networks banned, looked up by the client address.
//!
//! One hash map per prefix length in use, most specific first: a lookup masks
//! the address once per length present (a single exact-address map when only
//! addresses are banned) instead of walking a trie node per bit. The maps
//! are copy-on-write ([`CowMap`]): the gateway's snapshot of the table costs
//! nothing to take and a ban copies little.

use super::shards::CowMap;
use ipnet::IpNet;
use std::hash::Hash;
use std::net::IpAddr;

/// Networks of one address family, keyed by their masked bits.
#[derive(Debug, Clone)]
pub(crate) struct PrefixTable<Bits, V> {
    /// `(prefix length, networks)`, longest prefix first.
    by_length: Vec<(u8, CowMap<Bits, V>)>,
}

impl<Bits: Copy + Eq + Hash + Masked, V: Clone> PrefixTable<Bits, V> {
    pub(crate) fn new() -> Self {
        PrefixTable {
            by_length: Vec::new(),
        }
    }

    fn map_for(&mut self, prefix: u8) -> &mut CowMap<Bits, V> {
        let position = match self.by_length.iter().position(|(len, _)| *len <= prefix) {
            Some(i) if self.by_length[i].0 == prefix => i,
            Some(i) => {
                self.by_length.insert(i, (prefix, CowMap::new()));
                i
            }
            None => {
                self.by_length.push((prefix, CowMap::new()));
                self.by_length.len() - 1
            }
        };
        &mut self.by_length[position].1
    }

    /// The most specific entry covering `bits` that satisfies `wanted`.
    fn find_covering(&self, bits: Bits, wanted: impl Fn(&V) -> bool) -> Option<&V> {
        self.by_length
            .iter()
            .filter_map(|(len, map)| map.get(&bits.masked(*len)))
            .find(|v| wanted(v))
    }

    pub(crate) fn get_mut(&mut self, bits: Bits, prefix: u8) -> Option<&mut V> {
        let (_, map) = self.by_length.iter_mut().find(|(len, _)| *len == prefix)?;
        map.get_mut(&bits)
    }

    pub(crate) fn remove(&mut self, bits: Bits, prefix: u8) -> Option<V> {
        let (_, map) = self.by_length.iter_mut().find(|(len, _)| *len == prefix)?;
        map.remove(&bits)
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        for (_, map) in &mut self.by_length {
            map.retain(&mut keep);
        }
        self.by_length.retain(|(_, map)| !map.is_empty());
    }

    pub(crate) fn len(&self) -> usize {
        self.by_length.iter().map(|(_, map)| map.len()).sum()
    }

    /// Every entry with its network bits and prefix length.
    fn entries(&self) -> impl Iterator<Item = (Bits, u8, &V)> {
        self.by_length
            .iter()
            .flat_map(|(len, map)| map.iter().map(move |(bits, v)| (*bits, *len, v)))
    }
}

/// Integer address bits that can be masked to a prefix.
pub(crate) trait Masked {
    fn masked(self, prefix: u8) -> Self;
}

impl Masked for u32 {
    fn masked(self, prefix: u8) -> u32 {
        let shift = 32u32.saturating_sub(u32::from(prefix));
        self.checked_shr(shift)
            .unwrap_or(0)
            .checked_shl(shift)
            .unwrap_or(0)
    }
}

impl Masked for u128 {
    fn masked(self, prefix: u8) -> u128 {
        let shift = 128u32.saturating_sub(u32::from(prefix));
        self.checked_shr(shift)
            .unwrap_or(0)
            .checked_shl(shift)
            .unwrap_or(0)
    }
}

/// Both families.
#[derive(Debug, Clone)]
pub(crate) struct NetworkTable<V> {
    v4: PrefixTable<u32, V>,
    v6: PrefixTable<u128, V>,
}

impl<V: Clone> NetworkTable<V> {
    pub(crate) fn new() -> Self {
        NetworkTable {
            v4: PrefixTable::new(),
            v6: PrefixTable::new(),
        }
    }

    pub(crate) fn insert(&mut self, net: IpNet, value: V) {
        let prefix = net.prefix_len();
        match net.trunc() {
            IpNet::V4(v4) => {
                let bits = u32::from(v4.network());
                self.v4.map_for(prefix).insert(bits, value);
            }
            IpNet::V6(v6) => {
                let bits = u128::from(v6.network());
                self.v6.map_for(prefix).insert(bits, value);
            }
        }
    }

    pub(crate) fn get_mut(&mut self, net: IpNet) -> Option<&mut V> {
        let prefix = net.prefix_len();
        match net.trunc() {
            IpNet::V4(v4) => self.v4.get_mut(u32::from(v4.network()), prefix),
            IpNet::V6(v6) => self.v6.get_mut(u128::from(v6.network()), prefix),
        }
    }

    pub(crate) fn remove(&mut self, net: IpNet) -> Option<V> {
        let prefix = net.prefix_len();
        match net.trunc() {
            IpNet::V4(v4) => self.v4.remove(u32::from(v4.network()), prefix),
            IpNet::V6(v6) => self.v6.remove(u128::from(v6.network()), prefix),
        }
    }

    /// The most specific entry whose network holds `ip` and that satisfies
    /// `wanted`. An IPv4-mapped IPv6 address is looked up as the IPv4 address
    /// it carries.
    pub(crate) fn find_covering(&self, ip: IpAddr, wanted: impl Fn(&V) -> bool) -> Option<&V> {
        match ip {
            IpAddr::V4(v4) => self.v4.find_covering(u32::from(v4), wanted),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.v4.find_covering(u32::from(v4), wanted),
                None => self.v6.find_covering(u128::from(v6), wanted),
            },
        }
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.v4.retain(&mut keep);
        self.v6.retain(&mut keep);
    }

    pub(crate) fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Every network with its entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (IpNet, &V)> {
        let v4 = self.v4.entries().filter_map(|(bits, len, v)| {
            let net = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(bits), len).ok()?;
            Some((IpNet::V4(net), v))
        });
        let v6 = self.v6.entries().filter_map(|(bits, len, v)| {
            let net = ipnet::Ipv6Net::new(std::net::Ipv6Addr::from(bits), len).ok()?;
            Some((IpNet::V6(net), v))
        });
        v4.chain(v6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn finds_every_covering_network_most_specific_first() {
        let mut table = NetworkTable::new();
        table.insert(net("10.0.0.0/8"), "wide");
        table.insert(net("10.1.2.3/32"), "host");
        table.insert(net("10.1.0.0/16"), "mid");
        let first = |addr, wanted: &[&str]| {
            table
                .find_covering(ip(addr), |v| wanted.contains(v))
                .copied()
        };
        let all = ["host", "mid", "wide"];
        assert_eq!(first("10.1.2.3", &all), Some("host"));
        assert_eq!(first("10.1.2.3", &["mid", "wide"]), Some("mid"));
        assert_eq!(first("10.1.2.3", &["wide"]), Some("wide"));
        assert_eq!(first("10.9.9.9", &all), Some("wide"));
        assert_eq!(first("11.0.0.1", &all), None);
    }

    #[test]
    fn networks_are_stored_by_their_network_address() {
        let mut table = NetworkTable::new();
        table.insert(net("192.0.2.77/24"), 1);
        assert_eq!(table.find_covering(ip("192.0.2.1"), |_| true), Some(&1));
        assert!(table.get_mut(net("192.0.2.0/24")).is_some());
        assert_eq!(table.remove(net("192.0.2.5/24")), Some(1));
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn ipv6_and_mapped_ipv4_are_covered() {
        let mut table = NetworkTable::new();
        table.insert(net("2001:db8::/32"), "v6");
        table.insert(net("198.51.100.0/24"), "v4");
        let any = |addr| table.find_covering(ip(addr), |_| true).copied();
        assert_eq!(any("2001:db8:1::1"), Some("v6"));
        assert_eq!(any("2001:db9::1"), None);
        assert_eq!(any("::ffff:198.51.100.7"), Some("v4"));
    }

    #[test]
    fn zero_length_prefixes_cover_everything() {
        let mut table = NetworkTable::new();
        table.insert(net("0.0.0.0/0"), ());
        assert!(table.find_covering(ip("203.0.113.9"), |_| true).is_some());
        table.retain(|_| false);
        assert_eq!(table.len(), 0);
    }
}
