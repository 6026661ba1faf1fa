//! Sign-up and one-time-code floods across gateways: two real gateways on
//! loopback sharing one real Redis refuse a burst of sign-ups, and a flood
//! of codes to one phone, that alternates between them at exactly the
//! request one gateway refuses it at; ordinary sign-ups through the hour
//! are not refused; and with Redis killed, requests are still served,
//! judged by each gateway's own tally, and the fallback is counted.

mod support;
// The store's throwaway redis-server; this test uses part of it.
#[path = "../../store/tests/support/server.rs"]
#[allow(dead_code)]
mod redis_server;

use http::Request;
use rampart_gateway::stages::shared_floods::SharedFloodStats;
use redis_server::RedisServer;
use support::*;

const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/signup": {"post": {"responses": {"200": {"description": "created"}}}},
  "/otp/send": {"post": {"responses": {"200": {"description": "sent"}}}}}}"#;

struct Gateway {
    gateway: TestGateway,
    _spec_dir: tempfile::TempDir,
}

impl Gateway {
    /// A gateway counting floods in `redis` under `prefix`, with `sections`.
    async fn start(
        upstream: &TestUpstream,
        redis: &RedisServer,
        prefix: &str,
        sections: &str,
    ) -> Gateway {
        let (gateway, spec_dir) =
            shared_behave_gateway(upstream, SPEC, &redis.url(), prefix, sections).await;
        let gateway = Gateway {
            gateway,
            _spec_dir: spec_dir,
        };
        // The spec declares both: their functions are known before any call
        // (a warm-up request would be counted).
        let inventory = gateway.gateway.inventory();
        for (template, function) in [("/signup", "sign_up"), ("/otp/send", "otp")] {
            let declared = inventory["orphans"].as_array().into_iter().flatten();
            assert!(
                declared
                    .into_iter()
                    .any(|o| o["template"] == template && o["function"] == function),
                "{inventory}"
            );
        }
        gateway
    }

    /// What the tally in Redis of `detector` did.
    fn stats(&self, detector: &str) -> SharedFloodStats {
        let runtime = self.gateway.gateway.admin_state().shared.runtime.load();
        let behave = runtime.behave.as_ref().expect("the behave stage");
        let shared = behave.flood_shared_stats();
        let found = shared.iter().find(|(name, _)| *name == detector);
        found.expect("counted in redis").1
    }

    /// A POST of `body` to `path`: its status, the answer read to its end.
    async fn post(&self, path: &str, body: String) -> u16 {
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header("host", "api.test")
            .header("content-type", "application/json")
            .body(full(body))
            .unwrap();
        let response = send(self.gateway.addr(), request).await;
        let status = response.status().as_u16();
        body_text(response).await;
        status
    }

    async fn sign_up(&self, account: &str) -> u16 {
        self.post(
            "/signup",
            format!(r#"{{"email": "{account}", "password": "x"}}"#),
        )
        .await
    }

    async fn code(&self, phone: &str) -> u16 {
        self.post("/otp/send", format!(r#"{{"phone": "{phone}"}}"#))
            .await
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
    async fn start(prefix: &str, sections: &str) -> Option<Pair> {
        let redis = RedisServer::start()?;
        let upstream = TestUpstream::start().await;
        let first = Gateway::start(&upstream, &redis, prefix, sections).await;
        let second = Gateway::start(&upstream, &redis, prefix, sections).await;
        Some(Pair {
            redis,
            upstream,
            first,
            second,
        })
    }
}

/// A burst of sign-ups (a new account each time) through `gateways` in
/// turn, then a flood of codes to one phone, each up to its third refusal.
async fn burst(gateways: &[&Gateway]) -> (Vec<u16>, Vec<u16>) {
    let (mut sign_ups, mut codes) = (Vec::new(), Vec::new());
    for n in 0..30 {
        let gateway = gateways[n % gateways.len()];
        sign_ups.push(gateway.sign_up(&format!("promo.user{n}@mail.test")).await);
        if sign_ups.iter().filter(|s| **s == 403).count() == 3 {
            break;
        }
    }
    for n in 0..30 {
        let gateway = gateways[n % gateways.len()];
        codes.push(gateway.code("+44 7700 900123").await);
        if codes.iter().filter(|s| **s == 403).count() == 3 {
            break;
        }
    }
    (sign_ups, codes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_refuse_a_burst_at_the_request_one_gateway_does() {
    let Some(Pair {
        redis,
        upstream,
        first,
        second,
    }) = Pair::start("two:", "").await
    else {
        return;
    };
    let alone = Gateway::start(&upstream, &redis, "one:", "").await;

    let shared = burst(&[&first, &second]).await;
    let single = burst(&[&alone]).await;
    // Ten sign-ups from one address within the hour: the tenth is refused,
    // and every one after it; five codes to one phone: the fifth.
    let sign_ups: Vec<u16> = [vec![200; 9], vec![403; 3]].concat();
    let codes: Vec<u16> = [vec![200; 4], vec![403; 3]].concat();
    assert_eq!(single, (sign_ups.clone(), codes.clone()), "one gateway");
    assert_eq!(shared, (sign_ups, codes), "two gateways, alternating");
    for detector in ["signup", "otp"] {
        let (a, b) = (first.stats(detector), second.stats(detector));
        assert_eq!(a.fallbacks + b.fallbacks, 0, "{a:?} {b:?}");
        assert!(
            a.counted >= 3 && b.counted >= 3,
            "both counted: {a:?} {b:?}"
        );
    }
    // The tenth sign-up was refused by whichever gateway it reached, on
    // the count of both.
    let events = second.gateway.events(1).await;
    let refused_at_ten = events.iter().any(|e| {
        reason_sources(e).contains(&"behave.signup.burst")
            && e["reasons"][0]["evidence"].as_str().is_some_and(|text| {
                text.starts_with("address 127.0.0.1 asked for 10 sign-ups (10 distinct accounts)")
            })
    });
    assert!(
        refused_at_ten,
        "the tenth went to the second gateway: {events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordinary_sign_ups_through_the_hour_are_not_refused_across_gateways() {
    // An office behind one address may sign many people up: the burst
    // threshold is raised for it; their names share no pattern.
    let Some(Pair {
        redis: _redis,
        upstream: _upstream,
        first,
        second,
    }) = Pair::start("office:", "\n[behave.signup]\nper_source = 500\n").await
    else {
        return;
    };
    let gateways = [&first, &second];
    let names = [
        "ann", "bob", "chen", "dana", "emil", "farah", "gus", "hana", "ivo", "jun",
    ];
    for n in 0..60 {
        let account = format!("{}.{}@corp.test", names[n % 10], names[(n / 10) % 10]);
        let status = gateways[n % 2].sign_up(&account).await;
        assert_eq!(status, 200, "{account}");
    }
    let (a, b) = (first.stats("signup"), second.stats("signup"));
    assert_eq!(a.counted + b.counted, 60, "every sign-up counted in redis");
    assert_eq!(a.fallbacks + b.fallbacks, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_killed_requests_are_served_and_the_fallback_counted() {
    let Some(Pair {
        redis,
        upstream: _upstream,
        first,
        second,
    }) = Pair::start("out:", "").await
    else {
        return;
    };
    let gateways = [&first, &second];
    for n in 0..4 {
        assert_eq!(
            gateways[n % 2].sign_up(&format!("u{n}@mail.test")).await,
            200
        );
    }
    drop(redis);
    for n in 4..8 {
        let gateway = gateways[n % 2];
        assert_eq!(
            gateway.sign_up(&format!("u{n}@mail.test")).await,
            200,
            "sign-up {n}"
        );
        assert_eq!(
            gateway.code(&format!("+44 7700 900{n:03}")).await,
            200,
            "code {n}"
        );
    }
    for gateway in gateways {
        let (signup, otp) = (gateway.stats("signup"), gateway.stats("otp"));
        assert_eq!((signup.counted, signup.fallbacks), (2, 2), "{signup:?}");
        assert_eq!((otp.counted, otp.fallbacks), (0, 2), "{otp:?}");
    }
}
