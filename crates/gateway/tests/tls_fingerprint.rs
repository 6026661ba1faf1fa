//! The JA4 fingerprint of a TLS client, end to end: a rustls client
//! connecting to the gateway's TLS listener over HTTP/2 and HTTP/1.1 is seen
//! with the JA4 its own ClientHello gives (read here off a plain socket), on
//! every connection; a policy rule on `client.ja4` blocks it and not a
//! client with another JA4; events carry it; plain HTTP has none.

mod support;

use http::Request;
use hyper_util::rt::TokioIo;
use rampart_gateway::tls::client_hello::{self, Progress, Reassembler};
use rampart_gateway::tls::ja4::ja4;
use support::transport::{localhost, tls_connect, tls_connector, TlsFiles};
use support::*;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// The JA4 of the ClientHello the tests' rustls client sends with `alpn`,
/// read off a socket that answers nothing.
async fn ja4_of_test_client(tls: &TlsFiles, alpn: &[u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connector = tls_connector(tls.cert.clone(), alpn);
    let client = tokio::spawn(async move {
        let tcp = TcpStream::connect(addr).await.unwrap();
        // The handshake fails when the capture closes the socket.
        let _ = connector.connect(localhost(), tcp).await;
    });
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut bytes = Vec::new();
    let mut reassembler = Reassembler::default();
    let body = loop {
        assert!(
            socket.read_buf(&mut bytes).await.unwrap() > 0,
            "no ClientHello"
        );
        if let Progress::Complete(body) = reassembler.feed(&bytes).unwrap() {
            break body;
        }
    };
    drop(socket);
    client.await.unwrap();
    ja4(&client_hello::parse(&body).unwrap())
}

/// Blocks the given JA4 (checking that the fingerprint starts with it),
/// and any request to `/plain` without a JA4.
fn policy(upstream: std::net::SocketAddr, blocked_ja4: &str) -> String {
    let rules = format!(
        r#"
[[prevent.policy.rules]]
name = "block-tool"
when = 'client.ja4 == "{blocked_ja4}" && client.fingerprint.startsWith("{blocked_ja4}_")'
action = {{ type = "block" }}

[[prevent.policy.rules]]
name = "no-tls"
when = 'client.ja4 == "" && request.path == "/plain"'
action = {{ type = "block" }}
"#
    );
    with_stages(&config(&[upstream], ""), &["prevent"], &rules)
}

async fn status_of(
    sent: impl std::future::Future<Output = hyper::Result<http::Response<hyper::body::Incoming>>>,
) -> u16 {
    sent.await.unwrap().status().as_u16()
}

async fn h2_status(tls: &TlsFiles, gw: &TestGateway, path: &str) -> u16 {
    let stream = tls_connect(gw.addr(), tls.cert.clone(), b"h2").await;
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(executor(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = Request::get(format!("https://localhost{path}"))
        .body(full(""))
        .unwrap();
    status_of(sender.send_request(request)).await
}

async fn h1_status(tls: &TlsFiles, gw: &TestGateway, path: &str) -> u16 {
    let stream = tls_connect(gw.addr(), tls.cert.clone(), b"http/1.1").await;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::get(path)
        .header("host", "localhost")
        .body(full(""))
        .unwrap();
    status_of(sender.send_request(request)).await
}

#[tokio::test]
async fn the_same_client_is_known_by_its_ja4_on_every_connection() {
    let upstream = TestUpstream::start().await;
    let tls = TlsFiles::new();
    let h2_client = ja4_of_test_client(&tls, b"h2").await;
    let h1_client = ja4_of_test_client(&tls, b"http/1.1").await;
    assert!(
        h2_client.starts_with("t13d") && h2_client.contains("h2_"),
        "{h2_client}"
    );
    assert_ne!(h1_client, h2_client, "the ALPN is part of the JA4");
    let gw = TestGateway::start(&tls.on_listener(&policy(upstream.addr, &h2_client))).await;

    assert_eq!(h2_status(&tls, &gw, "/items").await, 403);
    // Another path, so that the events are not folded into one series.
    assert_eq!(
        h2_status(&tls, &gw, "/other").await,
        403,
        "a new connection"
    );
    assert_eq!(
        h1_status(&tls, &gw, "/items").await,
        200,
        "another JA4 is not blocked"
    );
    assert_eq!(
        h1_status(&tls, &gw, "/plain").await,
        200,
        "over TLS, the client has a JA4"
    );

    let events = gw.events(2).await;
    assert_eq!(events.len(), 2, "{events:?}");
    for event in &events {
        assert_eq!(event["ja4"], h2_client.as_str(), "{event}");
        assert!(
            event["reasons"].to_string().contains("rule:block-tool"),
            "{event}"
        );
    }
}

#[tokio::test]
async fn plain_http_has_no_ja4() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&policy(
        upstream.addr,
        "t13d1516h2_8daaf6152771_d8a2da3f94cd",
    ))
    .await;
    assert_eq!(get(gw.addr(), "/plain").await.status(), 403);
    let events = gw.events(1).await;
    assert!(
        events[0]["reasons"].to_string().contains("rule:no-tls"),
        "{}",
        events[0]
    );
    assert!(events[0].get("ja4").is_none(), "{}", events[0]);
}
