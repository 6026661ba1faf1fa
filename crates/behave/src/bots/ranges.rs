//! Published address ranges: who may claim to be a crawler.
//!
//! Search engines and AI crawlers publish the networks their crawlers use
//! (Google's `googlebot.json`, Bing's `bingbot.json`, OpenAI's
//! `gptbot.json`...). A range list is read from the operator's own copy of
//! such a file, either as published (JSON with `prefixes` of `ipv4Prefix` /
//! `ipv6Prefix`) or as plain text (one CIDR a line, `#` comments), and the
//! agents it vouches for are named in the configuration. Ranges are merged
//! into sorted intervals, so a lookup is a binary search.

use ipnet::IpNet;
use serde::Deserialize;
use std::net::IpAddr;

/// Largest range file read.
pub const MAX_RANGE_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Most ranges one file may hold.
pub const MAX_RANGES: usize = 100_000;

/// Why a range file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RangeError {
    #[error("larger than {MAX_RANGE_FILE_BYTES} bytes")]
    TooLarge,
    #[error("more than {MAX_RANGES} ranges")]
    TooMany,
    #[error("line {line}: expected a CIDR range such as 66.249.64.0/27, got {text:?}")]
    BadLine { line: usize, text: String },
    #[error("not a published range list: {0}")]
    BadJson(String),
}

#[derive(Deserialize)]
struct Published {
    prefixes: Vec<Prefix>,
}

#[derive(Deserialize)]
struct Prefix {
    #[serde(rename = "ipv4Prefix")]
    ipv4: Option<String>,
    #[serde(rename = "ipv6Prefix")]
    ipv6: Option<String>,
}

/// A set of networks, as sorted disjoint intervals of IPv6 (IPv4 mapped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressRanges {
    intervals: Vec<(u128, u128)>,
}

/// IPv4 as its IPv4-mapped IPv6 number, so both families share one order.
fn as_number(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl AddressRanges {
    /// Reads a published JSON list or a plain-text list of CIDR ranges.
    pub fn parse(text: &str) -> Result<AddressRanges, RangeError> {
        if text.len() > MAX_RANGE_FILE_BYTES {
            return Err(RangeError::TooLarge);
        }
        let networks = if text.trim_start().starts_with('{') {
            let published: Published =
                serde_json::from_str(text).map_err(|e| RangeError::BadJson(e.to_string()))?;
            if published.prefixes.len() > MAX_RANGES {
                return Err(RangeError::TooMany);
            }
            let mut networks = Vec::new();
            for (i, prefix) in published.prefixes.iter().enumerate() {
                for cidr in [&prefix.ipv4, &prefix.ipv6].into_iter().flatten() {
                    networks.push(network(cidr, i + 1)?);
                }
            }
            networks
        } else {
            let mut networks = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.split('#').next().unwrap_or("").trim();
                if line.is_empty() {
                    continue;
                }
                if networks.len() == MAX_RANGES {
                    return Err(RangeError::TooMany);
                }
                networks.push(network(line, i + 1)?);
            }
            networks
        };
        Ok(AddressRanges::of(&networks))
    }

    /// The set of these networks.
    pub fn of(networks: &[IpNet]) -> AddressRanges {
        let mut spans: Vec<(u128, u128)> = networks
            .iter()
            .map(|n| (as_number(n.network()), as_number(n.broadcast())))
            .collect();
        spans.sort_unstable();
        let mut intervals: Vec<(u128, u128)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match intervals.last_mut() {
                Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
                _ => intervals.push((start, end)),
            }
        }
        AddressRanges { intervals }
    }

    pub fn len(&self) -> usize {
        self.intervals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let n = as_number(ip);
        let after = self.intervals.partition_point(|(start, _)| *start <= n);
        after > 0 && self.intervals[after - 1].1 >= n
    }
}

fn network(text: &str, line: usize) -> Result<IpNet, RangeError> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| RangeError::BadLine {
            line,
            text: text.chars().take(64).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_json_and_plain_text_lists_are_read() {
        let json = r#"{"creationTime":"x","prefixes":[{"ipv4Prefix":"192.0.2.0/28"},{"ipv6Prefix":"2001:db8::/64"}]}"#;
        let ranges = AddressRanges::parse(json).unwrap();
        assert!(ranges.contains("192.0.2.15".parse().unwrap()));
        assert!(!ranges.contains("192.0.2.16".parse().unwrap()));
        assert!(ranges.contains("2001:db8::1".parse().unwrap()));
        assert!(ranges.contains("::ffff:192.0.2.1".parse().unwrap()));
        let text = "# crawlers\n198.51.100.0/24\n\n203.0.113.7 # one host\n198.51.100.128/25\n";
        let ranges = AddressRanges::parse(text).unwrap();
        assert_eq!(ranges.len(), 2, "the /25 is inside the /24");
        assert!(ranges.contains("203.0.113.7".parse().unwrap()));
        assert!(!ranges.contains("203.0.113.8".parse().unwrap()));
    }

    #[test]
    fn hostile_lists_are_refused() {
        assert!(matches!(
            AddressRanges::parse("10.0.0.0/8\nnot a range"),
            Err(RangeError::BadLine { line: 2, .. })
        ));
        assert!(matches!(
            AddressRanges::parse("{\"prefixes\": 3}"),
            Err(RangeError::BadJson(_))
        ));
        let huge = "10.0.0.1\n".repeat(MAX_RANGES + 1);
        assert_eq!(AddressRanges::parse(&huge), Err(RangeError::TooMany));
        assert_eq!(
            AddressRanges::parse(&" ".repeat(MAX_RANGE_FILE_BYTES + 1)),
            Err(RangeError::TooLarge)
        );
    }
}
