//! Operating the gateway: HTTP/2 and TLS, allow/deny lists, metrics, hot
//! reload with good and bad files, graceful drain.

mod support;

use http::Request;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use std::time::Duration;
use support::transport::{tls_connect, TlsFiles};
use support::*;
use tokio::net::TcpStream;

#[tokio::test]
async fn http2_cleartext_with_prior_knowledge() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let stream = TcpStream::connect(gw.addr()).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(executor(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    for i in 0..3 {
        let request = Request::post(format!("http://h2.test/items/{i}"))
            .body(full("abc"))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), http::Version::HTTP_2);
        let echo = body_json(response).await;
        assert_eq!(echo["path"], format!("/items/{i}"));
        assert_eq!(
            echo["version"], "HTTP/1.1",
            "the upstream is spoken to in HTTP/1.1"
        );
        assert_eq!(echoed_header(&echo, "host").as_deref(), Some("h2.test"));
        assert_eq!(echo["body_bytes"], 3);
    }
}

#[tokio::test]
async fn tls_with_alpn_h2_and_http11() {
    let upstream = TestUpstream::start().await;
    let tls_files = TlsFiles::new();
    let gw = TestGateway::start(&tls_files.on_listener(&config(&[upstream.addr], ""))).await;
    let addr = gw.addr();
    let cert = tls_files.cert.clone();

    let tls = tls_connect(addr, cert.clone(), b"h2").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(executor(), TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(
            Request::get("https://localhost/secure")
                .body(full(""))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    let echo = body_json(response).await;
    assert_eq!(
        echoed_header(&echo, "x-forwarded-proto").as_deref(),
        Some("https")
    );

    let tls = tls_connect(addr, cert, b"http/1.1").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(
            Request::get("/secure11")
                .header("host", "localhost")
                .body(full(""))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(response).await["path"], "/secure11");
}

#[tokio::test]
async fn deny_and_allow_lists_for_ipv4_and_ipv6() {
    let upstream = TestUpstream::start().await;
    let text = config(&[upstream.addr], "ip_deny = [\"127.0.0.0/8\"]").replace(
        "[[listeners]]\nname = \"main\"\nlisten = \"127.0.0.1:0\"",
        "[[listeners]]\nname = \"main\"\nlisten = \"127.0.0.1:0\"\n\n[[listeners]]\nname = \"v6\"\nlisten = \"[::1]:0\"",
    );
    let gw = TestGateway::start(&text).await;
    let v6 = gw.gateway.listener_addr("v6").unwrap();
    let denied = get(gw.addr(), "/x").await;
    assert_eq!(denied.status(), 403);
    let problem = body_json(denied).await;
    assert!(problem["detail"].as_str().unwrap().contains("deny list"));
    assert_eq!(
        get(v6, "/x").await.status(),
        200,
        "IPv6 ::1 is not in 127.0.0.0/8"
    );
    let events = gw.events(1).await;
    assert_eq!(events[0]["action"], "block");
    assert_eq!(events[0]["reasons"][0]["source"], "ip_lists.deny");
    assert_eq!(events[0]["reasons"][0]["evidence"], "127.0.0.1");

    std::fs::write(&gw.config_path, config(&[upstream.addr], "ip_allow = [\"::1/128\"]").replace(
        "[[listeners]]\nname = \"main\"\nlisten = \"127.0.0.1:0\"",
        "[[listeners]]\nname = \"main\"\nlisten = \"127.0.0.1:0\"\n\n[[listeners]]\nname = \"v6\"\nlisten = \"[::1]:0\"",
    ))
    .unwrap();
    gw.gateway.reload().unwrap();
    assert_eq!(
        get(gw.addr(), "/x").await.status(),
        403,
        "127.0.0.1 is not on the allow list"
    );
    assert_eq!(get(v6, "/x").await.status(), 200);
}

#[tokio::test]
async fn metrics_health_and_readiness() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    get(gw.addr(), "/m").await;
    let admin = gw.gateway.admin_addr;
    let response = get(admin, "/metrics").await;
    assert_eq!(response.status(), 200);
    let text = body_text(response).await;
    for expected in [
        "rampart_requests_total{route=\"main\",status=\"200\",action=\"allow\"}",
        "rampart_request_duration_seconds_bucket{route=\"main\",le=\"0.001\"}",
        "rampart_events_dropped_total 0",
        "# HELP rampart_requests_total Requests answered",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    assert_eq!(body_text(get(admin, "/healthz").await).await, "ok\n");
    assert_eq!(get(admin, "/readyz").await.status(), 200);
}

#[tokio::test]
async fn reload_swaps_a_good_file_and_keeps_the_old_one_on_a_bad_file() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    assert_eq!(get(gw.addr(), "/r").await.status(), 200);

    // A good file, picked up by the file watcher without a signal.
    std::fs::write(
        &gw.config_path,
        config(&[upstream.addr], "ip_deny = [\"127.0.0.1\"]"),
    )
    .unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = get(gw.addr(), "/r").await.status().as_u16();
        if status == 403 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 403, "the new deny list is applied");

    // A bad file: the running configuration stays, the problem is reported.
    std::fs::write(
        &gw.config_path,
        config(&[upstream.addr], "ip_deny = [\"not-an-ip\"]"),
    )
    .unwrap();
    let error = gw.gateway.reload().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("routes[0].ip_deny[0]: expected an IP address"),
        "{error}"
    );
    assert_eq!(
        get(gw.addr(), "/r").await.status(),
        403,
        "the previous configuration is still in force"
    );
    let events = gw.events(2).await;
    let rejected = events
        .iter()
        .find(|e| e["action"] == "config_rejected")
        .expect("a config_rejected event");
    assert_eq!(rejected["reasons"][0]["location"], "routes[0].ip_deny[0]");
    let metrics = body_text(get(gw.gateway.admin_addr, "/metrics").await).await;
    assert!(
        metrics.contains("rampart_config_reload_total{result=\"error\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rampart_config_reload_total{result=\"ok\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let addr = gw.addr();
    let in_flight = tokio::spawn(async move { get(addr, "/slow?ms=700").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = gw.gateway.shutdown().await;
    assert!(report.drained);
    let response = in_flight.await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "slow done"
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}
