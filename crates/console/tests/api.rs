//! The admin API on a real gateway (loopback ports, a real SQLite file in a
//! temporary directory): the token check, the description of every route,
//! the inventory, events (filters, pages, the live stream), clients, bans,
//! statistics and the audit trail.

mod common;
#[path = "../../gateway/tests/support/mod.rs"]
mod support;

use common::*;
use http::Request;
use http_body_util::BodyExt;
use std::time::Duration;
use support::*;

async fn start() -> (TestUpstream, TestGateway) {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start_with_console(&console_config(upstream.addr)).await;
    (upstream, gw)
}

fn items(page: &serde_json::Value) -> Vec<serde_json::Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_token_is_required_with_any_case_of_the_scheme() {
    let (_upstream, gw) = start().await;
    let missing = call(&gw, "GET", "/api/endpoints", None, "").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.content_type(), "application/problem+json");
    assert_eq!(missing.headers["www-authenticate"], "Bearer");
    assert!(missing.json()["detail"]
        .as_str()
        .unwrap()
        .contains("Bearer"));
    let wrong = call(
        &gw,
        "GET",
        "/api/endpoints",
        Some("Bearer not-the-token-at-all"),
        "",
    )
    .await;
    assert_eq!(wrong.status, 401);
    let basic = call(
        &gw,
        "GET",
        "/api/endpoints",
        Some(&format!("Basic {TOKEN}")),
        "",
    )
    .await;
    assert_eq!(basic.status, 401);
    let lower = call(
        &gw,
        "GET",
        "/api/endpoints",
        Some(&format!("bearer {TOKEN}")),
        "",
    )
    .await;
    assert_eq!(lower.status, 200, "{}", lower.text);
    let described = call(&gw, "GET", "/api/openapi.json", None, "").await;
    assert_eq!(described.status, 200, "the description needs no token");
    let unknown = api(&gw, "GET", "/api/nothing-here", "").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.content_type(), "application/problem+json");
    let metrics = call(&gw, "GET", "/metrics", None, "").await;
    assert_eq!(
        metrics.status, 200,
        "metrics stay the gateway's, without a token"
    );
}

#[tokio::test]
async fn without_a_token_the_api_says_how_to_set_one() {
    let upstream = TestUpstream::start().await;
    let text = console_config(upstream.addr).replace(&format!("token = \"{TOKEN}\"\n"), "");
    let gw = TestGateway::start_with_console(&text).await;
    let refused = call(
        &gw,
        "GET",
        "/api/endpoints",
        Some(&format!("Bearer {TOKEN}")),
        "",
    )
    .await;
    assert_eq!(refused.status, 403);
    let detail = refused.json()["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains("[admin] token") && detail.contains("RAMPART_ADMIN_TOKEN"),
        "{detail}"
    );
    assert_eq!(
        call(&gw, "GET", "/api/openapi.json", None, "").await.status,
        200
    );
    assert_eq!(call(&gw, "GET", "/healthz", None, "").await.status, 200);
}

#[tokio::test]
async fn the_description_names_exactly_the_routes_served() {
    let (_upstream, gw) = start().await;
    let document = call(&gw, "GET", "/api/openapi.json", None, "").await.json();
    assert_eq!(document["openapi"], "3.1.0");
    let mut described: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let mut served: Vec<String> = rampart_console::routes::served()
        .into_iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    described.sort();
    served.sort();
    assert_eq!(described, served);
}

#[tokio::test]
async fn endpoints_are_listed_filtered_and_detailed_from_traffic() {
    let (_upstream, gw) = start().await;
    for id in 1..=12 {
        assert_eq!(visit(&gw, "GET", &format!("/accounts/{id}")).await, 200);
    }
    assert_eq!(visit(&gw, "GET", "/items").await, 200);
    let listed = poll(&gw, "/api/endpoints?q=accounts", |page| {
        items(page).iter().any(|e| {
            e["template"]
                .as_str()
                .is_some_and(|t| t.starts_with("/accounts/{"))
                && e["requests"].as_u64() >= Some(12)
        })
    })
    .await;
    let account = items(&listed)
        .into_iter()
        .find(|e| e["template"].as_str().unwrap().starts_with("/accounts/{"))
        .unwrap();
    assert_eq!(account["method"], "GET");
    assert_eq!(account["host"], "api.test");
    assert_eq!(account["drift"], "learned", "no spec declared");
    assert!(account["risk"]["level"].is_string());
    assert!(account["requests"].as_u64().unwrap() >= 12);
    // `/items` may reach the inventory one publication after the accounts.
    poll(&gw, "/api/endpoints", |page| items(page).len() >= 2).await;
    let one = api(&gw, "GET", "/api/endpoints?limit=1", "").await.json();
    assert_eq!(items(&one).len(), 1);
    let next = one["next_cursor"].as_str().expect("a next page");
    let second = api(
        &gw,
        "GET",
        &format!("/api/endpoints?limit=1&cursor={next}"),
        "",
    )
    .await
    .json();
    assert_ne!(items(&second)[0]["id"], items(&one)[0]["id"]);
    let none = api(&gw, "GET", "/api/endpoints?method=DELETE", "")
        .await
        .json();
    assert!(items(&none).is_empty());
    let none = api(&gw, "GET", "/api/endpoints?risk_min=101", "")
        .await
        .json();
    assert!(items(&none).is_empty());

    let id = account["id"].as_str().unwrap();
    let detail = api(&gw, "GET", &format!("/api/endpoints/{id}"), "")
        .await
        .json();
    assert_eq!(detail["template"], account["template"]);
    assert_eq!(detail["params"].as_array().unwrap().len(), 1);
    assert!(detail["risk"]["reasons"].is_array());
    let traffic = detail["traffic"].as_array().unwrap();
    assert!(
        traffic
            .iter()
            .map(|m| m["requests"].as_u64().unwrap())
            .sum::<u64>()
            >= 12
    );
    let missing = api(&gw, "GET", "/api/endpoints/0000", "").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.content_type(), "application/problem+json");
    let exported = api(&gw, "GET", "/api/inventory/openapi", "").await.json();
    assert_eq!(exported["openapi"], "3.1.0");
    assert!(exported["paths"]
        .as_object()
        .unwrap()
        .keys()
        .any(|p| p.starts_with("/accounts/{")));
}

#[tokio::test]
async fn events_are_filtered_and_paged_newest_first() {
    let (_upstream, gw) = start().await;
    for n in 0..3 {
        assert_eq!(visit(&gw, "GET", &format!("/admin/panel{n}")).await, 403);
    }
    assert_eq!(visit(&gw, "GET", "/items").await, 200);
    let blocked = poll(&gw, "/api/events?action=block", |page| {
        items(page).len() >= 3
    })
    .await;
    let events = items(&blocked);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["path"], "/admin/panel2", "newest first");
    assert!(events[0]["id"].as_i64().unwrap() > events[1]["id"].as_i64().unwrap());
    let detector = events[0]["reasons"][0]["source"]
        .as_str()
        .unwrap()
        .to_string();

    let first = api(&gw, "GET", "/api/events?action=block&limit=2", "")
        .await
        .json();
    assert_eq!(items(&first).len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let rest = api(
        &gw,
        "GET",
        &format!("/api/events?action=block&limit=2&cursor={cursor}"),
        "",
    )
    .await
    .json();
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(items(&rest)[0]["path"], "/admin/panel0");
    assert!(rest["next_cursor"].is_null());

    let by_detector = api(&gw, "GET", &format!("/api/events?detector={detector}"), "")
        .await
        .json();
    assert_eq!(items(&by_detector).len(), 3, "{detector}");
    let family = detector.split('.').next().unwrap();
    let by_family = api(&gw, "GET", &format!("/api/events?detector={family}"), "")
        .await
        .json();
    assert_eq!(items(&by_family).len(), 3, "{family}");
    let other = api(&gw, "GET", "/api/events?detector=no-such-detector", "")
        .await
        .json();
    assert!(items(&other).is_empty());
    let by_client = api(&gw, "GET", "/api/events?client=127.0.0.1&action=block", "")
        .await
        .json();
    assert_eq!(items(&by_client).len(), 3);
    let future = api(&gw, "GET", "/api/events?from=2999-01-01T00:00:00Z", "")
        .await
        .json();
    assert!(items(&future).is_empty());
    let past = api(&gw, "GET", "/api/events?to=1000&action=block", "")
        .await
        .json();
    assert!(items(&past).is_empty());
    let bad = api(&gw, "GET", "/api/events?from=yesterday", "").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["detail"].as_str().unwrap().contains("RFC 3339"));

    let clients = api(&gw, "GET", "/api/clients", "").await.json();
    let me = &items(&clients)[0];
    assert_eq!(me["client"], "127.0.0.1");
    assert!(me["blocked"].as_u64().unwrap() >= 3);
    assert_eq!(me["banned"], false);
    assert_eq!(me["signals"][0]["detector"], detector.as_str());
}

#[tokio::test]
async fn events_on_one_endpoint_are_found_by_its_id() {
    let (_upstream, gw) = start().await;
    for n in 1..=8 {
        assert_eq!(visit(&gw, "GET", &format!("/reports/{n}")).await, 200);
    }
    assert_eq!(visit(&gw, "GET", "/reports/1/pages/2").await, 200);
    let listed = poll(&gw, "/api/endpoints?q=reports", |page| {
        items(page).iter().any(|e| {
            e["template"]
                .as_str()
                .is_some_and(|t| t.starts_with("/reports/{") && !t.contains("pages"))
        })
    })
    .await;
    let id = items(&listed)
        .into_iter()
        .find(|e| {
            e["template"].as_str().unwrap().starts_with("/reports/{")
                && !e["template"].as_str().unwrap().contains("pages")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let on_it = poll(&gw, &format!("/api/events?endpoint={id}"), |page| {
        items(page).len() >= 8
    })
    .await;
    let on_it = items(&on_it);
    assert_eq!(on_it.len(), 8, "not the deeper path: {on_it:?}");
    assert!(on_it.iter().all(|e| e["action"] == "monitor"));

    // The overview names threats by detector and by the endpoint's flow,
    // once discovery has published the deeper endpoint too (until then its
    // event has no flow and counts apart).
    let overview = poll(&gw, "/api/overview", |overview| {
        overview["top_threats"][0]["count"] == 9
    })
    .await;
    let threat = &overview["top_threats"][0];
    assert_eq!(threat["count"], 9, "both /reports endpoints: {overview}");
    assert!(threat["detector"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(threat["flow"].is_string(), "{overview}");
}

/// Reads a Server-Sent Events body until `wanted` appears (at most 100
/// frames, each within 10 s).
async fn read_stream_until(body: &mut hyper::body::Incoming, wanted: &str) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("a frame in time")
            .expect("the stream stays open")
            .unwrap();
        if let Some(data) = frame.data_ref() {
            text.push_str(&String::from_utf8_lossy(data));
        }
        if text.contains(wanted) {
            return text;
        }
    }
    panic!("{wanted:?} never streamed: {text}");
}

#[tokio::test]
async fn a_blocked_request_is_streamed_as_it_is_written() {
    let (_upstream, gw) = start().await;
    let request = Request::get("/api/events/stream")
        .header("host", "admin")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(full(""))
        .unwrap();
    let response = send(gw.gateway.admin_addr, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    // The subscription is made before the answer's head is sent.
    assert_eq!(visit(&gw, "GET", "/admin/streamed").await, 403);
    let text = read_stream_until(&mut body, "/admin/streamed").await;
    assert!(text.contains("event: security"), "{text}");
    let data = text
        .lines()
        .find(|l| l.starts_with("data:") && l.contains("/admin/streamed"))
        .unwrap();
    let event: serde_json::Value =
        serde_json::from_str(data.trim_start_matches("data:").trim()).unwrap();
    assert_eq!(event["action"], "block");
}

#[tokio::test]
async fn a_ban_refuses_the_client_is_listed_and_lifted_and_audited() {
    let (_upstream, gw) = start().await;
    assert_eq!(visit(&gw, "GET", "/items").await, 200);
    let banned = api(
        &gw,
        "POST",
        "/api/bans",
        r#"{"network":"127.0.0.1","reason":"abuse report 7"}"#,
    )
    .await;
    assert_eq!(banned.status, 201, "{}", banned.text);
    assert_eq!(banned.json()["offences"], 1);
    assert!(refused_at_accept(gw.addr()).await);

    let listed = api(&gw, "GET", "/api/bans", "").await.json();
    let ban = &items(&listed)[0];
    assert_eq!(ban["target"]["kind"], "network");
    assert_eq!(ban["target"]["value"], "127.0.0.1/32");
    assert_eq!(ban["reason"], "abuse report 7");
    assert_eq!(ban["offences"], 1);
    assert_eq!(ban["shared"], false);
    assert!(ban["since"].as_str().unwrap() < ban["until"].as_str().unwrap());

    let unclear = api(
        &gw,
        "POST",
        "/api/bans",
        r#"{"network":"10.0.0.0/8","user":"x"}"#,
    )
    .await;
    assert_eq!(unclear.status, 400);
    assert!(unclear.json()["detail"]
        .as_str()
        .unwrap()
        .contains("exactly one of"));

    let lifted = api(&gw, "DELETE", "/api/bans/network/127.0.0.1/32", "").await;
    assert_eq!(lifted.status, 200, "{}", lifted.text);
    assert_eq!(lifted.json()["lifted"], true);
    assert_eq!(lifted.json()["shared"], "not_configured");
    assert_eq!(visit(&gw, "GET", "/items").await, 200);
    assert!(items(&api(&gw, "GET", "/api/bans", "").await.json()).is_empty());
    let again = api(&gw, "DELETE", "/api/bans", r#"{"user":"nobody"}"#)
        .await
        .json();
    assert_eq!(again["lifted"], false);

    let audit = poll(&gw, "/api/audit", |page| items(page).len() >= 4).await;
    let entries = items(&audit);
    let last = &entries[0];
    assert_eq!(last["method"], "DELETE");
    assert_eq!(last["path"], "/api/bans");
    assert_eq!(last["actor"], "admin");
    assert!(last["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert_eq!(last["summary"], r#"{"user":"nobody"}"#);
    let first = &entries[3];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["status"], 201);
    assert!(first["summary"]
        .as_str()
        .unwrap()
        .contains("abuse report 7"));
    assert!(
        entries.iter().all(|e| e["method"] != "GET"),
        "reads are not audited"
    );
}

#[tokio::test]
async fn traffic_is_counted_per_minute_in_the_store() {
    let (_upstream, gw) = start().await;
    for _ in 0..3 {
        assert_eq!(visit(&gw, "GET", "/items").await, 200);
    }
    assert_eq!(visit(&gw, "GET", "/admin/x").await, 403);
    // The minute in progress is counted from memory.
    let stats = poll(&gw, "/api/stats", |s| {
        s["totals"]["requests"].as_u64() >= Some(4)
    })
    .await;
    assert!(stats["totals"]["blocked"].as_u64().unwrap() >= 1);
    assert_eq!(stats["step"], 60);
    assert!(stats["series"].as_array().unwrap().len() >= 60);
    let overview = api(&gw, "GET", "/api/overview", "").await.json();
    assert!(overview["totals"]["requests"].as_u64().unwrap() >= 4);
    assert!(overview["top_threats"].is_array());
    assert_eq!(overview["active_bans"], 0);
    assert_eq!(api(&gw, "GET", "/api/stats?step=7", "").await.status, 400);

    // Shutdown writes the minute in progress.
    let db = gw.dir.path().join("rampart.db");
    let TestGateway { gateway, dir, .. } = gw;
    gateway.shutdown().await;
    let store = rampart_store::Store::open(&db).unwrap();
    let minutes = store.traffic_between(0, u64::MAX / 2, 10).unwrap();
    let requests: u64 = minutes.iter().map(|(_, c)| c.requests).sum();
    let blocked: u64 = minutes.iter().map(|(_, c)| c.blocked).sum();
    assert!(requests >= 4 && blocked >= 1, "{minutes:?}");
    drop(dir);
}

#[tokio::test]
async fn without_the_store_the_api_says_what_to_configure() {
    let upstream = TestUpstream::start().await;
    let text = console_config(upstream.addr).replace("sqlite = \"rampart.db\"\n", "");
    let gw = TestGateway::start_with_console(&text).await;
    for path in ["/api/events", "/api/stats", "/api/audit", "/api/clients"] {
        let answer = api(&gw, "GET", path, "").await;
        assert_eq!(answer.status, 409, "{path}");
        assert!(
            answer.json()["detail"]
                .as_str()
                .unwrap()
                .contains("[events] sqlite"),
            "{path}"
        );
    }
    let overview = api(&gw, "GET", "/api/overview", "").await.json();
    assert!(overview["totals"].is_null() && overview["top_endpoints"].is_array());
    // Changes still work (and are logged) without a store to record them in.
    let banned = api(&gw, "POST", "/api/bans", r#"{"user":"mallory"}"#).await;
    assert_eq!(banned.status, 201);
}
