//! Sets of IP addresses and networks (IPv4 and IPv6), checked in O(log n).
//!
//! Used for allow/deny lists and trusted proxies. Networks are stored as
//! merged, sorted address ranges so that a list of thousands of CIDRs costs
//! one binary search per lookup.

use std::net::IpAddr;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl IpSet {
    /// Parses entries such as `"10.0.0.0/8"`, `"192.0.2.7"` or `"2001:db8::/32"`.
    /// Returns the index and text of the first entry that is neither.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<IpSet, (usize, String)> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let entry = entry.as_ref().trim();
            let net: ipnet::IpNet = match entry.parse::<ipnet::IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match entry.parse::<IpAddr>() {
                    Ok(addr) => ipnet::IpNet::from(addr),
                    Err(_) => return Err((index, entry.to_string())),
                },
            };
            match net {
                ipnet::IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                ipnet::IpNet::V6(n) => {
                    v6.push((u128::from(n.network()), u128::from(n.broadcast())))
                }
            }
        }
        Ok(IpSet {
            v4: merge(v4),
            v6: merge(v6),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => in_ranges(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(mapped) => in_ranges(&self.v4, u32::from(mapped)),
                None => in_ranges(&self.v6, u128::from(a)),
            },
        }
    }
}

fn merge<T: Ord + Copy + num_like::Successor>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.successor_or_max() => {
                if end > last.1 {
                    last.1 = end;
                }
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn in_ranges<T: Ord + Copy>(ranges: &[(T, T)], value: T) -> bool {
    let idx = ranges.partition_point(|&(start, _)| start <= value);
    idx > 0 && value <= ranges[idx - 1].1
}

mod num_like {
    /// The next integer, saturating: adjacent ranges merge too.
    pub trait Successor {
        fn successor_or_max(self) -> Self;
    }
    impl Successor for u32 {
        fn successor_or_max(self) -> Self {
            self.saturating_add(1)
        }
    }
    impl Successor for u128 {
        fn successor_or_max(self) -> Self {
            self.saturating_add(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn matches_networks_and_single_addresses_of_both_families() {
        let set = IpSet::parse(&["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]).unwrap();
        assert!(set.contains(ip("10.200.1.1")));
        assert!(set.contains(ip("192.0.2.7")));
        assert!(!set.contains(ip("192.0.2.8")));
        assert!(!set.contains(ip("11.0.0.0")));
        assert!(set.contains(ip("2001:db8:ffff::1")));
        assert!(!set.contains(ip("2001:db9::1")));
        assert!(
            set.contains(ip("::ffff:10.1.2.3")),
            "IPv4-mapped IPv6 matches the IPv4 entry"
        );
    }

    #[test]
    fn overlapping_and_adjacent_ranges_merge() {
        let set = IpSet::parse(&["10.0.0.0/25", "10.0.0.128/25", "10.0.0.5", "0.0.0.0/0"]).unwrap();
        assert_eq!(set.v4.len(), 1);
        assert!(set.contains(ip("255.255.255.255")));
    }

    #[test]
    fn reports_the_bad_entry() {
        assert_eq!(
            IpSet::parse(&["10.0.0.0/8", "10.0.0.0/33"]),
            Err((1, "10.0.0.0/33".to_string()))
        );
        assert!(IpSet::parse::<&str>(&[]).unwrap().is_empty());
    }
}
