//! Proxying behaviour over real loopback sockets: methods and bodies, large
//! streams, headers added and removed, limits, upstream failures, round robin
//! and passive health, WebSocket upgrades.

mod support;

use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn get_and_post_with_content_length_and_chunked_bodies() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;

    let response = get(gw.addr(), "/users/7?verbose=1").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    assert!(
        !response.headers().contains_key("keep-alive"),
        "hop-by-hop response headers are removed"
    );
    let echo = body_json(response).await;
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["path"], "/users/7");
    assert_eq!(echo["query"], "verbose=1");

    let post = Request::post("/orders")
        .header("host", "test.local")
        .header("content-type", "application/json")
        .body(full(r#"{"item":"book","qty":2}"#))
        .unwrap();
    let echo = body_json(send(gw.addr(), post).await).await;
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body_bytes"], 23);

    let chunked = b"POST /upload HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let answer = raw_exchange(gw.addr(), chunked).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"body_bytes\":11"), "{answer}");
}

#[tokio::test]
async fn forwarding_headers_request_id_and_hop_by_hop() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let request = Request::get("/h")
        .header("host", "api.test")
        .header("x-forwarded-for", "198.51.100.1")
        .header("x-request-id", "from-client")
        .header("connection", "x-private")
        .header("x-private", "secret")
        .header("proxy-connection", "keep-alive")
        .body(full(""))
        .unwrap();
    let echo = body_json(send(gw.addr(), request).await).await;
    assert_eq!(
        echoed_header(&echo, "x-forwarded-for").as_deref(),
        Some("198.51.100.1, 127.0.0.1")
    );
    assert_eq!(
        echoed_header(&echo, "forwarded").as_deref(),
        Some("for=127.0.0.1;proto=http;host=api.test")
    );
    assert_eq!(echoed_header(&echo, "x-private"), None);
    assert_eq!(echoed_header(&echo, "proxy-connection"), None);
    let id = echoed_header(&echo, "x-request-id").unwrap();
    assert_ne!(
        id, "from-client",
        "an untrusted peer's request id is replaced"
    );
    assert_eq!(echoed_header(&echo, "host").as_deref(), Some("api.test"));
}

#[tokio::test]
async fn trusted_proxies_are_believed() {
    let upstream = TestUpstream::start().await;
    let text = config(&[upstream.addr], "ip_deny = [\"203.0.113.7\"]")
        .replace("[server]", "[server]\ntrusted_proxies = [\"127.0.0.0/8\"]");
    let gw = TestGateway::start(&text).await;
    let request = Request::get("/t")
        .header("host", "test.local")
        .header("x-request-id", "edge-42")
        .header("x-forwarded-for", "203.0.113.7")
        .body(full(""))
        .unwrap();
    let response = send(gw.addr(), request).await;
    assert_eq!(
        response.status(),
        403,
        "the forwarded client address is the one checked"
    );
    assert_eq!(response.headers()["x-request-id"], "edge-42");
}

#[tokio::test]
async fn one_gibibyte_streams_both_ways_with_bounded_memory() {
    const GIB: u64 = 1 << 30;
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "max_body_bytes = \"2GiB\"")).await;
    let rss_before = resident_bytes();

    let upload = Request::post("/upload")
        .header("host", "test.local")
        .header("content-length", GIB.to_string())
        .body(repeat_body(GIB))
        .unwrap();
    let echo = body_json(send(gw.addr(), upload).await).await;
    assert_eq!(echo["body_bytes"], GIB);

    let response = get(gw.addr(), &format!("/download?bytes={GIB}")).await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut received = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            received += data.len() as u64;
        }
    }
    assert_eq!(received, GIB);
    let growth = resident_bytes().saturating_sub(rss_before);
    assert!(
        growth < 128 << 20,
        "resident memory grew by {growth} bytes while streaming 2 GiB"
    );
}

fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test]
async fn body_and_header_limits() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(
        &[upstream.addr],
        "max_body_bytes = 1000\ninspect_body_bytes = 100\nmax_header_bytes = \"2KiB\"",
    ))
    .await;
    let declared = Request::post("/big")
        .header("host", "t")
        .body(full(vec![b'a'; 1001]))
        .unwrap();
    assert_eq!(send(gw.addr(), declared).await.status(), 413);

    let chunk = "a".repeat(400);
    let mut chunked = String::from(
        "POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for _ in 0..3 {
        chunked.push_str(&format!("190\r\n{chunk}\r\n"));
    }
    chunked.push_str("0\r\n\r\n");
    let answer = raw_exchange(gw.addr(), chunked.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let fits = Request::post("/ok")
        .header("host", "t")
        .body(full(vec![b'a'; 1000]))
        .unwrap();
    assert_eq!(send(gw.addr(), fits).await.status(), 200);

    let big_header = Request::get("/h")
        .header("host", "t")
        .header("x-big", "b".repeat(3000))
        .body(full(""))
        .unwrap();
    assert_eq!(send(gw.addr(), big_header).await.status(), 431);
    // The declared-length and header refusals never reach the upstream; the
    // chunked body outgrew the limit after streaming had begun, so the
    // upstream saw its head and then an aborted body.
    assert_eq!(upstream.request_count(), 2);
}

#[tokio::test]
async fn upstream_down_answers_502_and_records_an_event() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let gw = TestGateway::start(&config(&[closed], "")).await;
    let response = get(gw.addr(), "/anything").await;
    assert_eq!(response.status(), 502);
    let problem = body_json(response).await;
    assert_eq!(problem["status"], 502);
    // The client learns nothing of the inside; the event keeps the detail.
    let told = problem.to_string();
    assert!(!told.contains(&closed.port().to_string()), "{told}");
    assert!(!told.contains("refused"), "{told}");
    let events = gw.events(1).await;
    assert_eq!(events[0]["status"], 502);
    assert_eq!(events[0]["path"], "/anything");
    assert_eq!(events[0]["reasons"][0]["source"], "upstream.connect");
    assert!(events[0]["reasons"][0]["evidence"]
        .as_str()
        .is_some_and(|e| e.contains(&closed.port().to_string())));
    assert_eq!(events[0]["request_id"], problem["request_id"]);
}

#[tokio::test]
async fn round_robin_and_passive_health() {
    let first = TestUpstream::start().await;
    let second = TestUpstream::start().await;
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let gw = TestGateway::start(&config(&[first.addr, dead, second.addr], "")).await;
    for _ in 0..9 {
        assert_eq!(
            get(gw.addr(), "/rr").await.status(),
            200,
            "a refused address fails over to the next"
        );
    }
    assert!(
        first.request_count() >= 3 && second.request_count() >= 3,
        "{} / {}",
        first.request_count(),
        second.request_count()
    );
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    assert!(
        metrics.contains("rampart_upstream_errors_total{upstream=\"backend\",kind=\"connect\"} 1"),
        "the dead address was tried once, then taken out:\n{metrics}"
    );
    assert!(
        metrics.contains("rampart_upstream_healthy_addresses{upstream=\"backend\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn keep_alive_connections_to_the_upstream_are_reused() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let mut seen_ports = std::collections::HashSet::new();
    for _ in 0..5 {
        let echo = body_json(get(gw.addr(), "/k").await).await;
        seen_ports.insert(echo["headers"].to_string().len());
    }
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    assert!(
        metrics.contains("rampart_requests_total{route=\"main\",status=\"200\",action=\"allow\"}"),
        "{metrics}"
    );
    assert_eq!(upstream.request_count(), 5);
}

#[tokio::test]
async fn response_timeout_answers_504() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "response_timeout = \"200ms\"")).await;
    assert_eq!(get(gw.addr(), "/slow?ms=2000").await.status(), 504);
    assert_eq!(get(gw.addr(), "/slow?ms=10").await.status(), 200);
}

#[tokio::test]
async fn slow_request_head_answers_408() {
    let upstream = TestUpstream::start().await;
    let text = config(&[upstream.addr], "").replace(
        "header_read_timeout = \"2s\"",
        "header_read_timeout = \"300ms\"",
    );
    let gw = TestGateway::start(&text).await;
    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: slow")
        .await
        .unwrap();
    let answer = read_until_close(&mut stream, std::time::Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert_eq!(upstream.request_count(), 0);
}

#[tokio::test]
async fn an_upgrade_to_h2c_is_answered_as_http11_and_later_bytes_are_examined_as_requests() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    // The upgrade request, then what a client sends once it believes the
    // switch happened: the HTTP/2 preface and frames, unexamined by a tunnel.
    stream
        .write_all(
            b"GET /h2c HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\n\
              Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n\
              PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = read_until_close(&mut stream, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.contains(" 101 "), "{answer}");
    let echo = answer.to_ascii_lowercase();
    assert!(!echo.contains("http2-settings"), "{answer}");
    assert!(!echo.contains("\"upgrade\""), "{answer}");
    assert_eq!(
        upstream.request_count(),
        1,
        "the bytes after the upgrade request never reached the upstream"
    );
}

#[tokio::test]
async fn websocket_upgrades_pass_through() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        .await
        .unwrap();
    let mut head = vec![0u8; 1024];
    let n = stream.read(&mut head).await.unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("upgrade: websocket"),
        "{head}"
    );
    stream.write_all(b"ping through the tunnel").await.unwrap();
    let mut echoed = vec![0u8; 23];
    tokio::time::timeout(
        std::time::Duration::from_secs(3),
        stream.read_exact(&mut echoed),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(&echoed, b"ping through the tunnel");
}

#[tokio::test]
async fn unknown_routes_get_404() {
    let upstream = TestUpstream::start().await;
    let text = config(&[upstream.addr], "path_prefix = \"/api\"");
    let gw = TestGateway::start(&text).await;
    let response = get(gw.addr(), "/admin").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let _ = Bytes::new();
}
