//! Discovery wired into the gateway: live traffic builds the inventory, which
//! survives a restart through the embedded store; mirrored traffic is
//! ingested through the token-protected admin API.

mod common;
#[path = "../../gateway/tests/support/mod.rs"]
mod support;

use common::StartConsole;
use http::Request;
use std::time::Duration;
use support::*;

const TOKEN: &str = "test-token-0123456789";

fn with_discovery(upstream: std::net::SocketAddr) -> String {
    config(&[upstream], "").replace(
        "[[listeners]]",
        "[pipeline]\nstages = [\"discover\"]\n\n[discovery]\npublish_interval = \"100ms\"\npersist_interval = \"100ms\"\n\n[[listeners]]",
    )
    .replace("[admin]\n", &format!("[admin]\ntoken = \"{TOKEN}\"\n"))
    .replace("jsonl = \"events.jsonl\"", "jsonl = \"events.jsonl\"\nsqlite = \"rampart.db\"")
}

async fn inventory(admin: std::net::SocketAddr) -> serde_json::Value {
    let request = Request::get("/api/inventory")
        .header("host", "admin")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(full(""))
        .unwrap();
    body_json(send(admin, request).await).await
}

fn templates(inventory: &serde_json::Value) -> Vec<String> {
    inventory["endpoints"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["method"].as_str().unwrap_or(""),
                        e["template"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_for_template(admin: std::net::SocketAddr, wanted: &str) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..60 {
        last = inventory(admin).await;
        if templates(&last).iter().any(|t| t == wanted) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{wanted} not in the inventory: {last}");
}

#[tokio::test]
async fn live_traffic_builds_an_inventory_that_survives_a_restart() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start_with_console(&with_discovery(upstream.addr)).await;
    for id in [17, 342, 9051, 77, 1200, 63] {
        assert_eq!(
            get(gw.addr(), &format!("/api/users/{id}")).await.status(),
            200
        );
    }
    wait_for_template(gw.gateway.admin_addr, "GET /api/users/{user_id}").await;

    let TestGateway {
        gateway,
        dir,
        config_path,
    } = gw;
    gateway.shutdown().await;
    let config = rampart_gateway::GatewayConfig::load(&config_path).unwrap();
    let console = Some(rampart_console::Console::factory());
    let restarted = rampart_gateway::Gateway::start_with(config, console)
        .await
        .unwrap();
    let inventory = inventory(restarted.admin_addr).await;
    assert!(
        templates(&inventory).contains(&"GET /api/users/{user_id}".to_string()),
        "lost on restart: {inventory}"
    );
    restarted.shutdown().await;
    drop(dir);
}

#[tokio::test]
async fn mirrored_traffic_is_ingested_with_bad_lines_reported() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start_with_console(&with_discovery(upstream.addr)).await;
    let admin = gw.gateway.admin_addr;
    let lines = concat!(
        r#"{"method":"GET","path":"/v2/orders/5f0c6a51-7d0b-4a8e-9d2b-1b9e6f0a2c11","status":200,"response_body":"{\"id\":\"x\"}"}"#,
        "\n",
        "{not json\n",
        r#"{"method":"GET","path":"/v2/orders/0a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","status":200}"#,
        "\n",
    );
    let unauthenticated = Request::post("/api/ingest")
        .header("host", "a")
        .body(full(lines))
        .unwrap();
    assert_eq!(send(admin, unauthenticated).await.status(), 401);

    let request = Request::post("/api/ingest")
        .header("host", "a")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(full(lines))
        .unwrap();
    let response = send(admin, request).await;
    assert_eq!(response.status(), 202);
    let summary = body_json(response).await;
    assert_eq!(summary["accepted"], 2);
    assert_eq!(summary["bad_lines"], 1);
    assert_eq!(summary["errors"][0]["line"], 2);
    wait_for_template(admin, "GET /v2/orders/{order_id}").await;
}

#[tokio::test]
async fn operators_force_a_parameter_through_the_admin_api() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start_with_console(&with_discovery(upstream.addr)).await;
    let admin = gw.gateway.admin_addr;
    let post = |path: &str, body: &str| {
        Request::post(path)
            .header("host", "a")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(full(body.to_owned()))
            .unwrap()
    };
    // Two region names only: learning alone keeps them literal.
    let lines = concat!(
        r#"{"method":"GET","path":"/regions/eu","status":200,"response_body":"{\"a\":1,\"b\":2,\"c\":3}"}"#,
        "\n",
        r#"{"method":"GET","path":"/regions/us","status":200,"response_body":"{\"x\":1,\"y\":2,\"z\":3}"}"#,
        "\n",
    );
    assert_eq!(send(admin, post("/api/ingest", lines)).await.status(), 202);
    wait_for_template(admin, "GET /regions/eu").await;

    let bad = send(
        admin,
        post(
            "/api/inventory/decisions",
            r#"{"decision":"parameter","parent":"/{"}"#,
        ),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let unknown = send(
        admin,
        post("/api/inventory/decisions", r#"{"decision":"guess"}"#),
    )
    .await;
    assert_eq!(unknown.status(), 400);
    let forced = send(
        admin,
        post(
            "/api/inventory/decisions",
            r#"{"decision":"parameter","parent":"/regions"}"#,
        ),
    )
    .await;
    assert_eq!(forced.status(), 202);
    let after = wait_for_template(admin, "GET /regions/{region_name}").await;
    assert!(!templates(&after).iter().any(|t| t == "GET /regions/eu"));
    assert_eq!(after["operator_decisions"][0]["decision"], "parameter");
}

/// One request, with a bearer token or without.
async fn call(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> (u16, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "api");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = send(addr, request.body(full("")).unwrap()).await;
    let status = response.status().as_u16();
    (status, body_text(response).await)
}

#[tokio::test]
async fn endpoints_anyone_may_administer_are_findings_and_the_preset_refuses_them_to_anonymous_clients(
) {
    let upstream = TestUpstream::start().await;
    let config = with_discovery(upstream.addr)
        .replace(
            "stages = [\"discover\"]",
            "stages = [\"discover\", \"prevent\"]",
        )
        .replace(
            "[discovery]\n",
            "[prevent]\npresets = [\"protect-admin-endpoints\"]\n\n[discovery]\n",
        );
    let gw = TestGateway::start_with_console(&config).await;
    // The vulnerable app answers everyone while discovery learns it.
    for (method, path) in [
        ("POST", "/api/debug/reset"),
        ("GET", "/api/admin/users"),
        ("GET", "/api/products"),
    ] {
        assert_eq!(
            call(gw.addr(), method, path, None).await.0,
            200,
            "{method} {path}"
        );
    }
    let admin = gw.gateway.admin_addr;
    wait_for_template(admin, "GET /api/products").await;
    let inventory = wait_for_template(admin, "GET /api/admin/users").await;
    let exposed: Vec<(String, String)> = inventory["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["template"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for template in ["/api/debug/reset", "/api/admin/users"] {
        assert!(
            exposed.contains(&("unauthenticated_admin".into(), template.into())),
            "{template} not a finding: {exposed:?}"
        );
    }
    assert!(
        !exposed.iter().any(|(_, t)| t == "/api/products"),
        "{exposed:?}"
    );
    let metrics = body_text(get(admin, "/metrics").await).await;
    assert!(
        metrics.contains(&format!(
            "rampart_discovery_findings{{severity=\"critical\"}} {}",
            exposed.len()
        )),
        "{metrics}"
    );

    for (method, path) in [("POST", "/api/debug/reset"), ("GET", "/api/admin/users")] {
        let (status, body) = call(gw.addr(), method, path, None).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert!(body.contains("rule:protect-admin-endpoints"), "{body}");
        assert_eq!(
            call(gw.addr(), method, path, Some("opaque-token")).await.0,
            200
        );
    }
    assert_eq!(call(gw.addr(), "GET", "/api/products", None).await.0, 200);
    gw.gateway.shutdown().await;
}
