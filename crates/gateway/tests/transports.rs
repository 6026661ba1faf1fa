//! The pipeline's core behaviour over every client transport: HTTP/1.1, h2c
//! (prior knowledge) and h2 over TLS. The same requests, the same answers:
//! forwarded unchanged, injections refused by `detect`, `ip_lists` denials,
//! routing by the host the protocol carries (`Host` or `:authority`), never a
//! `Host` header that contradicts the request target, and body limits.

mod support;

use http::Request;
use support::transport::{Transport, TransportGateway};
use support::*;

/// Routes: `main` (a body limit of 1000 bytes), `denied` (the loopback
/// clients of these tests on its deny list) and `api`, for host `api.test`,
/// to a second upstream. Stages `ip_lists` and `detect`.
fn suite_config(backend: &TestUpstream, api: &TestUpstream) -> String {
    let routes = format!(
        r#"max_body_bytes = 1000

[[routes]]
name = "denied"
path_prefix = "/denied"
upstream = "backend"
ip_deny = ["127.0.0.0/8"]

[[upstreams]]
name = "api"
addresses = ["{}"]

[[routes]]
name = "api"
host = "api.test"
upstream = "api"
"#,
        api.addr
    );
    with_stages(
        &config(&[backend.addr], &routes),
        &["ip_lists", "detect"],
        "",
    )
}

/// Upstreams and one gateway per transport, all on the suite's configuration.
struct Suite {
    backend: TestUpstream,
    api: TestUpstream,
    gateways: Vec<TransportGateway>,
}

impl Suite {
    async fn start() -> Suite {
        let (backend, api) = (TestUpstream::start().await, TestUpstream::start().await);
        let text = suite_config(&backend, &api);
        let mut gateways = Vec::new();
        for transport in Transport::ALL {
            gateways.push(transport.serve(&text).await);
        }
        Suite {
            backend,
            api,
            gateways,
        }
    }
}

fn json_post(path: &str, json: &str) -> Request<BoxBody> {
    Request::post(path)
        .header("host", "shop.test")
        .header("content-type", "application/json")
        .body(full(json.to_string()))
        .unwrap()
}

/// The reasons' sources of every event written so far (at least `at_least`).
async fn reason_sources(gw: &TestGateway, at_least: usize) -> Vec<String> {
    gw.events(at_least)
        .await
        .iter()
        .flat_map(|e| e["reasons"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["source"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn gets_and_json_posts_reach_the_upstream_unchanged() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let response = gw.get("shop.test", "/items/7?colour=red&size=2").await;
        assert_eq!(response.status(), 200, "{t:?}");
        let echo = body_json(response).await;
        assert_eq!(echo["method"], "GET", "{t:?}");
        assert_eq!(echo["path"], "/items/7", "{t:?}");
        assert_eq!(echo["query"], "colour=red&size=2", "{t:?}");
        assert_eq!(echo["body_bytes"], 0, "{t:?}");
        assert_eq!(
            echoed_header(&echo, "host").as_deref(),
            Some("shop.test"),
            "{t:?}"
        );
        assert_eq!(
            echoed_header(&echo, "x-forwarded-proto").as_deref(),
            Some(gw.scheme()),
            "{t:?}"
        );

        let order = r#"{"item":7,"quantity":2,"note":"leave at the door"}"#;
        let expected = body_json(send(suite.backend.addr, json_post("/orders?x=1", order)).await)
            .await["body_fnv"]
            .clone();
        let response = gw.send(json_post("/orders?x=1", order)).await;
        assert_eq!(response.status(), 200, "{t:?}");
        let echo = body_json(response).await;
        assert_eq!(echo["method"], "POST", "{t:?}");
        assert_eq!(echo["path"], "/orders", "{t:?}");
        assert_eq!(echo["query"], "x=1", "{t:?}");
        assert_eq!(echo["body_bytes"], order.len(), "{t:?}");
        assert_eq!(echo["body_fnv"], expected, "{t:?}: the body changed");
        assert_eq!(
            echoed_header(&echo, "content-type").as_deref(),
            Some("application/json"),
            "{t:?}"
        );
    }
}

#[tokio::test]
async fn injections_in_the_query_and_a_json_body_are_refused() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let before = suite.backend.request_count();
        let query = gw
            .get(
                "shop.test",
                "/api/products?q=%27%20OR%201%3D1%20UNION%20SELECT%20password%20FROM%20users--",
            )
            .await;
        assert_eq!(query.status(), 403, "{t:?}");
        let body = gw
            .send(json_post(
                "/api/users",
                r#"{"name":"<script>alert(document.cookie)</script>"}"#,
            ))
            .await;
        assert_eq!(body.status(), 403, "{t:?}");
        assert_eq!(
            suite.backend.request_count(),
            before,
            "{t:?}: refused requests reached the upstream"
        );
        let events = gw.gw.events(2).await;
        assert!(
            events.iter().all(|e| e["action"] == "block"),
            "{t:?}: {events:?}"
        );
        let first_sources: Vec<&str> = events
            .iter()
            .map(|e| e["reasons"][0]["source"].as_str().unwrap_or(""))
            .collect();
        assert!(
            first_sources[0].starts_with("detect.sqli")
                && first_sources[1].starts_with("detect.xss"),
            "{t:?}: {events:?}"
        );
    }
}

#[tokio::test]
async fn a_denied_address_is_refused() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let before = suite.backend.request_count();
        let denied = gw.get("shop.test", "/denied/x").await;
        assert_eq!(denied.status(), 403, "{t:?}");
        assert!(
            body_json(denied).await["detail"]
                .as_str()
                .is_some_and(|d| d.contains("deny list")),
            "{t:?}"
        );
        assert_eq!(suite.backend.request_count(), before, "{t:?}");
        assert_eq!(reason_sources(&gw.gw, 1).await, ["ip_lists.deny"], "{t:?}");
    }
}

#[tokio::test]
async fn the_host_is_read_where_the_protocol_carries_it() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let (backend, api) = (suite.backend.request_count(), suite.api.request_count());
        let routed = gw.get("api.test", "/v1/me").await;
        assert_eq!(routed.status(), 200, "{t:?}");
        let echo = body_json(routed).await;
        assert_eq!(echoed_header(&echo, "host").as_deref(), Some("api.test"));
        assert_eq!(
            suite.api.request_count(),
            api + 1,
            "{t:?}: not routed by host"
        );
        assert_eq!(suite.backend.request_count(), backend, "{t:?}");

        // An event after the request, so that one for it would be written by now.
        let attack = gw
            .get("api.test", "/v1/me?id=1%27%20OR%20%271%27=%271")
            .await;
        assert_eq!(attack.status(), 403, "{t:?}");
        let events = gw.gw.events(1).await;
        assert_eq!(
            events.len(),
            1,
            "{t:?}: the plain request raised an event: {events:?}"
        );
        assert_eq!(events[0]["host"], "api.test", "{t:?}");
        assert_eq!(events[0]["route"], "api", "{t:?}");
        let sources = reason_sources(&gw.gw, 1).await;
        assert!(
            sources.iter().all(|s| !s.starts_with("detect.protocol")),
            "{t:?}: {sources:?}"
        );
    }
}

#[tokio::test]
async fn a_body_over_the_route_limit_is_refused_413() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let before = suite.backend.request_count();
        let declared = Request::post("/upload")
            .header("host", "shop.test")
            .body(full(vec![b'a'; 1001]))
            .unwrap();
        assert_eq!(
            gw.send(declared).await.status(),
            413,
            "{t:?}: declared length"
        );
        let streamed = Request::post("/upload")
            .header("host", "shop.test")
            .body(repeat_body(3000))
            .unwrap();
        assert_eq!(
            gw.send(streamed).await.status(),
            413,
            "{t:?}: streamed body"
        );
        assert_eq!(suite.backend.request_count(), before, "{t:?}");

        let fits = Request::post("/upload")
            .header("host", "shop.test")
            .body(full(vec![b'a'; 1000]))
            .unwrap();
        let response = gw.send(fits).await;
        assert_eq!(response.status(), 200, "{t:?}");
        assert_eq!(body_json(response).await["body_bytes"], 1000, "{t:?}");
    }
}

#[tokio::test]
async fn a_host_header_never_contradicts_the_request_target() {
    let suite = Suite::start().await;
    for gw in &suite.gateways {
        let t = gw.transport;
        let (backend, api) = (suite.backend.request_count(), suite.api.request_count());
        // HTTP/2: `:authority` api.test; HTTP/1.1: the absolute-form target.
        let target = format!("{}://api.test/v1/me", gw.scheme());
        let contradicted = Request::get(&target)
            .header("host", "shop.test")
            .body(full(""))
            .unwrap();
        let response = gw.send(contradicted).await;
        if t == Transport::Http1 {
            // RFC 9112: the target's host replaces Host, for the upstream too.
            assert_eq!(response.status(), 200);
            let echo = body_json(response).await;
            assert_eq!(echoed_header(&echo, "host").as_deref(), Some("api.test"));
            assert_eq!(suite.api.request_count(), api + 1);
        } else {
            // RFC 9113: malformed, refused before any stage or upstream.
            assert_eq!(response.status(), 400, "{t:?}");
            assert_eq!(suite.api.request_count(), api, "{t:?}");
            assert_eq!(
                reason_sources(&gw.gw, 1).await,
                ["protocol.framing"],
                "{t:?}"
            );
        }
        assert_eq!(suite.backend.request_count(), backend, "{t:?}");
    }
}
