//! The OpenAPI 3.1 export is checked by a real validator
//! (`openapi-spec-validator`, see `requirements.txt`). Without it the test
//! fails under CI (`CI` set) and is skipped with a message elsewhere.

use rampart_core::RecordReader;
use rampart_discover::{export, parse_spec, Inventory};
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/bench/discovery")
        .join(name)
}

fn validator_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !found && std::env::var_os("CI").is_some() {
        panic!("openapi-spec-validator is required under CI: pip install -r crates/discover/tests/requirements.txt");
    }
    found
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

fn learn(name: &str, with_spec: bool) -> Inventory {
    let mut inventory = Inventory::new();
    if with_spec {
        let spec = std::fs::read(corpus(name).join("declared_spec.json")).expect("declared spec");
        inventory.set_spec(parse_spec(&spec).expect("valid declared spec"));
    }
    let file = std::fs::File::open(corpus(name).join("traffic.jsonl")).expect("corpus");
    for (_, record) in RecordReader::new(std::io::BufReader::new(file)).filter_map(Result::ok) {
        inventory.observe(&record);
    }
    inventory
}

#[test]
fn exported_openapi_documents_are_valid() {
    if !validator_available() {
        eprintln!("skipped: openapi-spec-validator is not installed (pip install -r crates/discover/tests/requirements.txt)");
        return;
    }
    for (name, with_spec) in [
        ("petstore3", false),
        ("crapi", true),
        ("twilio_verify_v2", false),
        ("asana", true),
    ] {
        let report = learn(name, with_spec).report();
        let document = export::openapi_document(&report, name);
        let yaml = export::to_yaml(&document).expect("yaml");
        validate(&yaml, ".yaml")
            .unwrap_or_else(|e| panic!("{name}: export is not valid OpenAPI 3.1:\n{e}"));
    }
}

#[test]
fn the_validator_rejects_a_broken_document() {
    if !validator_available() {
        eprintln!("skipped: openapi-spec-validator is not installed");
        return;
    }
    let broken = r#"{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a/{id}":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
    assert!(
        validate(broken, ".json").is_err(),
        "a path parameter without its definition must be refused"
    );
}
