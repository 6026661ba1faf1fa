use super::*;
use rampart_behave::tokens::{Check, ClaimRules, VerificationKey};
use rampart_core::ManualClock;

fn source(min: u64, max: u64) -> KeySource {
    KeySource {
        url: KeySetUrl::parse("https://id.example/jwks.json").unwrap(),
        min_refresh: Duration::from_secs(min),
        max_refresh: Duration::from_secs(max),
    }
}

fn hmac_key(kid: &str) -> VerificationKey {
    VerificationKey::secret(b"0123456789abcdef0123456789abcdef", Some(kid.into()), None).unwrap()
}

fn set_at(clock: &Arc<ManualClock>) -> RemoteKeySet {
    RemoteKeySet::jwks(
        source(300, 86_400),
        Vec::new(),
        ClaimRules::default(),
        Arc::clone(clock) as Arc<dyn Clock>,
    )
}

#[test]
fn the_providers_max_age_is_clamped_to_the_refresh_bounds() {
    let bounds = source(300, 86_400);
    let age = |s| Freshness::MaxAge(Duration::from_secs(s));
    assert_eq!(bounds.fresh_for(age(10)), Duration::from_secs(300));
    assert_eq!(bounds.fresh_for(age(3600)), Duration::from_secs(3600));
    assert_eq!(bounds.fresh_for(age(u64::MAX)), Duration::from_secs(86_400));
    assert_eq!(
        bounds.fresh_for(Freshness::Revalidate),
        Duration::from_secs(300)
    );
    assert_eq!(
        bounds.fresh_for(Freshness::Unstated),
        Duration::from_secs(86_400)
    );
}

#[test]
fn unknown_kids_ask_for_one_refetch_per_spacing() {
    let clock = Arc::new(ManualClock::at(1_000_000));
    let set = set_at(&clock);
    assert!(set.ask_for_refetch(), "the first unknown kid asks");
    let asked_again = (0..50).filter(|_| set.ask_for_refetch()).count();
    assert_eq!(asked_again, 0, "the next ones within the spacing do not");
    clock.advance(REFETCH_SPACING - Duration::from_millis(1));
    assert!(!set.ask_for_refetch());
    clock.advance(Duration::from_millis(1));
    assert!(set.ask_for_refetch(), "once the spacing has passed");
}

#[test]
fn a_token_before_any_key_fails_as_unknown_key_naming_the_url() {
    let clock = Arc::new(ManualClock::at(1_000_000));
    let set = set_at(&clock);
    let failure = set.verify("e30.e30.c2ln").unwrap_err();
    assert_eq!(failure.check, Check::UnknownKey);
    assert!(
        failure.detail.contains("https://id.example/jwks.json"),
        "{}",
        failure.detail
    );
}

#[test]
fn a_replacing_set_adopts_the_fetched_keys_of_the_same_source_only() {
    let clock = Arc::new(ManualClock::at(1_000_000));
    let previous = set_at(&clock);
    previous.format().publish(Some(&vec![hmac_key("a")]));
    previous.fetched.store(Some(Arc::new(Fetched {
        keys: vec![hmac_key("a")],
        at_millis: 900_000,
        fresh_for: Duration::from_secs(300),
    })));

    let same = set_at(&clock);
    same.adopt(&previous);
    assert_eq!(same.fetched_keys(), 1);
    assert!(same.format().has_verifier());
    assert_eq!(same.age_seconds(), Some(100.0));
    assert_eq!(same.until_next_fetch(), Duration::from_secs(200));

    let elsewhere = RemoteKeySet::jwks(
        KeySource {
            url: KeySetUrl::parse("https://other.example/jwks.json").unwrap(),
            ..source(300, 86_400)
        },
        Vec::new(),
        ClaimRules::default(),
        Arc::clone(&clock) as Arc<dyn Clock>,
    );
    elsewhere.adopt(&previous);
    assert_eq!(
        elsewhere.fetched_keys(),
        0,
        "another provider's keys are not trusted"
    );
    assert!(!elsewhere.format().has_verifier());
}

#[test]
fn failed_fetches_are_retried_with_doubling_waits_up_to_min_refresh() {
    let clock = Arc::new(ManualClock::at(1_000_000));
    let set = set_at(&clock);
    assert_eq!(set.until_next_fetch(), Duration::ZERO, "never fetched: now");
    set.last_attempt_millis.store(1_000_000, Ordering::Relaxed);
    let waits: Vec<u64> = (1..=10)
        .map(|failures| {
            set.failures.store(failures, Ordering::Relaxed);
            set.until_next_fetch().as_secs()
        })
        .collect();
    assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
}
