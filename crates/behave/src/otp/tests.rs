//! Scenarios on a driven clock: SMS bombing and pumping that must be
//! reported, and a person asking for a code again that must not be.

use super::*;
use rampart_core::ManualClock;
use std::net::Ipv4Addr;
use std::sync::Arc;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: OtpDetector,
}

fn v4(third: u8, last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(203, 0, third, last))
}

impl Scenario {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = OtpDetector::new(OtpConfig::default(), clock.clone());
        Scenario { clock, detector }
    }

    /// A code request ten seconds after the last; the signals it raised.
    fn ask(&mut self, address: IpAddr, fingerprint: &str, to: &str) -> Vec<Signal> {
        self.clock.advance(Duration::from_secs(10));
        self.detector.judge(&CodeRequest {
            address,
            fingerprint,
            recipient: Some(to),
        })
    }
}

fn sources(signals: &[Signal]) -> Vec<&'static str> {
    signals.iter().map(|s| s.source).collect()
}

#[test]
fn one_number_flooded_from_many_addresses_is_a_victim() {
    let mut s = Scenario::new();
    let spellings = [
        "+33 6 12 34 56 78",
        "0033612345678",
        "+33612345678",
        "+33-6-12-34-56-78",
    ];
    for (i, to) in spellings.iter().enumerate() {
        let signals = s.ask(v4(i as u8, 1), &format!("fp{i}"), to);
        assert!(signals.is_empty(), "send {i}: {:?}", sources(&signals));
    }
    let signals = s.ask(v4(9, 1), "fp9", "+33 612 345 678");
    assert_eq!(sources(&signals), [VICTIM]);
    assert!(
        signals[0].evidence.contains("\"+336******78\""),
        "{}",
        signals[0].evidence
    );
    assert!(
        signals[0].evidence.contains("from 5 addresses"),
        "{}",
        signals[0].evidence
    );
}

#[test]
fn many_numbers_from_one_source_is_pumping() {
    let mut s = Scenario::new();
    let mut last = Vec::new();
    for i in 0..10 {
        last = s.ask(v4(1, 1), "fp-pump", &format!("+8823900{i:04}"));
    }
    assert_eq!(sources(&last), [PUMPING]);
    assert!(
        last[0].evidence.contains("address 203.0.1.1"),
        "{}",
        last[0].evidence
    );
}

#[test]
fn asking_again_and_a_shared_office_are_not_floods() {
    let mut s = Scenario::new();
    for _ in 0..4 {
        assert!(s.ask(v4(1, 1), "fp", "ann@mail.test").is_empty());
    }
    for i in 0..9 {
        let signals = s.ask(v4(2, 2), &format!("fp{i}"), &format!("+4479460{i:05}"));
        assert!(signals.is_empty(), "{:?}", sources(&signals));
    }
    s.clock.advance(Duration::from_secs(900));
    assert!(
        s.ask(v4(1, 1), "fp", "ann@mail.test").is_empty(),
        "the window slid"
    );
}

#[test]
fn recipients_are_normalised_and_requests_without_one_count_by_source() {
    assert_eq!(
        recipient(" Ann@Mail.Test ").as_deref(),
        Some("ann@mail.test")
    );
    assert_eq!(recipient("(555) 010-0199").as_deref(), Some("5550100199"));
    assert_eq!(recipient("0044 7946 0000").as_deref(), Some("+4479460000"));
    assert_eq!(recipient("none"), None);
    assert_eq!(masked("+4479460000"), "+447*****00");
    let mut s = Scenario::new();
    for _ in 0..20 {
        s.clock.advance(Duration::from_secs(1));
        let signals = s.detector.judge(&CodeRequest {
            address: v4(3, 3),
            fingerprint: "fp",
            recipient: None,
        });
        assert!(signals.is_empty(), "no recipient: nothing to flood");
    }
}
