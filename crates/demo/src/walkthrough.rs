//! The "what to try" text printed by `rampart demo`: curl commands for normal
//! traffic, a few attacks for the gateway to stop, and the admin endpoints.
//! The commands come from a list of steps that the tests replay against a real
//! demo server, so the text cannot drift away from what the API answers.

use crate::dataset::DEMO_CUSTOMER;
use crate::simulator::{Actor, SUMMARY_EVERY};
use std::fmt::Write;
use std::net::SocketAddr;

/// The range of account ids the enumeration example sweeps; all exist.
pub(crate) const SWEPT_ACCOUNTS: std::ops::RangeInclusive<u64> = 1001..=1030;

/// One request of the walkthrough.
pub(crate) struct Step {
    pub title: &'static str,
    pub method: &'static str,
    pub target: String,
    pub json_body: Option<String>,
    /// Sends the token saved by the login step.
    pub bearer: bool,
    /// What the bare demo API (no gateway) answers.
    pub unprotected_status: u16,
}

fn step(title: &'static str, method: &'static str, target: &str, unprotected_status: u16) -> Step {
    Step {
        title,
        method,
        target: target.to_owned(),
        json_body: None,
        bearer: false,
        unprotected_status,
    }
}

fn login_body(password: &str) -> String {
    format!(
        r#"{{"email":"{}","password":"{password}"}}"#,
        DEMO_CUSTOMER.email
    )
}

/// Normal traffic, in order; the step with `/api/login` and the right password
/// saves the token.
pub(crate) fn normal_steps() -> Vec<Step> {
    vec![
        step(
            "Search the catalogue",
            "GET",
            "/api/products?q=wireless&page=1",
            200,
        ),
        step(
            "A public profile (it over-shares: SSN, address)",
            "GET",
            "/api/users/1",
            200,
        ),
        Step {
            json_body: Some(login_body(DEMO_CUSTOMER.password)),
            ..step("Log in and keep the token", "POST", "/api/login", 200)
        },
        Step {
            bearer: true,
            ..step(
                "Your bank account (IBAN, full card number)",
                "GET",
                "/api/accounts/1001",
                200,
            )
        },
        Step {
            bearer: true,
            ..step("Your orders", "GET", "/api/users/1/orders", 200)
        },
        Step {
            json_body: Some(login_body("wrong-password")),
            ..step("A failed login", "POST", "/api/login", 401)
        },
    ]
}

/// Attacks that the bare API lets through (or merely rejects) and that the
/// gateway's stages are there to stop.
pub(crate) fn attack_steps() -> Vec<Step> {
    vec![
        step("SQL injection in a query parameter", "GET", "/api/products?q=%27%20OR%201%3D1--", 200),
        step("Path traversal", "GET", "/api/users/..%2F..%2Fetc%2Fpasswd", 400),
        Step {
            json_body: Some(
                r#"{"name":"<script>alert(1)</script>","email":"mallory@example.net","password":"hunter2hunter2"}"#.to_owned(),
            ),
            ..step("Stored XSS through sign-up", "POST", "/api/users", 201)
        },
    ]
}

fn curl(base: &str, step: &Step) -> String {
    let mut command = String::from("curl -s");
    if step.method != "GET" {
        write!(command, " -X {}", step.method).ok();
    }
    if step.bearer {
        command.push_str(" -H \"authorization: Bearer $TOKEN\"");
    }
    if let Some(body) = &step.json_body {
        write!(command, " -H 'content-type: application/json' -d '{body}'").ok();
    }
    write!(command, " '{base}{}'", step.target).ok();
    let saves_token = step.target == "/api/login" && step.unprotected_status == 200;
    if saves_token {
        format!("TOKEN=$({command} | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/'); echo \"$TOKEN\"")
    } else {
        // JSON bodies end without a newline; keep the answers on lines of their own.
        command.replacen("curl -s", "curl -s -w '\\n'", 1)
    }
}

/// The text `rampart demo` prints once the gateway (at `gateway`, in front of
/// the demo API) and its admin listener (at `admin`, guarded by
/// `admin_token`) are up: the console and its token first, then what the
/// traffic simulator does when `traffic` is on, then commands to try.
pub fn walkthrough(
    gateway: SocketAddr,
    admin: SocketAddr,
    admin_token: &str,
    traffic: bool,
) -> String {
    let base = format!("http://{gateway}");
    let mut text = format!(
        // The token rides in the fragment, which the browser keeps to
        // itself: the console takes it and clears it from the address bar.
        "Console: http://{admin}/#token={admin_token}\n\
         Admin token: {admin_token}\n\n\
         Rampart demo is running.\n\
         \x20 gateway  {base}   (Rampart, in front of a built-in demo API)\n\
         \x20 admin    http://{admin}   (/metrics, /healthz, /readyz; the admin API under /api/, described at /api/openapi.json)\n\
         \x20 demo login: {} / {}\n\n",
        DEMO_CUSTOMER.email, DEMO_CUSTOMER.password
    );
    if traffic {
        writeln!(
            text,
            "Simulated traffic through the gateway (--no-traffic turns it off, --traffic-rate 0.5 halves it);\n\
             a summary per actor is logged every {} s:",
            SUMMARY_EVERY.as_secs()
        )
        .ok();
        for actor in Actor::ALL {
            writeln!(
                text,
                "  {} ({}): {}",
                actor.name(),
                actor.network(),
                actor.story()
            )
            .ok();
        }
        text.push('\n');
    }
    text.push_str("Normal traffic:\n");
    for step in normal_steps() {
        writeln!(text, "  # {}\n  {}\n", step.title, curl(&base, &step)).ok();
    }
    text.push_str(
        "Attacks (the bare demo API accepts these; Rampart's pipeline stages stop them):\n",
    );
    for step in attack_steps() {
        writeln!(text, "  # {}\n  {}\n", step.title, curl(&base, &step)).ok();
    }
    writeln!(
        text,
        "  # Object enumeration (BOLA): one customer walks through everyone's accounts\n  \
         # (its own account answers; after a few accounts it was never shown, the walk is refused: 403)\n  \
         for id in $(seq {} {}); do curl -s -o /dev/null -w '%{{http_code}} ' -H \"authorization: Bearer $TOKEN\" {base}/api/accounts/$id; done; echo\n",
        SWEPT_ACCOUNTS.start(),
        SWEPT_ACCOUNTS.end()
    )
    .ok();
    writeln!(
        text,
        "What the gateway saw:\n  curl -s http://{admin}/metrics | grep '^rampart_'"
    )
    .ok();
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{exchange, TestServer};
    use rampart_gateway::{Gateway, GatewayConfig};
    use std::time::Duration;

    #[test]
    fn text_names_both_addresses_and_the_demo_login() {
        let text = walkthrough(
            "127.0.0.1:8080".parse().unwrap(),
            "127.0.0.1:9090".parse().unwrap(),
            "the-admin-token",
            true,
        );
        assert!(text.starts_with(
            "Console: http://127.0.0.1:9090/#token=the-admin-token\nAdmin token: the-admin-token\n"
        ));
        assert!(text.contains("credential stuffing (198.18.2.0/24): "));
        assert!(text.contains("http://127.0.0.1:8080/api/products?q=wireless"));
        assert!(text.contains("http://127.0.0.1:9090/metrics"));
        assert!(text.contains(DEMO_CUSTOMER.password));
        assert!(text.contains("TOKEN=$(curl -s -X POST -H 'content-type: application/json'"));
        assert!(text.contains("seq 1001 1030"));
        let quiet = walkthrough(
            "127.0.0.1:8080".parse().unwrap(),
            "127.0.0.1:9090".parse().unwrap(),
            "the-admin-token",
            false,
        );
        assert!(!quiet.contains("Simulated traffic"));
    }

    /// Replays `steps` against `addr`, checking each documented answer;
    /// returns the token the login step saved (or `token` unchanged).
    async fn replay(addr: SocketAddr, steps: Vec<Step>, mut token: String) -> String {
        for step in steps {
            let auth = format!("Bearer {token}");
            let mut headers = vec![("content-type", "application/json")];
            if step.bearer {
                headers.push(("authorization", &auth));
            }
            let body = step.json_body.as_deref().unwrap_or("").as_bytes();
            let answer = exchange(addr, step.method, &step.target, &headers, body).await;
            assert_eq!(
                answer.status.as_u16(),
                step.unprotected_status,
                "{}: {}",
                step.title,
                answer.json
            );
            if let Some(issued) = answer.json["token"].as_str() {
                token = issued.to_owned();
            }
        }
        token
    }

    /// Replays every step against the bare demo API and checks the answer the
    /// text promises.
    #[tokio::test]
    async fn every_step_answers_as_documented_on_the_bare_api() {
        let server = TestServer::start().await;
        let steps = normal_steps().into_iter().chain(attack_steps()).collect();
        let token = replay(server.addr, steps, String::new()).await;
        assert!(!token.is_empty(), "the login step must yield a token");
        for id in SWEPT_ACCOUNTS {
            let answer = server
                .get_with_token(&format!("/api/accounts/{id}"), &token)
                .await;
            assert_eq!(answer.status.as_u16(), 200, "account {id}");
        }
        server.stop().await;
    }

    /// The demo as `rampart demo` runs it: the demo API behind the gateway
    /// with the demo's configuration. The normal steps answer as on the
    /// bare API, before and after the printed BOLA walk, which is refused
    /// after a few accounts while the customer's own stays open.
    #[tokio::test]
    async fn through_the_demo_gateway_the_walk_is_refused_and_normal_use_goes_on() {
        const TOKEN: &str = "demo-test-admin-token";
        let server = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rampart-demo.toml");
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        std::fs::write(
            &file,
            crate::gateway_config(loopback, loopback, server.addr, TOKEN),
        )
        .unwrap();
        let console = Some(rampart_console::Console::factory());
        let gateway = Gateway::start_with(GatewayConfig::load(&file).unwrap(), console)
            .await
            .unwrap();
        let at = gateway.listeners[0].1;
        let token = replay(at, normal_steps(), String::new()).await;

        // Discovery publishes the accounts template (every second in the
        // demo); the walk is judged from then on.
        let auth = format!("Bearer {TOKEN}");
        let mut known = false;
        for _ in 0..100 {
            let inventory = exchange(
                gateway.admin_addr,
                "GET",
                "/api/inventory",
                &[("authorization", &auth)],
                b"",
            )
            .await;
            known = inventory.json["endpoints"]
                .as_array()
                .is_some_and(|endpoints| {
                    endpoints.iter().any(|e| {
                        e["template"]
                            .as_str()
                            .is_some_and(|t| t.starts_with("/api/accounts/{"))
                    })
                });
            if known {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(known, "the accounts template was never published");

        let mut statuses = Vec::new();
        for id in SWEPT_ACCOUNTS {
            let bearer = format!("Bearer {token}");
            let answer = exchange(
                at,
                "GET",
                &format!("/api/accounts/{id}"),
                &[("authorization", &bearer)],
                b"",
            )
            .await;
            statuses.push(answer.status.as_u16());
        }
        assert_eq!(statuses[0], 200, "the customer's own account: {statuses:?}");
        let refused_from = statuses.iter().position(|s| *s == 403);
        assert!(
            refused_from.is_some_and(|at| at <= 6),
            "the walk is refused after a few accounts: {statuses:?}"
        );
        let refused_from = refused_from.unwrap_or(0);
        assert!(
            statuses[refused_from..].iter().all(|s| *s == 403),
            "{statuses:?}"
        );

        replay(at, normal_steps(), token).await;
        gateway.shutdown().await;
        server.stop().await;
    }
}
