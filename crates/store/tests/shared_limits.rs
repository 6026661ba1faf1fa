//! Shared rate limits against a real Redis: exact across gateways, the same
//! decisions as the local limiter, and robust to Redis forgetting scripts.

mod support;

use rampart_prevent::ratelimit::{Gcra, KeyPart, KeySpec, Quota};
use rampart_prevent::{LimitConfig, RateDecision};
use rampart_store::shared::{OnRedisError, SharedLimit, SharedState};
use redis::Commands;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use support::server::RedisServer;
use support::{config, connected, redis_micros};

const FINGERPRINT: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;

fn limit_config(name: &str, quota: Quota, count_only_status: Option<Vec<u16>>) -> LimitConfig {
    LimitConfig {
        name: name.to_string(),
        key: KeySpec::of(&[KeyPart::Ip]),
        quota,
        count_only_status,
        max_keys: 1_000,
    }
}

fn quota(requests: u32, per_seconds: u32, burst: Option<u32>) -> Quota {
    Quota {
        requests,
        per_seconds,
        burst,
    }
}

fn shared(config: &LimitConfig) -> SharedLimit {
    SharedLimit::new(config, OnRedisError::Closed).expect("a valid limit")
}

fn retry_after(decision: RateDecision) -> std::time::Duration {
    match decision {
        RateDecision::Limited { retry_after } => retry_after,
        RateDecision::Allow => panic!("expected a limited decision"),
    }
}

/// The TAT Redis stores for this limit and key, in microseconds.
fn stored_tat(server: &RedisServer, state: &SharedState, limit: &SharedLimit) -> Option<u64> {
    let key = state.limit_key(limit, FINGERPRINT);
    server.connection().get(key).expect("GET")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_gateways_hammering_one_limit_admit_exactly_the_quota() {
    // 3 gateways x 4 tasks x 50 checks: 600 attempts at 100 slots.
    const QUOTA: u64 = 100;
    const TASKS_PER_GATEWAY: u64 = 4;
    const CHECKS_PER_TASK: u64 = 50;
    let Some(server) = RedisServer::start() else {
        return;
    };
    let settings = config(&server.url());
    // A long period: nothing is replenished during the test, so exactly the
    // burst of 100 may pass, however the checks interleave.
    let limit = Arc::new(shared(&limit_config(
        "hammered",
        quota(QUOTA as u32, 3_600, None),
        None,
    )));
    let admitted = Arc::new(AtomicU64::new(0));
    let mut gateways = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let (state, _reports) = connected(&settings).await;
        let state = Arc::new(state);
        for _ in 0..TASKS_PER_GATEWAY {
            let (state, limit, admitted) = (state.clone(), limit.clone(), admitted.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..CHECKS_PER_TASK {
                    let decision = state.check(&limit, FINGERPRINT).await.expect("redis up");
                    if decision == RateDecision::Allow {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        gateways.push(state);
    }
    for task in tasks {
        task.await.expect("checking task");
    }
    assert_eq!(admitted.load(Ordering::Relaxed), QUOTA);
    for gateway in &gateways {
        assert_eq!(gateway.stats().errors, 0);
    }
}

#[tokio::test]
async fn outcome_only_limits_peek_before_and_charge_after_capped_at_one_window() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    // 3 failed logins a minute: emission 20 s, window 60 s.
    let limit = shared(&limit_config(
        "failed-logins",
        quota(3, 60, None),
        Some(vec![401, 403]),
    ));
    let gcra = Gcra::new(&quota(3, 60, None)).expect("quota");
    for _ in 0..10 {
        assert_eq!(
            state.check(&limit, FINGERPRINT).await.unwrap(),
            RateDecision::Allow
        );
        state
            .record_outcome(&limit, FINGERPRINT, 200)
            .await
            .unwrap();
    }
    assert_eq!(
        stored_tat(&server, &state, &limit),
        None,
        "peeks and uncounted outcomes store nothing"
    );
    for _ in 0..3 {
        assert_eq!(
            state.check(&limit, FINGERPRINT).await.unwrap(),
            RateDecision::Allow
        );
        state
            .record_outcome(&limit, FINGERPRINT, 401)
            .await
            .unwrap();
    }
    assert!(matches!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Limited { .. }
    ));
    // Failures keep counting while limited, but the TAT never runs more
    // than one window ahead of the last charge.
    let mut connection = server.connection();
    let before = redis_micros(&mut connection);
    for _ in 0..10 {
        state
            .record_outcome(&limit, FINGERPRINT, 403)
            .await
            .unwrap();
    }
    let after = redis_micros(&mut connection);
    let tat = stored_tat(&server, &state, &limit).expect("charged");
    assert!(before + gcra.window_micros() <= tat && tat <= after + gcra.window_micros());
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(state.limit_key(&limit, FINGERPRINT))
        .query(&mut connection)
        .unwrap();
    assert!(ttl_ms > 0 && ttl_ms as u64 <= gcra.window_micros() / 1_000);
}

#[tokio::test]
async fn retry_after_is_the_local_gcra_arithmetic_on_the_same_quota() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    let quota = quota(2, 3_600, None);
    let limit = shared(&limit_config("hourly", quota, None));
    let gcra = Gcra::new(&quota).expect("quota");
    assert_eq!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );
    assert_eq!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );

    let mut connection = server.connection();
    let before = redis_micros(&mut connection);
    let limited = state.check(&limit, FINGERPRINT).await.unwrap();
    let after = redis_micros(&mut connection);
    let tat = stored_tat(&server, &state, &limit).expect("two charges stored");
    // The script ran at some Redis time between `before` and `after`; the
    // local arithmetic on the same TAT brackets its answer.
    let (latest, unchanged) = gcra.check(tat, after);
    let (earliest, _) = gcra.check(tat, before);
    assert_eq!(unchanged, tat);
    let retry = retry_after(limited);
    assert!(retry_after(latest) <= retry && retry <= retry_after(earliest));
    assert_eq!(limited.retry_after_header(), earliest.retry_after_header());
}

#[tokio::test]
async fn the_script_is_loaded_again_after_a_script_flush() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    let limit = shared(&limit_config("flushed", quota(2, 3_600, None), None));
    assert_eq!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );

    let mut connection = server.connection();
    let () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query(&mut connection)
        .unwrap();
    assert_eq!(cached_scripts(&mut connection), 0);

    assert_eq!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Allow
    );
    assert!(matches!(
        state.check(&limit, FINGERPRINT).await.unwrap(),
        RateDecision::Limited { .. }
    ));
    assert_eq!(cached_scripts(&mut connection), 1);
    assert_eq!(state.stats().errors, 0);
}

/// How many scripts Redis holds (`number_of_cached_scripts`, `INFO memory`).
fn cached_scripts(connection: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(connection).unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("number_of_cached_scripts:"))
        .and_then(|value| value.trim().parse().ok())
        .expect("INFO memory reports number_of_cached_scripts")
}
