//! The `behave` stage's function-level, slow-upstream, data-exposure and
//! account-enumeration detectors in a real gateway in front of a real
//! upstream (on loopback), each with the attack that must be caught and a
//! look-alike that must not be: a user reaching for an admin endpoint is
//! refused while an administrator works; a client whose searches hold the
//! upstream is refused while others search; a client reading a debug page
//! full of password hashes is refused while a login hands out its token; a
//! client probing usernames on a login that tells accounts apart is refused
//! after a person mistyped a password; a burst of sign-ups and a flood of
//! one-time codes to one number are refused while a person asks for a code
//! again.

mod support;

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::*;
use tokio::net::TcpListener;

/// The endpoints, so their templates are known from the first request.
const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/login": {"post": {"responses": {"200": {"description": "ok"}}}},
  "/orders": {"get": {"responses": {"200": {"description": "ok"}}}},
  "/admin/users": {"get": {"responses": {"200": {"description": "ok"}}}},
  "/debug/users": {"get": {"responses": {"200": {"description": "ok"}}}},
  "/search": {"get": {"responses": {"200": {"description": "ok"}}}},
  "/signup": {"post": {"responses": {"201": {"description": "created"}}}},
  "/otp/send": {"post": {"responses": {"202": {"description": "sent"}}}}}}"#;

/// A JWT as a login hands it out (unsigned, for the look-alike).
const ISSUED_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz";

/// A vulnerable API: its admin listing answers anyone, its debug page lists
/// password hashes, a search for `redos` holds it for a second, and its
/// login says whether the account exists (`alice`, password `right`).
async fn answer(request: Request<Incoming>) -> (u16, Value) {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return (400, json!({"error": "unreadable"})),
    };
    match (method.as_str(), path.as_str()) {
        ("GET", "/orders") => (200, json!({"data": [{"id": 1, "total": 12}]})),
        ("GET", "/admin/users") => (200, json!({"data": [{"id": 1, "role": "user"}]})),
        ("GET", "/debug/users") => (
            200,
            json!({"users": [
                {"id": 1, "name": "ann", "password": "$2b$12$KIXQJz1bP9V5mQ7hU4rS.e"},
                {"id": 2, "name": "bob", "password": "$2b$12$Zp0aW3xY8cV1nB6mQ2lK.o"}
            ]}),
        ),
        ("GET", "/search") => {
            if query.contains("redos") {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            (200, json!({"data": []}))
        }
        ("POST", "/signup") => (201, json!({"id": 7})),
        ("POST", "/otp/send") => (202, json!({"sent": true})),
        ("POST", "/login") => {
            let form: Value = serde_json::from_slice(&body).unwrap_or_default();
            let user = form["username"].as_str().unwrap_or("");
            match (user, form["password"].as_str()) {
                ("alice", Some("right")) => (200, json!({"token": ISSUED_TOKEN})),
                ("alice", _) => (401, json!({"error": "invalid password"})),
                _ => (404, json!({"error": format!("no account named {user}")})),
            }
        }
        _ => (404, json!({"error": "not found"})),
    }
}

struct Upstream {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl Upstream {
    async fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        async move {
                            let (status, body) = answer(request).await;
                            let mut response = Response::new(full(body.to_string()));
                            *response.status_mut() = StatusCode::from_u16(status).unwrap();
                            response
                                .headers_mut()
                                .insert("content-type", "application/json".parse().unwrap());
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Upstream { addr, requests }
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

struct Setup {
    gateway: TestGateway,
    upstream: Upstream,
    _spec_dir: tempfile::TempDir,
}

async fn setup(sections: &str) -> Setup {
    let upstream = Upstream::start().await;
    let stages = ["discover", "behave"];
    let discovery = "publish_interval = \"100ms\"\n";
    let (text, spec_dir) = spec_config(upstream.addr, SPEC, &stages, discovery, sections);
    let text = text.replace("[events]\n", "[events]\nmin_signal_score = 0.5\n");
    Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        _spec_dir: spec_dir,
    }
}

/// A request (as `user`, when given) and its status; the body is read to
/// its end, so the exchange is over.
async fn call(setup: &Setup, method: &str, user: Option<&str>, path: &str, body: &str) -> u16 {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "api.test")
        .header("content-type", "application/json");
    if let Some(user) = user {
        request = request.header("authorization", bearer(user));
    }
    let response = send(
        setup.gateway.addr(),
        request.body(full(body.to_string())).unwrap(),
    )
    .await;
    let status = response.status().as_u16();
    body_text(response).await;
    status
}

async fn login(setup: &Setup, username: &str, password: &str) -> u16 {
    let body = format!(r#"{{"username": "{username}", "password": "{password}"}}"#);
    call(setup, "POST", None, "/login", &body).await
}

/// The events written so far with a reason from `source`, once one of
/// them has evidence starting with `first`.
async fn events_from(setup: &Setup, source: &str, first: &str) -> Vec<Value> {
    for _ in 0..60 {
        let events: Vec<Value> = setup
            .gateway
            .events(1)
            .await
            .into_iter()
            .filter(|e| reason_sources(e).contains(&source))
            .collect();
        if events
            .iter()
            .any(|e| evidence(e, source).starts_with(first))
        {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no event from {source} starting with {first:?}");
}

fn evidence<'a>(event: &'a Value, source: &str) -> &'a str {
    event["reasons"]
        .as_array()
        .and_then(|reasons| reasons.iter().find(|r| r["source"] == source))
        .and_then(|r| r["evidence"].as_str())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_user_reaching_for_an_admin_endpoint_is_refused_and_an_administrator_is_not() {
    let setup = setup("[behave.bfla]\nestablished_requests = 5\n").await;
    call(&setup, "GET", Some("root"), "/admin/users", "").await;
    call(&setup, "GET", Some("bob"), "/orders", "").await;
    wait_for_functions(
        &setup.gateway,
        &[("/admin/users", "admin"), ("/orders", "list")],
    )
    .await;

    for n in 0..4 {
        let status = call(&setup, "GET", Some("root"), "/admin/users", "").await;
        assert_eq!(status, 200, "an administrator's admin work ({n})");
    }
    for _ in 0..5 {
        assert_eq!(call(&setup, "GET", Some("bob"), "/orders", "").await, 200);
    }
    let before = setup.upstream.count();
    assert_eq!(
        call(&setup, "GET", Some("bob"), "/admin/users", "").await,
        403,
        "a user known for orders only"
    );
    assert_eq!(
        setup.upstream.count(),
        before,
        "refused before the upstream"
    );
    assert_eq!(
        call(&setup, "GET", Some("carol"), "/orders", "").await,
        200,
        "another user of the same address"
    );

    let events = events_from(&setup, "behave.bfla.escalation", "user \"bob\"").await;
    let bob: Vec<&Value> = events
        .iter()
        .filter(|e| evidence(e, "behave.bfla.escalation").starts_with("user \"bob\""))
        .collect();
    assert_eq!(bob.len(), 1, "{events:?}");
    assert_eq!(bob[0]["action"], "block");
    assert!(
        evidence(bob[0], "behave.bfla.escalation")
            .contains("never did admin work, after 6 requests of other functions (list)"),
        "{}",
        evidence(bob[0], "behave.bfla.escalation")
    );
    let root: Vec<&Value> = events
        .iter()
        .filter(|e| evidence(e, "behave.bfla.escalation").starts_with("user \"root\""))
        .collect();
    assert!(
        root.len() <= 1,
        "at most root's very first call, a weak signal: {root:?}"
    );
    assert!(root.iter().all(|e| e["action"] == "allow"));
}

#[tokio::test]
async fn a_client_holding_the_upstream_is_refused_and_other_searches_are_not() {
    let setup = setup("[behave.slow]\nwarmup_answers = 5\nmin_slow = \"200ms\"\n").await;
    for n in 0..6 {
        let user = if n % 2 == 0 { "mallory" } else { "alice" };
        let path = format!("/search?q=shoes{n}");
        assert_eq!(call(&setup, "GET", Some(user), &path, "").await, 200);
    }
    for _ in 0..3 {
        let status = call(&setup, "GET", Some("mallory"), "/search?q=redos", "").await;
        assert_eq!(status, 200, "the upstream already did the work");
    }
    let before = setup.upstream.count();
    assert_eq!(
        call(&setup, "GET", Some("mallory"), "/search?q=more", "").await,
        403
    );
    assert_eq!(
        setup.upstream.count(),
        before,
        "refused before the upstream"
    );
    assert_eq!(
        call(&setup, "GET", Some("alice"), "/search?q=boots", "").await,
        200
    );

    let slow = events_from(&setup, "behave.slow.request", "GET").await;
    let first = evidence(&slow[0], "behave.slow.request");
    assert!(
        first.starts_with("GET /search took ") && first.contains("for user \"mallory\""),
        "{first}"
    );
    let repeated = events_from(&setup, "behave.slow.repeated", "").await;
    assert_eq!(repeated[0]["action"], "block");
    assert!(evidence(&repeated[0], "behave.slow.repeated")
        .starts_with("user \"mallory\" had 3 requests answered far slower"));
}

#[tokio::test]
async fn a_client_reading_credentials_is_refused_and_a_login_handing_out_a_token_is_not() {
    let setup = setup("").await;
    assert_eq!(login(&setup, "alice", "wrong").await, 401);
    wait_for_functions(&setup.gateway, &[("/login", "login")]).await;
    assert_eq!(login(&setup, "alice", "right").await, 200);
    for _ in 0..3 {
        assert_eq!(call(&setup, "GET", None, "/debug/users", "").await, 200);
    }
    let before = setup.upstream.count();
    assert_eq!(call(&setup, "GET", None, "/debug/users", "").await, 403);
    assert_eq!(
        setup.upstream.count(),
        before,
        "refused before the upstream"
    );
    assert_eq!(
        call(&setup, "GET", Some("dave"), "/orders", "").await,
        200,
        "another client"
    );

    let secrets = events_from(&setup, "behave.exposure.secrets", "").await;
    let first = evidence(&secrets[0], "behave.exposure.secrets");
    assert!(
        first.starts_with("/debug/users answered address 127.0.0.1 (")
            && first.contains("with 2 secret value(s): Password at $.users[*].password"),
        "{first}"
    );
    assert!(
        secrets.iter().all(|e| e["path"] == "/debug/users"),
        "the login's token is its job"
    );
    let repeated = events_from(&setup, "behave.exposure.repeated", "").await;
    assert_eq!(repeated[0]["action"], "block");
}

#[tokio::test]
async fn probing_usernames_is_refused_after_a_person_mistyped_a_password() {
    let sections = "[behave.ato]\nstuffing_usernames = 100\n";
    let setup = setup(sections).await;
    assert_eq!(login(&setup, "alice", "wrong").await, 401);
    wait_for_functions(&setup.gateway, &[("/login", "login")]).await;
    assert_eq!(login(&setup, "alice", "wrnog").await, 401);
    assert_eq!(login(&setup, "alice", "right").await, 200, "mistyped twice");

    // With alice, ten distinct usernames answered in two shapes once the
    // ninth probe is learned.
    let mut statuses = Vec::new();
    for n in 0..12 {
        statuses.push(login(&setup, &format!("user{n}@mail.test"), "guess").await);
    }
    let first = statuses.iter().position(|s| *s == 403);
    assert!(first.is_some_and(|f| (9..=10).contains(&f)), "{statuses:?}");
    assert!(statuses[..9].iter().all(|s| *s == 404), "{statuses:?}");

    let events = events_from(&setup, "behave.enumeration.accounts", "").await;
    assert_eq!(events[0]["action"], "block");
    let text = evidence(&events[0], "behave.enumeration.accounts");
    assert!(
        text.starts_with("address 127.0.0.1 tried 10 distinct usernames on /login")
            && text.contains("got 2 distinct answers (404")
            && text.contains("401 ("),
        "{text}"
    );
    let metrics = Request::get("/metrics")
        .header("host", "admin")
        .body(full(""))
        .unwrap();
    let text = body_text(send(setup.gateway.gateway.admin_addr, metrics).await).await;
    assert!(
        text.lines()
            .any(|l| l == "rampart_behave_enumeration_leaking_endpoints 1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_burst_of_sign_ups_is_refused_and_so_is_a_flood_of_codes_to_one_number() {
    let setup = setup("").await;
    let sign_up = |n: usize| format!(r#"{{"email": "promo.user{n}@mail.test", "password": "x"}}"#);
    assert_eq!(
        call(&setup, "POST", None, "/signup", &sign_up(100)).await,
        201
    );
    assert_eq!(
        call(
            &setup,
            "POST",
            None,
            "/otp/send",
            r#"{"phone": "+44 7700 900001"}"#
        )
        .await,
        202
    );
    wait_for_functions(
        &setup.gateway,
        &[("/signup", "sign_up"), ("/otp/send", "otp")],
    )
    .await;
    // The first sign-up above counts too: the spec declares the endpoint,
    // so its function is known from the first request.
    let before = setup.upstream.count();
    let mut statuses = Vec::new();
    for n in 0..10 {
        statuses.push(call(&setup, "POST", None, "/signup", &sign_up(n)).await);
    }
    assert!(statuses[..8].iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(
        statuses[8..],
        [403, 403],
        "the tenth sign-up within the hour"
    );
    assert_eq!(
        setup.upstream.count() - before,
        8,
        "refused before the upstream"
    );
    let events = events_from(&setup, "behave.signup.burst", "").await;
    assert_eq!(events[0]["action"], "block");
    let text = evidence(&events[0], "behave.signup.burst");
    assert!(
        text.starts_with("address 127.0.0.1 asked for 10 sign-ups"),
        "{text}"
    );

    // A person asks for a code again (three codes, one number); the same
    // number sent codes five times is a victim whatever the spelling.
    let code = |to: &str| format!(r#"{{"phone": "{to}"}}"#);
    for _ in 0..2 {
        assert_eq!(
            call(&setup, "POST", None, "/otp/send", &code("+44 7700 900001")).await,
            202
        );
    }
    let victim = [
        "+33 6 12 34 56 78",
        "0033612345678",
        "+33612345678",
        "+33-6-12-34-56-78",
    ];
    for to in victim {
        assert_eq!(
            call(&setup, "POST", None, "/otp/send", &code(to)).await,
            202,
            "{to}"
        );
    }
    assert_eq!(
        call(&setup, "POST", None, "/otp/send", &code("+33 612 345 678")).await,
        403
    );
    let events = events_from(&setup, "behave.otp.victim", "").await;
    let text = evidence(&events[0], "behave.otp.victim");
    assert!(
        text.starts_with("5 codes sent to \"+336******78\""),
        "{text}"
    );
}
