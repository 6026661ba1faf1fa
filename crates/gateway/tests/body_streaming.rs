//! Bodies longer than the gateway's buffer are inspected whole while they
//! stream to the upstream: an attack past the buffered prefix is blocked
//! before the upstream has the complete body, structural limits hold
//! however large the body, and benign bodies pass byte for byte.

mod support;

use http::Request;
use support::*;

fn with_detect(upstream: std::net::SocketAddr, detect: &str) -> String {
    with_stages(&config(&[upstream], ""), &["ip_lists", "detect"], detect)
}

/// 70 KB of ordinary JSON before an injection in the last field.
fn padded_attack() -> Vec<u8> {
    let pad = vec![format!("\"{}\"", "padding ".repeat(8)); 1100].join(",");
    let body = format!(r#"{{"notes":[{pad}],"name":"1' UNION SELECT password FROM users--"}}"#);
    assert!(body.len() > 70_000);
    body.into_bytes()
}

async fn start(detect: &str) -> (TestUpstream, TestGateway) {
    let upstream = TestUpstream::start().await;
    let gateway = TestGateway::start(&with_detect(upstream.addr, detect)).await;
    (upstream, gateway)
}

fn post(path: &str, body: BoxBody) -> Request<BoxBody> {
    post_as(path, "application/json", body)
}

fn post_as(path: &str, content_type: &str, body: BoxBody) -> Request<BoxBody> {
    Request::post(path)
        .header("host", "t")
        .header("content-type", content_type)
        .body(body)
        .unwrap()
}

fn fnv(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn completed(upstream: &TestUpstream, path: &str) -> Vec<(u64, String)> {
    let done = upstream.complete_bodies.lock().unwrap();
    done.iter()
        .filter(|(p, _, _)| p == path)
        .map(|(_, size, hash)| (*size, hash.clone()))
        .collect()
}

#[tokio::test]
async fn an_attack_past_the_buffer_is_blocked_before_the_upstream_has_the_body() {
    let (upstream, gw) = start("").await;
    let attack = padded_attack();

    let answer = send(gw.addr(), post("/api/sized", full(attack.clone()))).await;
    assert_eq!(answer.status(), 403);
    let problem = body_json(answer).await;
    let events = gw.events(1).await;
    let event = &events[0];
    assert_eq!(event["action"], "block");
    assert_eq!(event["status"], 403);
    assert_eq!(event["request_id"], problem["request_id"]);
    let sqli = event["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"].as_str().unwrap().starts_with("detect.sqli"))
        .unwrap_or_else(|| panic!("{event}"));
    assert_eq!(sqli["location"], "body$.name", "{event}");

    // The same body in small chunks without a length.
    let answer = send(gw.addr(), post("/api/chunked", in_pieces(&attack, 1000))).await;
    assert_eq!(answer.status(), 403);
    gw.events(2).await;

    assert!(completed(&upstream, "/api/sized").is_empty());
    assert!(completed(&upstream, "/api/chunked").is_empty());

    // The gateway still serves, on fresh upstream connections.
    assert_eq!(get(gw.addr(), "/api/after").await.status(), 200);
}

#[tokio::test]
async fn a_large_benign_body_passes_byte_for_byte() {
    let (upstream, gw) = start("").await;
    let items: Vec<String> = (0..5000)
        .map(|i| {
            format!(r#"{{"id":{i},"name":"Item {i}","note":"ships in {i} days","tags":["a","b"]}}"#)
        })
        .collect();
    let body = format!(r#"{{"items":[{}]}}"#, items.join(",")).into_bytes();
    assert!(body.len() > 300_000);

    let answer = send(gw.addr(), post("/api/big", full(body.clone()))).await;
    assert_eq!(answer.status(), 200);
    let echo = body_json(answer).await;
    assert_eq!(echo["body_bytes"], body.len() as u64);
    assert_eq!(echo["body_fnv"], fnv(&body));

    let answer = send(gw.addr(), post("/api/big-chunked", in_pieces(&body, 777))).await;
    assert_eq!(answer.status(), 200);
    let echo = body_json(answer).await;
    assert_eq!(echo["body_bytes"], body.len() as u64);
    assert_eq!(echo["body_fnv"], fnv(&body));
    assert_eq!(completed(&upstream, "/api/big-chunked").len(), 1);
}

#[tokio::test]
async fn structural_limits_hold_however_large_the_body() {
    let (upstream, gw) = start("").await;
    let aliases: String = (0..10_000).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let batch: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"query":"query Q{i} {{ me {{ id }} }}"}}"#))
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "/api/deep",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            "detect.protocol.nesting_too_deep",
        ),
        (
            "/api/array",
            format!("[{}0]", "0,".repeat(8 * 1024 * 1024)).into_bytes(),
            "detect.protocol.too_many_elements",
        ),
        (
            "/graphql",
            format!(r#"{{"query":"query {{ {aliases} }}","variables":{{}}}}"#).into_bytes(),
            "detect.protocol.value_too_long",
        ),
        (
            "/graphql/batch",
            format!("[{}]", batch.join(",")).into_bytes(),
            "detect.graphql.batching",
        ),
    ];
    for (i, (path, body, rule)) in cases.into_iter().enumerate() {
        let answer = send(gw.addr(), post(path, full(body))).await;
        assert_eq!(answer.status(), 403, "{path}");
        let events = gw.events(i + 1).await;
        let event = &events[i];
        assert!(reason_sources(event).contains(&rule), "{path}: {event}");
        assert!(completed(&upstream, path).is_empty(), "{path}");
    }
}

#[tokio::test]
async fn monitor_mode_forwards_a_streamed_attack_and_records_it() {
    let (upstream, gw) = start("[detect]\nmode = \"monitor\"\n").await;
    let attack = padded_attack();
    let answer = send(gw.addr(), post("/api/watched", full(attack.clone()))).await;
    assert_eq!(answer.status(), 200);
    let echo = body_json(answer).await;
    assert_eq!(echo["body_fnv"], fnv(&attack));
    assert_eq!(completed(&upstream, "/api/watched").len(), 1);
    let events = gw.events(1).await;
    assert_eq!(events[0]["action"], "would_block", "{}", events[0]);
    assert!(reason_sources(&events[0])
        .iter()
        .any(|s| s.starts_with("detect.sqli")));
}

#[tokio::test]
async fn a_body_that_cannot_be_inspected_gets_the_configured_decision() {
    let (upstream, gw) = start("[detect.limits]\nmax_body_bytes = 100000\n").await;
    let xml = format!("<a>{}</a>", "<b>text</b>".repeat(20_000));
    let request = post_as("/api/xml", "application/xml", full(xml));
    let answer = send(gw.addr(), request).await;
    assert_eq!(answer.status(), 413);
    let events = gw.events(1).await;
    assert!(
        reason_sources(&events[0]).contains(&"detect.body.uninspected"),
        "{}",
        events[0]
    );
    assert!(completed(&upstream, "/api/xml").is_empty());

    let binary = post_as(
        "/api/upload",
        "application/octet-stream",
        full(vec![7u8; 200_000]),
    );
    assert_eq!(send(gw.addr(), binary).await.status(), 200);
    assert_eq!(completed(&upstream, "/api/upload").len(), 1);
    // A binary body let through is counted, not an event: the next event is
    // the next refusal (on another path: a repeat would be folded into the
    // first event).
    let xml = format!("<a>{}</a>", "<b>text</b>".repeat(20_000));
    let again = post_as("/api/other-xml", "application/xml", full(xml));
    assert_eq!(send(gw.addr(), again).await.status(), 413);
    let events = gw.events(2).await;
    assert_eq!(events[1]["path"], "/api/other-xml", "{}", events[1]);
    let metrics = Request::get("/metrics")
        .header("host", "admin")
        .body(full(""))
        .unwrap();
    let text = body_text(send(gw.gateway.admin_addr, metrics).await).await;
    assert!(
        text.lines()
            .any(|l| l.starts_with("rampart_reasons_total{source=\"detect.body.binary\"} 1")),
        "{text}"
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gzipped(path: &str, body: Vec<u8>) -> Request<BoxBody> {
    Request::post(path)
        .header("host", "t")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(full(body))
        .unwrap()
}

#[tokio::test]
async fn compressed_bodies_are_inspected_decoded_and_forwarded_as_sent() {
    let (upstream, gw) = start("").await;

    let benign = gzip(br#"{"sku":"A-1","quantity":2,"note":"ring twice"}"#);
    let answer = send(gw.addr(), gzipped("/api/orders", benign.clone())).await;
    assert_eq!(answer.status(), 200);
    let echo = body_json(answer).await;
    assert_eq!(
        echo["body_fnv"],
        fnv(&benign),
        "the upstream gets the bytes as sent"
    );

    let attack = gzip(&padded_attack());
    let answer = send(gw.addr(), gzipped("/api/orders", attack)).await;
    assert_eq!(answer.status(), 403);
    let events = gw.events(1).await;
    assert!(
        reason_sources(&events[0])
            .iter()
            .any(|s| s.starts_with("detect.sqli")),
        "{}",
        events[0]
    );

    // 20 MB of zeros in about 20 KB: past the inflated-size bound.
    let bomb = gzip(&vec![0u8; 20 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let answer = send(gw.addr(), gzipped("/api/bomb", bomb)).await;
    assert_eq!(answer.status(), 413);
    let events = gw.events(2).await;
    assert!(
        reason_sources(&events[1]).contains(&"detect.body.uninspected"),
        "{}",
        events[1]
    );
    assert!(completed(&upstream, "/api/bomb").is_empty());
}
