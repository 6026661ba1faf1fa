//! Templating as operators and the gateway rely on it: the inventory
//! converges as traffic arrives and never splits a learned template back,
//! answers 404 and 405 create no endpoint, folds are recorded with their
//! reason, operators can force a parameter or pin a literal, and values
//! that recur across the API fold where they reappear.

use rampart_core::ExchangeRecord;
use rampart_discover::{Decision, Inventory};

fn record(method: &str, path: &str, status: u16, body: &str) -> ExchangeRecord {
    ExchangeRecord {
        method: method.into(),
        path: path.into(),
        request_headers: vec![("authorization".into(), "Bearer t".into())],
        status: Some(status),
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: Some(body.as_bytes().to_vec()),
        ..Default::default()
    }
}

fn templates(inventory: &mut Inventory) -> Vec<String> {
    let mut out: Vec<String> = inventory
        .report()
        .endpoints
        .iter()
        .map(|e| format!("{} {}", e.method, e.template))
        .collect();
    out.sort();
    out
}

const NAMESPACES: [&str; 6] = ["default", "argo", "team-a", "kube-ops", "billing", "edge"];
const WORKFLOWS: [&str; 6] = [
    "nightly-etl",
    "build",
    "deploy-web",
    "backfill",
    "lint-all",
    "sync",
];

/// A workflow API whose ids are names: `/workflows/{namespace}/{name}`.
fn workflow_traffic(round: usize) -> Vec<ExchangeRecord> {
    let mut out = Vec::new();
    for (i, ns) in NAMESPACES.iter().enumerate() {
        let name = WORKFLOWS[(i + round) % WORKFLOWS.len()];
        let item = r#"{"metadata":{"name":"x","namespace":"y"},"spec":{},"status":{}}"#;
        out.push(record(
            "GET",
            &format!("/api/v1/workflows/{ns}/{name}"),
            200,
            item,
        ));
        out.push(record(
            "DELETE",
            &format!("/api/v1/workflows/{ns}/{name}"),
            200,
            "{}",
        ));
        out.push(record(
            "PUT",
            &format!("/api/v1/workflows/{ns}/{name}/stop"),
            200,
            item,
        ));
        out.push(record(
            "GET",
            &format!("/api/v1/workflows/{ns}"),
            200,
            r#"{"items":[],"metadata":{}}"#,
        ));
    }
    out
}

#[test]
fn names_in_paths_become_parameters_and_stay_so_as_traffic_arrives() {
    let mut inventory = Inventory::new();
    let mut learned: Option<Vec<String>> = None;
    for round in 0..4 {
        for r in workflow_traffic(round) {
            inventory.observe(&r);
        }
        // The gateway folds each time it publishes: later traffic must
        // never split what was learned.
        let now = templates(&mut inventory);
        if let Some(before) = &learned {
            assert_eq!(&now, before, "templates changed in round {round}");
        }
        learned = Some(now);
    }
    assert_eq!(
        learned.unwrap(),
        [
            "DELETE /api/v1/workflows/{workflow_name}/{name}",
            "GET /api/v1/workflows/{workflow_name}",
            "GET /api/v1/workflows/{workflow_name}/{name}",
            "PUT /api/v1/workflows/{workflow_name}/{name}/stop",
        ]
    );
    let report = inventory.report();
    let reasons: Vec<_> = report
        .template_decisions
        .iter()
        .map(|d| (d.parent.as_str(), d.folded))
        .collect();
    assert!(
        reasons.iter().any(|(p, _)| *p == "/api/v1/workflows"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|(p, _)| *p == "/api/v1/workflows/{}"),
        "{reasons:?}"
    );
}

#[test]
fn answers_404_and_405_create_no_endpoint_but_count() {
    let mut inventory = Inventory::new();
    inventory.observe(&record("GET", "/users/42", 200, r#"{"id":42}"#));
    for probe in [
        "/.env",
        "/wp-admin/setup.php",
        "/admin/backup.zip",
        "/users/42/x",
    ] {
        inventory.observe(&record("GET", probe, 404, r#"{"error":"no"}"#));
    }
    inventory.observe(&record("PATCH", "/users/42", 405, "{}"));
    // A known endpoint answering 404 (a missing id) is still that endpoint.
    inventory.observe(&record("GET", "/users/43", 404, r#"{"error":"no"}"#));
    let report = inventory.report();
    let endpoints: Vec<_> = report.endpoints.iter().map(|e| &e.template).collect();
    assert_eq!(endpoints, ["/users/{user_id}"]);
    assert_eq!(report.endpoints[0].requests, 2);
    assert_eq!(report.summary.unrouted, 5);
}

#[test]
fn operators_force_a_parameter_and_pin_a_literal() {
    let mut inventory = Inventory::new();
    inventory
        .decide(Decision::Parameter {
            parent: "/regions".into(),
        })
        .unwrap();
    inventory
        .decide(Decision::Split {
            parent: "/teams".into(),
            value: "platform".into(),
        })
        .unwrap();
    // Two values only, unlike in shape: learning alone keeps them literal.
    inventory.observe(&record("GET", "/regions/eu", 200, r#"{"a":1,"b":2,"c":3}"#));
    inventory.observe(&record("GET", "/regions/us", 200, r#"{"x":1,"y":2,"z":3}"#));
    for team in ["platform", "payments", "search-ui", "growth"] {
        inventory.observe(&record("DELETE", &format!("/teams/{team}"), 200, "{}"));
    }
    assert_eq!(
        templates(&mut inventory),
        [
            "DELETE /teams/platform",
            "DELETE /teams/{team_name}",
            "GET /regions/{region_name}",
        ]
    );
}

#[test]
fn values_recur_across_the_api() {
    let mut inventory = Inventory::new();
    let item = r#"{"name":"n","labels":{},"created":"2024-01-01"}"#;
    for ns in NAMESPACES {
        inventory.observe(&record("GET", &format!("/api/pods/{ns}"), 200, item));
        inventory.observe(&record("DELETE", &format!("/api/pods/{ns}"), 200, "{}"));
    }
    // Seen once each under another collection, with nothing alike but
    // their names: they are the same namespaces.
    inventory.observe(&record("GET", "/api/secrets/default", 200, r#"{"k":1}"#));
    inventory.observe(&record("POST", "/api/secrets/argo", 201, r#"{"v":2}"#));
    assert_eq!(
        templates(&mut inventory),
        [
            "DELETE /api/pods/{pod_name}",
            "GET /api/pods/{pod_name}",
            "GET /api/secrets/{secret_name}",
            "POST /api/secrets/{secret_name}",
        ]
    );
}

#[test]
fn a_flood_of_scanner_paths_is_bounded() {
    let mut inventory = Inventory::new();
    for i in 0..20_000u32 {
        let word: String = (0..8)
            .map(|j| (b'a' + ((i.wrapping_mul(2654435761) >> (j * 3)) % 26) as u8) as char)
            .collect();
        inventory.observe(&record("GET", &format!("/files/{word}"), 200, r#""x""#));
    }
    let report = inventory.report();
    assert!(report.endpoints.len() <= 300, "{}", report.endpoints.len());
}

#[test]
fn an_action_under_a_declared_path_is_a_path_of_its_own() {
    let spec = br#"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{
        "/wf/{namespace}/{name}":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
    let mut inventory = Inventory::new();
    inventory.set_spec(rampart_discover::parse_spec(spec).unwrap());
    inventory.observe(&record("GET", "/wf/default/nightly", 200, "{}"));
    inventory.observe(&record("POST", "/wf/default/lint", 200, "{}"));
    inventory.observe(&record("DELETE", "/wf/default/nightly", 200, "{}"));
    let report = inventory.report();
    let shadow: Vec<_> = report
        .endpoints
        .iter()
        .filter(|e| e.shadow == Some(true))
        .map(|e| format!("{} {}", e.method, e.template))
        .collect();
    assert_eq!(
        shadow,
        ["DELETE /wf/{namespace}/{name}", "POST /wf/default/lint"]
    );
}
