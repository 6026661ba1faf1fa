//! The `behave` stage in a real gateway in front of a real upstream: a
//! principal walking through other principals' objects is refused before the
//! upstream answers, while every principal's own objects stay open; in
//! monitor mode the prevention policy acts on the `bola` class instead.
//! Credential stuffing on a login endpoint is refused once it is clear,
//! after a person mistyping a password was let through.

mod support;

use http::Request;
use std::time::Duration;
use support::*;

/// A declared spec, so the endpoint templates are known from the first request.
const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/login": {"post": {"responses": {"200": {"description": "ok"}, "401": {"description": "no"}}}},
  "/accounts": {"get": {"responses": {"200": {"description": "ok"}}},
                "post": {"responses": {"201": {"description": "ok"}}}},
  "/accounts/{account_id}": {"get": {"parameters": [{"name": "account_id", "in": "path", "required": true,
      "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}}"#;

struct Setup {
    gateway: TestGateway,
    upstream: TestUpstream,
    _spec_dir: tempfile::TempDir,
}

async fn setup(sections: &str, stages: &[&str]) -> Setup {
    let upstream = TestUpstream::start().await;
    let (text, spec_dir) = spec_config(upstream.addr, SPEC, stages, "", sections);
    Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        _spec_dir: spec_dir,
    }
}

async fn call(setup: &Setup, method: &str, user: &str, path: &str) -> u16 {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "api.test")
        .header("authorization", bearer(user))
        .body(full(""))
        .unwrap();
    send(setup.gateway.addr(), request).await.status().as_u16()
}

#[tokio::test]
async fn a_walk_is_refused_before_the_upstream_and_own_objects_stay_open() {
    let setup = setup("", &["discover", "behave"]).await;
    assert_eq!(
        call(&setup, "GET", "alice", "/accounts?ids=500,501,502").await,
        200
    );
    assert_eq!(call(&setup, "GET", "bob", "/accounts?ids=600").await, 200);

    let mut statuses = Vec::new();
    for id in 1000..1030 {
        statuses.push(call(&setup, "GET", "bob", &format!("/accounts/{id}")).await);
    }
    let first_refusal = statuses.iter().position(|s| *s == 403);
    assert_eq!(first_refusal, Some(5), "six consecutive ids: {statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 403), "{statuses:?}");
    let upstream_before = setup.upstream.request_count();
    assert_eq!(call(&setup, "GET", "bob", "/accounts/2000").await, 403);
    assert_eq!(
        setup.upstream.request_count(),
        upstream_before,
        "refused before the upstream saw it"
    );

    assert_eq!(
        call(&setup, "GET", "bob", "/accounts/600").await,
        200,
        "bob's own"
    );
    for id in 500..=502 {
        let path = format!("/accounts/{id}");
        assert_eq!(
            call(&setup, "GET", "alice", &path).await,
            200,
            "alice's own"
        );
    }
    for user in 0..20 {
        let name = format!("neighbour{user}");
        let id = 700 + user;
        call(&setup, "GET", &name, &format!("/accounts?ids={id}")).await;
        let own = call(&setup, "GET", &name, &format!("/accounts/{id}")).await;
        assert_eq!(own, 200, "one address, many users, each with its own token");
    }

    let events = setup.gateway.events(1).await;
    let walk = events
        .iter()
        .find(|e| reason_sources(e).contains(&"behave.bola.walk"))
        .expect("a walk event");
    assert_eq!(walk["action"], "block");
    let evidence = walk["reasons"][0]["evidence"].as_str().unwrap();
    for part in [
        "user \"bob\"",
        "6 distinct account ids",
        "/accounts/{account_id}",
    ] {
        assert!(evidence.contains(part), "{part}: {evidence}");
    }
}

#[tokio::test]
async fn in_monitor_mode_the_policy_decides_what_the_bola_class_costs() {
    let sections = "[behave]\nmode = \"monitor\"\n\n[prevent.policy.defaults.signals]\nbola = { type = \"ban\", on = \"user\" }\n";
    let setup = setup(sections, &["discover", "behave", "prevent"]).await;
    assert_eq!(call(&setup, "POST", "alice", "/accounts").await, 201);
    assert_eq!(
        call(&setup, "GET", "mallory", "/accounts/900").await,
        403,
        "alice created 900: a foreign object, class bola, banned by the policy"
    );
    assert_eq!(
        call(&setup, "GET", "mallory", "/accounts?ids=1").await,
        403,
        "the ban holds the user on every endpoint"
    );
    assert_eq!(call(&setup, "GET", "alice", "/accounts/900").await, 200);
    let events = setup.gateway.events(1).await;
    let foreign = events
        .iter()
        .find(|e| reason_sources(e).contains(&"behave.bola.foreign_object"))
        .expect("a foreign-object event");
    assert_eq!(foreign["action"], "ban");
}

#[tokio::test]
async fn monitor_mode_alone_records_the_walk_and_refuses_nothing() {
    let setup = setup("[behave]\nmode = \"monitor\"\n", &["discover", "behave"]).await;
    for id in 1000..1020 {
        let path = format!("/accounts/{id}");
        assert_eq!(call(&setup, "GET", "bob", &path).await, 200);
    }
    let mut would_block = false;
    for _ in 0..60 {
        let events = setup.gateway.events(1).await;
        would_block = events.iter().any(|e| e["action"] == "would_block");
        if would_block {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(would_block);
}

/// A login as `username`; the test upstream accepts it when `ok`.
async fn login(setup: &Setup, username: &str, ok: bool) -> u16 {
    support::login(setup.gateway.addr(), username, ok).await
}

#[tokio::test]
async fn credential_stuffing_is_refused_before_the_upstream_and_a_mistyping_user_is_not() {
    let setup = setup("publish_interval = \"100ms\"\n", &["discover", "behave"]).await;
    assert_eq!(login(&setup, "carol", false).await, 401);
    wait_for_functions(&setup.gateway, &[("/login", "login")]).await;
    assert_eq!(login(&setup, "carol", false).await, 401);
    assert_eq!(login(&setup, "carol", true).await, 200, "mistyped twice");

    // Carol failed once after the endpoint was known as a login: with nine
    // victims, ten distinct usernames failed from this address.
    for n in 0..9 {
        let status = login(&setup, &format!("victim{n}@mail.test"), false).await;
        assert_eq!(status, 401, "attempt {n}: not yet clear");
    }
    // Each answer is learned when its exchange ends: allow the last ones
    // to be learned while the next attempts arrive.
    let mut statuses = Vec::new();
    for n in 9..13 {
        statuses.push(login(&setup, &format!("victim{n}@mail.test"), false).await);
    }
    let first = statuses.iter().position(|s| *s == 403);
    assert!(first.is_some_and(|f| f <= 2), "{statuses:?}");
    let upstream_before = setup.upstream.request_count();
    assert_eq!(login(&setup, "victim99@mail.test", true).await, 403);
    assert_eq!(
        setup.upstream.request_count(),
        upstream_before,
        "refused before the upstream saw it"
    );

    let events = setup.gateway.events(1).await;
    let stuffing = events
        .iter()
        .find(|e| reason_sources(e).contains(&"behave.ato.credential_stuffing"))
        .expect("a credential-stuffing event");
    assert_eq!(stuffing["action"], "block");
    let evidence = stuffing["reasons"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.starts_with("address 127.0.0.1 failed logins for 1"),
        "{evidence}"
    );
    assert!(evidence.contains("distinct usernames"), "{evidence}");
}
