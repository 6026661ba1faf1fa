//! Security events through a real gateway: written for decisions and strong
//! signals only (a normal run of API traffic writes none, and what it left
//! is counted in metrics).

mod support;

use http_body_util::BodyExt;
use support::*;

/// Every stage, a limit every request passes and a tag on every request:
/// none of it is a decision.
fn full_protection(upstream: std::net::SocketAddr) -> String {
    let protection = r#"[pipeline]
stages = ["ip_lists", "detect", "discover", "prevent"]

[[prevent.limits]]
name = "per-ip"
key = { parts = ["ip"] }
quota = { requests = 10000, per_seconds = 60 }

[[prevent.policy.rules]]
name = "limit-everyone"
when = 'true'
action = { type = "rate_limit", limit = "per-ip" }

[[prevent.policy.rules]]
name = "tag-everyone"
when = 'true'
action = { type = "tag", headers = { "x-rampart-score" = "{score}" } }

[[listeners]]"#;
    config(&[upstream], "").replace("[[listeners]]", protection)
}

#[tokio::test]
async fn a_normal_run_of_api_traffic_writes_no_event() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&full_protection(upstream.addr)).await;
    let addr = gw.addr();
    let by_address = addr.to_string();
    // No Accept, no User-Agent (hyper's client sends neither), the host
    // given as an address, JSON with and without a Content-Type.
    for path in ["/orders", "/orders/17", "/health", "/search?q=shoes&page=2"] {
        let request = hyper::Request::get(path)
            .header("host", &by_address)
            .body(full(""))
            .unwrap();
        assert_eq!(send(addr, request).await.status(), 200, "{path}");
    }
    let empty_agent = hyper::Request::get("/orders")
        .header("host", "[::1]:8080")
        .header("user-agent", "")
        .body(full(""))
        .unwrap();
    assert_eq!(send(addr, empty_agent).await.status(), 200);
    let json = hyper::Request::post("/orders")
        .header("host", &by_address)
        .header("content-type", "application/json")
        .body(full(r#"{"sku":"A-1","quantity":2}"#))
        .unwrap();
    assert_eq!(send(addr, json).await.status(), 200);
    let untyped = hyper::Request::post("/orders")
        .header("host", &by_address)
        .body(full(r#"{"sku":"A-2","quantity":1}"#))
        .unwrap();
    assert_eq!(send(addr, untyped).await.status(), 200);
    let chunked = format!(
        "POST /orders HTTP/1.1\r\nHost: {by_address}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n1a\r\n{{\"sku\":\"A-3\",\"quantity\":3}}\r\n0\r\n\r\n"
    );
    let answer = raw_exchange(addr, chunked.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A repeated argument: a weak signal (score 2), counted, not an event.
    let repeated = hyper::Request::get("/search?q=a&q=b")
        .header("host", &by_address)
        .body(full(""))
        .unwrap();
    assert_eq!(send(addr, repeated).await.status(), 200);

    // One attack, so that the file is known to be written: it is the only event.
    let attack = hyper::Request::get(
        "/search?q=1%27%20OR%20%271%27%3D%271%27%20UNION%20SELECT%20password%20FROM%20users--",
    )
    .header("host", &by_address)
    .body(full(""))
    .unwrap();
    assert_eq!(send(addr, attack).await.status(), 403);
    let events = gw.events(1).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["action"], "block");
    assert_eq!(events[0]["path"], "/search");
    let sources = reason_sources(&events[0]);
    assert!(
        !sources.contains(&"rule:limit-everyone"),
        "a limit that was not hit is no reason: {sources:?}"
    );

    let metrics = get(gw.gateway.admin_addr, "/metrics").await;
    let metrics = metrics.into_body().collect().await.unwrap().to_bytes();
    let metrics = String::from_utf8_lossy(&metrics);
    for counted in [
        "rampart_reasons_total{source=\"rule:tag-everyone\"}",
        "rampart_reasons_total{source=\"detect.protocol.parameter_pollution\"}",
    ] {
        assert!(metrics.contains(counted), "{counted} missing:\n{metrics}");
    }
}

#[tokio::test]
async fn a_flood_from_one_client_becomes_a_few_events_with_a_count() {
    let upstream = TestUpstream::start().await;
    let text = full_protection(upstream.addr).replace(
        "jsonl = \"events.jsonl\"",
        "jsonl = \"events.jsonl\"\naggregate_window = \"1s\"",
    );
    let gw = TestGateway::start(&text).await;
    const FLOOD: u64 = 60;
    for _ in 0..FLOOD {
        let attack = hyper::Request::get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            .header("host", "api.test")
            .body(full(""))
            .unwrap();
        assert_eq!(send(gw.addr(), attack).await.status(), 403);
    }
    // The first at once; the repeats when their window ends.
    let mut events = gw.events(2).await;
    for _ in 0..60 {
        let counted: u64 = events
            .iter()
            .map(|e| e["count"].as_u64().unwrap_or(1))
            .sum();
        if counted >= FLOOD {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        events = gw.events(2).await;
    }
    let counted: u64 = events
        .iter()
        .map(|e| e["count"].as_u64().unwrap_or(1))
        .sum();
    assert_eq!(
        counted, FLOOD,
        "every request is accounted for: {events:#?}"
    );
    assert!(
        events.len() < 10,
        "{} events for {FLOOD} requests",
        events.len()
    );
    assert!(
        events[0].get("count").is_none(),
        "the first is written as itself"
    );
    let folded = events.iter().find(|e| e.get("count").is_some()).unwrap();
    assert!(folded["first_time"].as_str() <= folded["last_time"].as_str());
    assert_eq!(folded["action"], "block");
}
