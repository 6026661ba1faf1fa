//! Test support: a real demo server on 127.0.0.1:0 and a real HTTP/1.1 client
//! (hyper), so tests exercise the API through sockets as a client would.

use crate::api::DemoApi;
use crate::server::serve_api;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rampart_core::ManualClock;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// 2025-01-01T00:00:00Z.
pub const TEST_NOW_MILLIS: u64 = 1_735_689_600_000;

pub struct TestServer {
    pub addr: SocketAddr,
    pub api: Arc<DemoApi>,
    pub clock: Arc<ManualClock>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Sends one request to `addr` (the demo server, or a gateway in front of
/// it) on a fresh connection and reads the JSON answer.
pub async fn exchange(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(target)
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {target}: body is not JSON ({e}): {bytes:?}"));
    Answer {
        status,
        headers,
        json,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl TestServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let clock = Arc::new(ManualClock::at(TEST_NOW_MILLIS));
        let api = Arc::new(DemoApi::new(crate::DEFAULT_SEED, clock.clone()));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_api(listener, Arc::clone(&api), async {
            stopped.await.ok();
        }));
        TestServer {
            addr,
            api,
            clock,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Sends one request on a fresh connection and reads the JSON answer.
    pub async fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        exchange(self.addr, method, target, headers, body).await
    }

    pub async fn get(&self, target: &str) -> Answer {
        self.send("GET", target, &[], b"").await
    }

    pub async fn get_with_token(&self, target: &str, token: &str) -> Answer {
        let auth = format!("Bearer {token}");
        self.send("GET", target, &[("authorization", &auth)], b"")
            .await
    }

    pub async fn post_json(&self, target: &str, body: &str) -> Answer {
        self.send(
            "POST",
            target,
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
        .await
    }

    /// Logs in and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({ "email": email, "password": password }).to_string();
        let answer = self.post_json("/api/login", &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
        answer.json["token"].as_str().unwrap().to_owned()
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}
