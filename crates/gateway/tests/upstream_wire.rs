//! The gateway's HTTP/1.1 client against a scripted upstream that writes
//! exact bytes: connection reuse, the three ways a response body is
//! delimited, interim answers, trailers, ambiguous or truncated responses,
//! connections the upstream closed, and an answer that comes before the
//! whole upload.

mod support;

use http::Request;
use http_body_util::BodyExt;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the scripted upstream does with one request.
#[derive(Clone, Copy)]
enum Reply {
    /// Reads the request (head and declared body), writes the bytes, keeps the connection.
    Answer(&'static str),
    /// Same, then closes the connection without saying so.
    AnswerAndClose(&'static str),
    /// Writes the bytes right after the request head, then reads and
    /// discards whatever else comes until the gateway gives up the connection.
    AnswerBeforeBody(&'static str),
}

struct ScriptedUpstream {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl ScriptedUpstream {
    async fn start(script: &[Reply]) -> ScriptedUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let replies = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let accepted = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, Arc::clone(&replies)));
            }
        });
        ScriptedUpstream { addr, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, replies: Arc<Mutex<VecDeque<Reply>>>) {
    let mut pending = Vec::new();
    loop {
        let Some(head) = read_head(&mut stream, &mut pending).await else {
            return;
        };
        let Some(reply) = replies.lock().unwrap().pop_front() else {
            return;
        };
        match reply {
            Reply::AnswerBeforeBody(bytes) => {
                let _ = stream.write_all(bytes.as_bytes()).await;
                let mut sink = [0u8; 64 * 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
            Reply::Answer(bytes) | Reply::AnswerAndClose(bytes) => {
                let body_len = declared_length(&head);
                while pending.len() < body_len {
                    if !read_more(&mut stream, &mut pending).await {
                        return;
                    }
                }
                pending.drain(..body_len);
                if stream.write_all(bytes.as_bytes()).await.is_err() {
                    return;
                }
                if matches!(reply, Reply::AnswerAndClose(_)) {
                    return;
                }
            }
        }
    }
}

/// Reads up to the end of a request head; what follows stays in `pending`.
async fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head: Vec<u8> = pending.drain(..end + 4).collect();
            return Some(String::from_utf8_lossy(&head).into_owned());
        }
        if !read_more(stream, pending).await {
            return None;
        }
    }
}

async fn read_more(stream: &mut TcpStream, pending: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk).await {
        Ok(n) if n > 0 => {
            pending.extend_from_slice(&chunk[..n]);
            true
        }
        _ => false,
    }
}

fn declared_length(head: &str) -> usize {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// A gateway with one worker thread: idle upstream connections are kept per
/// worker, so counting the upstream's connections needs a single one.
async fn gateway_in_front_of(upstream: &ScriptedUpstream) -> TestGateway {
    let text = config(&[upstream.addr], "").replace("[server]\n", "[server]\nworkers = 1\n");
    TestGateway::start(&text).await
}

const OK_HELLO: &str = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

#[tokio::test]
async fn one_connection_carries_bodies_delimited_by_length_chunks_and_after_interim_answers() {
    let upstream = ScriptedUpstream::start(&[
        Reply::Answer(OK_HELLO),
        Reply::Answer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-digest\r\n\r\n\
             4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nx-digest: abc\r\n\r\n",
        ),
        Reply::Answer(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
             HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        ),
        Reply::Answer("HTTP/1.1 204 No Content\r\n\r\n"),
        Reply::Answer(OK_HELLO),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;

    assert_eq!(body_text(get(gw.addr(), "/length").await).await, "hello");

    let asks_for_trailers = Request::get("/chunked")
        .header("host", "test.local")
        .header("te", "trailers")
        .body(full(""))
        .unwrap();
    let chunked = send(gw.addr(), asks_for_trailers).await;
    assert_eq!(chunked.status(), 200);
    let collected = chunked.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned();
    assert_eq!(collected.to_bytes(), "wikipedia");
    let trailers = trailers.expect("the upstream's trailers reach the client");
    assert_eq!(trailers["x-digest"], "abc");

    let post = Request::post("/interim")
        .header("host", "test.local")
        .body(full("{\"a\":1}"))
        .unwrap();
    let created = send(gw.addr(), post).await;
    assert_eq!(created.status(), 201, "interim answers are skipped");
    assert_eq!(body_text(created).await, "ok");

    assert_eq!(get(gw.addr(), "/empty").await.status(), 204);
    assert_eq!(body_text(get(gw.addr(), "/again").await).await, "hello");
    assert_eq!(
        upstream.connections(),
        1,
        "every exchange reused one connection"
    );
}

#[tokio::test]
async fn ambiguous_or_malformed_responses_answer_502_and_their_connection_is_dropped() {
    let upstream = ScriptedUpstream::start(&[
        Reply::Answer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ),
        Reply::Answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        Reply::Answer("HTTP/1.1 2x0 OK\r\n\r\n"),
        Reply::Answer(OK_HELLO),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;
    for path in ["/both-framings", "/two-lengths", "/bad-status"] {
        let response = get(gw.addr(), path).await;
        assert_eq!(response.status(), 502, "{path}");
        assert!(body_text(response).await.contains("upstream"), "{path}");
    }
    assert_eq!(body_text(get(gw.addr(), "/fine").await).await, "hello");
    assert_eq!(
        upstream.connections(),
        4,
        "no connection is reused after a bad response"
    );
}

#[tokio::test]
async fn a_body_delimited_by_close_arrives_whole_and_its_connection_is_not_reused() {
    let upstream = ScriptedUpstream::start(&[
        Reply::AnswerAndClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"),
        Reply::Answer(OK_HELLO),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;
    assert_eq!(
        body_text(get(gw.addr(), "/close").await).await,
        "until the end"
    );
    assert_eq!(body_text(get(gw.addr(), "/next").await).await, "hello");
    assert_eq!(upstream.connections(), 2);
}

#[tokio::test]
async fn a_connection_the_upstream_closed_while_idle_is_not_used_again() {
    let upstream = ScriptedUpstream::start(&[
        Reply::AnswerAndClose(OK_HELLO),
        Reply::AnswerAndClose(OK_HELLO),
        Reply::Answer(OK_HELLO),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;
    assert_eq!(get(gw.addr(), "/first").await.status(), 200);
    // Give the close time to reach the gateway's event loop.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let post = Request::post("/not-idempotent")
        .header("host", "test.local")
        .body(full("{}"))
        .unwrap();
    assert_eq!(send(gw.addr(), post).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(get(gw.addr(), "/third").await.status(), 200);
    assert_eq!(upstream.connections(), 3);
}

#[tokio::test]
async fn a_truncated_body_fails_the_client_response() {
    let upstream = ScriptedUpstream::start(&[
        Reply::AnswerAndClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"),
        Reply::AnswerAndClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;
    for path in ["/short", "/short-chunks"] {
        let request = Request::get(path)
            .header("host", "test.local")
            .body(full(""))
            .unwrap();
        // The head may or may not have gone out before the body failed.
        let body = match try_send(gw.addr(), request).await {
            Ok(response) => response.into_body().collect().await.map(|b| b.to_bytes()),
            Err(e) => Err(e),
        };
        assert!(
            body.is_err(),
            "{path}: the client must see the exchange fail, not end early: {body:?}"
        );
    }
}

#[tokio::test]
async fn an_answer_before_the_whole_upload_ends_it() {
    let upstream = ScriptedUpstream::start(&[
        Reply::AnswerBeforeBody(
            "HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\n\r\ntoo much",
        ),
        Reply::Answer(OK_HELLO),
    ])
    .await;
    let gw = gateway_in_front_of(&upstream).await;
    let upload = Request::post("/upload")
        .header("host", "test.local")
        .body(repeat_body(256 * 1024 * 1024))
        .unwrap();
    let response = send(gw.addr(), upload).await;
    assert_eq!(response.status(), 413);
    assert_eq!(body_text(response).await, "too much");
    assert_eq!(body_text(get(gw.addr(), "/after").await).await, "hello");
    assert_eq!(
        upstream.connections(),
        2,
        "the interrupted connection is not reused"
    );
}
