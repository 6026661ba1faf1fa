//! The `prevent` stage in the gateway: CEL rules block and tag, named rate
//! limits answer 429 with Retry-After, and a ban rule bans the client.

mod support;

use support::*;

fn with_prevent(upstream: std::net::SocketAddr, prevent: &str) -> String {
    with_stages(
        &config(&[upstream], ""),
        &["ip_lists", "detect", "prevent"],
        prevent,
    )
}

const POLICY: &str = r#"
[[prevent.limits]]
name = "per-ip"
key = { parts = ["ip"] }
quota = { requests = 3, per_seconds = 60 }

[[prevent.policy.rules]]
name = "no-admin"
when = 'request.path.startsWith("/admin")'
action = { type = "block" }

[[prevent.policy.rules]]
name = "limit-search"
when = 'request.path == "/search"'
action = { type = "rate_limit", limit = "per-ip" }

[[prevent.policy.rules]]
name = "tag-everything"
when = 'request.method == "GET"'
action = { type = "tag", headers = { "x-rampart-seen" = "1" } }
"#;

#[tokio::test]
async fn rules_block_tag_and_rate_limit() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_prevent(upstream.addr, POLICY)).await;

    let blocked = get(gw.addr(), "/admin/users").await;
    assert_eq!(blocked.status(), 403);
    let events = gw.events(1).await;
    assert!(
        events[0]["reasons"].to_string().contains("rule:no-admin"),
        "{}",
        events[0]
    );

    let echo = body_json(get(gw.addr(), "/items").await).await;
    assert_eq!(echoed_header(&echo, "x-rampart-seen").as_deref(), Some("1"));

    for _ in 0..3 {
        assert_eq!(get(gw.addr(), "/search").await.status(), 200);
    }
    let limited = get(gw.addr(), "/search").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        get(gw.addr(), "/items").await.status(),
        200,
        "the limit applies only where the rule says"
    );
}

#[tokio::test]
async fn a_ban_rule_bans_the_client_for_later_requests() {
    let upstream = TestUpstream::start().await;
    // Detection only reports; the policy decides what an injection costs.
    let policy = r#"
[detect]
mode = "monitor"

[[prevent.policy.rules]]
name = "ban-injection"
when = '"sqli" in signals.classes'
action = { type = "ban", on = "ip" }
"#;
    let gw = TestGateway::start(&with_prevent(upstream.addr, policy)).await;
    assert_eq!(get(gw.addr(), "/ok").await.status(), 200);
    let attack = get(
        gw.addr(),
        "/p?id=1%27%20OR%20%271%27%3D%271%27%20UNION%20SELECT%20password%20FROM%20users--",
    )
    .await;
    assert_eq!(attack.status(), 403);
    assert!(
        refused_at_accept(gw.addr()).await,
        "banned for the ban's duration: its next connection is closed unread"
    );
}

#[tokio::test]
async fn a_banned_peer_is_refused_at_accept_unless_it_is_a_trusted_proxy() {
    let upstream = TestUpstream::start().await;
    let text = with_prevent(upstream.addr, "");
    let gw = TestGateway::start(&text).await;
    gw.ban("127.0.0.0/8");
    assert!(refused_at_accept(gw.addr()).await);
    assert_eq!(upstream.request_count(), 0);
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    assert!(
        metrics.contains("rampart_connections_refused_total{reason=\"ban\"}"),
        "{metrics}"
    );

    // Behind a trusted proxy the client is not known at accept: the
    // connection is served and the ban answered per request, with its reason.
    std::fs::write(
        &gw.config_path,
        text.replace(
            "[server]\n",
            "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
        ),
    )
    .unwrap();
    gw.gateway.reload().unwrap();
    let answered = get(gw.addr(), "/ok").await;
    assert_eq!(answered.status(), 403);
    assert!(body_text(answered).await.contains("banned"));
}

#[test]
fn a_rule_that_does_not_compile_is_refused_with_its_name() {
    let bad = "[[prevent.policy.rules]]\nname = \"typo\"\nwhen = 'request.pathh == \"/\"'\naction = { type = \"block\" }\n";
    let text = with_prevent("127.0.0.1:9".parse().unwrap(), bad);
    let error =
        rampart_gateway::GatewayConfig::parse(std::path::Path::new("r.toml"), &text).unwrap_err();
    assert!(
        error.to_string().contains("prevent.policy: rule `typo`"),
        "{error}"
    );
}

#[tokio::test]
async fn geo_fences_use_the_embedded_country_database() {
    let upstream = TestUpstream::start().await;
    let fence = "[prevent.geo.routes.main]\ndeny_countries = [\"US\"]\n";
    let text = with_prevent(upstream.addr, fence)
        .replace("[server]", "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]");
    let gw = TestGateway::start(&text).await;
    let from = |ip: &str| {
        http::Request::get("/geo")
            .header("host", "t")
            .header("x-forwarded-for", ip)
            .body(full(""))
            .unwrap()
    };
    let denied = send(gw.addr(), from("8.8.8.8")).await;
    assert_eq!(
        denied.status(),
        403,
        "8.8.8.8 is in the US: {}",
        body_text(denied).await
    );
    assert_eq!(
        send(gw.addr(), from("81.91.160.1")).await.status(),
        200,
        "a German address passes"
    );
    let events = gw.events(1).await;
    assert_eq!(events[0]["reasons"][0]["source"], "prevent.geo");
    assert!(
        events[0]["reasons"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("8.8.8.8"),
        "{}",
        events[0]
    );
}

async fn get_as(addr: std::net::SocketAddr, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = hyper::Request::get(format!("http://{addr}{path}")).header("host", "t");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(addr, request.body(full("")).unwrap())
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn rules_and_limits_see_the_clients_api_key_and_user() {
    let upstream = TestUpstream::start().await;
    let policy = r#"
[identity]
api_key_headers = ["X-Partner-Key"]

[[prevent.limits]]
name = "per-key"
key = { parts = ["api_key"] }
quota = { requests = 2, per_seconds = 60 }

[[prevent.policy.rules]]
name = "revoked-key"
when = 'client.api_key == "revoked"'
action = { type = "block" }

[[prevent.policy.rules]]
name = "no-mallory"
when = 'client.user == "mallory"'
action = { type = "block", status = 401 }

[[prevent.policy.rules]]
name = "partners"
when = 'client.api_key != ""'
action = { type = "rate_limit", limit = "per-key" }
"#;
    let gw = TestGateway::start(&with_prevent(upstream.addr, policy)).await;
    let addr = gw.addr();
    assert_eq!(
        get_as(addr, "/", &[("x-partner-key", "revoked")]).await,
        403
    );
    // {"sub":"mallory"}; the signature is not checked, the claim is only read.
    let mallory = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2ln";
    assert_eq!(get_as(addr, "/", &[("authorization", mallory)]).await, 401);

    // Two requests per key, whoever sends them; other keys are not affected.
    for _ in 0..2 {
        assert_eq!(get_as(addr, "/", &[("x-partner-key", "k1")]).await, 200);
    }
    assert_eq!(get_as(addr, "/", &[("x-partner-key", "k1")]).await, 429);
    assert_eq!(get_as(addr, "/", &[("x-partner-key", "k2")]).await, 200);
    assert_eq!(
        get_as(addr, "/", &[]).await,
        200,
        "no key, no per-key limit"
    );
}

#[tokio::test]
async fn masking_redacts_card_numbers_in_responses_as_they_stream() {
    let upstream = TestUpstream::start().await;
    let policy = r#"
[[prevent.policy.rules]]
name = "mask-cards"
when = 'request.path == "/cards" || request.path == "/download"'
action = { type = "mask" }
"#;
    let gw = TestGateway::start(&with_prevent(upstream.addr, policy)).await;

    // The echo upstream repeats the query, card number included.
    let response = get(gw.addr(), "/cards?pan=4111111111111111&order=1234567890123").await;
    assert_eq!(response.status(), 200);
    let declared: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let text = body_text(response).await;
    assert_eq!(text.len(), declared, "masking keeps the length");
    assert!(!text.contains("4111111111111111"), "{text}");
    assert!(text.contains("order=1234567890123"), "not a card: kept");
    let echo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        echoed_header(&echo, "accept-encoding").as_deref(),
        Some("identity"),
        "the upstream is asked for a body masking can read"
    );
    // Masking is routine, not a security decision: counted, not an event.
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    assert!(
        metrics.contains("rampart_reasons_total{source=\"prevent.mask\"}"),
        "{metrics}"
    );

    // A streamed body longer than what masking holds back arrives whole.
    let download = get(gw.addr(), "/download?bytes=100000").await;
    let body = body_text(download).await;
    assert_eq!(body.len(), 100_000);
    assert!(body.bytes().all(|b| b == b'x'));

    // Unmasked routes are untouched.
    let plain = body_text(get(gw.addr(), "/other?pan=4111111111111111").await).await;
    assert!(plain.contains("4111111111111111"));
}

/// A per-fingerprint limit, to tell apart clients that differ only in how
/// they case their header names.
const PER_FINGERPRINT: &str = r#"
[[prevent.limits]]
name = "per-fingerprint"
key = { parts = ["fingerprint"] }
quota = { requests = 1, per_seconds = 60 }

[[prevent.policy.rules]]
name = "limit-everyone"
when = 'true'
action = { type = "rate_limit", limit = "per-fingerprint" }
"#;

#[tokio::test]
async fn header_name_casing_is_part_of_an_http1_client_fingerprint() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_prevent(upstream.addr, PER_FINGERPRINT)).await;
    // One address, the same names, values and order: only the casing differs.
    let head = |user_agent: &str, accept: &str| {
        format!("GET /items HTTP/1.1\r\nHost: api.test\r\n{user_agent}: tool/1.0\r\n{accept}: */*\r\nConnection: close\r\n\r\n")
    };
    let status = |answer: String| answer.split(' ').nth(1).unwrap_or_default().to_string();
    let title = head("User-Agent", "Accept");
    let lower = head("user-agent", "accept");
    assert_eq!(
        status(raw_exchange(gw.addr(), title.as_bytes()).await),
        "200"
    );
    assert_eq!(
        status(raw_exchange(gw.addr(), title.as_bytes()).await),
        "429",
        "the same client again"
    );
    assert_eq!(
        status(raw_exchange(gw.addr(), lower.as_bytes()).await),
        "200",
        "another HTTP library: its own fingerprint"
    );
    assert_eq!(
        status(raw_exchange(gw.addr(), lower.as_bytes()).await),
        "429"
    );
}
