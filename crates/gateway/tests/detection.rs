//! The `detect` stage in the gateway: attacks are blocked before the
//! upstream sees them, with an explained event; ordinary traffic passes.

mod support;

use http::Request;
use support::*;

fn with_detect(upstream: std::net::SocketAddr, detect: &str) -> String {
    with_stages(&config(&[upstream], ""), &["ip_lists", "detect"], detect)
}

#[tokio::test]
async fn sql_injection_is_blocked_and_explained() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_detect(upstream.addr, "")).await;

    let attack = get(
        gw.addr(),
        "/api/products?q=%27%20OR%201%3D1%20UNION%20SELECT%20password%20FROM%20users--",
    )
    .await;
    assert_eq!(attack.status(), 403);
    let problem = body_json(attack).await;
    let events = gw.events(1).await;
    let event = &events[0];
    assert_eq!(event["action"], "block");
    assert_eq!(event["request_id"], problem["request_id"]);
    let reason = &event["reasons"][0];
    assert!(
        reason["source"]
            .as_str()
            .unwrap()
            .starts_with("detect.sqli"),
        "{event}"
    );
    assert!(
        reason["location"].as_str().unwrap().contains('q'),
        "{event}"
    );
    assert!(event["score"].as_f64().unwrap() >= 5.0, "{event}");

    let body_attack = Request::post("/api/users")
        .header("host", "t")
        .header("content-type", "application/json")
        .body(full(
            r#"{"name":"<script>alert(document.cookie)</script>","email":"m@example.net"}"#,
        ))
        .unwrap();
    assert_eq!(
        send(gw.addr(), body_attack).await.status(),
        403,
        "attacks in JSON bodies are seen too"
    );

    let benign = Request::post("/api/users")
        .header("host", "t")
        .header("content-type", "application/json")
        .body(full(r#"{"name":"Siobhan O'Brien","bio":"I select the union of my hobbies: chess, and cooking."}"#))
        .unwrap();
    assert_eq!(send(gw.addr(), benign).await.status(), 200);
    assert_eq!(
        get(gw.addr(), "/api/products?q=desk+lamp").await.status(),
        200
    );
    assert_eq!(
        upstream.request_count(),
        2,
        "blocked requests never reach the upstream"
    );
}

#[tokio::test]
async fn monitor_mode_records_without_blocking() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_detect(
        upstream.addr,
        "[detect]\nmode = \"monitor\"\n",
    ))
    .await;
    let attack = get(gw.addr(), "/files?name=..%2F..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(attack.status(), 200);
    let events = gw.events(1).await;
    assert_eq!(
        events[0]["action"], "would_block",
        "the event says what enforce mode would have done"
    );
    assert_eq!(upstream.request_count(), 1);
}

#[test]
fn bad_detect_settings_name_the_key() {
    let text = with_detect("127.0.0.1:9".parse().unwrap(), "[detect]\nparanoya = 2\n");
    let error =
        rampart_gateway::GatewayConfig::parse(std::path::Path::new("r.toml"), &text).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("r.toml: detect.paranoya: unknown field `paranoya`"),
        "{error}"
    );
}

#[tokio::test]
async fn http2_requests_carry_their_host_in_the_authority_and_pass() {
    use hyper_util::rt::TokioIo;
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_detect(upstream.addr, "")).await;
    let stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(executor(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let ordinary = Request::get("http://h2.test/ok").body(full("")).unwrap();
    let response = sender.send_request(ordinary).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), http::Version::HTTP_2);
    // Detection still reads the request: an attack over HTTP/2 is refused.
    let attack = Request::get(
        "http://h2.test/p?q=%27%20OR%201%3D1%20UNION%20SELECT%20password%20FROM%20users--",
    )
    .body(full(""))
    .unwrap();
    assert_eq!(sender.send_request(attack).await.unwrap().status(), 403);
}
