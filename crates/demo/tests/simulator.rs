//! `rampart demo` as it runs: the demo API, the gateway in front of it with
//! the demo's configuration, and the traffic simulator, on loopback. The
//! gateway's own outputs (its security events, its inventory on the admin
//! listener) must show every actor's attack met as the walkthrough says.
//! Polled until everything showed up or a maximum number of tries; nothing
//! is timed.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use rampart_demo::simulator::{self, Actor, SimulatorConfig};
use rampart_gateway::{Gateway, GatewayConfig};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const ADMIN_TOKEN: &str = "simulator-test-admin-token";
/// The admin API's inventory report.
const INVENTORY: &str = "/api/inventory";
const TRIES: usize = 600;
const POLL: Duration = Duration::from_millis(200);

/// GET `path` on the admin listener, with the token; the JSON answer.
async fn admin_json(admin: SocketAddr, path: &str) -> Value {
    let stream = tokio::net::TcpStream::connect(admin).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = http::Request::get(path)
        .header("host", admin.to_string())
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// The events written so far (a line being written is skipped).
fn events(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn by(actor: Actor, event: &Value) -> bool {
    event["client_ip"]
        .as_str()
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .is_some_and(|ip| actor.owns(ip))
}

fn status(event: &Value) -> u64 {
    event["status"].as_u64().unwrap_or(0)
}

fn has_reason(event: &Value, prefix: &str) -> bool {
    event["reasons"].as_array().is_some_and(|reasons| {
        reasons
            .iter()
            .any(|r| r["source"].as_str().is_some_and(|s| s.starts_with(prefix)))
    })
}

/// What the gateway reported, actor by actor.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Seen {
    inventory: bool,
    stuffing_refused_by_ato: bool,
    walk_refused_by_bola: bool,
    scraper_limited: bool,
    injection_blocked_by_detect: bool,
    honeypot_deceived: bool,
    injection_banned: bool,
    crawler_refused: bool,
    crawler_deceived: bool,
    shoppers_untouched: bool,
}

impl Seen {
    fn all() -> Self {
        Seen {
            inventory: true,
            stuffing_refused_by_ato: true,
            walk_refused_by_bola: true,
            scraper_limited: true,
            injection_blocked_by_detect: true,
            honeypot_deceived: true,
            injection_banned: true,
            crawler_refused: true,
            crawler_deceived: true,
            shoppers_untouched: true,
        }
    }
}

/// The templates the inventory must hold: the demo's main endpoints.
fn inventory_complete(inventory: &Value) -> bool {
    let templates: Vec<&str> = inventory["endpoints"]
        .as_array()
        .map(|endpoints| {
            endpoints
                .iter()
                .filter_map(|e| e["template"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let has = |prefix: &str, parameter_then: Option<&str>| {
        templates.iter().any(|t| match parameter_then {
            None => *t == prefix,
            Some(rest) => t.strip_prefix(prefix).is_some_and(|after| {
                after.starts_with('{')
                    && after.ends_with(rest)
                    && !after[..after.len() - rest.len()].contains('/')
            }),
        })
    };
    has("/api/login", None)
        && has("/api/products", None)
        && has("/api/users", None)
        && has("/api/accounts/", Some(""))
        && has("/api/users/", Some(""))
        && has("/api/users/", Some("/orders"))
        && has("/api/orders/", Some(""))
}

fn judge(events: &[Value], inventory: &Value) -> Seen {
    let from = |actor: Actor| events.iter().filter(move |e| by(actor, e));
    Seen {
        inventory: inventory_complete(inventory),
        stuffing_refused_by_ato: from(Actor::CredentialStuffing)
            .any(|e| status(e) == 403 && has_reason(e, "behave.ato.credential_stuffing")),
        walk_refused_by_bola: from(Actor::Enumeration)
            .any(|e| status(e) == 403 && has_reason(e, "behave.bola")),
        scraper_limited: from(Actor::Scraper)
            .any(|e| status(e) == 429 && has_reason(e, "prevent.rate_limit.browsing")),
        injection_blocked_by_detect: [
            "detect.sqli",
            "detect.xss",
            "detect.cmdi",
            "detect.traversal",
        ]
        .iter()
        .all(|detector| {
            from(Actor::Injection)
                .any(|e| e["action"] == "block" && status(e) == 403 && has_reason(e, detector))
        }),
        honeypot_deceived: from(Actor::Injection).any(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/admin/backup"))
                && e["action"] == "deceive"
        }),
        injection_banned: from(Actor::Injection)
            .any(|e| status(e) == 403 && has_reason(e, "prevent.ban")),
        crawler_refused: from(Actor::AiCrawler)
            .any(|e| status(e) == 403 && has_reason(e, "rule:govern-bots-training")),
        crawler_deceived: from(Actor::AiCrawler)
            .any(|e| e["action"] == "deceive" && has_reason(e, "rule:govern-bots-ignores-refusal")),
        shoppers_untouched: from(Actor::Shoppers).next().is_none(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_actor_meets_the_mitigation_the_walkthrough_promises() {
    let api_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_addr = api_listener.local_addr().unwrap();
    let (stop_api, api_stopped) = oneshot::channel::<()>();
    let api = tokio::spawn(rampart_demo::serve(api_listener, async {
        api_stopped.await.ok();
    }));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rampart-demo.toml");
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    std::fs::write(
        &file,
        rampart_demo::gateway_config(loopback, loopback, api_addr, ADMIN_TOKEN),
    )
    .unwrap();
    let console = Some(rampart_console::Console::factory());
    let gateway = Gateway::start_with(GatewayConfig::load(&file).unwrap(), console)
        .await
        .unwrap();

    let mut config = SimulatorConfig::new(gateway.listeners[0].1);
    config.rate = 3.0;
    let (stop_traffic, traffic_stopped) = oneshot::channel::<()>();
    let traffic = tokio::spawn(simulator::run(config, async {
        traffic_stopped.await.ok();
    }));

    let events_file = dir.path().join("events.jsonl");
    let mut seen = Seen::default();
    for _ in 0..TRIES {
        let inventory = admin_json(gateway.admin_addr, INVENTORY).await;
        seen = judge(&events(&events_file), &inventory);
        // The shoppers' verdict holds only at the end; everything else
        // must have happened.
        if (Seen {
            shoppers_untouched: true,
            ..seen
        }) == Seen::all()
        {
            break;
        }
        tokio::time::sleep(POLL).await;
    }

    stop_traffic.send(()).ok();
    traffic.await.unwrap();
    gateway.shutdown().await;
    stop_api.send(()).ok();
    api.await.unwrap();

    let shoppers: Vec<Value> = events(&events_file)
        .into_iter()
        .filter(|e| by(Actor::Shoppers, e))
        .collect();
    assert_eq!(seen, Seen::all(), "shoppers' events: {shoppers:#?}");
}
