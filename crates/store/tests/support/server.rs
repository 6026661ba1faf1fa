//! A throwaway `redis-server` on a free loopback port, killed on drop.
//! Shared by the `shared_*` tests and the `shared_limit` bench. Without
//! `redis-server` on the PATH there is none: the caller skips, or fails
//! under CI (`rampart_testkit::program`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a fresh server may take to answer `PING`.
const READY_ATTEMPTS: u32 = 200;
const READY_INTERVAL: Duration = Duration::from_millis(25);
/// How to get `redis-server`, for the skip message.
const INSTALL: &str = "Debian: apt-get install redis-server";

/// A `redis-server` child process: no persistence, loopback only, its
/// working directory a temporary one.
pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// Whether `redis-server` is on the PATH; reported when it is not (for a
/// test that needs it only later, after other steps).
pub fn installed() -> bool {
    rampart_testkit::program("redis-server", INSTALL).is_some()
}

/// The URL of a Redis on this loopback port.
pub fn url_for(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/0")
}

impl RedisServer {
    /// A server on a free port; `None` (reported) without `redis-server`.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_on(free_port())
    }

    /// Starts a server on `port` and waits (bounded) until it answers;
    /// `None` (reported) without `redis-server`.
    pub fn start_on(port: u16) -> Option<RedisServer> {
        let program = rampart_testkit::program("redis-server", INSTALL)?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let child = Command::new(program)
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        server.wait_until_ready();
        Some(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        url_for(self.port)
    }

    /// A plain blocking connection, to look at or change what Redis holds.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|client| client.get_connection())
            .expect("connect to the test redis-server")
    }

    /// Freezes the server (`SIGSTOP`): connections stay open, nothing is
    /// answered, as with a Redis stuck in a long command or swapping.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a paused server (`SIGCONT`).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} redis-server");
    }

    fn wait_until_ready(&self) {
        let client = redis::Client::open(self.url()).expect("a valid URL");
        for _ in 0..READY_ATTEMPTS {
            let answer = client
                .get_connection_with_timeout(READY_INTERVAL)
                .and_then(|mut connection| redis::cmd("PING").query::<String>(&mut connection));
            if answer.is_ok() {
                return;
            }
            std::thread::sleep(READY_INTERVAL);
        }
        panic!("redis-server on port {} never answered PING", self.port);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Already gone is fine: all that matters is that it is gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
