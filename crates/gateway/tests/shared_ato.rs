//! Account takeover across gateways: two real gateways on loopback sharing
//! one real Redis refuse a credential-stuffing run that alternates between
//! them at exactly the attempt one gateway refuses it at; people behind one
//! NAT address logging in (a few mistyping once) are not refused; and with
//! Redis killed, logins are still served, judged by each gateway's own
//! windows, and the fallback is counted.

mod support;
// The store's throwaway redis-server; this test uses part of it.
#[path = "../../store/tests/support/server.rs"]
#[allow(dead_code)]
mod redis_server;

use rampart_gateway::stages::shared_ato::SharedAtoStats;
use redis_server::RedisServer;
use std::time::{Duration, Instant};
use support::*;

const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/login": {"post": {"responses": {"200": {"description": "ok"}, "401": {"description": "no"}}}}}}"#;

/// The longest a test waits for a gateway to record an answer.
const RECORD_WAIT: Duration = Duration::from_secs(10);

struct Gateway {
    gateway: TestGateway,
    _spec_dir: tempfile::TempDir,
}

impl Gateway {
    /// A gateway counting account takeover in `redis` under `prefix`.
    async fn start(upstream: &TestUpstream, redis: &RedisServer, prefix: &str) -> Gateway {
        let (gateway, spec_dir) =
            shared_behave_gateway(upstream, SPEC, &redis.url(), prefix, "").await;
        let gateway = Gateway {
            gateway,
            _spec_dir: spec_dir,
        };
        // A successful login makes discovery publish the endpoint as one.
        gateway.login("warm-up", true).await;
        wait_for_functions(&gateway.gateway, &[("/login", "login")]).await;
        gateway
    }

    fn stats(&self) -> SharedAtoStats {
        let runtime = self.gateway.gateway.admin_state().shared.runtime.load();
        let behave = runtime.behave.as_ref().expect("the behave stage");
        behave.ato_shared_stats().expect("counts kept in redis")
    }

    /// A login as `username`; the test upstream lets it in when `ok`.
    async fn login(&self, username: &str, ok: bool) -> u16 {
        support::login(self.gateway.addr(), username, ok).await
    }
}

/// Two gateways sharing one Redis under `prefix`, in front of one upstream.
struct Pair {
    redis: RedisServer,
    upstream: TestUpstream,
    first: Gateway,
    second: Gateway,
}

impl Pair {
    /// `None` (reported, or failing under CI) without `redis-server`.
    async fn start(prefix: &str) -> Option<Pair> {
        let redis = RedisServer::start()?;
        let upstream = TestUpstream::start().await;
        let first = Gateway::start(&upstream, &redis, prefix).await;
        let second = Gateway::start(&upstream, &redis, prefix).await;
        Some(Pair {
            redis,
            upstream,
            first,
            second,
        })
    }
}

/// Logs in through `gateways` in turn and, when the upstream answered,
/// waits (bounded) until that answer is recorded, so that every attempt
/// is judged on all the answers before it.
async fn attempt(gateways: &[&Gateway], n: usize, username: &str, ok: bool) -> u16 {
    let gateway = gateways[n % gateways.len()];
    let before = gateway.stats().recorded;
    let status = gateway.login(username, ok).await;
    if status != 403 {
        let deadline = Instant::now() + RECORD_WAIT;
        while gateway.stats().recorded == before {
            assert!(Instant::now() < deadline, "attempt {n} was never recorded");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    status
}

/// The attempts of a credential-stuffing run (a new username each time,
/// every one failing) up to the first refused one, then three more.
async fn stuffing(gateways: &[&Gateway]) -> Vec<u16> {
    let mut statuses = Vec::new();
    for n in 0..30 {
        let status = attempt(gateways, n, &format!("victim{n}@mail.test"), false).await;
        statuses.push(status);
        if statuses.iter().filter(|s| **s == 403).count() == 4 {
            break;
        }
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_refuse_stuffing_at_the_attempt_one_gateway_does() {
    let Some(Pair {
        redis,
        upstream,
        first,
        second,
    }) = Pair::start("two:").await
    else {
        return;
    };
    let alone = Gateway::start(&upstream, &redis, "one:").await;

    let shared = stuffing(&[&first, &second]).await;
    let single = stuffing(&[&alone]).await;
    // Ten distinct usernames failed: the eleventh attempt is refused, and
    // every one after it.
    let expected: Vec<u16> = [vec![401; 10], vec![403; 4]].concat();
    assert_eq!(single, expected, "one gateway");
    assert_eq!(shared, expected, "two gateways, alternating");
    let (a, b) = (first.stats(), second.stats());
    assert_eq!(a.fallbacks + b.fallbacks, 0, "{a:?} {b:?}");
    assert!(a.tallied >= 7 && b.tallied >= 7, "both judged: {a:?} {b:?}");

    let upstream_before = upstream.request_count();
    assert_eq!(first.login("victim99@mail.test", true).await, 403);
    assert_eq!(second.login("victim98@mail.test", true).await, 403);
    assert_eq!(
        upstream.request_count(),
        upstream_before,
        "refused before the upstream"
    );
    let events = first.gateway.events(1).await;
    let stuffing = events
        .iter()
        .find(|e| reason_sources(e).contains(&"behave.ato.credential_stuffing"))
        .expect("a credential-stuffing event");
    let evidence = stuffing["reasons"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.starts_with("address 127.0.0.1 failed logins for 1"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_behind_one_nat_address_are_not_refused_across_gateways() {
    // Every part is bound: what a pattern leaves out is dropped (and a
    // dropped RedisServer is killed).
    let Some(Pair {
        redis: _redis,
        upstream: _upstream,
        first,
        second,
    }) = Pair::start("nat:").await
    else {
        return;
    };
    let gateways = [&first, &second];
    let recorded = || first.stats().recorded + second.stats().recorded;
    let before = recorded();
    let mut n = 0;
    for person in 0..200 {
        let username = format!("employee{person}@corp.test");
        if person % 10 == 0 {
            let status = attempt(&gateways, n, &username, false).await;
            assert_eq!(status, 401, "{username} mistyped once");
            n += 1;
        }
        let status = attempt(&gateways, n, &username, true).await;
        assert_eq!(status, 200, "{username} logged in");
        n += 1;
    }
    assert_eq!(recorded() - before, 220, "every answer counted in redis");
    assert_eq!(first.stats().fallbacks + second.stats().fallbacks, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_killed_logins_are_served_and_the_fallback_counted() {
    let Some(Pair {
        redis,
        upstream: _upstream,
        first,
        second,
    }) = Pair::start("out:").await
    else {
        return;
    };
    let gateways = [&first, &second];
    for n in 0..4 {
        assert_eq!(attempt(&gateways, n, &format!("u{n}"), false).await, 401);
    }
    drop(redis);
    for n in 4..10 {
        let status = gateways[n % 2].login(&format!("u{n}"), false).await;
        assert_eq!(status, 401, "attempt {n} served by the upstream");
    }
    assert_eq!(first.login("someone", true).await, 200);
    let deadline = Instant::now() + RECORD_WAIT;
    for gateway in gateways {
        // Each judgement fell back before its answer; each answer's
        // fallback is counted when its task ends.
        while gateway.stats().fallbacks < 6 {
            assert!(Instant::now() < deadline, "{:?}", gateway.stats());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
