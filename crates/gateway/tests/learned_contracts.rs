//! What the live inventory learned enforces itself: with `[detect.learned]`
//! enabled, a sign-up taught by enough requests from enough clients is
//! checked against what it was taught (an unknown `is_admin`, a wrong type,
//! an endpoint never seen), each breach as its mode says, while an optional
//! field, a thinly taught endpoint and a declared spec are respected.

mod support;

use http::Request;
use std::sync::atomic::Ordering;
use support::*;

/// Requests and clients that teach the sign-up in these tests.
const TAUGHT: usize = 40;
const CLIENTS: usize = 5;

fn gateway_config(upstream: &TestUpstream, learned: &str, discovery: &str) -> String {
    let sections = format!(
        "[discovery]\npublish_interval = \"50ms\"\n{discovery}\n\n\
         [detect.learned]\nenabled = true\nmin_samples = 20\nmin_clients = 4\n\
         learning_period_seconds = 0\n{learned}\n"
    );
    with_stages(
        &config(&[upstream.addr], ""),
        &["discover", "detect"],
        &sections,
    )
    .replace("[server]", "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]")
}

fn signup(client: usize, body: &str) -> Request<BoxBody> {
    Request::post("/signup")
        .header("host", "shop.test")
        .header("content-type", "application/json")
        .header("x-forwarded-for", format!("192.0.2.{}", client + 1))
        .body(full(body.to_owned()))
        .unwrap()
}

fn shop_get(path: &str) -> Request<BoxBody> {
    Request::get(path)
        .header("host", "shop.test")
        .body(full(""))
        .unwrap()
}

/// Sign-ups from `clients` clients; one in ten carries a referral code.
async fn teach(gateway: &TestGateway, clients: usize) {
    for i in 0..TAUGHT {
        let body = if i % 10 == 0 {
            r#"{"email":"a@shop.test","password":"pw-12345678","age":30,"referral":"friend"}"#
        } else {
            r#"{"email":"a@shop.test","password":"pw-12345678","age":30}"#
        };
        let status = send(gateway.addr(), signup(i % clients, body))
            .await
            .status();
        assert_eq!(status, 200, "teaching request {i}");
    }
}

/// A gateway on `text` taught by `clients` clients, once the sign-up's
/// contract (`evidenced` or not) is published.
async fn taught(text: &str, clients: usize, evidenced: bool) -> TestGateway {
    let gateway = TestGateway::start(text).await;
    teach(&gateway, clients).await;
    wait_for_contract(&gateway, evidenced).await;
    gateway
}

/// Waits until the inventory worker published the sign-up's contract
/// built from every teaching request (`evidenced`: with learned evidence).
async fn wait_for_contract(gateway: &TestGateway, evidenced: bool) {
    let discovery = gateway
        .gateway
        .admin_state()
        .shared
        .services
        .discovery
        .clone()
        .unwrap();
    for _ in 0..200 {
        let published = discovery
            .report()
            .endpoints
            .iter()
            .any(|e| e.template == "/signup" && e.requests == TAUGHT as u64);
        let contracts = discovery.learned_contracts();
        let learned = contracts
            .find("POST", "/signup")
            .is_some_and(|c| c.traffic.learned_from.is_some());
        if published && learned == evidenced {
            let counted = discovery.stats.learned_contracts.load(Ordering::Relaxed);
            assert_eq!(
                counted,
                u64::from(evidenced),
                "the gauge counts checked contracts"
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the sign-up's learned contract was never published as expected");
}

const ADMIN: &str = r#"{"email":"m@shop.test","password":"pw-12345678","age":30,"is_admin":true}"#;
const WRONG_TYPE: &str = r#"{"email":"m@shop.test","password":"pw-12345678","age":"thirty"}"#;
const REFERRED: &str =
    r#"{"email":"r@shop.test","password":"pw-12345678","age":41,"referral":"news"}"#;

#[tokio::test]
async fn a_taught_sign_up_reports_mass_assignment_and_wrong_types_in_monitor_mode() {
    let upstream = TestUpstream::start().await;
    let gateway = taught(&gateway_config(&upstream, "", ""), CLIENTS, true).await;
    let addr = gateway.addr();

    assert_eq!(send(addr, signup(0, REFERRED)).await.status(), 200);
    assert_eq!(send(addr, signup(1, ADMIN)).await.status(), 200);
    let events = gateway.events(1).await;
    let event = &events[0];
    assert_eq!(
        events.len(),
        1,
        "the optional referral was no breach: {events:?}"
    );
    assert_eq!(event["action"], "would_block", "{event}");
    let reason = &event["reasons"][0];
    assert_eq!(
        reason["source"],
        "detect.contract.learned.unexpected_property"
    );
    assert_eq!(reason["location"], "body$.is_admin");
    assert_eq!(
        reason["evidence"],
        "POST /signup (learned from 40 requests by 5 clients): seen in 0 of 40: is_admin=true",
        "{event}"
    );

    assert_eq!(send(addr, signup(2, WRONG_TYPE)).await.status(), 200);
    let events = gateway.events(2).await;
    let reason = &events[1]["reasons"][0];
    assert_eq!(
        reason["source"], "detect.contract.learned.wrong_type",
        "{}",
        events[1]
    );
    assert_eq!(reason["location"], "body$.age");
    assert!(
        reason["evidence"]
            .as_str()
            .unwrap()
            .ends_with(r#": learned integer: "thirty""#),
        "{reason}"
    );

    assert_eq!(send(addr, shop_get("/internal/debug")).await.status(), 200);
    let events = gateway.events(3).await;
    assert_eq!(
        reason_sources(&events[2]),
        ["detect.contract.unknown_endpoint"]
    );
    assert_eq!(
        events[2]["reasons"][0]["evidence"],
        "GET /internal/debug (not in the learned inventory)"
    );
    assert_eq!(
        upstream.request_count(),
        TAUGHT + 4,
        "monitor mode lets all through"
    );

    // A breach let through is not learned: the sign-up still takes no
    // `is_admin`, however often it is sent.
    for client in 0..CLIENTS {
        assert_eq!(send(addr, signup(client, ADMIN)).await.status(), 200);
    }
    assert_eq!(send(addr, signup(0, REFERRED)).await.status(), 200);
    let signup = wait_for_requests(&gateway, TAUGHT + 2).await;
    assert_eq!(signup["requests"], TAUGHT + 2, "{signup}");
    let learned = &signup["request_body"]["properties"];
    assert!(learned["referral"].is_object(), "{learned}");
    assert!(learned.get("is_admin").is_none(), "{learned}");
    assert_eq!(learned["age"]["type"], "integer", "{learned}");
}

/// The sign-up as the inventory last published it, once it counts at
/// least `requests`.
async fn wait_for_requests(gateway: &TestGateway, requests: usize) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..200 {
        let inventory = gateway.inventory();
        if let Some(signup) = inventory["endpoints"]
            .as_array()
            .and_then(|all| all.iter().find(|e| e["template"] == "/signup"))
        {
            if signup["requests"].as_u64() >= Some(requests as u64) {
                return signup.clone();
            }
            last = signup.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the sign-up never counted {requests} requests: {last}");
}

#[tokio::test]
async fn enforced_breaches_are_refused() {
    let upstream = TestUpstream::start().await;
    let text = gateway_config(
        &upstream,
        "unknown_properties = \"enforce\"\nwrong_types = \"enforce\"\n",
        "",
    );
    let gateway = taught(&text, CLIENTS, true).await;
    let addr = gateway.addr();
    assert_eq!(send(addr, signup(3, ADMIN)).await.status(), 403);
    assert_eq!(send(addr, signup(3, WRONG_TYPE)).await.status(), 403);
    assert_eq!(send(addr, signup(3, REFERRED)).await.status(), 200);
    let events = gateway.events(2).await;
    assert!(events.iter().all(|e| e["action"] == "block"), "{events:?}");
    assert_eq!(upstream.request_count(), TAUGHT + 1);
}

/// Sends `is_admin` to the sign-up, then an SQL injection the default
/// detectors block: the injection's must be the only event.
async fn assert_is_admin_goes_unreported(gateway: &TestGateway) {
    let addr = gateway.addr();
    assert_eq!(send(addr, signup(0, ADMIN)).await.status(), 200);
    let injection = shop_get("/search?q=1%27%20OR%20%271%27%3D%271");
    assert_eq!(send(addr, injection).await.status(), 403);
    let events = gateway.events(1).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["path"], "/search", "{}", events[0]);
}

#[tokio::test]
async fn one_client_teaches_nothing() {
    let upstream = TestUpstream::start().await;
    let gateway = taught(&gateway_config(&upstream, "", ""), 1, false).await;
    assert_is_admin_goes_unreported(&gateway).await;
}

#[tokio::test]
async fn too_few_samples_teach_nothing() {
    let upstream = TestUpstream::start().await;
    let text = gateway_config(&upstream, "", "").replace("min_samples = 20", "min_samples = 41");
    let gateway = taught(&text, CLIENTS, false).await;
    assert_is_admin_goes_unreported(&gateway).await;
}

const SPEC: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Shop", "version": "1"},
  "paths": {"/signup": {"post": {"requestBody": {"content": {"application/json": {"schema": {
    "type": "object",
    "properties": {
      "email": {"type": "string"}, "password": {"type": "string"},
      "age": {"type": "integer"}, "referral": {"type": "string"},
      "is_admin": {"type": "boolean"}
    }
  }}}}}}}
}"#;

#[tokio::test]
async fn the_declared_spec_wins_over_what_was_learned() {
    let upstream = TestUpstream::start().await;
    let spec_dir = tempfile::tempdir().unwrap();
    let spec = spec_dir.path().join("openapi.json");
    std::fs::write(&spec, SPEC).unwrap();
    let text = gateway_config(
        &upstream,
        "unknown_properties = \"enforce\"\n",
        &format!("spec = {:?}", spec.display().to_string()),
    )
    .replace(
        "[detect.learned]",
        "[detect.spec]\nwrong_types = \"monitor\"\n\n[detect.learned]",
    );
    let gateway = taught(&text, CLIENTS, true).await;
    let addr = gateway.addr();
    assert_eq!(
        send(addr, signup(0, ADMIN)).await.status(),
        200,
        "the spec declares is_admin"
    );
    assert_eq!(send(addr, signup(0, WRONG_TYPE)).await.status(), 200);
    let events = gateway.events(1).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(reason_sources(&events[0]), ["detect.contract.wrong_type"]);
    assert_eq!(
        events[0]["reasons"][0]["evidence"], r#"POST /signup: "thirty""#,
        "checked against the spec's contract, not the learned one: {}",
        events[0]
    );
}
