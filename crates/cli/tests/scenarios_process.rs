//! `rampart scenarios run` and `rampart demo --scenarios` as a user runs
//! them: pass and fail per scenario and expectation on standard output,
//! exit 1 when anything failed.

use std::path::PathBuf;
use std::process::{Command, Output};

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .output()
        .unwrap()
}

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_scenario_that_holds_exits_zero_with_its_evidence() {
    let out = rampart(&["scenarios", "run", &scenario("brute-force.toml")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("pass Brute force on one account"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  pass guesser: behave.ato.brute_force, block, by attempt 11\n       caught at attempt 11 of 30: block 403; behave.ato.brute_force at body (score 5.0)"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 scenario(s) passed, 0 failed\n"),
        "{stdout}"
    );
}

#[test]
fn a_failing_or_unreadable_scenario_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let failing = dir.path().join("failing.toml");
    let text = format!(
        "name = \"ada is no attacker\"\nconfig = {:?}\n[actors.ada]\naddress = \"192.0.2.1\"\n[[steps]]\nactor = \"ada\"\nrequest = {{ path = \"/orders\" }}\nresponse = {{ body = '{{\"data\": []}}' }}\n[[expect]]\nactor = \"ada\"\ndecision = \"block\"\n",
        scenario("configs/shop.toml")
    );
    std::fs::write(&failing, text).unwrap();
    let unreadable = dir.path().join("unreadable.toml");
    std::fs::write(&unreadable, "name = 3\n").unwrap();
    let out = rampart(&["scenarios", "run", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL ada is no attacker"), "{stdout}");
    assert!(
        stdout.contains(
            "  FAIL ada: block\n       not seen in 1 attempt(s); actions: allow 1; no signals"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "FAIL {}: name: invalid type",
            unreadable.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 scenario(s) passed, 2 failed\n"),
        "{stdout}"
    );
}

#[test]
fn the_demo_runs_its_built_in_scenarios_and_says_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let out = rampart(&["demo", "--scenarios", "--dir", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let bundled = rampart_demo::scenarios::BUNDLED
        .iter()
        .filter(|(name, _)| !name.contains('/'))
        .count();
    assert!(
        stdout.contains(&format!("{bundled} scenario(s) passed, 0 failed\n")),
        "{stdout}"
    );
    let written = dir.path().join("scenarios");
    assert!(written.join("configs/shop.toml").is_file());
    assert!(
        stdout.contains(&format!(
            "run `rampart scenarios run {}`",
            written.display()
        )),
        "{stdout}"
    );
}
