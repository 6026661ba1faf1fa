//! `[bots.dns]` and `[[bots.verify]] domains`: the resolver that checks
//! crawler claims by forward-confirmed reverse DNS, and the domains each
//! agent's host names must be in. Kept apart from `bots.rs` because it is
//! its own concern (a nameserver, its time and cache bounds).

use super::units::ConfigDuration;
use super::Validator;
use serde::Deserialize;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// `[bots.dns]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBotsDns {
    pub resolver: Option<String>,
    pub timeout: Option<ConfigDuration>,
    pub positive_ttl: Option<ConfigDuration>,
    pub negative_ttl: Option<ConfigDuration>,
    pub max_entries: Option<usize>,
    pub max_in_flight: Option<usize>,
}

/// How claims are checked by reverse DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsSettings {
    /// The nameserver asked; `None` when none was given or found, and then
    /// no claim is checked by its domains.
    pub resolver: Option<SocketAddr>,
    /// How long one query (PTR, then A or AAAA) may take.
    pub timeout: Duration,
    /// The longest a verified lookup is kept (less when its records' TTL is lower).
    pub positive_ttl: Duration,
    /// How long a lookup that verifies nothing (no PTR, a name outside the
    /// domains, a forward lookup without the address) is kept.
    pub negative_ttl: Duration,
    /// Addresses whose lookups are kept.
    pub max_entries: usize,
    /// Lookups running at once; past it, none is started (and that is counted).
    pub max_in_flight: usize,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            resolver: None,
            timeout: Duration::from_secs(2),
            positive_ttl: Duration::from_secs(24 * 3600),
            negative_ttl: Duration::from_secs(3600),
            max_entries: 100_000,
            max_in_flight: 64,
        }
    }
}

/// Where the system's nameserver is read when `resolver` is not set.
const RESOLV_CONF: &str = "/etc/resolv.conf";
/// The part of it that is read.
const MAX_RESOLV_CONF_BYTES: u64 = 64 * 1024;
/// Most domains one `[[bots.verify]]` entry may list.
const MAX_DOMAINS: usize = 64;
/// The longest a query may be given.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);

/// The first `nameserver` of a resolv.conf that is an IP address.
fn first_nameserver(text: &str) -> Option<IpAddr> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next()?.parse().ok())
            .flatten()
    })
}

fn system_nameserver() -> Option<SocketAddr> {
    let mut text = String::new();
    std::fs::File::open(RESOLV_CONF)
        .and_then(|file| file.take(MAX_RESOLV_CONF_BYTES).read_to_string(&mut text))
        .ok()?;
    first_nameserver(&text).map(|ip| SocketAddr::new(ip, 53))
}

/// A domain as the match compares it (lowercase, no final dot), or why
/// it is not one.
fn domain(text: &str) -> Result<String, String> {
    let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.len() > 253 || !name.contains('.') || !name.split('.').all(label_ok) {
        return Err(format!(
            "expected a domain name such as \"googlebot.com\", got {text:?}"
        ));
    }
    Ok(name)
}

impl Validator<'_> {
    /// One `[[bots.verify]]` entry's `domains`, checked and normalised.
    pub(super) fn verify_domains(&mut self, key: &str, domains: Vec<String>) -> Vec<String> {
        if domains.len() > MAX_DOMAINS {
            self.problem(
                format!("{key}.domains"),
                format!("expected at most {MAX_DOMAINS} domains"),
            );
            return Vec::new();
        }
        let mut valid = Vec::with_capacity(domains.len());
        for (i, text) in domains.iter().enumerate() {
            match domain(text) {
                Ok(name) => valid.push(name),
                Err(message) => self.problem(format!("{key}.domains[{i}]"), message),
            }
        }
        valid
    }

    /// `[bots.dns]`; `uses_domains` when some `[[bots.verify]]` entry has
    /// domains (only then is a nameserver looked for).
    pub(super) fn bots_dns(&mut self, raw: Option<RawBotsDns>, uses_domains: bool) -> DnsSettings {
        if raw.is_some() && !uses_domains {
            self.warn(
                "bots.dns",
                "no [[bots.verify]] entry has domains: this resolver is never asked",
            );
        }
        let raw = raw.unwrap_or_default();
        let d = DnsSettings::default();
        let timeout = self.positive("bots.dns.timeout", raw.timeout.map_or(d.timeout, |t| t.0));
        if timeout > MAX_TIMEOUT {
            self.problem(
                "bots.dns.timeout",
                format!("expected at most {}s", MAX_TIMEOUT.as_secs()),
            );
        }
        let positive_ttl = self.positive(
            "bots.dns.positive_ttl",
            raw.positive_ttl.map_or(d.positive_ttl, |t| t.0),
        );
        let negative_ttl = self.positive(
            "bots.dns.negative_ttl",
            raw.negative_ttl.map_or(d.negative_ttl, |t| t.0),
        );
        let resolver = match &raw.resolver {
            Some(text) => self.socket_addr("bots.dns.resolver", text),
            None if uses_domains => {
                let found = system_nameserver();
                if found.is_none() {
                    self.warn(
                        "bots.dns.resolver",
                        format!("not set, and {RESOLV_CONF} names no nameserver: claims of agents with domains are not checked (unverifiable, or failed outside their ranges)"),
                    );
                }
                found
            }
            None => None,
        };
        DnsSettings {
            resolver,
            timeout,
            positive_ttl,
            negative_ttl,
            max_entries: self.count(
                "bots.dns.max_entries",
                raw.max_entries,
                d.max_entries,
                1,
                10_000_000,
            ),
            max_in_flight: self.count(
                "bots.dns.max_in_flight",
                raw.max_in_flight,
                d.max_in_flight,
                1,
                4096,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::MINIMAL;
    use crate::config::{ConfigError, GatewayConfig};

    fn parse(bots: &str) -> Result<GatewayConfig, ConfigError> {
        let text = format!("[pipeline]\nstages = [\"bots\"]\n{bots}\n{MINIMAL}");
        crate::config::tests::parse(&text)
    }

    fn problems(bots: &str) -> Vec<String> {
        let error = parse(bots).expect_err("refused").to_string();
        error.lines().map(str::to_owned).collect()
    }

    #[test]
    fn domains_and_the_resolver_are_read() {
        let config = parse(
            r#"
[[bots.verify]]
agents = ["Googlebot"]
domains = ["GoogleBot.com.", "google.com"]

[bots.dns]
resolver = "127.0.0.1:5353"
timeout = "500ms"
positive_ttl = "6h"
negative_ttl = "10m"
max_entries = 1000
max_in_flight = 8
"#,
        )
        .unwrap();
        let bots = &config.bots;
        assert_eq!(
            bots.detector.verify[0].domains,
            ["googlebot.com", "google.com"]
        );
        assert_eq!(bots.detector.verify[0].ranges, None);
        assert_eq!(
            bots.dns,
            DnsSettings {
                resolver: Some("127.0.0.1:5353".parse().unwrap()),
                timeout: Duration::from_millis(500),
                positive_ttl: Duration::from_secs(6 * 3600),
                negative_ttl: Duration::from_secs(600),
                max_entries: 1000,
                max_in_flight: 8,
            }
        );
        assert!(config.warnings.is_empty(), "{:?}", config.warning_lines());
    }

    #[test]
    fn bad_entries_and_resolver_settings_are_refused_by_key() {
        let found = problems(
            r#"
[[bots.verify]]
agents = ["Googlebot"]

[[bots.verify]]
agents = ["bingbot"]
domains = ["search.msn.com", "*.msn.com"]

[bots.dns]
resolver = "ns.example"
timeout = "1m"
negative_ttl = "0s"
max_in_flight = 0
"#,
        );
        let file = "/etc/rampart/rampart.toml";
        for expected in [
            format!("{file}: bots.verify[0]: expected ranges (a file of published addresses), domains (for reverse DNS) or both"),
            format!("{file}: bots.verify[1].domains[1]: expected a domain name such as \"googlebot.com\", got \"*.msn.com\""),
            format!("{file}: bots.dns.resolver: expected an IP address and port such as \"127.0.0.1:8080\" or \"[::1]:8080\", got \"ns.example\""),
            format!("{file}: bots.dns.timeout: expected at most 30s"),
            format!("{file}: bots.dns.negative_ttl: expected a duration greater than zero"),
            format!("{file}: bots.dns.max_in_flight: expected a number between 1 and 4096, got 0"),
        ] {
            assert!(found.contains(&expected), "{expected}\nnot in {found:#?}");
        }
    }

    #[test]
    fn a_resolver_no_entry_asks_is_warned_about() {
        let config = parse("[bots.dns]\nresolver = \"127.0.0.1:53\"\n").unwrap();
        assert_eq!(
            config.warning_lines(),
            ["/etc/rampart/rampart.toml: bots.dns: no [[bots.verify]] entry has domains: this resolver is never asked"]
        );
    }

    #[test]
    fn the_first_nameserver_that_is_an_address_is_taken() {
        let text = "# generated\nsearch example\nnameserver fe80::1%eth0\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n";
        assert_eq!(first_nameserver(text), Some("10.0.0.2".parse().unwrap()));
        assert_eq!(first_nameserver("options ndots:2\n"), None);
        assert_eq!(first_nameserver("nameserver\n"), None);
    }

    #[test]
    fn domains_are_normalised_or_refused() {
        assert_eq!(domain("GoogleBot.com."), Ok("googlebot.com".to_string()));
        assert_eq!(
            domain("applebot.apple.com"),
            Ok("applebot.apple.com".to_string())
        );
        for bad in [
            "com",
            "",
            ".",
            "googlebot..com",
            "-x.com",
            "x y.com",
            "*.google.com",
        ] {
            assert!(domain(bad).is_err(), "{bad:?}");
        }
    }
}
