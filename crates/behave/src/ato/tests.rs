//! Scenarios on a driven clock: attacks that must be reported, and the
//! look-alikes that must not be.

use super::*;
use rampart_core::ManualClock;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: AtoDetector,
}

fn v4(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(198, 51, 100, last))
}

impl Scenario {
    fn new(config: AtoConfig) -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = AtoDetector::new(config, clock.clone());
        Scenario { clock, detector }
    }

    /// Judges an attempt, then learns its answer a second later; returns
    /// the signals of the judgement.
    fn login(
        &mut self,
        address: IpAddr,
        fingerprint: &str,
        username: &str,
        outcome: Outcome,
    ) -> Vec<&'static str> {
        let attempt = Attempt {
            address,
            fingerprint,
            asn: None,
            username: Some(username),
        };
        let signals = self.detector.judge(&attempt);
        self.clock.advance(Duration::from_secs(1));
        self.detector.learn(&attempt, outcome);
        signals.iter().map(|s| s.source).collect()
    }

    fn judge(&mut self, address: IpAddr, fingerprint: &str, username: &str) -> Vec<AtoSignal> {
        self.detector.judge(&Attempt {
            address,
            fingerprint,
            asn: None,
            username: Some(username),
        })
    }
}

#[test]
fn brute_force_on_one_account_is_reported_at_the_threshold() {
    let mut s = Scenario::new(AtoConfig::default());
    for _ in 0..10 {
        assert!(s.login(v4(7), "fp-a", "alice", Outcome::Failure).is_empty());
    }
    let signals = s.judge(v4(7), "fp-a", "alice");
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].source, BRUTE_FORCE);
    assert_eq!(signals[0].score, 5.0);
    assert!(signals[0]
        .evidence
        .contains("address 198.51.100.7 failed 10 logins as \"alice\""));
    assert!(
        s.judge(v4(7), "fp-a", "bob").is_empty(),
        "another account from the same address is not brute-forced"
    );
    s.clock.advance(Duration::from_secs(900));
    assert!(
        s.judge(v4(7), "fp-a", "alice").is_empty(),
        "the failures left the window"
    );
}

#[test]
fn a_mistyped_password_then_success_and_a_retrying_password_manager_are_quiet() {
    let mut s = Scenario::new(AtoConfig::default());
    assert!(s.login(v4(1), "fp", "carol", Outcome::Failure).is_empty());
    assert!(s.login(v4(1), "fp", "carol", Outcome::Failure).is_empty());
    assert!(s.login(v4(1), "fp", "carol", Outcome::Success).is_empty());
    for _ in 0..2 {
        assert!(s.login(v4(2), "pm", "dave", Outcome::Failure).is_empty());
    }
    assert!(s.login(v4(2), "pm", "dave", Outcome::Success).is_empty());
    assert!(s.judge(v4(1), "fp", "carol").is_empty());
    assert!(s.judge(v4(2), "pm", "dave").is_empty());
}

#[test]
fn credential_stuffing_from_one_address_is_refusable_once_clear() {
    let mut s = Scenario::new(AtoConfig::default());
    let mut first = None;
    for n in 0..30 {
        let user = format!("victim{n}@mail.test");
        let outcome = if n == 17 {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        let signals = s.login(v4(9), "bot", &user, outcome);
        if signals.contains(&CREDENTIAL_STUFFING) && first.is_none() {
            first = Some(n);
        }
    }
    assert_eq!(first, Some(10), "judged after ten failing usernames");
    let signals = s.judge(v4(9), "bot", "next@mail.test");
    let stuffing = signals
        .iter()
        .find(|s| s.source == CREDENTIAL_STUFFING)
        .unwrap();
    assert_eq!(
        stuffing.score, 10.0,
        "grown to twice at twice the threshold"
    );
    assert!(stuffing
        .evidence
        .starts_with("address 198.51.100.9 failed logins for 29 distinct"));
    assert!(stuffing.confidence > 0.9);
}

#[test]
fn two_hundred_people_behind_one_nat_address_are_quiet() {
    let mut s = Scenario::new(AtoConfig::default());
    let nat = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));
    for n in 0..200 {
        let user = format!("employee{n}");
        let browser = format!("browser{}", n % 3);
        if n % 10 == 0 {
            assert!(s.login(nat, &browser, &user, Outcome::Failure).is_empty());
        }
        let signals = s.login(nat, &browser, &user, Outcome::Success);
        assert!(signals.is_empty(), "{n}: {signals:?}");
    }
    assert!(s.judge(nat, "browser0", "employee200").is_empty());
}

#[test]
fn stuffing_that_rotates_addresses_is_seen_by_prefix_and_by_fingerprint() {
    let mut s = Scenario::new(AtoConfig::default());
    for n in 0..12u8 {
        s.login(v4(n), "rotating-bot", &format!("u{n}"), Outcome::Failure);
    }
    let by_prefix = s.judge(v4(200), "other", "x");
    assert!(
        by_prefix[0].evidence.starts_with(
            "network 198.51.100.0/24 failed logins for 12 distinct usernames from 12 addresses"
        ),
        "{by_prefix:?}"
    );

    let mut s = Scenario::new(AtoConfig::default());
    for n in 0..12u16 {
        let address = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, n, 0, 0, 0, 0, 1));
        s.login(address, "rotating-bot", &format!("u{n}"), Outcome::Failure);
    }
    let fresh = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 99, 0, 0, 0, 0, 1));
    let signals = s.judge(fresh, "rotating-bot", "x");
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert!(signals[0].evidence.starts_with(
        "fingerprint rotating-bot failed logins for 12 distinct usernames from 12 addresses"
    ));
    assert!(s.judge(fresh, "someone-else", "x").is_empty());
}

#[test]
fn one_fingerprint_from_one_address_is_left_to_the_address() {
    let config = AtoConfig {
        stuffing_usernames: 3,
        ..AtoConfig::default()
    };
    let mut s = Scenario::new(config);
    for n in 0..3 {
        s.login(v4(5), "fp", &format!("u{n}"), Outcome::Failure);
    }
    let signals = s.judge(v4(5), "fp", "x");
    assert_eq!(signals.len(), 1, "one stuffing signal, not three");
    assert!(signals[0].evidence.starts_with("address 198.51.100.5"));
}

#[test]
fn a_distributed_attack_on_one_account_is_reported() {
    let mut s = Scenario::new(AtoConfig::default());
    for n in 0..10u8 {
        let address = IpAddr::V4(Ipv4Addr::new(10, n, 0, 1));
        let signals = s.login(
            address,
            &format!("fp{n}"),
            "ceo@corp.test",
            Outcome::Failure,
        );
        assert!(signals.is_empty(), "{n}");
    }
    let signals = s.judge(v4(1), "fp", "ceo@corp.test");
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].source, DISTRIBUTED);
    assert_eq!(signals[0].score, 3.0);
    assert!(signals[0]
        .evidence
        .contains("\"ceo@corp.test\" failed from 10 distinct addresses"));
    assert!(s.judge(v4(1), "fp", "someone@corp.test").is_empty());
}

#[test]
fn a_distributed_attack_never_scores_enough_to_lock_the_owner_out() {
    let mut s = Scenario::new(AtoConfig::default());
    for n in 0..40u8 {
        let address = IpAddr::V4(Ipv4Addr::new(10, n, 0, 1));
        s.login(
            address,
            &format!("fp{n}"),
            "ceo@corp.test",
            Outcome::Failure,
        );
    }
    let signals = s.judge(v4(1), "owner", "ceo@corp.test");
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].score, 3.0, "below the default block_score of 5");
    assert!(signals[0].confidence > 0.8, "{signals:?}");
    assert!(signals[0].evidence.contains("from 40 distinct addresses"));
}

#[test]
fn attempts_without_a_username_or_a_known_answer_are_not_learned() {
    let mut s = Scenario::new(AtoConfig {
        stuffing_usernames: 2,
        ..AtoConfig::default()
    });
    let anonymous = Attempt {
        address: v4(3),
        fingerprint: "fp",
        asn: None,
        username: None,
    };
    for _ in 0..5 {
        s.detector.learn(&anonymous, Outcome::Failure);
    }
    for n in 0..5 {
        s.login(v4(3), "fp", &format!("u{n}"), Outcome::Unknown);
    }
    assert_eq!(s.detector.stats().sources, 0);
    assert!(s.detector.judge(&anonymous).is_empty());
}

#[test]
fn attempts_per_source_and_account_are_capped_and_the_drops_counted() {
    let mut s = Scenario::new(AtoConfig {
        max_attempts_per_key: 3,
        ..AtoConfig::default()
    });
    for _ in 0..5 {
        s.login(v4(4), "fp", "same", Outcome::Failure);
    }
    let stats = s.detector.stats();
    assert_eq!((stats.sources, stats.accounts), (3, 1));
    assert_eq!(
        stats.attempts_dropped, 8,
        "address, prefix, fingerprint and account each kept 3 of 5"
    );
}

#[test]
fn sources_and_accounts_are_bounded_and_what_the_bounds_removed_is_counted() {
    let mut s = Scenario::new(AtoConfig {
        max_sources: 4,
        max_accounts: 4,
        ..AtoConfig::default()
    });
    for n in 0..6u8 {
        let address = IpAddr::V4(Ipv4Addr::new(10, n, 0, 1));
        s.login(
            address,
            &format!("fp{n}"),
            &format!("u{n}"),
            Outcome::Success,
        );
    }
    let stats = s.detector.stats();
    assert!(stats.sources <= 4 && stats.accounts <= 4, "{stats:?}");
    assert!(stats.sources_removed.evicted > 0, "{stats:?}");
    assert!(stats.accounts_removed.evicted > 0, "{stats:?}");
    assert_eq!(stats.sources_removed.expired, 0);
    s.clock.advance(Duration::from_secs(901));
    s.login(v4(50), "late", "late", Outcome::Success);
    let stats = s.detector.stats();
    assert!(stats.sources_removed.expired > 0, "{stats:?}");
    assert!(stats.accounts_removed.expired > 0, "{stats:?}");
}

/// One login from `asn` (or no known ASN), judged then learned; the
/// signals of the judgement.
fn login_in(s: &mut Scenario, attempt: Attempt<'_>, outcome: Outcome) -> Vec<AtoSignal> {
    let signals = s.detector.judge(&attempt);
    s.clock.advance(Duration::from_secs(1));
    s.detector.learn(&attempt, outcome);
    signals
}

/// The `n`th address of a campaign spread over one provider: each in its
/// own /24, so no address or network repeats.
fn spread(n: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, (n / 200) as u8, (n % 200) as u8, 9))
}

#[test]
fn low_and_slow_stuffing_across_one_providers_networks_is_caught_by_its_asn() {
    let config = AtoConfig::default();
    let threshold = config.stuffing_usernames_per_asn;
    let mut s = Scenario::new(config);
    // A fresh address, network and fingerprint for every attempt, one
    // every 15 s (60 in the 15-minute window): nothing repeats but the ASN.
    let fingerprints: Vec<String> = (0..=threshold).map(|n| format!("fp-{n}")).collect();
    let mut caught = None;
    for (n, fingerprint) in fingerprints.iter().enumerate() {
        let username = format!("victim{n}");
        let attempt = Attempt {
            address: spread(n),
            fingerprint,
            asn: Some(64_500),
            username: Some(&username),
        };
        let signals = login_in(&mut s, attempt, Outcome::Failure);
        s.clock.advance(Duration::from_secs(14));
        if !signals.is_empty() {
            caught = Some((n, signals));
            break;
        }
    }
    let (n, signals) = caught.expect("the campaign is reported");
    assert_eq!(n, threshold, "at the ASN's threshold, not before");
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].source, CREDENTIAL_STUFFING);
    assert!(
        signals[0].evidence.starts_with(&format!(
            "AS64500 failed logins for {threshold} distinct usernames from {threshold} addresses"
        )),
        "{}",
        signals[0].evidence
    );

    // The same campaign where no ASN database says where it comes from
    // is not seen: the ASN is what ties it together.
    let mut blind = Scenario::new(AtoConfig::default());
    for (n, fingerprint) in fingerprints.iter().enumerate() {
        let username = format!("victim{n}");
        let attempt = Attempt {
            address: spread(n),
            fingerprint,
            asn: None,
            username: Some(&username),
        };
        assert!(
            login_in(&mut blind, attempt, Outcome::Failure).is_empty(),
            "{n}"
        );
    }
}

#[test]
fn many_genuine_users_of_one_big_provider_mostly_succeeding_are_quiet() {
    // A low ASN threshold, so only the failure ratio tells the crowd from
    // a campaign: one login in five fails, as mistyped passwords do.
    let config = AtoConfig {
        stuffing_usernames_per_asn: 20,
        ..AtoConfig::default()
    };
    let mut s = Scenario::new(config);
    for n in 0..300 {
        let username = format!("customer{n}");
        let fingerprint = format!("fp-{}", n % 7);
        let outcome = if n % 5 == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        let attempt = Attempt {
            address: spread(n),
            fingerprint: &fingerprint,
            asn: Some(64_501),
            username: Some(&username),
        };
        let signals = login_in(&mut s, attempt, outcome);
        assert!(signals.is_empty(), "login {n}: {signals:?}");
    }
}
