//! Forward-confirmed reverse DNS: the way Google, Bing, Apple and OpenAI
//! tell site owners to check that a client claiming to be their crawler is
//! one.
//!
//! The PTR record of the client address names a host; the host must be in
//! one of the agent's domains (`crawl-66-249-66-1.googlebot.com` is in
//! `googlebot.com`, `evilgooglebot.com` is not), and the host's A or AAAA
//! records must contain the client address again (anyone can make their
//! own address's PTR say `googlebot.com`; only Google can make
//! `googlebot.com` names resolve).
//!
//! This module holds what is pure: the domain match, what a lookup found
//! ([`ReverseDns`]) and how a claim is judged from it, and the bounded
//! cache of lookups by address ([`ReverseDnsCache`]). The lookups
//! themselves are network I/O, done by the gateway in the background
//! (its `reverse_dns` module) behind [`ReverseDnsSource`], because a
//! request is never made to wait for them.

use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Most PTR names of one address that are kept and forward-checked.
pub const MAX_PTR_NAMES: usize = 4;

/// Whether `host` is `domain` or a name under it, compared by whole labels
/// and case-insensitively, a final dot on either ignored.
pub fn in_domain(host: &str, domain: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() || host.len() < domain.len() {
        return false;
    }
    let (host, domain) = (host.as_bytes(), domain.as_bytes());
    let cut = host.len() - domain.len();
    host[cut..].eq_ignore_ascii_case(domain) && (cut == 0 || host[cut - 1] == b'.')
}

/// One name the PTR records of an address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtrName {
    /// As the record gave it, without its final dot.
    pub name: String,
    /// Its A (for an IPv4 client) or AAAA records contain the client
    /// address. Only names in a configured domain are looked up; others
    /// are `false`.
    pub confirmed: bool,
}

/// What the lookups of one address found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReverseDns {
    /// The address has no PTR record (or none with a name).
    NoPtr,
    /// Its PTR names, at most [`MAX_PTR_NAMES`].
    Names(Vec<PtrName>),
}

impl ReverseDns {
    /// Whether this address may claim to be an agent of `domains`: `Ok`
    /// with the confirmed host name, or `Err` with why not, as evidence.
    pub fn check(&self, address: IpAddr, domains: &[String]) -> Result<&str, String> {
        let names = match self {
            ReverseDns::NoPtr => return Err(format!("{address} has no PTR record")),
            ReverseDns::Names(names) => names,
        };
        let in_domains: Vec<&PtrName> = names
            .iter()
            .filter(|n| domains.iter().any(|d| in_domain(&n.name, d)))
            .collect();
        if let Some(confirmed) = in_domains.iter().find(|n| n.confirmed) {
            return Ok(&confirmed.name);
        }
        let listed = |names: &[&PtrName]| {
            names
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if in_domains.is_empty() {
            let all: Vec<&PtrName> = names.iter().collect();
            return Err(format!(
                "the PTR of {address} is {}, not in {}",
                listed(&all),
                domains.join(", ")
            ));
        }
        Err(format!(
            "the PTR of {address} is {}, whose forward lookup does not contain {address}",
            listed(&in_domains)
        ))
    }

    /// Whether some name was forward-confirmed (for the lookup's metric).
    pub fn confirmed(&self) -> bool {
        matches!(self, ReverseDns::Names(names) if names.iter().any(|n| n.confirmed))
    }
}

/// Where the detector reads the reverse DNS of an address. Asking never
/// waits: `None` means not known yet (a lookup was started, is running,
/// or could not be started); later asks get the answer.
pub trait ReverseDnsSource: Send + Sync {
    fn reverse_dns(&self, address: IpAddr) -> Option<Arc<ReverseDns>>;
}

/// What the cache holds for an address.
#[derive(Debug)]
enum Entry {
    /// No answer yet: a lookup started (or failed) at `since`, and none is
    /// started again before `until`.
    Waiting { since: u64, until: u64 },
    /// What a lookup found, good until `until`.
    Known {
        found: Arc<ReverseDns>,
        stored: u64,
        until: u64,
    },
}

impl Stamped for Entry {
    fn last_seen(&self) -> u64 {
        match self {
            Entry::Waiting { since, .. } => *since,
            Entry::Known { stored, .. } => *stored,
        }
    }
}

/// What the cache says of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cached {
    Known(Arc<ReverseDns>),
    /// A lookup of it is running, or failed a moment ago.
    Waiting,
    /// Nothing, or what was known expired: a lookup may be started.
    Unknown,
}

/// Lookups by address: at most `max_entries`, each kept no longer than
/// the longest TTL it may be given (the mark of a running lookup as long,
/// so that a lookup whose task was lost is started again).
#[derive(Debug)]
pub struct ReverseDnsCache {
    entries: BoundedMap<IpAddr, Entry>,
    removals: Removals,
}

impl ReverseDnsCache {
    pub fn new(max_entries: usize, longest_ttl: Duration) -> Self {
        ReverseDnsCache {
            entries: BoundedMap::new(max_entries, millis(longest_ttl)),
            removals: Removals::default(),
        }
    }

    pub fn get(&self, address: IpAddr, now: u64) -> Cached {
        match self.entries.get(&address, now) {
            Some(Entry::Known { found, until, .. }) if *until > now => {
                Cached::Known(Arc::clone(found))
            }
            Some(Entry::Waiting { until, .. }) if *until > now => Cached::Waiting,
            _ => Cached::Unknown,
        }
    }

    /// Marks a lookup of `address` as started.
    pub fn start(&mut self, address: IpAddr, now: u64) {
        *self.slot(address, now) = Entry::Waiting {
            since: now,
            until: u64::MAX,
        };
    }

    /// Keeps what a lookup found for `ttl`.
    pub fn store(&mut self, address: IpAddr, found: ReverseDns, ttl: Duration, now: u64) {
        let until = now.saturating_add(millis(ttl));
        *self.slot(address, now) = Entry::Known {
            found: Arc::new(found),
            stored: now,
            until,
        };
    }

    /// A lookup that failed (timeout, resolver error): nothing is held
    /// against the address, and a request of it after `delay` asks again.
    pub fn retry_after(&mut self, address: IpAddr, delay: Duration, now: u64) {
        *self.slot(address, now) = Entry::Waiting {
            since: now,
            until: now.saturating_add(millis(delay)),
        };
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Entries removed by the bound or after their time.
    pub fn removals(&self) -> Removals {
        self.removals
    }

    fn slot(&mut self, address: IpAddr, now: u64) -> &mut Entry {
        self.entries.get_or_insert_with(
            address,
            now,
            || Entry::Waiting {
                since: now,
                until: u64::MAX,
            },
            &mut self.removals,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_in_a_domain_only_on_a_label_boundary() {
        assert!(in_domain(
            "crawl-66-249-66-1.googlebot.com",
            "googlebot.com"
        ));
        assert!(in_domain(
            "crawl-66-249-66-1.googlebot.com.",
            "googlebot.com"
        ));
        assert!(in_domain("CRAWL.GoogleBot.COM", "googlebot.com."));
        assert!(in_domain("googlebot.com", "googlebot.com"));
        assert!(in_domain(
            "rate-limited-proxy-66-249-90-1.google.com",
            "google.com"
        ));
        assert!(!in_domain("evilgooglebot.com", "googlebot.com"));
        assert!(!in_domain(
            "crawl.googlebot.com.evil.example",
            "googlebot.com"
        ));
        assert!(!in_domain("googlebot.co", "googlebot.com"));
        assert!(!in_domain("com", "googlebot.com"));
        assert!(!in_domain("anything.example", ""));
        assert!(!in_domain("é.googlebot.com", "x.googlebot.com"));
    }

    pub(super) fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    pub(super) fn names(list: &[(&str, bool)]) -> ReverseDns {
        ReverseDns::Names(
            list.iter()
                .map(|(name, confirmed)| PtrName {
                    name: name.to_string(),
                    confirmed: *confirmed,
                })
                .collect(),
        )
    }

    #[test]
    fn a_claim_holds_only_for_a_confirmed_name_in_the_agents_domains() {
        let google = ["googlebot.com".to_string(), "google.com".to_string()];
        let address = ip("66.249.66.1");
        let found = names(&[("crawl-66-249-66-1.googlebot.com", true)]);
        assert_eq!(
            found.check(address, &google),
            Ok("crawl-66-249-66-1.googlebot.com")
        );
        assert!(found.confirmed());
        let bing = ["search.msn.com".to_string()];
        let why = found.check(address, &bing).unwrap_err();
        assert!(
            why.contains("is crawl-66-249-66-1.googlebot.com, not in search.msn.com"),
            "{why}"
        );

        let elsewhere = names(&[("crawl-66-249-66-1.googlebot.com", false)]);
        let why = elsewhere.check(address, &google).unwrap_err();
        assert!(
            why.contains("forward lookup does not contain 66.249.66.1"),
            "{why}"
        );
        assert!(!elsewhere.confirmed());

        let evil = names(&[("evilgooglebot.com", true)]);
        let why = evil.check(address, &google).unwrap_err();
        assert!(
            why.contains("evilgooglebot.com, not in googlebot.com, google.com"),
            "{why}"
        );

        let why = ReverseDns::NoPtr.check(address, &google).unwrap_err();
        assert_eq!(why, "66.249.66.1 has no PTR record");
    }

    #[test]
    fn the_cache_coalesces_expires_and_is_bounded() {
        let a = ip("192.0.2.1");
        let mut cache = ReverseDnsCache::new(8, Duration::from_secs(100));
        assert_eq!(cache.get(a, 0), Cached::Unknown);
        cache.start(a, 0);
        assert_eq!(cache.get(a, 10), Cached::Waiting);
        cache.store(a, ReverseDns::NoPtr, Duration::from_secs(5), 1_000);
        assert_eq!(
            cache.get(a, 5_999),
            Cached::Known(Arc::new(ReverseDns::NoPtr))
        );
        assert_eq!(cache.get(a, 6_000), Cached::Unknown, "past its TTL");
        cache.start(a, 7_000);
        cache.retry_after(a, Duration::from_secs(1), 7_500);
        assert_eq!(
            cache.get(a, 8_499),
            Cached::Waiting,
            "not asked again at once"
        );
        assert_eq!(
            cache.get(a, 8_500),
            Cached::Unknown,
            "a failed lookup is not kept"
        );
        cache.start(a, 8_000);
        assert_eq!(
            cache.get(a, 108_000),
            Cached::Unknown,
            "a lost lookup is started again"
        );

        for i in 0..100u8 {
            cache.store(
                ip(&format!("198.51.100.{i}")),
                ReverseDns::NoPtr,
                Duration::from_secs(50),
                200_000 + u64::from(i),
            );
        }
        assert!(cache.len() <= 8, "{}", cache.len());
        assert!(cache.removals().evicted > 0);
    }
}

#[cfg(test)]
mod claims {
    //! How the detector judges claims with what the source knows.

    use super::tests::{ip, names};
    use super::*;
    use crate::bots::{
        AddressRanges, BotsConfig, BotsDetector, Catalog, Verification, VerifiedRanges,
        CLAIM_UNVERIFIED,
    };
    use rampart_core::ManualClock;
    use std::collections::HashMap;
    use std::sync::Mutex;

    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    /// A source that knows what the test put in it and records what was asked.
    #[derive(Default)]
    struct Table {
        known: Mutex<HashMap<IpAddr, Arc<ReverseDns>>>,
        asked: Mutex<Vec<IpAddr>>,
    }

    impl Table {
        fn put(&self, address: IpAddr, found: ReverseDns) {
            self.known.lock().unwrap().insert(address, Arc::new(found));
        }
    }

    impl ReverseDnsSource for Table {
        fn reverse_dns(&self, address: IpAddr) -> Option<Arc<ReverseDns>> {
            self.asked.lock().unwrap().push(address);
            self.known.lock().unwrap().get(&address).cloned()
        }
    }

    fn detector(ranges: Option<&str>, source: Option<Arc<Table>>) -> BotsDetector {
        let config = BotsConfig {
            verify: vec![VerifiedRanges {
                agents: vec!["Googlebot".into()],
                ranges: ranges.map(|r| AddressRanges::parse(r).unwrap()),
                domains: vec!["googlebot.com".into(), "google.com".into()],
            }],
            ..BotsConfig::default()
        };
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let mut detector = BotsDetector::new(config, catalog, Arc::new(ManualClock::at(0)));
        detector.set_reverse_dns(source.map(|s| s as Arc<dyn ReverseDnsSource>));
        detector
    }

    fn judge(detector: &mut BotsDetector, address: IpAddr) -> (Verification, Vec<String>) {
        let judged = detector.judge(&crate::bots::Request {
            user_agent: Some(GOOGLEBOT),
            address,
            client: "c",
            path: "/",
            query: None,
            endpoint: None,
            function: None,
            headers: crate::bots::BrowserHeaders::default(),
            message: None,
        });
        let evidence = judged
            .signals
            .iter()
            .filter(|s| s.source == CLAIM_UNVERIFIED)
            .map(|s| s.evidence.clone())
            .collect();
        (judged.identity.unwrap().verification, evidence)
    }

    /// The evidence of the failed claim of `address`.
    fn failed(detector: &mut BotsDetector, address: IpAddr) -> String {
        let (verification, mut evidence) = judge(detector, address);
        assert_eq!(verification, Verification::Failed);
        assert_eq!(evidence.len(), 1, "{evidence:?}");
        evidence.remove(0)
    }

    #[test]
    fn a_claim_is_pending_until_its_lookup_is_known_then_verified_or_failed() {
        let table = Arc::new(Table::default());
        let mut detector = detector(None, Some(Arc::clone(&table)));
        let google = ip("66.249.66.1");
        assert_eq!(
            judge(&mut detector, google),
            (Verification::Pending, vec![])
        );
        assert_eq!(Verification::Pending.name(), "pending");
        table.put(google, names(&[("crawl-66-249-66-1.googlebot.com", true)]));
        assert_eq!(
            judge(&mut detector, google),
            (Verification::Verified, vec![])
        );

        let evil = ip("203.0.113.9");
        table.put(evil, names(&[("evilgooglebot.com", true)]));
        assert_eq!(
            failed(&mut detector, evil),
            "claims to be Googlebot but the PTR of 203.0.113.9 is evilgooglebot.com, not in googlebot.com, google.com"
        );
    }

    #[test]
    fn an_address_list_that_vouches_wins_without_a_lookup() {
        let table = Arc::new(Table::default());
        let mut detector = detector(Some("66.249.64.0/27"), Some(Arc::clone(&table)));
        assert_eq!(
            judge(&mut detector, ip("66.249.64.3")).0,
            Verification::Verified
        );
        assert!(table.asked.lock().unwrap().is_empty());
        let outside = ip("192.0.2.7");
        table.put(outside, ReverseDns::NoPtr);
        assert_eq!(
            failed(&mut detector, outside),
            "claims to be Googlebot but 192.0.2.7 is outside its published addresses, and 192.0.2.7 has no PTR record"
        );
    }

    #[test]
    fn without_a_resolver_domains_alone_verify_nothing() {
        let mut domains_only = detector(None, None);
        assert_eq!(
            judge(&mut domains_only, ip("66.249.66.1")),
            (Verification::Unverifiable, vec![])
        );
        let mut with_ranges = detector(Some("66.249.64.0/27"), None);
        assert_eq!(
            judge(&mut with_ranges, ip("192.0.2.7")).0,
            Verification::Failed
        );
    }
}
