//! Memory the gateway holds for one million distinct clients and one million
//! bans: the bound is 300 MB (issue 13).
//!
//! Every structure that grows with clients is bounded by its own setting
//! (limit keys, behaviour state, the ban list); this measures what those
//! bounds cost when a million clients arrive. One million requests, each
//! from its own address, run through the gateway's own pipeline (the
//! offline engine behind `rampart replay`: the same stages and state as
//! serving, driven by the records' clock) with `ip_lists`, `detect`,
//! `behave`, `bots` and `prevent` on: the two GCRA limits of the load
//! harness's full-protection profile, per client address (with room for
//! every client, `max_keys` 1,000,000) and per endpoint, every other bound
//! at its default, and a rule
//! that bans every client it sees, so the ban list ends with a million
//! entries. A counting global allocator gives the heap live after the run
//! (what the state holds, the records already freed) and the peak during it
//! (a ban copies one shard of the list while a snapshot holds the old one).
//!
//! `cargo bench -p rampart-gateway --bench client_state [-- CLIENTS]`

use rampart_core::ExchangeRecord;
use rampart_gateway::config::GatewayConfig;
use rampart_gateway::offline::OfflineGateway;
use rampart_testkit::heap::{self, Counting};
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CONFIG: &str = r#"
[[listeners]]
name = "bench"
listen = "127.0.0.1:0"

[[upstreams]]
name = "app"
addresses = ["127.0.0.1:9"]

[[routes]]
name = "api"
upstream = "app"

[pipeline]
stages = ["ip_lists", "detect", "behave", "bots", "prevent"]

[prevent.bans]
max_entries = 1000000

[[prevent.limits]]
name = "per-ip"
key = { parts = ["ip"] }
quota = { requests = 100, per_seconds = 1 }
max_keys = 1000000

[[prevent.limits]]
name = "per-endpoint"
key = { parts = ["endpoint"] }
quota = { requests = 100000, per_seconds = 1 }

[[prevent.policy.rules]]
name = "limit-clients"
when = 'true'
action = { type = "rate_limit", limit = "per-ip" }

[[prevent.policy.rules]]
name = "limit-endpoints"
when = 'true'
action = { type = "rate_limit", limit = "per-endpoint" }

[[prevent.policy.rules]]
name = "ban-everyone"
when = 'true'
action = { type = "ban", on = "ip" }
"#;

/// The `n`th client's request: its own address, one of a few paths.
fn record(n: u32) -> ExchangeRecord {
    let address = Ipv4Addr::from(0x0b00_0000 + n * 3);
    let line = format!(
        r#"{{"method":"GET","path":"/api/orders/{}","host":"shop.example","client_ip":"{address}","status":200,"request_headers":{{"user-agent":"bench/1","accept":"application/json"}}}}"#,
        n % 1000
    );
    ExchangeRecord::from_json_line(line.as_bytes()).expect("a valid record")
}

fn main() {
    let clients: u32 = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(1_000_000);
    let config = GatewayConfig::parse(Path::new("client_state.toml"), CONFIG)
        .expect("the bench's configuration is valid");
    let before = heap::live();
    let gateway = OfflineGateway::new(config).expect("the configuration compiles");
    let started = Instant::now();
    let mut banned = 0u32;
    for n in 0..clients {
        let verdict = gateway.evaluate(&record(n));
        banned += u32::from(verdict.action == "ban");
    }
    let took = started.elapsed();
    let held = heap::live() - before;
    let peak = heap::peak() - before;
    println!(
        "{clients} clients, {banned} banned, in {:.1} s ({:.1} us a request)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / f64::from(clients)
    );
    println!(
        "heap held: {:.1} MB ({:.0} bytes a client), peak {:.1} MB; bound 300 MB",
        held as f64 / 1e6,
        held as f64 / f64::from(clients),
        peak as f64 / 1e6
    );
    drop(gateway);
}
