//! The lookups against a table-driven DNS server on loopback, on a driven
//! clock: how long an answer is kept, and the bound on lookups in flight.

use super::*;
use rampart_core::ManualClock;
use rampart_testkit::dns::TestDns;
use std::net::UdpSocket;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn lookups(
    resolver: std::net::SocketAddr,
    max_in_flight: usize,
    clock: &Arc<ManualClock>,
) -> ReverseDnsLookups {
    let settings = DnsSettings {
        resolver: Some(resolver),
        timeout: Duration::from_secs(2),
        max_in_flight,
        ..DnsSettings::default()
    };
    let clock: Arc<dyn Clock> = clock.clone();
    ReverseDnsLookups::new(&settings, vec!["googlebot.com".into()], &clock).unwrap()
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
    let lookups = lookups(dns.addr(), 8, &clock);
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
fn past_max_in_flight_no_lookup_is_started() {
    // A port nothing listens on: the first lookup runs until its timeout.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let resolver = silent.local_addr().unwrap();
    drop(silent);
    let clock = Arc::new(ManualClock::at(0));
    let lookups = lookups(resolver, 1, &clock);
    assert!(lookups.reverse_dns(ip("192.0.2.1")).is_none());
    assert!(lookups.reverse_dns(ip("192.0.2.2")).is_none());
    assert!(lookups.reverse_dns(ip("192.0.2.1")).is_none());
    assert_eq!(
        lookups.entries(),
        1,
        "the second address was skipped, not queued"
    );
}
