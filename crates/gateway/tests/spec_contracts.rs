//! The declared spec enforces itself: with `[discovery] spec` set, the
//! detect stage refuses what the spec does not allow (an undeclared
//! property, a value of the wrong type) and records undeclared endpoints,
//! each as `[detect.spec]` says, without a hand-written contract.

mod support;

use http::Request;
use support::*;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /users:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [username, password]
              properties:
                username: {type: string}
                password: {type: string}
                age: {type: integer}
  /users/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
"#;

struct Setup {
    gateway: TestGateway,
    upstream: TestUpstream,
    spec: std::path::PathBuf,
    _spec_dir: tempfile::TempDir,
}

async fn setup(sections: &str) -> Setup {
    let upstream = TestUpstream::start().await;
    let spec_dir = tempfile::tempdir().unwrap();
    let spec = spec_dir.path().join("openapi.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let sections = format!(
        "[discovery]\nspec = {:?}\n\n{sections}",
        spec.display().to_string()
    );
    let text = with_stages(&config(&[upstream.addr], ""), &["detect"], &sections);
    Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        spec,
        _spec_dir: spec_dir,
    }
}

fn post_json(path: &str, body: &str) -> Request<BoxBody> {
    Request::post(path)
        .header("host", "shop.test")
        .header("content-type", "application/json")
        .body(full(body.to_owned()))
        .unwrap()
}

const SIGNUP: &str = r#"{"username":"mallory","password":"hunter22"}"#;
const ADMIN_SIGNUP: &str = r#"{"username":"mallory","password":"hunter22","is_admin":true}"#;

#[tokio::test]
async fn a_sign_up_with_an_undeclared_admin_flag_is_refused_and_explained() {
    let s = setup("").await;
    let addr = s.gateway.addr();
    assert_eq!(
        send(addr, post_json("/users", ADMIN_SIGNUP)).await.status(),
        403
    );
    let events = s.gateway.events(1).await;
    let event = &events[0];
    assert_eq!(event["action"], "block", "{event}");
    let reason = &event["reasons"][0];
    assert_eq!(
        reason["source"], "detect.contract.unexpected_property",
        "{event}"
    );
    assert_eq!(reason["location"], "body$.is_admin", "{event}");
    assert_eq!(reason["evidence"], "POST /users: is_admin=true", "{event}");

    assert_eq!(send(addr, post_json("/users", SIGNUP)).await.status(), 200);
    assert_eq!(
        s.upstream.request_count(),
        1,
        "only the declared sign-up got through"
    );
}

#[tokio::test]
async fn values_of_the_wrong_type_are_refused() {
    let s = setup("").await;
    let addr = s.gateway.addr();
    let string_age = r#"{"username":"ann","password":"pw-123456","age":"forty"}"#;
    assert_eq!(
        send(addr, post_json("/users", string_age)).await.status(),
        403
    );
    let events = s.gateway.events(1).await;
    assert_eq!(
        events[0]["reasons"][0]["source"],
        "detect.contract.wrong_type"
    );
    assert_eq!(events[0]["reasons"][0]["location"], "body$.age");

    assert_eq!(
        get(addr, "/users/abc").await.status(),
        403,
        "id is an integer"
    );
    let events = s.gateway.events(2).await;
    assert_eq!(
        events[1]["reasons"][0]["location"], "path[2]",
        "{}",
        events[1]
    );
    assert_eq!(get(addr, "/users/42").await.status(), 200);
    let typed_age = r#"{"username":"ann","password":"pw-123456","age":40}"#;
    assert_eq!(
        send(addr, post_json("/users", typed_age)).await.status(),
        200
    );
    assert_eq!(s.upstream.request_count(), 2);
}

#[tokio::test]
async fn undeclared_endpoints_are_recorded_in_monitor_mode() {
    let s = setup("").await;
    assert_eq!(get(s.gateway.addr(), "/debug/users").await.status(), 200);
    let events = s.gateway.events(1).await;
    assert_eq!(events[0]["action"], "would_block", "{}", events[0]);
    assert_eq!(
        reason_sources(&events[0]),
        ["detect.contract.unknown_endpoint"]
    );
    assert_eq!(s.upstream.request_count(), 1);
}

#[tokio::test]
async fn breaches_set_to_off_pass_unrecorded_and_monitor_records_them() {
    let s = setup(
        "[detect.spec]\nunknown_properties = \"off\"\nwrong_types = \"monitor\"\nundeclared_endpoints = \"off\"\n",
    )
    .await;
    let addr = s.gateway.addr();
    assert_eq!(
        send(addr, post_json("/users", ADMIN_SIGNUP)).await.status(),
        200
    );
    assert_eq!(get(addr, "/debug/users").await.status(), 200);
    assert_eq!(get(addr, "/users/abc").await.status(), 200);
    let events = s.gateway.events(1).await;
    assert_eq!(events.len(), 1, "only the monitored wrong type: {events:?}");
    assert_eq!(events[0]["action"], "would_block");
    assert_eq!(reason_sources(&events[0]), ["detect.contract.wrong_type"]);
    assert_eq!(s.upstream.request_count(), 3);
}

#[tokio::test]
async fn a_spec_changed_and_reloaded_takes_effect() {
    let s = setup("").await;
    let addr = s.gateway.addr();
    assert_eq!(
        send(addr, post_json("/users", ADMIN_SIGNUP)).await.status(),
        403
    );
    let declared_admin = SPEC.replace(
        "age: {type: integer}",
        "age: {type: integer}\n                is_admin: {type: boolean}",
    );
    std::fs::write(&s.spec, declared_admin).unwrap();
    s.gateway.gateway.reload().unwrap();
    assert_eq!(
        send(addr, post_json("/users", ADMIN_SIGNUP)).await.status(),
        200,
        "the reloaded spec declares is_admin"
    );
}

#[tokio::test]
async fn hand_written_contracts_win_over_the_spec() {
    let s = setup(
        "[[detect.contracts]]\nmethod = \"POST\"\npath = \"/users\"\n[detect.contracts.body]\ntype = \"object\"\n",
    )
    .await;
    let addr = s.gateway.addr();
    assert_eq!(
        send(addr, post_json("/users", ADMIN_SIGNUP)).await.status(),
        200
    );
    assert_eq!(
        get(addr, "/users/abc").await.status(),
        403,
        "the rest of the spec holds"
    );
}

#[test]
fn bad_and_useless_spec_settings_are_reported() {
    let text = with_stages(
        &config(&["127.0.0.1:9".parse().unwrap()], ""),
        &["detect"],
        "[detect.spec]\nunknown_properties = \"block\"\n",
    );
    let error = rampart_gateway::GatewayConfig::parse(std::path::Path::new("r.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("r.toml: detect.spec.unknown_properties: unknown variant `block`"),
        "{error}"
    );
    let text = text.replace("\"block\"", "\"monitor\"");
    let config =
        rampart_gateway::GatewayConfig::parse(std::path::Path::new("r.toml"), &text).unwrap();
    assert_eq!(
        config.warning_lines(),
        ["r.toml: detect.spec: does nothing without a declared spec: set [discovery] spec to an OpenAPI file"]
    );
}
