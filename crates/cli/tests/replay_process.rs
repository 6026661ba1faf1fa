//! `rampart replay` as an operator runs it: a proposed policy over recorded
//! traffic, compared with the running one, with limits counted in the
//! records' own time.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BASE: &str = r#"
[admin]
listen = "127.0.0.1:0"
[[listeners]]
listen = "127.0.0.1:0"
[[upstreams]]
name = "u"
addresses = ["127.0.0.1:9"]
[[routes]]
name = "api"
upstream = "u"
"#;

/// The proposed configuration: `/admin` blocked, failed logins limited to
/// two a minute per address, detections decided by the detect stage.
const PROPOSED: &str = r#"
[pipeline]
stages = ["detect", "prevent"]
[[prevent.limits]]
name = "failed-logins"
key = { parts = ["ip"] }
quota = { requests = 2, per_seconds = 60 }
count_only_status = [401]
[[prevent.policy.rules]]
name = "no-admin"
when = 'request.path.startsWith("/admin")'
action = { type = "block" }
[[prevent.policy.rules]]
name = "login-limit"
when = 'request.path == "/login"'
action = { type = "rate_limit", limit = "failed-logins" }
"#;

const CURRENT: &str = r#"
[pipeline]
stages = ["detect"]
"#;

fn record(id: &str, seconds: u32, ip: &str, method: &str, path: &str, status: u16) -> String {
    format!(
        r#"{{"id":"{id}","ts":"2026-11-01T10:{:02}:{:02}Z","client_ip":"{ip}","host":"api.test","method":"{method}","path":"{path}","status":{status}}}"#,
        seconds / 60,
        seconds % 60
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn replay(args: &[&std::ffi::OsStr]) -> (Vec<Value>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("replay")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "replay failed: {stderr}");
    let lines = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (lines, stderr)
}

#[test]
fn reports_what_a_new_policy_would_change_against_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let proposed = write(dir.path(), "proposed.toml", &format!("{PROPOSED}{BASE}"));
    let current = write(dir.path(), "current.toml", &format!("{CURRENT}{BASE}"));
    let traffic = [
        record("home", 0, "192.0.2.1", "GET", "/", 200),
        record("admin", 1, "192.0.2.1", "GET", "/admin/users", 200),
        // Three failed logins from one address within a minute: the third
        // is over the limit; a success never counts.
        record("login-1", 2, "192.0.2.7", "POST", "/login", 401),
        record("login-ok", 3, "192.0.2.7", "POST", "/login", 200),
        record("login-2", 4, "192.0.2.7", "POST", "/login", 401),
        record("login-3", 5, "192.0.2.7", "POST", "/login", 401),
        // Another address is not affected, and 2 minutes later the first
        // one may try again (time is the records', not the wall clock's).
        record("other-login", 6, "192.0.2.8", "POST", "/login", 401),
        record("login-later", 125, "192.0.2.7", "POST", "/login", 401),
        r#"{"id":"sqli","ts":"2026-11-01T10:02:06Z","client_ip":"192.0.2.9","host":"api.test","method":"GET","path":"/search","query":"q=1%27%20or%20%271%27%3D%271","status":200}"#.to_string(),
        "this line is not a record".to_string(),
    ];
    let file = write(dir.path(), "traffic.jsonl", &(traffic.join("\n") + "\n"));

    let (lines, summary) = replay(&[
        file.as_os_str(),
        "--config".as_ref(),
        proposed.as_os_str(),
        "--against".as_ref(),
        current.as_os_str(),
    ]);
    let by_id = |id: &str| {
        lines
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("no line for {id}"))
    };
    assert_eq!(lines.len(), 9);
    assert_eq!(by_id("home")["action"], "allow");
    assert_eq!(by_id("home")["changed"], false);

    let admin = by_id("admin");
    assert_eq!(admin["action"], "block");
    assert_eq!(admin["status"], 403);
    assert_eq!(admin["cause"], "rule:no-admin");
    assert_eq!(admin["current"]["action"], "allow");
    assert_eq!(admin["changed"], true);

    for allowed in [
        "login-1",
        "login-ok",
        "login-2",
        "other-login",
        "login-later",
    ] {
        assert_eq!(by_id(allowed)["action"], "allow", "{allowed}");
    }
    let limited = by_id("login-3");
    assert_eq!(limited["action"], "rate_limit");
    assert_eq!(limited["status"], 429);
    assert_eq!(limited["cause"], "prevent.rate_limit.failed-logins");
    assert_eq!(limited["changed"], true);

    let sqli = by_id("sqli");
    assert_eq!(sqli["action"], "block");
    assert_eq!(sqli["current"]["action"], "block");
    assert_eq!(sqli["changed"], false);
    assert!(sqli["cause"].as_str().unwrap().starts_with("detect.sqli"));

    assert!(summary.contains("9 records, 1 bad lines"), "{summary}");
    assert!(summary.contains("changed: 2 records"), "{summary}");
    assert!(
        summary.contains("allow -> block: 1 (rule:no-admin 1)"),
        "{summary}"
    );
    assert!(
        summary.contains("allow -> rate_limit: 1 (prevent.rate_limit.failed-logins 1)"),
        "{summary}"
    );
    assert!(summary.contains("line 10"), "{summary}");

    let (changed_only, _) = replay(&[
        file.as_os_str(),
        "--config".as_ref(),
        proposed.as_os_str(),
        "--against".as_ref(),
        current.as_os_str(),
        "--changed-only".as_ref(),
    ]);
    let ids: Vec<&str> = changed_only
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["admin", "login-3"]);
}

#[test]
fn a_bad_configuration_is_refused_with_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "broken.toml",
        &format!("{BASE}\n[[prevent.policy.rules]]\nname = \"x\"\nwhen = 'request.path ==='\naction = {{ type = \"block\" }}\n[pipeline]\nstages = [\"prevent\"]\n"),
    );
    let traffic = write(
        dir.path(),
        "t.jsonl",
        &record("a", 0, "192.0.2.1", "GET", "/", 200),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args([
            "replay".as_ref(),
            traffic.as_os_str(),
            "--config".as_ref(),
            broken.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("broken.toml"), "{stderr}");
    assert!(
        stderr.contains("prevent.policy: rule `x` at 1:"),
        "{stderr}"
    );
}

#[test]
fn monitor_mode_is_replayed_as_what_it_would_have_done() {
    let dir = tempfile::tempdir().unwrap();
    let monitoring = write(
        dir.path(),
        "monitor.toml",
        &format!("{BASE}\n[pipeline]\nstages = [\"detect\"]\n[detect]\nmode = \"monitor\"\n"),
    );
    let attack = r#"{"id":"sqli","ts":"2026-11-01T10:00:00Z","client_ip":"192.0.2.1","host":"api.test","method":"GET","path":"/items","query":"id=1%27%20UNION%20SELECT%20password%20FROM%20users--","status":200}"#;
    let traffic = write(
        dir.path(),
        "t.jsonl",
        &format!(
            "{attack}\n{}\n",
            record("plain", 1, "192.0.2.1", "GET", "/items", 200)
        ),
    );
    let (lines, _) = replay(&[
        traffic.as_os_str(),
        "--config".as_ref(),
        monitoring.as_os_str(),
    ]);
    assert_eq!(lines[0]["id"], "sqli");
    assert_eq!(lines[0]["action"], "would_block", "{}", lines[0]);
    assert_eq!(lines[0]["status"], Value::Null, "nothing is refused");
    assert_eq!(lines[1]["action"], "allow", "{}", lines[1]);
}
