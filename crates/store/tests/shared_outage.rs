//! Redis unreachable: calls fail at once, each limit applies its fallback
//! policy, and the client reconnects by itself when Redis comes back,
//! reporting every change of health.

mod support;

use rampart_core::ManualClock;
use rampart_prevent::ratelimit::{KeyPart, KeySpec, Quota};
use rampart_prevent::{LimitConfig, RateDecision, RateLimiter, RequestFacts};
use rampart_store::shared::{Health, OnRedisError, RedisConfig, SharedError, SharedLimit};
use std::sync::Arc;
use std::time::Duration;
use support::server::{free_port, installed, url_for, RedisServer};
use support::{config, start};

const FINGERPRINT: u128 = 42;

fn limit_config(name: &str, count_only_status: Option<Vec<u16>>) -> LimitConfig {
    LimitConfig {
        name: name.to_string(),
        key: KeySpec::of(&[KeyPart::Ip]),
        // Two an hour: emission interval 30 minutes.
        quota: Quota {
            requests: 2,
            per_seconds: 3_600,
            burst: None,
        },
        count_only_status,
        max_keys: 1_000,
    }
}

fn local_limiter(config: &LimitConfig) -> RateLimiter {
    RateLimiter::new(config, Arc::new(ManualClock::at(1_700_000_000_000))).expect("valid limit")
}

#[tokio::test]
async fn limits_fall_back_while_redis_is_down_and_use_it_again_once_it_is_back() {
    if !installed() {
        return;
    }
    let port = free_port();
    let (state, mut reports) = start(&config(&url_for(port)));
    assert!(matches!(state.health(), Health::Down { .. }));

    let config = limit_config("per-ip", None);
    let local = local_limiter(&config);
    let key = local
        .key_for(&RequestFacts::new("GET", "/", "192.0.2.1".parse().unwrap()))
        .expect("the ip key applies");
    let policy = |on_error| SharedLimit::new(&config, on_error).expect("valid limit");
    let (locally, open, closed) = (
        policy(OnRedisError::Local),
        policy(OnRedisError::Open),
        policy(OnRedisError::Closed),
    );

    // No connection: the call fails at once, it does not wait for a timeout.
    assert!(matches!(
        state.check(&open, FINGERPRINT).await,
        Err(SharedError::Unavailable)
    ));
    let mut local_decisions = Vec::new();
    for _ in 0..3 {
        local_decisions.push(
            state
                .check_or_fallback(&locally, FINGERPRINT, &local, key)
                .await,
        );
    }
    assert_eq!(
        local_decisions[..2],
        [RateDecision::Allow, RateDecision::Allow]
    );
    assert!(matches!(local_decisions[2], RateDecision::Limited { .. }));
    for _ in 0..5 {
        let decision = state
            .check_or_fallback(&open, FINGERPRINT, &local, key)
            .await;
        assert_eq!(decision, RateDecision::Allow);
    }
    assert_eq!(
        state
            .check_or_fallback(&closed, FINGERPRINT, &local, key)
            .await,
        RateDecision::Limited {
            retry_after: Duration::from_secs(1_800)
        }
    );
    assert_eq!(state.stats().fallbacks, 3 + 5 + 1);
    assert_eq!(state.stats().errors, 0, "nothing reached redis");

    // Redis comes up on that port: the client connects by itself.
    let server = RedisServer::start_on(port).expect("redis-server is installed");
    assert_eq!(reports.next_health().await, Health::Up);
    assert_eq!(
        state.check(&closed, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );
    let stored: bool = redis::cmd("EXISTS")
        .arg(state.limit_key(&closed, FINGERPRINT))
        .query(&mut server.connection())
        .unwrap();
    assert!(stored, "the check went to redis");

    // Lost again: reported, and calls fail at once.
    drop(server);
    assert!(matches!(reports.next_health().await, Health::Down { .. }));
    assert!(matches!(
        state.check(&closed, FINGERPRINT).await,
        Err(SharedError::Unavailable)
    ));

    // Back again: reconnected without being asked, and counted.
    let server = RedisServer::start_on(port).expect("redis-server is installed");
    assert_eq!(reports.next_health().await, Health::Up);
    assert_eq!(state.stats().reconnects, 1);
    assert_eq!(
        state.check(&closed, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );
    drop(server);
}

#[tokio::test]
async fn outcomes_fall_back_to_the_local_limiter_only_when_the_policy_is_local() {
    let (state, _reports) = start(&config(&url_for(free_port())));
    let config = limit_config("failed-logins", Some(vec![401]));
    let facts = RequestFacts::new("POST", "/login", "192.0.2.1".parse().unwrap());
    for (on_error, limited_after_three_failures) in
        [(OnRedisError::Local, true), (OnRedisError::Open, false)]
    {
        let local = local_limiter(&config);
        let key = local.key_for(&facts).expect("the ip key applies");
        let limit = SharedLimit::new(&config, on_error).expect("valid limit");
        for _ in 0..3 {
            state
                .record_outcome_or_fallback(&limit, FINGERPRINT, &local, key, 401)
                .await;
        }
        let limited = matches!(local.check(key), RateDecision::Limited { .. });
        assert_eq!(limited, limited_after_three_failures, "{on_error:?}");
    }
}

#[tokio::test]
async fn a_stuck_redis_times_out_is_declared_down_and_is_used_again_once_it_answers() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let settings = RedisConfig {
        timeout_ms: 100,
        connect_timeout_ms: 300,
        ..config(&server.url())
    };
    let (state, mut reports) = start(&settings);
    assert_eq!(reports.next_health().await, Health::Up);
    let limit = SharedLimit::new(&limit_config("per-ip", None), OnRedisError::Open).unwrap();
    assert_eq!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );

    server.pause();
    assert!(matches!(
        state.check(&limit, FINGERPRINT).await,
        Err(SharedError::Timeout(_))
    ));
    // The timeout made the client probe the connection; the probe got no
    // answer either, so the connection is given up and calls fail at once.
    assert!(matches!(reports.next_health().await, Health::Down { .. }));
    assert!(matches!(
        state.check(&limit, FINGERPRINT).await,
        Err(SharedError::Unavailable)
    ));
    let stats = state.stats();
    assert_eq!((stats.errors, stats.timeouts), (1, 1));

    server.resume();
    assert_eq!(reports.next_health().await, Health::Up);
    // Redis ran the check that timed out when it woke up: it was charged,
    // so this third check of a quota of two is the one refused.
    assert!(matches!(
        state.check(&limit, FINGERPRINT).await,
        Ok(RateDecision::Limited { .. })
    ));
}
