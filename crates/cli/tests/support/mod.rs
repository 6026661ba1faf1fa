//! What the process tests share: the `rampart` binary, gateways run as
//! child processes (killed on drop), plain HTTP/1.1 probes with bounded
//! waits, and a throwaway `redis-server` (the store's own test helper).
// Each test binary uses its own part of this module.
#![allow(dead_code)]

#[path = "../../../store/tests/support/server.rs"]
pub mod redis_server;

pub use redis_server::free_port;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

pub fn config(port: u16, admin: u16, upstream: SocketAddr, route_extra: &str) -> String {
    format!(
        "[server]\nreload_poll_interval = \"1h\"\ndrain_timeout = \"3s\"\n[admin]\nlisten = \"127.0.0.1:{admin}\"\n[[listeners]]\nlisten = \"127.0.0.1:{port}\"\n[[upstreams]]\nname = \"u\"\naddresses = [\"{upstream}\"]\n[[routes]]\nname = \"r\"\nupstream = \"u\"\n{route_extra}\n"
    )
}

/// `rampart.toml` in `dir`: a gateway on two free loopback ports
/// (listener, admin) whose one upstream is a closed port, so that every
/// request is answered 502. Returns the file and the two ports.
pub fn closed_upstream_config(dir: &Path) -> (std::path::PathBuf, u16, u16) {
    let file = dir.join("rampart.toml");
    let (port, admin) = (free_port(), free_port());
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    write(&file, &config(port, admin, upstream, ""));
    (file, port, admin)
}

/// Status and whole answer of `GET path` on a fresh connection, or None
/// while nothing listens.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.get(9..12)?.parse().ok()?;
    Some((status, answer))
}

/// Status code of `GET path`, or None while nothing listens.
pub fn status(port: u16, path: &str) -> Option<u16> {
    http_get(port, path).map(|(status, _)| status)
}

/// Waits (20 s at most) until `probe` holds.
pub fn wait_until(what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if probe() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("gave up waiting: {what}");
}

/// Waits (20 s at most) for `child` to exit; `what` says what was awaited.
pub fn wait_for_exit(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            return exit;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn wait_for_status(port: u16, path: &str, expected: u16) {
    let mut last = None;
    wait_until(&format!("{expected} for {path}"), || {
        last = status(port, path);
        last == Some(expected)
    });
}

pub fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// `rampart serve` on a configuration file, killed on drop.
pub struct Served(pub Child);

impl Served {
    pub fn start(config: &Path) -> Served {
        let mut serve = rampart();
        serve.arg("serve").arg("--config").arg(config);
        Served::spawn(serve)
    }

    /// Any `rampart` command, its output discarded.
    pub fn spawn(mut command: Command) -> Served {
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Served(child)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
