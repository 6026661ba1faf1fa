//! The lookups against a table-driven DNS server on loopback, on a driven
//! clock: how long an answer is kept, when a failed lookup is tried
//! again, and the bound on lookups in flight.

use super::*;
use rampart_core::ManualClock;
use rampart_testkit::dns::TestDns;
use std::net::{SocketAddr, UdpSocket};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn lookups(
    resolver: SocketAddr,
    (timeout, max_in_flight): (Duration, usize),
    clock: &Arc<ManualClock>,
) -> ReverseDnsLookups {
    let settings = DnsSettings {
        resolver: Some(resolver),
        timeout,
        max_in_flight,
        ..DnsSettings::default()
    };
    let clock: Arc<dyn Clock> = clock.clone();
    ReverseDnsLookups::new(&settings, vec!["googlebot.com".into()], &clock).unwrap()
}

/// A loopback port nothing listens on: queries to it time out.
fn silent_resolver() -> SocketAddr {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    silent.local_addr().unwrap()
}

/// Asks for `address` every 10 ms, for at most 5 s, until it is known.
fn known(lookups: &ReverseDnsLookups, address: IpAddr) -> Arc<ReverseDns> {
    for _ in 0..500 {
        if let Some(found) = lookups.reverse_dns(address) {
            return found;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{address} was not looked up within 5 s");
}

#[test]
fn an_answer_is_kept_for_its_records_ttl_then_looked_up_again() {
    let dns = TestDns::start(|table| {
        table
            .ptr(ip("66.249.66.1"), "crawl-66-249-66-1.googlebot.com")
            .address("crawl-66-249-66-1.googlebot.com", ip("66.249.66.1"));
    });
    let clock = Arc::new(ManualClock::at(1_000_000));
    let lookups = lookups(dns.addr(), (Duration::from_secs(2), 8), &clock);
    let address = ip("66.249.66.1");
    assert!(known(&lookups, address).confirmed());
    assert_eq!(dns.queries(), 2);
    // The test server's records say 300 s, less than positive_ttl (24 h).
    clock.advance(Duration::from_secs(299));
    assert!(lookups.reverse_dns(address).is_some());
    assert_eq!(dns.queries(), 2, "still kept");
    clock.advance(Duration::from_secs(2));
    assert!(
        lookups.reverse_dns(address).is_none(),
        "expired: asked again"
    );
    assert!(known(&lookups, address).confirmed());
    assert_eq!(dns.queries(), 4);
}

#[test]
fn a_failed_lookup_is_tried_again_only_after_a_delay() {
    let clock = Arc::new(ManualClock::at(0));
    let lookups = lookups(silent_resolver(), (Duration::from_millis(100), 8), &clock);
    let address = ip("66.249.66.1");
    let running = || lookups.shared.in_flight.load(Ordering::Acquire);
    assert!(lookups.reverse_dns(address).is_none());
    assert_eq!(running(), 1);
    for _ in 0..500 {
        if running() == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(running(), 0, "the lookup timed out within 5 s");
    assert!(
        lookups.reverse_dns(address).is_none(),
        "not held against it"
    );
    assert_eq!(running(), 0, "not asked again at once");
    clock.advance(RETRY_AFTER);
    assert!(lookups.reverse_dns(address).is_none());
    assert_eq!(running(), 1, "asked again after the delay");
}

#[test]
fn past_max_in_flight_no_lookup_is_started() {
    // The first lookup runs until its timeout.
    let clock = Arc::new(ManualClock::at(0));
    let lookups = lookups(silent_resolver(), (Duration::from_secs(2), 1), &clock);
    assert!(lookups.reverse_dns(ip("192.0.2.1")).is_none());
    assert!(lookups.reverse_dns(ip("192.0.2.2")).is_none());
    assert!(lookups.reverse_dns(ip("192.0.2.1")).is_none());
    assert_eq!(
        lookups.entries(),
        1,
        "the second address was skipped, not queued"
    );
}
