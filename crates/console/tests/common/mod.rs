//! The console's test helpers, on top of the gateway's (`support`): a
//! gateway with the console on its admin listener, a configuration with
//! discovery, detection, prevention and the embedded store, and calls to
//! the admin API.
#![allow(dead_code)]

use crate::support::*;
use http::{HeaderMap, Request};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

pub const TOKEN: &str = "console-test-token-0123";

/// Starting a [`TestGateway`] with the console injected.
pub trait StartConsole {
    fn start_with_console(config_text: &str) -> impl Future<Output = TestGateway>;
}

impl StartConsole for TestGateway {
    async fn start_with_console(config_text: &str) -> TestGateway {
        TestGateway::start_with(config_text, Some(rampart_console::Console::factory())).await
    }
}

/// A loopback gateway in front of `upstream` with the admin token, events
/// in `rampart.db`, discovery publishing every 100 ms, detection and a
/// policy that blocks `/admin...` and records `/reports...` (monitor).
pub fn console_config(upstream: SocketAddr) -> String {
    let sections = r#"
[discovery]
publish_interval = "100ms"
persist_interval = "100ms"

[[prevent.policy.rules]]
name = "no-admin"
when = 'request.path.startsWith("/admin")'
action = { type = "block" }

[[prevent.policy.rules]]
name = "watch-reports"
when = 'request.path.startsWith("/reports")'
action = { type = "monitor" }
"#;
    with_stages(
        &config(&[upstream], ""),
        &["discover", "detect", "prevent"],
        sections,
    )
    .replace("[admin]\n", &format!("[admin]\ntoken = \"{TOKEN}\"\n"))
    .replace(
        "jsonl = \"events.jsonl\"",
        "jsonl = \"events.jsonl\"\nsqlite = \"rampart.db\"",
    )
}

/// An answer of the admin API.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// One admin API call with `authorization` as given (e.g. `Bearer x`).
pub async fn call(
    gw: &TestGateway,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: &str,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "admin");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = send(
        gw.gateway.admin_addr,
        request.body(full(body.to_string())).unwrap(),
    )
    .await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Answer {
        status,
        headers,
        text: body_text(response).await,
    }
}

/// One admin API call with the test token.
pub async fn api(gw: &TestGateway, method: &str, path: &str, body: &str) -> Answer {
    call(gw, method, path, Some(&format!("Bearer {TOKEN}")), body).await
}

/// Polls `GET path` until `done` holds on its JSON (at most 100 tries 50 ms
/// apart); returns the last answer.
pub async fn poll(
    gw: &TestGateway,
    path: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        last = api(gw, "GET", path, "").await.json();
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("GET {path} never satisfied the test: {last}");
}

/// A request to the gateway's client listener.
pub async fn visit(gw: &TestGateway, method: &str, path: &str) -> u16 {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "api.test")
        .body(full(""))
        .unwrap();
    send(gw.addr(), request).await.status().as_u16()
}
