//! Deception in the gateway: fakes answered instead of the upstream, decoy
//! tokens from a fake login that mark whoever presents them, honeypots that
//! ban, and a tarpit with a cap on what it holds.

mod support;

use support::*;

fn with_deception(upstream: std::net::SocketAddr, prevent: &str) -> String {
    with_stages(&config(&[upstream], ""), &["prevent"], prevent)
}

const POLICY: &str = r#"
[prevent.deception]
secret = "a-deception-secret-of-at-least-32-bytes"
decoy_fields = ["is_admin"]
tarpit = { delay_seconds = 3, max_held = 1 }

[[prevent.deception.honeypots]]
prefix = "/wp-admin"

[[prevent.policy.rules]]
name = "scraper"
when = 'request.path.startsWith("/users/") && client.user == "scraper"'
action = { type = "deceive", with = "fake_success" }

[[prevent.policy.rules]]
name = "stuffing"
when = 'request.path == "/login" && client.api_key == "stuffer"'
action = { type = "deceive", with = "fake_login" }

[[prevent.policy.rules]]
name = "slow-down"
when = 'request.path == "/slowly"'
action = { type = "deceive", with = "tarpit" }
"#;

async fn get_with(addr: std::net::SocketAddr, path: &str, header: (&str, &str)) -> (u16, String) {
    let request = hyper::Request::get(path)
        .header("host", "t")
        .header(header.0, header.1)
        .body(full(""))
        .unwrap();
    let response = send(addr, request).await;
    let status = response.status().as_u16();
    (status, body_text(response).await)
}

/// Basic credentials naming `user`, so that policy sees `client.user`.
fn basic(user: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:pw"));
    format!("Basic {encoded}")
}

#[tokio::test]
async fn fakes_are_consistent_and_the_upstream_never_sees_the_request() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_deception(upstream.addr, POLICY)).await;
    let scraper = basic("scraper");
    let (status, first) = get_with(gw.addr(), "/users/42", ("authorization", &scraper)).await;
    assert_eq!(status, 200);
    let fake: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert!(fake.is_object(), "{first}");
    let (_, again) = get_with(gw.addr(), "/users/42", ("authorization", &scraper)).await;
    assert_eq!(
        first, again,
        "the same fake for the same attacker and object"
    );
    assert_eq!(upstream.request_count(), 0, "fakes are the gateway's own");

    let (status, real) = get_with(gw.addr(), "/users/42", ("authorization", &basic("alice"))).await;
    assert_eq!(status, 200);
    assert!(
        real.contains("\"path\":\"/users/42\""),
        "others reach the upstream: {real}"
    );
    assert_eq!(upstream.request_count(), 1);
}

#[tokio::test]
async fn a_decoy_token_from_a_fake_login_marks_whoever_presents_it() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_deception(upstream.addr, POLICY)).await;
    let (status, login) = get_with(gw.addr(), "/login", ("x-api-key", "stuffer")).await;
    assert_eq!(status, 200);
    let login: serde_json::Value = serde_json::from_str(&login).unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    assert_eq!(token.split('.').count(), 3, "shaped like a JWT: {token}");

    // Whoever comes back with it gets a fake, and is banned (on_trap = ban).
    let bearer = format!("Bearer {token}");
    let (status, _) = get_with(gw.addr(), "/account", ("authorization", &bearer)).await;
    assert_eq!(status, 200);
    assert_eq!(upstream.request_count(), 0);
    assert!(
        refused_at_accept(gw.addr()).await,
        "banned after presenting the decoy: its connections are closed at accept"
    );
    let events = gw.events(2).await;
    let reasons: Vec<String> = events.iter().map(|e| e["reasons"].to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("prevent.deception.decoy_token")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn honeypots_and_decoy_fields_ban_the_client() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_deception(upstream.addr, POLICY)).await;
    assert_eq!(
        get(gw.addr(), "/wp-admins").await.status(),
        200,
        "not the honeypot"
    );
    let trapped = get(gw.addr(), "/wp-admin/setup.php").await;
    assert_eq!(trapped.status(), 200, "answered with a fake");
    assert!(refused_at_accept(gw.addr()).await, "then banned");

    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_deception(upstream.addr, POLICY)).await;
    let signup = hyper::Request::post("/signup")
        .header("host", "t")
        .header("content-type", "application/json")
        .body(full(
            r#"{"email":"a@example.com","profile":{"is_admin":true}}"#,
        ))
        .unwrap();
    assert_eq!(send(gw.addr(), signup).await.status(), 200);
    assert_eq!(
        upstream.request_count(),
        0,
        "the decoy field never reached the upstream"
    );
    let events = gw.events(1).await;
    assert!(
        events[0]["reasons"].to_string().contains("is_admin"),
        "{}",
        events[0]
    );
}

#[tokio::test]
async fn the_tarpit_holds_one_answer_at_a_time() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_deception(upstream.addr, POLICY)).await;
    let addr = gw.addr();
    let (held, refused) = tokio::join!(
        async move { get(addr, "/slowly").await.status() },
        async move {
            // Starts once the first is held (it is held for three seconds).
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            get(addr, "/slowly").await.status()
        }
    );
    let mut statuses = [held.as_u16(), refused.as_u16()];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 403],
        "one fake held, the other refused at once"
    );
    assert_eq!(
        get(addr, "/slowly").await.status(),
        200,
        "the permit is released"
    );
}
