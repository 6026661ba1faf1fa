//! The anomaly model (`[behave.anomaly]`) in a real gateway in front of a
//! real upstream, on loopback: twenty users search (`?page=1..50&q=a few
//! words`) and order (`{"qty": 1..5}`); once the model has learned their
//! values, a huge quantity, a 3,000-character search and an injected page
//! number are recorded with their evidence (endpoint, parameter, excerpt,
//! what was learned, how far off) and reach the policy as class `anomaly`:
//! a rule refuses the strongest (the huge quantity) and lets the weaker
//! ones through, while a new user's ordinary values are not flagged.

mod support;

use http::Request;
use serde_json::Value;
use std::time::Duration;
use support::*;

const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/search": {"get": {"responses": {"200": {"description": "ok"}}}},
  "/orders": {"post": {"responses": {"200": {"description": "ok"}}}}}}"#;

/// Anomalies are weak signals: the policy refuses only a strong one.
const POLICY: &str = r#"
[[prevent.policy.rules]]
name = "far-off-values"
when = '"anomaly" in signals.classes && signals.score >= 3.0'
action = { type = "block" }
"#;

const WORDS: [&str; 10] = [
    "linen+shirt",
    "camping+stove",
    "ski+gloves",
    "teapot",
    "hdmi+adapter",
    "bookshelf",
    "rain+boots",
    "sunglasses",
    "tablet+stand",
    "pine+bench",
];

/// A request as `user`; its status, the answer read to its end.
async fn call(gateway: &TestGateway, user: &str, method: &str, path: &str, body: &str) -> u16 {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "api.test")
        .header("content-type", "application/json")
        .header("authorization", bearer(user))
        .body(full(body.to_string()))
        .unwrap();
    let response = send(gateway.addr(), request).await;
    let status = response.status().as_u16();
    body_text(response).await;
    status
}

async fn search(gateway: &TestGateway, user: &str, page: &str, q: &str) -> u16 {
    let path = format!("/search?page={page}&q={q}");
    call(gateway, user, "GET", &path, "").await
}

async fn order(gateway: &TestGateway, user: &str, qty: &str) -> u16 {
    call(
        gateway,
        user,
        "POST",
        "/orders",
        &format!(r#"{{"qty": {qty}}}"#),
    )
    .await
}

/// The `rampart_anomaly_values_total` of `outcome`, from the admin API.
async fn values(gateway: &TestGateway, outcome: &str) -> u64 {
    let metrics = body_text(get(gateway.gateway.admin_addr, "/metrics").await).await;
    let line = format!("rampart_anomaly_values_total{{outcome=\"{outcome}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&line)?.parse().ok())
        .unwrap_or(0)
}

/// The anomaly reasons of the events written so far, once `expected` of
/// them are there.
async fn anomaly_reasons(gateway: &TestGateway, expected: usize) -> Vec<Value> {
    for _ in 0..100 {
        let reasons: Vec<Value> = gateway
            .events(0)
            .await
            .iter()
            .flat_map(|e| e["reasons"].as_array().cloned().unwrap_or_default())
            .filter(|r| {
                r["source"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("behave.anomaly.")
            })
            .collect();
        if reasons.len() >= expected {
            return reasons;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {expected} anomaly reasons were written");
}

#[tokio::test]
async fn odd_values_are_flagged_with_evidence_after_many_clients_taught_the_usual_ones() {
    let upstream = TestUpstream::start().await;
    let (text, _spec_dir) = spec_config(
        upstream.addr,
        SPEC,
        &["discover", "behave", "prevent"],
        "publish_interval = \"100ms\"\n",
        POLICY,
    );
    let text = text.replace("[events]\n", "[events]\nmin_signal_score = 0.5\n");
    let gateway = TestGateway::start(&text).await;

    for i in 0..150 {
        let user = format!("user{}", i % 20);
        let page = (i * 7 % 50 + 1).to_string();
        assert_eq!(search(&gateway, &user, &page, WORDS[i % 10]).await, 200);
        assert_eq!(order(&gateway, &user, &(i % 5 + 1).to_string()).await, 200);
    }
    // Learning happens as each exchange ends: wait until all 450 values are in.
    for _ in 0..100 {
        if values(&gateway, "learned").await >= 450 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(values(&gateway, "learned").await, 450);

    for i in 0..20 {
        let page = (i % 50 + 1).to_string();
        assert_eq!(
            search(&gateway, "newcomer", &page, WORDS[(i + 3) % 10]).await,
            200
        );
        assert_eq!(
            order(&gateway, "newcomer", &(i % 5 + 1).to_string()).await,
            200
        );
    }
    assert_eq!(
        order(&gateway, "mallory", "999999999").await,
        403,
        "refused by the policy's rule"
    );
    assert_eq!(
        search(&gateway, "mallory", "2", &"a".repeat(3000)).await,
        200
    );
    assert_eq!(search(&gateway, "mallory", "-1'--", "teapot").await, 200);

    let reasons = anomaly_reasons(&gateway, 4).await;
    let found: Vec<(&str, &str)> = reasons
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap(),
                r["location"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("behave.anomaly.range", "json.qty"),
            ("behave.anomaly.length", "query.q"),
            ("behave.anomaly.classes", "query.page"),
            ("behave.anomaly.range", "query.page"),
        ],
        "{reasons:#?}"
    );
    let evidence = |n: usize| reasons[n]["evidence"].as_str().unwrap();
    assert!(
        evidence(0).starts_with(
            "POST /orders json.qty \"999999999\" from user \"mallory\": 999999999 outside -3..10 (learned 1..5;"
        ),
        "{}",
        evidence(0)
    );
    assert!(
        evidence(0).contains(" values of 5+ clients)"),
        "{}",
        evidence(0)
    );
    assert_eq!(reasons[0]["score"], 3.0);
    assert!(evidence(1).contains("query.q \"aaaa"), "{}", evidence(1));
    assert!(
        evidence(1).contains(": 3000 characters, "),
        "{}",
        evidence(1)
    );
    assert!(evidence(2).contains("\"-1'--\""), "{}", evidence(2));
    assert!(
        evidence(2).contains("unusual characters: punctuation"),
        "{}",
        evidence(2)
    );
    assert!(evidence(3).contains("not a number where 100.0% of values were"));
    assert!(
        reasons
            .iter()
            .all(|r| !r["evidence"].as_str().unwrap().contains("newcomer")),
        "a new user's ordinary values are not flagged"
    );
    let refusal = &gateway.events(1).await[0];
    assert_eq!(refusal["action"], "block");
    assert!(reason_sources(refusal).contains(&"behave.anomaly.range"));
    // Mallory's two searches passed (nothing but anomalies, answered 200),
    // so their values reached the model, which did not learn the odd ones;
    // her refused order was not learned from at all.
    for _ in 0..100 {
        if values(&gateway, "odd").await >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(values(&gateway, "odd").await, 2);
}
