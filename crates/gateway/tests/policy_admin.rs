//! The recorder and policy management on a real gateway on loopback: the
//! gateway records masked exchanges that the replay code reads; a policy
//! change is validated, written, applied live, recorded with its diff,
//! switched between monitor and enforce per rule and per route, and tried
//! on the recorded traffic before it is applied.

mod support;

use http::Request;
use rampart_core::{ExchangeRecord, RecordReader};
use rampart_gateway::offline::OfflineGateway;
use rampart_gateway::policy_admin::mode_edit::ModeScope;
use rampart_gateway::policy_admin::PolicyAdminError;
use rampart_gateway::GatewayConfig;
use rampart_prevent::policy::Mode;
use std::path::Path;
use std::time::Duration;
use support::*;

const NO_ADMIN: &str = r#"
[[prevent.policy.rules]]
name = "no-admin"
when = 'request.path.startsWith("/admin")'
action = { type = "block" }
"#;

fn recording_config(upstream: std::net::SocketAddr, policy: &str) -> String {
    let sections = format!(
        "[record]\npath = \"records.jsonl\"\nsample = 1.0\nmax_body_bytes = \"4KiB\"\n\n{policy}"
    );
    with_stages(
        &config(&[upstream], "").replace(
            "jsonl = \"events.jsonl\"",
            "jsonl = \"events.jsonl\"\nsqlite = \"rampart.db\"",
        ),
        &["ip_lists", "detect", "prevent"],
        &sections,
    )
}

/// The records written so far (waits up to 3 s for `at_least`).
async fn records(path: &Path, at_least: usize) -> Vec<ExchangeRecord> {
    for _ in 0..60 {
        let text = std::fs::read(path).unwrap_or_default();
        let read: Vec<ExchangeRecord> = RecordReader::new(&text[..])
            .map(|item| item.expect("every recorded line reads").1)
            .collect();
        if read.len() >= at_least {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {at_least} exchanges were recorded");
}

#[tokio::test]
async fn the_gateway_records_masked_exchanges_that_replay_reads() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&recording_config(upstream.addr, NO_ADMIN)).await;

    let items = Request::get("/items?api_key=k3y-in-the-url&page=2")
        .header("host", "test.local")
        .header("authorization", "Basic Ym9iOnNlY3JldC10b2tlbi14eXo=")
        .header("x-api-key", "key-0123456789abcdef")
        .header("cookie", "session=cookie-value-abc")
        .body(full(""))
        .unwrap();
    let answered = send(gw.addr(), items).await;
    assert_eq!(answered.status(), 200, "{}", body_text(answered).await);
    let login = Request::post("/login?ok")
        .header("host", "test.local")
        .header("content-type", "application/json")
        .body(full(r#"{"user":"bob","password":"hunter2-secret"}"#))
        .unwrap();
    assert_eq!(send(gw.addr(), login).await.status(), 200);
    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 403);

    let path = gw.dir.path().join("records.jsonl");
    let recorded = records(&path, 3).await;
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [
        "Ym9iOnNlY3JldC10b2tlbi14eXo=",
        "key-0123456789abcdef",
        "cookie-value-abc",
        "hunter2-secret",
        "k3y-in-the-url",
    ] {
        assert!(!text.contains(secret), "{secret} reached the disk: {text}");
    }
    let by_path = |p: &str| recorded.iter().find(|r| r.path == p).expect(p);
    let items = by_path("/items");
    assert!(items
        .request_header("authorization")
        .unwrap()
        .starts_with("Basic masked:"));
    assert!(items.query.contains("page=2"));
    assert_eq!(items.status, Some(200));
    assert!(
        items.response_body.is_some(),
        "the upstream's answer is kept"
    );
    let login: serde_json::Value =
        serde_json::from_slice(by_path("/login").request_body.as_ref().unwrap()).unwrap();
    assert_eq!(login["password"], "***");
    assert_eq!(login["user"], "bob");
    assert_eq!(
        by_path("/admin/users").status,
        Some(403),
        "what the stages refuse is recorded too"
    );

    // `rampart replay` reads the file: the same configuration decides the same.
    let config = GatewayConfig::load(&gw.config_path).unwrap();
    let verdicts = tokio::task::spawn_blocking(move || {
        let offline = OfflineGateway::new(config).unwrap();
        let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        RecordReader::new(input)
            .map(|item| {
                let (_, record) = item.unwrap();
                (record.path.clone(), offline.evaluate(&record))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(verdicts.len(), 3);
    for (path, verdict) in &verdicts {
        let expected = if path == "/admin/users" {
            "block"
        } else {
            "allow"
        };
        assert_eq!(verdict.action, expected, "{path}: {verdict:?}");
    }
    let admin = &verdicts
        .iter()
        .find(|(p, _)| p == "/admin/users")
        .unwrap()
        .1;
    assert_eq!(admin.cause().as_deref(), Some("rule:no-admin"));
    gw.gateway.shutdown().await;
}

#[tokio::test]
async fn policy_changes_are_checked_applied_live_recorded_and_replayed() {
    let upstream = TestUpstream::start().await;
    let original = recording_config(upstream.addr, "# no rules yet\n");
    let gw = TestGateway::start(&original).await;
    let policy = gw.gateway.policy();

    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 200);
    assert_eq!(get(gw.addr(), "/items").await.status(), 200);
    records(&gw.dir.path().join("records.jsonl"), 2).await;

    let current = policy.current().unwrap();
    assert_eq!(
        (current.text.as_str(), current.version),
        (original.as_str(), Some(1))
    );

    // A bad text is reported with its key and changes nothing.
    let bad = format!("{original}\n[[prevent.policy.rules]]\nname = \"x\"\nwhen = 'request.nope'\naction = {{ type = \"block\" }}\n");
    let validation = policy.validate(&bad).unwrap();
    assert!(!validation.valid);
    assert_eq!(validation.problems[0].key, "prevent.policy");
    assert!(validation.problems[0].message.contains("rule `x`"));
    assert!(matches!(
        policy.apply(&bad, "mallory"),
        Err(PolicyAdminError::Invalid(_))
    ));
    assert_eq!(std::fs::read_to_string(&gw.config_path).unwrap(), original);
    let huge = "#".repeat(2 << 20);
    assert!(matches!(
        policy.validate(&huge),
        Err(PolicyAdminError::TooLarge { .. })
    ));

    // What the proposed policy would change on what was recorded.
    let proposed = format!("{original}{NO_ADMIN}");
    let replayed = {
        let (policy, proposed) = (std::sync::Arc::clone(&policy), proposed.clone());
        tokio::task::spawn_blocking(move || policy.replay(&proposed, 10))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(replayed.records, 2);
    assert_eq!(replayed.changed, 1);
    let change = &replayed.changes[0];
    assert_eq!(
        (change.method.as_str(), change.path.as_str()),
        ("GET", "/admin/users")
    );
    assert_eq!(
        (change.before.action, change.after.action),
        ("allow", "block")
    );
    assert_eq!(change.after.status, Some(403));
    assert_eq!(change.responsible, "rule:no-admin");
    assert_eq!(replayed.proposed.get("block"), Some(&1));
    assert_eq!(replayed.current.get("allow"), Some(&2));

    // Applied: on disk, live, in the history.
    let applied = policy.apply(&proposed, "alice").unwrap();
    assert_eq!(applied.version, Some(2));
    assert!(
        applied.diff.contains("+name = \"no-admin\"\n"),
        "{}",
        applied.diff
    );
    assert_eq!(std::fs::read_to_string(&gw.config_path).unwrap(), proposed);
    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 403);

    // One rule to monitor: evaluated, recorded, never refuses.
    let monitored = policy
        .set_mode(ModeScope::Rule, "no-admin", Mode::Monitor, "bob")
        .unwrap();
    assert_eq!(monitored.version, Some(3));
    assert!(
        monitored.diff.contains("+mode = \"monitor\""),
        "{}",
        monitored.diff
    );
    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 200);
    let events = gw.events(2).await;
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "would_block"
                && e["reasons"].to_string().contains("rule:no-admin")),
        "{events:?}"
    );
    policy
        .set_mode(ModeScope::Rule, "no-admin", Mode::Enforce, "bob")
        .unwrap();
    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 403);

    // A whole route to monitor: a scope is added for it.
    policy
        .set_mode(ModeScope::Route, "main", Mode::Monitor, "carol")
        .unwrap();
    assert_eq!(get(gw.addr(), "/admin/users").await.status(), 200);
    assert!(matches!(
        policy.set_mode(ModeScope::Route, "nope", Mode::Monitor, "carol"),
        Err(PolicyAdminError::NoSuchRoute(_))
    ));
    let modes = policy.modes();
    assert_eq!(modes.defaults, "enforce");
    assert_eq!(
        (modes.routes[0].mode, modes.routes[0].explicit),
        ("monitor", true)
    );
    assert_eq!(modes.rules[0].name, "no-admin");
    assert_eq!(
        (modes.rules[0].mode, modes.rules[0].action.as_str()),
        ("enforce", "block")
    );

    // The history, newest first, and one version with its diff.
    let history = policy.history(10).unwrap();
    let listed: Vec<(u64, &str)> = history
        .iter()
        .map(|h| (h.version, h.who.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (5, "carol"),
            (4, "bob"),
            (3, "bob"),
            (2, "alice"),
            (1, "file")
        ]
    );
    let second = policy.version(2).unwrap();
    assert_eq!(second.text.as_deref(), Some(proposed.as_str()));
    assert!(matches!(
        policy.version(99),
        Err(PolicyAdminError::NoSuchVersion(99))
    ));

    // A hand edit is picked up by the reloader and recorded as by `file`.
    let by_hand = std::fs::read_to_string(&gw.config_path).unwrap() + "\n# tuned by hand\n";
    std::fs::write(&gw.config_path, &by_hand).unwrap();
    assert_eq!(policy.current().unwrap().version, Some(6));
    assert_eq!(policy.history(1).unwrap()[0].who, "file");

    // What was applied survives a restart.
    let reloaded = GatewayConfig::load(&gw.config_path).unwrap();
    assert_eq!(
        reloaded.prevent.config.policy.rules[0].mode,
        Some(Mode::Enforce)
    );
    gw.gateway.shutdown().await;
}
