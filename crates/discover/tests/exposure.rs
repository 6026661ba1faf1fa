//! Exposure findings from recorded exchanges: endpoints anyone may use for
//! privileged work or to read secrets are findings, their look-alikes are not.

use rampart_core::ExchangeRecord;
use rampart_discover::findings::{Finding, Severity};
use rampart_discover::{Inventory, InventoryReport};

/// One exchange; `credentials` is a request header that carries them.
fn exchange(
    method: &str,
    path: &str,
    credentials: Option<(&str, &str)>,
    status: u16,
    response: &str,
) -> ExchangeRecord {
    ExchangeRecord {
        method: method.into(),
        path: path.into(),
        request_headers: credentials
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .into_iter()
            .collect(),
        status: Some(status),
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: Some(response.as_bytes().to_vec()),
        ..Default::default()
    }
}

const BEARER: Option<(&str, &str)> = Some(("Authorization", "Bearer opaque-token-1"));
const SESSION: Option<(&str, &str)> = Some(("Cookie", "session=s3cr3t-session"));

fn report_of(records: &[ExchangeRecord]) -> InventoryReport {
    let mut inventory = Inventory::new();
    for record in records {
        inventory.observe(record);
    }
    inventory.report()
}

/// The kinds of the findings on one endpoint that are about exposure.
fn exposures(report: &InventoryReport, method: &str, template: &str) -> Vec<&'static str> {
    let endpoint = report
        .endpoints
        .iter()
        .find(|e| e.method == method && e.template == template)
        .unwrap_or_else(|| panic!("{method} {template} not learned: {report:#?}"));
    endpoint
        .findings
        .iter()
        .filter(|f| f.severity() == Severity::Critical)
        .map(Finding::kind)
        .collect()
}

/// A vulnerable REST app's traffic, beside a well-behaved API's.
fn traffic() -> Vec<ExchangeRecord> {
    let users = r#"[{"username":"admin","password":"pass1","email":"admin@corp.test"},
                    {"username":"name1","password":"pass2","email":"name1@corp.test"}]"#;
    vec![
        exchange("GET", "/api/debug/users", None, 200, users),
        exchange(
            "POST",
            "/api/debug/reset",
            None,
            200,
            r#"{"message":"database reset"}"#,
        ),
        exchange(
            "GET",
            "/api/admin/users",
            None,
            200,
            r#"[{"id":1,"role":"admin"}]"#,
        ),
        exchange("POST", "/api/db/reset", None, 200, r#"{"ok":true}"#),
        exchange("DELETE", "/api/notes/17", None, 204, ""),
        // Look-alikes.
        exchange("GET", "/health", None, 200, r#"{"status":"UP"}"#),
        exchange("GET", "/actuator/health", None, 200, r#"{"status":"UP"}"#),
        exchange("GET", "/api/admin/stats", BEARER, 200, r#"{"users":2}"#),
        exchange("GET", "/api/admin/stats", None, 401, r#"{"error":"login"}"#),
        exchange("DELETE", "/cart/items/1", SESSION, 204, ""),
        exchange("DELETE", "/cart/items/2", SESSION, 204, ""),
        exchange("DELETE", "/cart/items/3", SESSION, 204, ""),
        exchange(
            "POST",
            "/api/login",
            None,
            200,
            r#"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"}"#,
        ),
    ]
}

#[test]
fn unauthenticated_admin_destructive_and_secret_endpoints_are_findings() {
    let report = report_of(&traffic());
    let debug_users = exposures(&report, "GET", "/api/debug/users");
    assert!(
        debug_users.contains(&"unauthenticated_admin"),
        "{debug_users:?}"
    );
    assert!(
        debug_users.contains(&"unauthenticated_secrets"),
        "{debug_users:?}"
    );
    let reset = exposures(&report, "POST", "/api/debug/reset");
    assert!(
        reset.contains(&"unauthenticated_admin") || reset.contains(&"unauthenticated_destructive"),
        "{reset:?}"
    );
    assert_eq!(
        exposures(&report, "GET", "/api/admin/users"),
        ["unauthenticated_admin"]
    );
    assert_eq!(
        exposures(&report, "POST", "/api/db/reset"),
        ["unauthenticated_destructive"]
    );
    assert_eq!(
        exposures(&report, "DELETE", "/api/notes/{note_id}"),
        ["unauthenticated_destructive"]
    );
}

#[test]
fn look_alikes_are_not_findings() {
    let report = report_of(&traffic());
    for (method, template) in [
        ("GET", "/health"),
        ("GET", "/actuator/health"),
        ("GET", "/api/admin/stats"),
        ("DELETE", "/cart/items/{item_id}"),
        ("POST", "/api/login"),
    ] {
        assert_eq!(
            exposures(&report, method, template),
            Vec::<&str>::new(),
            "{method} {template}"
        );
    }
}

#[test]
fn the_report_lists_every_finding_with_its_evidence_most_severe_first() {
    let report = report_of(&traffic());
    let first = &report.findings[0];
    assert_eq!(first.severity, Severity::Critical);
    let secrets = report
        .findings
        .iter()
        .find(|f| matches!(f.finding, Finding::UnauthenticatedSecrets { .. }))
        .expect("the debug listing is a finding");
    assert_eq!(
        (secrets.method.as_str(), secrets.template.as_str()),
        ("GET", "/api/debug/users")
    );
    let Finding::UnauthenticatedSecrets { evidence } = &secrets.finding else {
        unreachable!()
    };
    assert!(
        evidence.contains("without credentials") && evidence.contains("Password"),
        "{evidence}"
    );
    let endpoint = report
        .endpoints
        .iter()
        .find(|e| e.template == "/api/debug/users")
        .unwrap();
    assert_eq!(secrets.endpoint, endpoint.id);
    assert!(report
        .findings
        .windows(2)
        .all(|pair| pair[0].severity >= pair[1].severity));
    let critical = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .count();
    assert_eq!(
        report.summary.findings.get(&Severity::Critical),
        Some(&critical)
    );
    assert!(endpoint
        .risk
        .reasons
        .iter()
        .any(|r| r.contains("unauthenticated_secrets")));
}

#[test]
fn the_streamed_report_reads_back_as_the_built_one() {
    let mut inventory = Inventory::new();
    for record in traffic() {
        inventory.observe(&record);
    }
    let mut written = Vec::new();
    inventory.write_report(&mut written).unwrap();
    let read: InventoryReport = serde_json::from_slice(&written).unwrap();
    assert_eq!(read.findings, inventory.report().findings);
    let json: serde_json::Value = serde_json::from_slice(&written).unwrap();
    let listed = &json["findings"][0];
    assert_eq!(listed["severity"], "critical");
    assert!(listed["kind"]
        .as_str()
        .unwrap()
        .starts_with("unauthenticated_"));
    assert!(listed["evidence"].is_string() && listed["endpoint"].is_string());
}
