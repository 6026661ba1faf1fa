//! The `rampart` binary as an operator runs it: `check-config` exit codes and
//! messages, `serve` reloading on SIGHUP and exiting 0 after SIGTERM, and a
//! second `serve` on a port already served refused, naming the first.

mod support;

use std::net::SocketAddr;
use std::process::Stdio;
use support::*;

#[test]
fn check_config_accepts_good_files_and_names_the_key_of_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rampart.toml");
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    write(&file, &config(8080, 9090, upstream, ""));
    let good = rampart().arg("check-config").arg(&file).output().unwrap();
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stdout)
        .contains("ok (1 listener(s), 1 upstream(s), 1 route(s))"));

    write(
        &file,
        &config(8080, 9090, upstream, "max_body_bytes = \"lots\""),
    );
    let bad = rampart().arg("check-config").arg(&file).output().unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: routes[0].max_body_bytes: expected a size",
            file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn serve_reloads_on_sighup_and_exits_zero_after_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (file, port, admin) = closed_upstream_config(dir.path());
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let mut child = rampart()
        .arg("serve")
        .arg("--config")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    wait_for_status(port, "/x", 502);
    write(
        &file,
        &config(port, admin, upstream, "ip_deny = [\"127.0.0.1\"]"),
    );
    signal(&child, "HUP");
    wait_for_status(port, "/x", 403);

    signal(&child, "TERM");
    let exit = wait_for_exit(&mut child, "rampart to stop after SIGTERM");
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn demo_serves_the_api_and_blocks_an_attack() {
    let dir = tempfile::tempdir().unwrap();
    let (port, admin) = (free_port(), free_port());
    let mut child = rampart()
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--admin",
            &format!("127.0.0.1:{admin}"),
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_status(port, "/api/products?q=lamp", 200);
    assert_eq!(
        status(
            port,
            "/api/products?q=%27%20OR%201%3D1%20UNION%20SELECT%20password%20FROM%20users--"
        ),
        Some(403)
    );
    assert_eq!(status(admin, "/healthz"), Some(200));
    assert_eq!(status(admin, "/"), Some(200), "the web console");
    signal(&child, "TERM");
    let exit = wait_for_exit(&mut child, "the demo to stop after SIGTERM");
    assert_eq!(exit.code(), Some(0));
    let events = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    assert!(events.contains("detect.sqli"), "{events}");
}

#[test]
fn a_second_serve_on_a_served_port_exits_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let first_file = dir.path().join("first.toml");
    write(&first_file, &config(port, free_port(), upstream, ""));
    let first = Served::start(&first_file);
    wait_for_status(port, "/x", 502);

    let second_file = dir.path().join("second.toml");
    write(&second_file, &config(port, free_port(), upstream, ""));
    let second = rampart()
        .arg("serve")
        .arg("--config")
        .arg(&second_file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut second = Served(second);
    let exit = wait_for_exit(&mut second.0, "the second gateway to exit");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!exit.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("pid {} (", first.0.id())),
        "the first gateway is not named: {stderr}"
    );
    assert!(stderr.contains("serve --config"), "{stderr}");
    assert_eq!(
        status(port, "/x"),
        Some(502),
        "the first gateway still serves"
    );
}
