//! Account-takeover counts in a real Redis: two gateways sharing them judge
//! every attempt of a mixed run (stuffing, brute force, people logging in)
//! exactly as one in-memory detector seeing all of it, within the same cap;
//! the windows slide and expire; and nothing a client chose is written as
//! it is.

mod support;

use rampart_behave::ato::shared::{AtoSecret, SharedAto};
use rampart_behave::ato::{AtoConfig, AtoDetector, Attempt, Outcome};
use rampart_core::ManualClock;
use rampart_store::shared::AtoWindows;
use redis::Commands;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::server::RedisServer;
use support::{config, connected, Sequence};

const SECRET: &str = "the secret every gateway is given";

fn windows(config: &AtoConfig) -> AtoWindows {
    AtoWindows {
        window: config.window,
        cap: config.max_attempts_per_key,
    }
}

#[tokio::test]
async fn two_gateways_sharing_redis_judge_every_attempt_as_one_local_detector() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (first, _r1) = connected(&config(&server.url())).await;
    let (second, _r2) = connected(&config(&server.url())).await;
    let gateways = [&first, &second];
    // Low thresholds and a small cap, so that every signal and the cap are
    // reached within a few hundred attempts.
    let ato = AtoConfig {
        brute_force_failures: 3,
        stuffing_usernames: 4,
        distributed_sources: 3,
        max_attempts_per_key: 12,
        ..AtoConfig::default()
    };
    let mut local = AtoDetector::new(ato.clone(), Arc::new(ManualClock::at(1_000_000)));
    let secret = AtoSecret::new(SECRET.into()).unwrap();
    let shared = SharedAto::new(&secret);
    let mut sequence = Sequence(7);
    let (mut signals_seen, mut dropped) = (0, 0);
    for n in 0..600 {
        let address = IpAddr::V4(Ipv4Addr::new(
            198,
            51,
            100 + sequence.below(2) as u8,
            sequence.below(6) as u8,
        ));
        let fingerprint = format!("fp-{}", sequence.below(3));
        let username = format!("user{}", sequence.below(9));
        let outcome = match sequence.below(4) {
            0 => Outcome::Success,
            _ => Outcome::Failure,
        };
        let attempt = Attempt {
            address,
            fingerprint: &fingerprint,
            username: (sequence.below(10) > 0).then_some(username.as_str()),
            asn: (n % 3 > 0).then_some(64_500),
        };
        let gateway = gateways[n % 2];
        let keys = shared.keys(&attempt);
        let tallies = gateway.ato_tally(&keys, windows(&ato)).await.unwrap();
        let expected = local.judge(&attempt);
        assert_eq!(
            shared.judge(&ato, &attempt, &keys, &tallies),
            expected,
            "attempt {n}: {attempt:?}"
        );
        signals_seen += expected.len();
        local.learn(&attempt, outcome);
        dropped += gateways[(n + 1) % 2]
            .ato_record(&keys, windows(&ato), outcome == Outcome::Failure)
            .await
            .unwrap();
    }
    assert!(signals_seen > 100, "the run raised signals: {signals_seen}");
    assert_eq!(
        dropped,
        local.stats().attempts_dropped,
        "the same cap, hit alike"
    );
    assert!(dropped > 0);
}

#[tokio::test]
async fn windows_slide_and_expire_and_hold_no_client_text() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    let window = Duration::from_millis(400);
    let windows = AtoWindows { window, cap: 256 };
    let shared = SharedAto::new(&AtoSecret::new(SECRET.into()).unwrap());
    let attempt = Attempt {
        address: "203.0.113.9".parse().unwrap(),
        fingerprint: "fingerprint-of-the-client",
        asn: None,
        username: Some("victim@mail.test"),
    };
    let keys = shared.keys(&attempt);
    for _ in 0..3 {
        state.ato_record(&keys, windows, true).await.unwrap();
    }
    let tallies = state.ato_tally(&keys, windows).await.unwrap();
    assert_eq!(tallies.brute_force_failures, 3);
    assert_eq!(tallies.failing_addresses, 1);
    assert_eq!(
        (tallies.sources[0].attempts, tallies.sources[0].failures),
        (3, 3)
    );
    assert_eq!(tallies.sources[1].failed_usernames, 1);

    let mut redis = server.connection();
    let mut stored: Vec<String> = redis.keys("test:ato:*").unwrap();
    let mut named: Vec<String> = keys
        .sources
        .iter()
        .map(|&id| state.ato_source_key(id))
        .collect();
    named.push(state.ato_account_key(keys.account.unwrap()));
    stored.sort();
    named.sort();
    assert_eq!(stored, named, "three sources and the account");
    assert!(named[0].starts_with("test:ato:account:") && named[1].starts_with("test:ato:source:"));
    for key in &stored {
        let ttl: i64 = redis.pttl(key).unwrap();
        assert!(
            ttl > 0 && ttl <= 400,
            "{key} expires with the window: {ttl}"
        );
        let fields: Vec<(String, String)> = redis.hgetall(key).unwrap();
        let text = format!("{key} {fields:?}");
        for client_text in ["victim", "203.0.113", "fingerprint"] {
            assert!(!text.contains(client_text), "{client_text} in {text}");
        }
    }

    // Polled, bounded: the attempts leave the window, then the keys expire.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let tallies = state.ato_tally(&keys, windows).await.unwrap();
        if tallies.sources.iter().all(|s| s.attempts == 0) {
            assert_eq!(tallies.brute_force_failures, 0);
            assert_eq!(tallies.failing_addresses, 0);
            assert_eq!(tallies.sources[0].failed_usernames, 0);
            break;
        }
        assert!(Instant::now() < deadline, "the window never slid");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    loop {
        let left: Vec<String> = redis.keys("test:ato:*").unwrap();
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "keys never expired: {left:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_attempt_without_a_username_is_tallied_but_not_recorded() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    let shared = SharedAto::new(&AtoSecret::new(SECRET.into()).unwrap());
    let attempt = Attempt {
        address: "203.0.113.9".parse().unwrap(),
        fingerprint: "fp",
        asn: None,
        username: None,
    };
    let keys = shared.keys(&attempt);
    let windows = windows(&AtoConfig::default());
    assert_eq!(state.ato_record(&keys, windows, true).await.unwrap(), 0);
    let tallies = state.ato_tally(&keys, windows).await.unwrap();
    assert_eq!(tallies.sources.len(), 3);
    assert!(tallies.sources.iter().all(|s| *s == Default::default()));
    let stored: Vec<String> = server.connection().keys("test:ato:*").unwrap();
    assert!(stored.is_empty(), "{stored:?}");
}
