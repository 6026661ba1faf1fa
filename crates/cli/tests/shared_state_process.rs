//! Several gateways, one policy: three `rampart serve` processes sharing a
//! Redis admit a shared limit of N at most N x 1.01 times between them, a
//! ban made by one is enforced by the others (and lifted on all of them by
//! an operator's `DELETE /api/bans` at any one), and a Redis outage is visible
//! (metric and event) while limits fall back as configured, until the
//! gateways reconnect by themselves.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::redis_server::RedisServer;
use support::*;

/// An origin that answers every request with 200 and closes.
fn origin() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
            });
        }
    });
    addr
}

const LIMIT: usize = 100;
const ADMIN_TOKEN: &str = "test-admin-token";

/// `DELETE /api/bans` on an admin listener: its status and body.
fn lift_ban(admin: u16, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", admin)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "DELETE /api/bans HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

fn gateway_config(
    port: u16,
    admin: u16,
    origin: SocketAddr,
    redis_port: u16,
    events: &Path,
) -> String {
    let base = config(port, admin, origin, "").replace(
        "[admin]\n",
        &format!("[admin]\ntoken = \"{ADMIN_TOKEN}\"\n"),
    );
    format!(
        r#"{base}
[pipeline]
stages = ["prevent"]

[events]
jsonl = "{events}"

[redis]
url = "redis://127.0.0.1:{redis_port}/0"
timeout_ms = 2000
reconnect_min_ms = 20
reconnect_max_ms = 200
on_error_by_limit = {{ "shared" = "closed" }}

[[prevent.limits]]
name = "shared"
key = {{ parts = ["ip"] }}
quota = {{ requests = {LIMIT}, per_seconds = 3600 }}

[[prevent.policy.rules]]
name = "limit-api"
when = 'request.path.startsWith("/api")'
action = {{ type = "rate_limit", limit = "shared" }}

[[prevent.policy.rules]]
name = "honeypot"
when = 'request.path == "/wp-admin"'
action = {{ type = "ban", on = "ip" }}
"#,
        events = events.display()
    )
}

struct Cluster {
    ports: Vec<u16>,
    admins: Vec<u16>,
    events: Vec<std::path::PathBuf>,
    _gateways: Vec<Served>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start(redis_port: u16) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let origin = origin();
        let (mut ports, mut admins, mut events, mut gateways) = (vec![], vec![], vec![], vec![]);
        for i in 0..3 {
            let (port, admin) = (free_port(), free_port());
            let events_file = dir.path().join(format!("events-{i}.jsonl"));
            let file = dir.path().join(format!("gateway-{i}.toml"));
            write(
                &file,
                &gateway_config(port, admin, origin, redis_port, &events_file),
            );
            gateways.push(Served::start(&file));
            ports.push(port);
            admins.push(admin);
            events.push(events_file);
        }
        for &port in &ports {
            wait_for_status(port, "/health", 200);
        }
        Cluster {
            ports,
            admins,
            events,
            _gateways: gateways,
            _dir: dir,
        }
    }

    /// Connections of banned peers the gateway closed at accept.
    fn refused_at_accept(&self, gateway: usize) -> u64 {
        let Some((_, metrics)) = http_get(self.admins[gateway], "/metrics") else {
            return 0;
        };
        metrics
            .lines()
            .find(|l| l.starts_with("rampart_connections_refused_total{reason=\"ban\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    }

    fn redis_up(&self, gateway: usize) -> Option<bool> {
        let (_, metrics) = http_get(self.admins[gateway], "/metrics")?;
        let line = metrics
            .lines()
            .find(|l| l.starts_with("rampart_redis_up"))?;
        Some(line.trim_end().ends_with(" 1"))
    }
}

#[test]
fn three_gateways_share_one_limit_bans_and_survive_an_outage() {
    let redis_port = free_port();
    let Some(redis) = RedisServer::start_on(redis_port) else {
        return;
    };
    let cluster = Cluster::start(redis_port);
    for gateway in 0..3 {
        wait_until("every gateway connected to redis", || {
            cluster.redis_up(gateway) == Some(true)
        });
    }

    // 3 x LIMIT requests at once, spread over the three gateways.
    let admitted = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..12)
        .map(|worker| {
            let port = cluster.ports[worker % 3];
            let (admitted, refused) = (Arc::clone(&admitted), Arc::clone(&refused));
            std::thread::spawn(move || {
                for _ in 0..(3 * LIMIT / 12) {
                    match status(port, "/api/items") {
                        Some(200) => admitted.fetch_add(1, Ordering::SeqCst),
                        Some(429) => refused.fetch_add(1, Ordering::SeqCst),
                        other => panic!("unexpected answer {other:?}"),
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let admitted = admitted.load(Ordering::SeqCst);
    assert!(
        admitted <= LIMIT + LIMIT / 100,
        "{admitted} admitted for a shared limit of {LIMIT}"
    );
    assert_eq!(admitted, LIMIT, "the window is an hour: exactly the quota");
    assert_eq!(refused.load(Ordering::SeqCst), 2 * LIMIT);

    // A ban made through the first gateway is enforced by the others: the
    // banned address is refused at accept, before a byte is read.
    assert_eq!(status(cluster.ports[0], "/wp-admin"), Some(403));
    for gateway in 1..3 {
        wait_until("the ban refuses connections", || {
            status(cluster.ports[gateway], "/home").is_none()
                && cluster.refused_at_accept(gateway) > 0
        });
    }

    // An operator lifts it at another gateway: lifted everywhere.
    let (status, answer) = lift_ban(cluster.admins[1], r#"{"network": "127.0.0.1"}"#);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains(r#""lifted":true"#), "{answer}");
    assert!(answer.contains(r#""shared":"announced""#), "{answer}");
    for &port in &cluster.ports {
        wait_for_status(port, "/home", 200);
    }

    // Outage: visible, limits fall back (`closed` for this one), and every
    // gateway reconnects by itself when Redis is back.
    drop(redis);
    for gateway in 0..3 {
        wait_until("the outage is seen", || {
            cluster.redis_up(gateway) == Some(false)
        });
    }
    let outage_logged = |events: &Path| {
        std::fs::read_to_string(events).is_ok_and(|text| text.contains("\"redis_down\""))
    };
    wait_until("a redis_down event", || outage_logged(&cluster.events[1]));
    let _redis = RedisServer::start_on(redis_port).expect("redis-server is installed");
    for gateway in 0..3 {
        wait_until("reconnected", || cluster.redis_up(gateway) == Some(true));
    }
}
