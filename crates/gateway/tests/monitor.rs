//! Monitor mode through a real gateway: with every mode set to monitor, a
//! banned client, a geo-fenced client, a honeypot and an exceeded limit all
//! get the upstream's answer, each with an event saying what would have
//! happened; in enforce mode the same requests are refused as before.

mod support;

use std::net::SocketAddr;
use support::*;

/// Clients, told apart by the address a trusted proxy (loopback) forwards.
const FROM_US: &str = "8.8.8.8";
const BANNED: &str = "198.51.100.7";
const TRAPPED: &str = "81.91.160.2";
const LIMITED: &str = "81.91.160.3";

fn gateway_config(upstream: SocketAddr, mode: &str) -> String {
    let protection = format!(
        r#"[pipeline]
stages = ["ip_lists", "detect", "prevent"]

[detect]
mode = "{mode}"

[prevent.policy.defaults]
mode = "{mode}"

[prevent.geo.routes.main]
deny_countries = ["US"]

[prevent.deception]
on_trap = "ban"
[[prevent.deception.honeypots]]
prefix = "/wp-admin"

[[prevent.limits]]
name = "per-ip"
key = {{ parts = ["ip"] }}
quota = {{ requests = 1, per_seconds = 3600 }}

[[prevent.policy.rules]]
name = "limit-search"
when = 'request.path == "/search"'
action = {{ type = "rate_limit", limit = "per-ip" }}

[[listeners]]"#
    );
    config(&[upstream], "")
        .replace("[[listeners]]", &protection)
        .replace("[server]", "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]")
}

async fn from(gw: &TestGateway, client: &str, path: &str) -> u16 {
    let request = hyper::Request::get(path)
        .header("host", "api.test")
        .header("x-forwarded-for", client)
        .body(full(""))
        .unwrap();
    send(gw.addr(), request).await.status().as_u16()
}

/// The action of the one event about `client` on `path`.
fn action_for(events: &[serde_json::Value], client: &str, path: &str) -> String {
    let matching: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["client_ip"] == client && e["path"] == path)
        .collect();
    assert_eq!(matching.len(), 1, "events for {client} {path}: {events:#?}");
    matching[0]["action"].as_str().unwrap().to_string()
}

/// The event actions of the four, in the order [`run_the_four`] sends them.
fn actions_of_the_four(events: &[serde_json::Value]) -> [String; 4] {
    [
        action_for(events, FROM_US, "/orders"),
        action_for(events, BANNED, "/orders"),
        action_for(events, TRAPPED, "/wp-admin/setup.php"),
        action_for(events, LIMITED, "/search"),
    ]
}

/// Sends the four would-be refusals; returns their statuses in order:
/// geo fence, ban, honeypot, second search over the limit.
async fn run_the_four(gw: &TestGateway) -> [u16; 4] {
    gw.ban(BANNED);
    assert_eq!(from(gw, LIMITED, "/search").await, 200, "within the quota");
    [
        from(gw, FROM_US, "/orders").await,
        from(gw, BANNED, "/orders").await,
        from(gw, TRAPPED, "/wp-admin/setup.php").await,
        from(gw, LIMITED, "/search").await,
    ]
}

#[tokio::test]
async fn monitor_mode_refuses_nothing_and_records_what_it_would_have_done() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&gateway_config(upstream.addr, "monitor")).await;
    let statuses = run_the_four(&gw).await;
    assert_eq!(
        statuses, [200; 4],
        "every request got the upstream's answer"
    );
    assert_eq!(upstream.request_count(), 5, "the upstream saw all of them");

    let events = gw.events(4).await;
    assert_eq!(
        actions_of_the_four(&events),
        [
            "would_block",
            "would_ban",
            "would_deceive",
            "would_rate_limit"
        ]
    );
    let limited: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["client_ip"] == LIMITED)
        .collect();
    assert_eq!(
        limited.len(),
        1,
        "the search within the quota is no event: {limited:#?}"
    );
    assert_eq!(
        reason_sources(limited[0]),
        ["rule:limit-search", "prevent.rate_limit.per-ip"]
    );

    // The trap banned nobody: the trapped client is let through unrecorded.
    assert_eq!(from(&gw, TRAPPED, "/orders").await, 200);
    let geo = events.iter().find(|e| e["client_ip"] == FROM_US).unwrap();
    assert_eq!(geo["reasons"][0]["source"], "prevent.geo");
    assert_eq!(geo["status"], 200);
}

#[tokio::test]
async fn enforce_mode_refuses_the_same_requests() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&gateway_config(upstream.addr, "enforce")).await;
    let statuses = run_the_four(&gw).await;
    assert_eq!(statuses[0], 403, "geo fence");
    assert_eq!(statuses[1], 403, "ban");
    assert_eq!(statuses[2], 200, "the honeypot answers with a fake success");
    assert_eq!(statuses[3], 429, "limit");
    assert_eq!(
        upstream.request_count(),
        1,
        "only the search within the quota reached the upstream"
    );

    let events = gw.events(4).await;
    assert_eq!(
        actions_of_the_four(&events),
        ["block", "ban", "deceive", "rate_limit"]
    );
    assert_eq!(
        from(&gw, TRAPPED, "/orders").await,
        403,
        "the trap banned its client"
    );
}
