//! The OpenAPI 3.1 export is checked by a real validator
//! (`openapi-spec-validator`, see `requirements.txt`). Without it the test
//! fails under CI (`CI` set) and is skipped with a message elsewhere
//! (`rampart_testkit::python_module`).

use rampart_core::RecordReader;
use rampart_discover::{export, parse_spec, Inventory};
use std::process::Command;

/// A small API's traffic, written here so the test needs nothing outside
/// the repository: numeric, UUID and e-mail path parameters, a query, JSON
/// request and response bodies with sensitive fields, an authenticated and
/// an unauthenticated endpoint.
fn traffic() -> String {
    let mut lines = Vec::new();
    for i in 0..12u32 {
        let id = 1000 + i * 37;
        lines.push(format!(
            r#"{{"method":"GET","path":"/api/v1/pets/{id}","status":200,"response_headers":{{"content-type":"application/json"}},"response_body":"{{\"id\":{id},\"name\":\"rex{i}\",\"tags\":[\"a\"],\"owner\":{{\"email\":\"owner{i}@example.com\"}}}}"}}"#
        ));
        lines.push(format!(
            r#"{{"method":"GET","path":"/api/v1/orders/{:08x}-1c2d-4e5f-8a9b-{:012x}","request_headers":{{"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}},"status":200,"response_headers":{{"content-type":"application/json"}},"response_body":"{{\"total\":{i}.5,\"card\":\"4111111111111111\"}}"}}"#,
            0x5f0c_0000u32 + i,
            0xabc0_0000u64 + u64::from(i)
        ));
        lines.push(format!(
            r#"{{"method":"POST","path":"/api/v1/pets","query":"dry_run={}","request_headers":{{"content-type":"application/json"}},"request_body":"{{\"name\":\"kit{i}\",\"age\":{i}}}","status":201,"response_headers":{{"content-type":"application/json"}},"response_body":"{{\"id\":{}}}"}}"#,
            i % 2 == 0,
            2000 + i
        ));
    }
    lines.join("\n")
}

/// The same API's declared spec: pets declared, orders left out (shadow).
const DECLARED: &str = r#"{"openapi":"3.0.3","info":{"title":"pets","version":"1"},"paths":{
  "/api/v1/pets/{petId}":{"get":{"parameters":[{"name":"petId","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}}},
  "/api/v1/pets":{"post":{"responses":{"201":{"description":"created"}}}}}}"#;

/// Whether the validator can run; reported (or, under CI, a failure) when not.
fn validator_available() -> bool {
    rampart_testkit::python_module(
        "openapi_spec_validator",
        "pip install -r crates/discover/tests/requirements.txt",
    )
}

fn validate(document: &str, suffix: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join(format!("export{suffix}"));
    std::fs::write(&path, document).map_err(|e| e.to_string())?;
    let script = "import sys\nfrom openapi_spec_validator import validate\nfrom openapi_spec_validator.readers import read_from_filename\nspec, _ = read_from_filename(sys.argv[1])\nassert spec['openapi'] == '3.1.0'\nvalidate(spec)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn learn(with_spec: bool) -> Inventory {
    let mut inventory = Inventory::new();
    if with_spec {
        inventory.set_spec(parse_spec(DECLARED.as_bytes()).expect("valid declared spec"));
    }
    let traffic = traffic();
    for (_, record) in RecordReader::new(traffic.as_bytes()).filter_map(Result::ok) {
        inventory.observe(&record);
    }
    assert!(
        inventory.records() >= 36,
        "every line of the fixture parses"
    );
    inventory
}

#[test]
fn exported_openapi_documents_are_valid() {
    if !validator_available() {
        return;
    }
    for (name, with_spec) in [("learned", false), ("declared", true)] {
        let report = learn(with_spec).report();
        let templates: Vec<String> = report
            .endpoints
            .iter()
            .map(|e| format!("{} {}", e.method, e.template))
            .collect();
        assert_eq!(templates.len(), 3, "{name}: {templates:?}");
        assert!(
            templates
                .iter()
                .any(|t| t.starts_with("GET /api/v1/orders/{")),
            "{name}: {templates:?}"
        );
        let document = export::openapi_document(&report, name);
        let yaml = export::to_yaml(&document).expect("yaml");
        validate(&yaml, ".yaml")
            .unwrap_or_else(|e| panic!("{name}: export is not valid OpenAPI 3.1:\n{e}"));
    }
}

#[test]
fn the_validator_rejects_a_broken_document() {
    if !validator_available() {
        return;
    }
    let broken = r#"{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a/{id}":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
    assert!(
        validate(broken, ".json").is_err(),
        "a path parameter without its definition must be refused"
    );
}
