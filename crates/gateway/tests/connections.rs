//! Client connections that wait too long: idle from the accept and between
//! keep-alive requests, request heads that stall, and request bodies that
//! stall or trickle, over HTTP/1.1 and HTTP/2. Timeouts are short in these
//! configurations; the tests only check what happens, never when.

mod support;

use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use hyper::body::Frame;
use std::time::Duration;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far beyond every timeout configured here: only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(20);

fn with_server(upstream: &TestUpstream, server_lines: &str) -> String {
    config(&[upstream.addr], "").replace("[server]\n", &format!("[server]\n{server_lines}\n"))
}

/// Reads until the gateway closes the connection; panics on a hang.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut out))
        .await
        .expect("the gateway kept the connection open")
        .expect("reading from the gateway");
    String::from_utf8_lossy(&out).into_owned()
}

async fn timeouts_counted(gw: &TestGateway, reason: &str) -> bool {
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    let wanted = format!("rampart_client_timeouts_total{{reason=\"{reason}\"}}");
    metrics.lines().any(|line| {
        line.starts_with(&wanted)
            && line
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse::<f64>().ok())
                .is_some_and(|n| n >= 1.0)
    })
}

#[tokio::test]
async fn a_connection_that_never_sends_a_byte_is_closed_when_idle() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_server(&upstream, "idle_timeout = \"200ms\"")).await;
    let mut silent = TcpStream::connect(gw.addr()).await.unwrap();
    assert_eq!(
        until_closed(&mut silent).await,
        "",
        "closed without an answer"
    );
    assert!(timeouts_counted(&gw, "idle").await);
}

#[tokio::test]
async fn a_keep_alive_connection_is_closed_after_idling_between_requests() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_server(&upstream, "idle_timeout = \"1s\"")).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.contains("408"), "an idle connection gets no answer");
    assert_eq!(upstream.request_count(), 1);
}

#[tokio::test]
async fn a_request_head_that_stalls_is_answered_408_with_a_problem() {
    let upstream = TestUpstream::start().await;
    let text = with_server(&upstream, "idle_timeout = \"60s\"").replace(
        "header_read_timeout = \"2s\"",
        "header_read_timeout = \"200ms\"",
    );
    let gw = TestGateway::start(&text).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHo").await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("\"status\":408"), "{answer}");
    assert!(timeouts_counted(&gw, "header").await);
    assert_eq!(upstream.request_count(), 0);
}

/// Opens an HTTP/1.1 request whose body is 100 bytes, sends `sent` of them.
async fn body_opened(gw: &TestGateway, sent: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        .await
        .unwrap();
    stream.write_all(sent).await.unwrap();
    stream
}

#[tokio::test]
async fn a_request_body_that_stalls_is_answered_408_and_never_forwarded() {
    let upstream = TestUpstream::start().await;
    // The rate rule off, so that only the stall can end the body.
    let gw = TestGateway::start(&with_server(
        &upstream,
        "body_read_timeout = \"200ms\"\nmin_body_rate = 0",
    ))
    .await;
    let mut stream = body_opened(&gw, b"12345").await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.contains("no request body bytes arrived"), "{answer}");
    assert!(timeouts_counted(&gw, "body_read").await);
    assert_eq!(upstream.request_count(), 0);
}

#[tokio::test]
async fn a_request_body_that_trickles_below_the_minimum_rate_is_answered_408() {
    let upstream = TestUpstream::start().await;
    // Each byte comes well within body_read_timeout, but at about 20 B/s
    // against a minimum of 1 KiB/s.
    let gw = TestGateway::start(&with_server(
        &upstream,
        "body_read_timeout = \"1s\"\nmin_body_rate = \"1KiB\"",
    ))
    .await;
    let stream = body_opened(&gw, b"1").await;
    let (mut read, mut write) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..99 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if write.write_all(b"x").await.is_err() {
                return;
            }
        }
    });
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, read.read_to_end(&mut out))
        .await
        .expect("the gateway kept the connection open")
        .expect("reading from the gateway");
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("slower than 1024 bytes per second"),
        "{answer}"
    );
    assert!(timeouts_counted(&gw, "body_rate").await);
    assert_eq!(upstream.request_count(), 0);
    trickle.abort();
}

/// A request body that sends one chunk, then nothing, never ending.
struct Stalled(Option<Bytes>);

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.0.take() {
            Some(chunk) => std::task::Poll::Ready(Some(Ok(Frame::data(chunk)))),
            None => std::task::Poll::Pending,
        }
    }
}

#[tokio::test]
async fn an_http2_stream_whose_body_stalls_is_answered_408_and_the_connection_lives_on() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_server(&upstream, "body_read_timeout = \"200ms\"")).await;
    let (mut sender, _connection) = h2_connect(gw.addr()).await;
    let stalled = Request::post("http://h2.test/upload")
        .body(Stalled(Some(Bytes::from_static(b"part"))).boxed())
        .unwrap();
    let response = tokio::time::timeout(DEADLINE, sender.send_request(stalled))
        .await
        .expect("no answer to a stalled HTTP/2 body")
        .unwrap();
    assert_eq!(response.status(), 408);
    assert!(body_text(response).await.contains("\"status\":408"));
    let next = sender
        .send_request(Request::get("http://h2.test/ok").body(full("")).unwrap())
        .await
        .unwrap();
    assert_eq!(next.status(), 200, "other streams are served as before");
}

#[tokio::test]
async fn an_idle_http2_connection_is_shut_down() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_server(&upstream, "idle_timeout = \"300ms\"")).await;
    let (mut sender, connection) = h2_connect(gw.addr()).await;
    let response = sender
        .send_request(Request::get("http://h2.test/ok").body(full("")).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    body_text(response).await;
    tokio::time::timeout(DEADLINE, connection)
        .await
        .expect("the idle HTTP/2 connection was kept open")
        .unwrap()
        .expect("the gateway ended the connection with GOAWAY, not an error");
    assert!(timeouts_counted(&gw, "idle").await);
}
