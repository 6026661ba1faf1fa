//! What signals do to the long-running commands, run as a user runs them:
//! closing the terminal of `rampart demo` (SIGHUP), Ctrl-C (SIGINT) and
//! SIGTERM stop it and free its ports; `rampart serve` drains and exits on
//! SIGINT (SIGHUP reloading it is in `serve_process.rs`).

mod support;

use std::net::TcpListener;
use support::*;

/// Whether nothing listens on this loopback port any more.
fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn demo_stops_on(signal_name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (port, admin) = (free_port(), free_port());
    let mut demo = rampart();
    demo.args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--admin", &format!("127.0.0.1:{admin}"), "--dir"])
        .arg(dir.path());
    let mut demo = Served::spawn(demo);
    wait_for_status(port, "/api/products?q=lamp", 200);
    signal(&demo.0, signal_name);
    let exit = wait_for_exit(
        &mut demo.0,
        &format!("the demo to stop after SIG{signal_name}"),
    );
    assert_eq!(exit.code(), Some(0), "SIG{signal_name}");
    assert!(
        port_is_free(port),
        "SIG{signal_name}: the gateway port is still held"
    );
    assert!(
        port_is_free(admin),
        "SIG{signal_name}: the admin port is still held"
    );
}

#[test]
fn closing_the_demo_terminal_stops_it() {
    demo_stops_on("HUP");
}

#[test]
fn ctrl_c_stops_the_demo() {
    demo_stops_on("INT");
}

#[test]
fn serve_drains_and_exits_zero_on_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let (file, port, admin) = closed_upstream_config(dir.path());
    let mut served = Served::start(&file);
    wait_for_status(port, "/x", 502);
    signal(&served.0, "INT");
    let exit = wait_for_exit(&mut served.0, "rampart serve to stop after SIGINT");
    assert_eq!(exit.code(), Some(0));
    assert!(port_is_free(port) && port_is_free(admin));
}
