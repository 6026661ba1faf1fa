//! The command line's conventions, on the real binary: records from `-`
//! (standard input), the configuration as `--config FILE` everywhere (the
//! bare `check-config FILE` kept as an alias), and log lines shaped by `-v`,
//! `--log-format` and `RUST_LOG`, without colour codes into a pipe.

mod support;

use std::io::{Read, Write};
use std::process::Stdio;
use support::*;

const RECORDS: &str = concat!(
    r#"{"method":"GET","path":"/users/1","status":200}"#,
    "\n",
    r#"{"method":"GET","path":"/users/2","status":200}"#,
    "\n",
    "not json\n",
);

#[test]
fn discover_reads_records_from_stdin() {
    let mut child = rampart()
        .args(["discover", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(RECORDS.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("2 records"), "{stderr}");
    assert!(stderr.contains("1 bad line(s)"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report.to_string().contains("/users/"), "{report}");
}

#[test]
fn discover_refuses_stdin_where_it_reads_the_records_twice() {
    let output = rampart()
        .args(["discover", "-", "--propose-limits", "limits.toml"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not `-`"), "{stderr}");
}

#[test]
fn check_config_takes_the_file_as_serve_does_and_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rampart.toml");
    write(
        &file,
        &config(8080, 9090, "127.0.0.1:9".parse().unwrap(), ""),
    );
    for form in [&["--config"][..], &["-c"], &[]] {
        let output = rampart()
            .arg("check-config")
            .args(form)
            .arg(&file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{form:?}: {stdout}");
        assert!(stdout.contains(": ok ("), "{form:?}: {stdout}");
    }
    let neither = rampart().arg("check-config").output().unwrap();
    assert_eq!(neither.status.code(), Some(2), "a usage error");
}

/// What `rampart serve` wrote on stderr, its stderr a pipe, for one proxied
/// request (a 502: the upstream is closed) before SIGTERM.
fn serve_log(flags: &[&str], rust_log: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (file, port, _) = closed_upstream_config(dir.path());
    let mut serve = rampart();
    serve
        .args(flags)
        .arg("serve")
        .arg("--config")
        .arg(&file)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(filter) = rust_log {
        serve.env("RUST_LOG", filter);
    }
    let mut served = Served(serve.spawn().unwrap());
    wait_for_status(port, "/x", 502);
    signal(&served.0, "TERM");
    let exit = wait_for_exit(&mut served.0, "rampart serve to stop after SIGTERM");
    let mut stderr = String::new();
    served
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(exit.success(), "{stderr}");
    stderr
}

#[test]
fn log_lines_into_a_pipe_carry_no_colour_codes() {
    let log = serve_log(&[], None);
    assert!(log.contains("INFO") && log.contains("listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a pipe: {log:?}");
    assert!(!log.contains("DEBUG"), "{log}");
}

#[test]
fn verbose_json_logs_are_one_object_per_line() {
    let log = serve_log(&["-v", "--log-format", "json"], None);
    let levels: Vec<String> = log
        .lines()
        .map(|line| {
            let object: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            object["level"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(levels.iter().any(|l| l == "INFO"), "{log}");
    assert!(levels.iter().any(|l| l == "DEBUG"), "-v shows debug: {log}");
}

#[test]
fn rust_log_wins_over_the_verbosity_flags() {
    let log = serve_log(&["-vv"], Some("warn"));
    assert!(!log.contains("INFO"), "{log}");
    assert!(!log.contains("DEBUG") && !log.contains("TRACE"), "{log}");
}
