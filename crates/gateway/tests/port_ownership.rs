//! One gateway per port: a listener address another socket already listens
//! on is refused at start, naming the address and the holder, whether or not
//! the holder set SO_REUSEPORT (the gateway's own workers share the port with
//! it; nobody else may). A port a stopped gateway served can be served again
//! at once.

mod support;

use socket2::{Domain, Socket, Type};
use std::net::SocketAddr;
use support::*;

/// A config whose one listener is on `listen`.
fn config_on(upstream: SocketAddr, listen: SocketAddr) -> String {
    config(&[upstream], "").replace(
        "listen = \"127.0.0.1:0\"\n\n[[upstreams]]",
        &format!("listen = \"{listen}\"\n\n[[upstreams]]"),
    )
}

async fn start_error(config_text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.toml");
    std::fs::write(&path, config_text).unwrap();
    let config = rampart_gateway::GatewayConfig::load(&path).unwrap();
    match rampart_gateway::Gateway::start(config).await {
        Ok(gateway) => {
            gateway.shutdown().await;
            panic!("the gateway started on an address another socket holds")
        }
        Err(e) => format!("{e:#}"),
    }
}

/// A listening socket with SO_REUSEPORT, as another gateway of the same user
/// would hold it: the kernel alone would let a second gateway join it.
fn reuseport_listener() -> std::net::TcpListener {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_reuse_address(true).unwrap();
    socket.set_reuse_port(true).unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    socket.listen(16).unwrap();
    socket.into()
}

fn assert_names_holder(error: &str, addr: SocketAddr) {
    assert!(
        error.contains(&format!("listener \"main\" cannot listen on {addr}")),
        "{error}"
    );
    assert!(error.contains("already served by"), "{error}");
    assert!(
        error.contains(&format!("pid {}", std::process::id())),
        "the holder (this test process) is not named: {error}"
    );
}

#[tokio::test]
async fn an_address_another_socket_listens_on_is_refused_naming_the_holder() {
    let upstream = TestUpstream::start().await;
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = plain.local_addr().unwrap();
    assert_names_holder(&start_error(&config_on(upstream.addr, addr)).await, addr);
}

#[tokio::test]
async fn a_holder_with_so_reuseport_cannot_share_the_port_either() {
    let upstream = TestUpstream::start().await;
    let other_gateway = reuseport_listener();
    let addr = other_gateway.local_addr().unwrap();
    assert_names_holder(&start_error(&config_on(upstream.addr, addr)).await, addr);
}

#[tokio::test]
async fn a_wildcard_listener_holds_every_address_of_its_port() {
    let upstream = TestUpstream::start().await;
    let wildcard = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = wildcard.local_addr().unwrap().port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    assert_names_holder(&start_error(&config_on(upstream.addr, addr)).await, addr);
}

#[tokio::test]
async fn a_stopped_gateways_port_is_served_again_at_once() {
    let upstream = TestUpstream::start().await;
    let first = TestGateway::start(&config(&[upstream.addr], "")).await;
    let addr = first.addr();
    // Connection: close makes the gateway close first, leaving its side of
    // the connection in TIME_WAIT on the port.
    let request = http::Request::get("/before")
        .header("host", "test.local")
        .header("connection", "close")
        .body(full(""))
        .unwrap();
    assert_eq!(send(addr, request).await.status(), 200);
    first.gateway.shutdown().await;

    let second = TestGateway::start(&config_on(upstream.addr, addr)).await;
    assert_eq!(second.addr(), addr);
    assert_eq!(get(addr, "/after").await.status(), 200);
    second.gateway.shutdown().await;
}
