//! Every scenario of the repository (`scenarios/*.toml`) runs through its
//! configuration's real pipeline, and every expectation must hold: an
//! attack its detector must catch, by the attempt it says, and the
//! look-alikes it must leave alone. A detector change that breaks one fails
//! here with the scenario's evidence.

use rampart_gateway::scenario;
use std::path::PathBuf;

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[test]
fn every_scenario_of_the_repository_shows_what_it_claims() {
    let files = scenario::files(&[scenarios_dir()]).unwrap();
    assert!(files.len() >= 10, "{files:?}");
    let mut failed = Vec::new();
    for file in &files {
        match scenario::run_file(file) {
            Ok(report) if report.passed() => {}
            Ok(report) => failed.push(report.to_string()),
            Err(err) => failed.push(format!("{err:#}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_failed_expectation_fails_the_scenario_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let config = scenarios_dir().join("configs/shop.toml");
    let text = format!(
        r#"
name = "a person mistyping is no brute force"
config = {config:?}
[actors.ada]
address = "203.0.113.7"
[[steps]]
actor = "ada"
repeat = 2
request = {{ method = "POST", path = "/login", body = '{{"username": "ada", "password": "x"}}' }}
response = {{ status = 401, body = '{{"error": "invalid password"}}' }}
[[expect]]
actor = "ada"
signal = "behave.ato.brute_force"
"#,
        config = config.display().to_string()
    );
    let path = dir.path().join("wrong.toml");
    std::fs::write(&path, text).unwrap();
    let report = scenario::run_file(&path).unwrap();
    assert!(!report.passed());
    let printed = report.to_string();
    assert!(
        printed.starts_with("FAIL a person mistyping is no brute force"),
        "{printed}"
    );
    assert!(
        printed.contains(
            "FAIL ada: behave.ato.brute_force\n       not seen in 2 attempt(s); actions: allow 2"
        ),
        "{printed}"
    );
}

#[test]
fn a_bad_scenario_file_is_reported_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "name = \"x\"\nconfig = \"c.toml\"\n[[steps]]\nactor = \"a\"\nrepeat = \"many\"\nrequest = { path = \"/\" }\n").unwrap();
    let err = format!("{:#}", scenario::run_file(&path).unwrap_err());
    assert!(
        err.starts_with(&format!("{}: steps[0].repeat: ", path.display())),
        "{err}"
    );
    assert!(err.contains("line 5"), "{err}");

    std::fs::write(&path, "name = \"x\"\nconfig = \"missing.toml\"\n[actors.a]\naddress = \"192.0.2.1\"\n[[steps]]\nactor = \"a\"\nrequest = { path = \"/\" }\n[[never]]\nactor = \"a\"\ndecision = \"block\"\n").unwrap();
    let err = format!("{:#}", scenario::run_file(&path).unwrap_err());
    assert!(
        err.starts_with(&format!("{}: config: ", path.display()))
            && err.contains("missing.toml: cannot read the file"),
        "{err}"
    );

    assert!(scenario::files(&[dir.path().join("nowhere")]).is_ok_and(|f| f.len() == 1));
    let empty = tempfile::tempdir().unwrap();
    let err = scenario::files(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("no scenario files"), "{err}");
}
