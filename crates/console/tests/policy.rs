//! The policy endpoints on a real gateway (loopback ports, the
//! configuration file and a SQLite store in a temporary directory, the
//! recorder on): read, validate, apply (422 keeps the running
//! configuration), monitor or enforce per rule and route, the history with
//! diffs, the audit trail, and a replay of the recorded traffic.

mod common;
#[path = "../../gateway/tests/support/mod.rs"]
mod support;

use common::*;
use rampart_gateway::policy_admin::secrets::redact;
use serde_json::json;
use std::time::Duration;
use support::*;

const RECORD: &str = "[record]\npath = \"records.jsonl\"\nsample = 1.0\n\n[[listeners]]";

async fn start() -> (TestUpstream, TestGateway, String) {
    let upstream = TestUpstream::start().await;
    let text = console_config(upstream.addr).replacen("[[listeners]]", RECORD, 1);
    let gw = TestGateway::start_with_console(&text).await;
    (upstream, gw, text)
}

/// Waits (at most 3 s) until the recorder has written `at_least` lines.
async fn recorded(gw: &TestGateway, at_least: usize) {
    let path = gw.dir.path().join("records.jsonl");
    for _ in 0..60 {
        let lines = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .count();
        if lines >= at_least {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {at_least} exchanges were recorded");
}

#[tokio::test]
async fn the_policy_is_read_checked_applied_and_kept_in_its_history() {
    let (_upstream, gw, text) = start().await;

    let current = api(&gw, "GET", "/api/policy", "").await;
    assert_eq!(current.status, 200, "{}", current.text);
    let current = current.json();
    // The admin token stays in the file: the text shown has a placeholder,
    // which a text sent back keeps as the file's value.
    assert_eq!(current["text"], redact(&text).as_str());
    assert!(!current["text"].as_str().unwrap().contains(TOKEN));
    assert_eq!(current["version"], 1);
    let rules: Vec<&str> = current["modes"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["no-admin", "watch-reports"]);
    assert_eq!(
        current["modes"]["routes"][0],
        json!({"name": "main", "mode": "enforce", "explicit": false})
    );

    let bad = format!("{text}\n[[prevent.policy.rules]]\nname = \"x\"\nwhen = 'request.nope'\naction = {{ type = \"block\" }}\n");
    let checked = api(
        &gw,
        "POST",
        "/api/policy/validate",
        &json!({"policy": bad}).to_string(),
    )
    .await;
    assert_eq!(checked.status, 200);
    assert_eq!(checked.json()["valid"], false);
    assert_eq!(checked.json()["problems"][0]["key"], "prevent.policy");

    let refused = api(
        &gw,
        "PUT",
        "/api/policy",
        &json!({"policy": bad}).to_string(),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert!(refused.json()["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("rule `x`"));
    assert_eq!(
        visit(&gw, "GET", "/admin/users").await,
        403,
        "the old policy runs"
    );
    assert_eq!(std::fs::read_to_string(&gw.config_path).unwrap(), text);
    assert_eq!(
        api(&gw, "PUT", "/api/policy", "{\"policy\": 1}")
            .await
            .status,
        400
    );
    let huge = json!({"policy": "#".repeat(2 << 20)}).to_string();
    assert_eq!(api(&gw, "PUT", "/api/policy", &huge).await.status, 413);

    let without_admin_rule = text
        .replace("name = \"no-admin\"", "name = \"no-admin-any-more\"")
        .replace("request.path.startsWith(\"/admin\")", "false");
    let applied = api(
        &gw,
        "PUT",
        "/api/policy",
        &json!({"policy": without_admin_rule}).to_string(),
    )
    .await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.json()["version"], 2);
    assert!(applied.json()["diff"]
        .as_str()
        .unwrap()
        .contains("+name = \"no-admin-any-more\""));
    assert_eq!(visit(&gw, "GET", "/admin/users").await, 200, "applied live");

    let history = api(&gw, "GET", "/api/policy/history", "").await.json();
    let whos: Vec<(u64, &str)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["version"].as_u64().unwrap(), h["who"].as_str().unwrap()))
        .collect();
    assert_eq!(whos, [(2, "admin"), (1, "file")]);
    let second = api(&gw, "GET", "/api/policy/history/2", "").await.json();
    assert_eq!(second["text"], redact(&without_admin_rule).as_str());
    assert_eq!(
        api(&gw, "GET", "/api/policy/history/9", "").await.status,
        404
    );

    let audit = api(&gw, "GET", "/api/audit", "").await.json();
    let audited: Vec<(&str, &str, u64)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["method"].as_str().unwrap(),
                a["path"].as_str().unwrap(),
                a["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        audited.contains(&("PUT", "/api/policy", 200)),
        "{audited:?}"
    );
    assert!(
        audited.contains(&("PUT", "/api/policy", 422)),
        "{audited:?}"
    );
    gw.gateway.shutdown().await;
}

#[tokio::test]
async fn modes_switch_per_rule_and_route_and_a_replay_shows_what_would_change() {
    let (_upstream, gw, text) = start().await;
    assert_eq!(visit(&gw, "GET", "/admin/users").await, 403);
    assert_eq!(visit(&gw, "GET", "/items").await, 200);
    recorded(&gw, 2).await;

    let proposed = text.replace("request.path.startsWith(\"/admin\")", "false");
    let replayed = api(
        &gw,
        "POST",
        "/api/policy/replay",
        &json!({"policy": proposed, "limit": 5}).to_string(),
    )
    .await;
    assert_eq!(replayed.status, 200, "{}", replayed.text);
    let replayed = replayed.json();
    assert_eq!(replayed["records"], 2);
    assert_eq!(replayed["changed"], 1);
    let change = &replayed["changes"][0];
    assert_eq!(change["path"], "/admin/users");
    assert_eq!(change["before"]["action"], "block");
    assert_eq!(change["after"]["action"], "allow");
    assert_eq!(change["responsible"], "rule:no-admin");
    assert_eq!(replayed["transitions"][0]["from"], "block");
    let invalid = api(
        &gw,
        "POST",
        "/api/policy/replay",
        &json!({"policy": "[[routes]]"}).to_string(),
    )
    .await;
    assert_eq!(invalid.status, 422);

    let mode = |scope: &str, name: &str, mode: &str| {
        json!({"scope": scope, "name": name, "mode": mode}).to_string()
    };
    let monitored = api(
        &gw,
        "POST",
        "/api/policy/mode",
        &mode("rule", "no-admin", "monitor"),
    )
    .await;
    assert_eq!(monitored.status, 200, "{}", monitored.text);
    assert!(monitored.json()["diff"]
        .as_str()
        .unwrap()
        .contains("+mode = \"monitor\""));
    assert_eq!(visit(&gw, "GET", "/admin/users").await, 200);
    let modes = api(&gw, "GET", "/api/policy", "").await.json()["modes"].clone();
    assert_eq!(modes["rules"][0]["mode"], "monitor");

    assert_eq!(
        api(
            &gw,
            "POST",
            "/api/policy/mode",
            &mode("rule", "no-admin", "enforce")
        )
        .await
        .status,
        200
    );
    assert_eq!(visit(&gw, "GET", "/admin/users").await, 403);
    assert_eq!(
        api(
            &gw,
            "POST",
            "/api/policy/mode",
            &mode("route", "main", "monitor")
        )
        .await
        .status,
        200
    );
    assert_eq!(visit(&gw, "GET", "/admin/users").await, 200);
    let modes = api(&gw, "GET", "/api/policy", "").await.json()["modes"].clone();
    assert_eq!(
        modes["routes"][0],
        json!({"name": "main", "mode": "monitor", "explicit": true})
    );

    let unknown = api(
        &gw,
        "POST",
        "/api/policy/mode",
        &mode("route", "nope", "monitor"),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let no_rule = api(
        &gw,
        "POST",
        "/api/policy/mode",
        &mode("rule", "nope", "monitor"),
    )
    .await;
    assert_eq!(no_rule.status, 422);
    assert_eq!(
        api(
            &gw,
            "POST",
            "/api/policy/mode",
            &mode("host", "x", "monitor")
        )
        .await
        .status,
        400
    );
    let history = api(&gw, "GET", "/api/policy/history?limit=2", "")
        .await
        .json();
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
    assert_eq!(history["items"][0]["version"], 4);
    gw.gateway.shutdown().await;
}
