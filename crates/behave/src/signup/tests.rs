//! Scenarios on a driven clock: bulk sign-ups that must be reported, and
//! the ordinary sign-ups of a shared address that must not be.

use super::*;
use rampart_core::ManualClock;
use std::net::Ipv4Addr;
use std::sync::Arc;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: SignupDetector,
}

fn v4(third: u8, last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(198, 51, third, last))
}

impl Scenario {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = SignupDetector::new(SignupConfig::default(), clock.clone());
        Scenario { clock, detector }
    }

    /// A sign-up a minute later than the last; the signals it raised.
    fn sign_up(&mut self, address: IpAddr, fingerprint: &str, account: &str) -> Vec<&'static str> {
        self.clock.advance(Duration::from_secs(60));
        let request = SignUp {
            address,
            fingerprint,
            account: Some(account),
        };
        let signals = self.detector.judge(&request);
        signals.iter().map(|s| s.source).collect()
    }
}

#[test]
fn a_burst_from_one_address_is_reported_at_the_threshold() {
    let mut s = Scenario::new();
    for i in 0..9 {
        let signals = s.sign_up(v4(100, 7), "fp-bot", &format!("name{i}x@mail.test"));
        assert!(signals.is_empty(), "sign-up {i}: {signals:?}");
    }
    let signals = s.sign_up(v4(100, 7), "fp-bot", "last@mail.test");
    assert_eq!(signals, [BURST]);
}

#[test]
fn a_burst_rotating_addresses_is_seen_by_its_network_or_fingerprint() {
    let mut s = Scenario::new();
    let mut last = Vec::new();
    for i in 0..10u8 {
        let address = v4(100, 10 + i);
        last = s.sign_up(
            address,
            "fp-bot",
            &format!(
                "{}@mail.test",
                ["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ida", "jo"]
                    [usize::from(i)]
            ),
        );
    }
    assert_eq!(last, [BURST], "ten sign-ups from one /24");
    let mut s = Scenario::new();
    for i in 0..10u8 {
        last = s.sign_up(v4(i, 1), "fp-bot", &format!("someone{i}@m{i}.test"));
    }
    assert!(
        last.contains(&BURST),
        "one fingerprint across ten networks: {last:?}"
    );
}

#[test]
fn lookalike_accounts_from_many_addresses_are_reported() {
    let mut s = Scenario::new();
    let mut last = Vec::new();
    for i in 0..8u8 {
        last = s.sign_up(
            v4(i, 9),
            &format!("fp-{i}"),
            &format!("promo.user{i}{i}@mail.test"),
        );
    }
    assert_eq!(last, [LOOKALIKE]);
    let signal = s
        .detector
        .judge(&SignUp {
            address: v4(50, 1),
            fingerprint: "fp-x",
            account: Some("promouser99+spring@mail.test"),
        })
        .remove(0);
    assert!(
        signal.evidence.contains("\"promouser#@mail.test\""),
        "{}",
        signal.evidence
    );
    assert!(
        signal.score < 5.0,
        "weaker alone than the default block score"
    );
}

#[test]
fn ordinary_sign_ups_and_the_window_do_not_add_up() {
    let mut s = Scenario::new();
    let names = [
        "ann", "bob", "carla", "dmitri", "eve", "farid", "gwen", "hiro",
    ];
    for (i, name) in names.iter().enumerate() {
        let signals = s.sign_up(v4(100, 7), &format!("fp-{i}"), &format!("{name}@mail.test"));
        assert!(signals.is_empty(), "{name}: {signals:?}");
    }
    s.clock.advance(Duration::from_secs(3600));
    for i in 0..9 {
        let signals = s.sign_up(v4(100, 7), "fp", &format!("n{i}@mail.test"));
        assert!(
            signals.is_empty(),
            "the earlier hour has slid out: {signals:?}"
        );
    }
    let stats = s.detector.stats();
    assert!(stats.sources >= 3 && stats.subjects >= 1, "{stats:?}");
}

#[test]
fn bounds_hold_under_a_flood_of_new_sources() {
    let clock = Arc::new(ManualClock::at(1_000));
    let config = SignupConfig {
        bounds: crate::tally::TallyBounds {
            max_sources: 64,
            max_subjects: 32,
            max_entries_per_key: 4,
        },
        ..SignupConfig::default()
    };
    let mut detector = SignupDetector::new(config, clock.clone());
    for i in 0..1000u32 {
        let address = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i * 256));
        detector.judge(&SignUp {
            address,
            fingerprint: &format!("fp{i}"),
            account: Some(&format!("user{i}@x{i}.test")),
        });
    }
    let stats = detector.stats();
    assert!(stats.sources <= 64 && stats.subjects <= 32, "{stats:?}");
    assert!(stats.sources_removed.evicted > 0 && stats.subjects_removed.evicted > 0);
}
