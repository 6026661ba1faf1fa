//! A test that needs a missing program is skipped with one line, and fails
//! when `CI` is set. This binary runs its own `needs_a_missing_program`
//! test again as a child process whose `PATH` holds nothing, once without
//! `CI` and once with it, and reads what the child said.

use std::process::{Command, Output};

/// Set in the child: only there does the probe below look for anything.
const CHILD: &str = "RAMPART_TESTKIT_SKIP_CHILD";

#[test]
fn needs_a_missing_program() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let Some(_) = rampart_testkit::program("redis-server", "apt-get install redis-server") else {
        return;
    };
    panic!("redis-server was found on an empty PATH");
}

fn run_child(ci: Option<&str>) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "needs_a_missing_program",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("PATH", "")
        .env_remove("CI");
    if let Some(ci) = ci {
        child.env("CI", ci);
    }
    child.output().unwrap()
}

#[test]
fn a_missing_program_skips_with_one_line() {
    let output = run_child(None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let skips: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("skipped:"))
        .collect();
    assert_eq!(
        skips,
        ["skipped: redis-server is not on the PATH (apt-get install redis-server)"]
    );
}

#[test]
fn a_missing_program_fails_under_ci() {
    let output = run_child(Some("true"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("redis-server is not on the PATH, and CI is set"),
        "{stderr}"
    );
}
