//! Real sockets on loopback for the gateway's integration tests: an upstream
//! HTTP server with a few behaviours, a gateway started from TOML text, and
//! small clients (hyper for HTTP/1.1 and HTTP/2, raw TCP for malformed input),
//! and the same requests over HTTP/1.1, h2c and h2 over TLS (`transport`).
#![allow(dead_code)]

pub mod transport;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_gateway::{Gateway, GatewayConfig};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub type BoxBody =
    http_body_util::combinators::BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// An upstream that answers:
/// - `/slow?ms=N`: waits N ms, then answers 200;
/// - `/download?bytes=N`: streams N bytes;
/// - `/ws`: accepts an upgrade and echoes bytes;
/// - `GET /accounts?ids=1,2`: a list of accounts with those ids (`GET
///   /products` the same list, for a list endpoint by another name);
///   `GET /accounts/N`: account N; `POST /accounts`: 201, account 900 created
///   (in the body and `Location`);
/// - anything else: a JSON echo of method, path, headers and body size.
pub struct TestUpstream {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
    /// Request bodies the echo read to their end: (path, bytes, FNV-1a).
    pub complete_bodies: Arc<std::sync::Mutex<Vec<(String, u64, String)>>>,
}

impl TestUpstream {
    pub async fn start() -> TestUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        let complete_bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
        let completed = Arc::clone(&complete_bodies);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = Arc::clone(&counter);
                let completed = Arc::clone(&completed);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        upstream_answer(req, Arc::clone(&completed))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        TestUpstream {
            addr,
            requests,
            complete_bodies,
        }
    }

    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn query_number(req: &Request<Incoming>, key: &str) -> u64 {
    req.uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

type Completed = Arc<std::sync::Mutex<Vec<(String, u64, String)>>>;

async fn upstream_answer(
    mut req: Request<Incoming>,
    completed: Completed,
) -> Result<Response<BoxBody>, Infallible> {
    let path = req.uri().path().to_string();
    if path == "/slow" {
        tokio::time::sleep(Duration::from_millis(query_number(&req, "ms"))).await;
        return Ok(Response::new(full("slow done")));
    }
    if path == "/download" {
        return Ok(Response::new(repeat_body(query_number(&req, "bytes"))));
    }
    if let Some(answer) = accounts_answer(&req) {
        return Ok(answer);
    }
    if path == "/ws" {
        let on_upgrade = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            if let Ok(upgraded) = on_upgrade.await {
                let mut io = TokioIo::new(upgraded);
                let mut buf = [0u8; 1024];
                while let Ok(n) = io.read(&mut buf).await {
                    if n == 0 || io.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        });
        let mut response = Response::new(full(""));
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        response
            .headers_mut()
            .insert("connection", "upgrade".parse().unwrap());
        response
            .headers_mut()
            .insert("upgrade", "websocket".parse().unwrap());
        return Ok(response);
    }
    let method = req.method().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let version = format!("{:?}", req.version());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut size: u64 = 0;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut body = req.into_body();
    let mut whole = true;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            whole = false;
            break;
        };
        if let Some(data) = frame.data_ref() {
            size += data.len() as u64;
            for &b in data.iter() {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    if whole {
        if let Ok(mut done) = completed.lock() {
            done.push((path.clone(), size, format!("{hash:016x}")));
        }
    }
    let echo = serde_json::json!({
        "method": method, "path": path, "query": query, "version": version,
        "headers": headers, "body_bytes": size, "body_fnv": format!("{hash:016x}"),
    });
    let mut response = Response::new(full(echo.to_string()));
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    response
        .headers_mut()
        .insert("keep-alive", "timeout=60".parse().unwrap());
    Ok(response)
}

/// The accounts API of [`TestUpstream`], for object-level authorisation,
/// and its login (`POST /login?ok` succeeds, any other fails).
fn accounts_answer(req: &Request<Incoming>) -> Option<Response<BoxBody>> {
    let path = req.uri().path();
    let (status, body, location) = match (req.method().as_str(), path) {
        ("GET", "/accounts" | "/products") => {
            let query = req.uri().query().unwrap_or("");
            let ids = query.strip_prefix("ids=").unwrap_or("");
            let items: Vec<serde_json::Value> = ids
                .split(',')
                .filter_map(|id| id.parse::<u64>().ok())
                .map(|id| serde_json::json!({"id": id, "iban": "DE00"}))
                .collect();
            (200, serde_json::json!({ "data": items }), None)
        }
        ("POST", "/login") => match req.uri().query() {
            Some("ok") => (200, serde_json::json!({"token": "t"}), None),
            _ => (
                401,
                serde_json::json!({"error": "invalid credentials"}),
                None,
            ),
        },
        ("POST", "/accounts") => (201, serde_json::json!({"id": 900}), Some("/accounts/900")),
        ("GET", _) => {
            let id = path.strip_prefix("/accounts/")?;
            (200, serde_json::json!({"id": id, "iban": "DE00"}), None)
        }
        _ => return None,
    };
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).ok()?;
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().ok()?);
    if let Some(location) = location {
        response
            .headers_mut()
            .insert("location", location.parse().ok()?);
    }
    Some(response)
}

/// A body of the pieces an iterator yields, each sent as it comes and no
/// length declared (chunked on the wire).
pub struct Pieces<I>(pub I);

impl<I: Iterator<Item = Bytes> + Unpin> http_body::Body for Pieces<I> {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.next().map(|b| Ok(Frame::data(b))))
    }
}

/// `bytes` bytes of `x`, produced as the reader asks: a download of any
/// size in constant memory.
pub fn repeat_body(bytes: u64) -> BoxBody {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let mut left = bytes;
    let pieces = std::iter::from_fn(move || {
        let n = left.min(chunk.len() as u64);
        left -= n;
        (n > 0).then(|| chunk.slice(..n as usize))
    });
    Pieces(pieces).map_err(|never| match never {}).boxed()
}

/// `body` sent in pieces of `piece` bytes, without a length.
pub fn in_pieces(body: &[u8], piece: usize) -> BoxBody {
    let pieces: Vec<Bytes> = body.chunks(piece).map(Bytes::copy_from_slice).collect();
    Pieces(pieces.into_iter())
        .map_err(|never| match never {})
        .boxed()
}

pub fn full(text: impl Into<Bytes>) -> BoxBody {
    Full::new(text.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A gateway started from TOML text written to a temporary file.
pub struct TestGateway {
    pub gateway: Gateway,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
}

impl TestGateway {
    pub async fn start(config_text: &str) -> TestGateway {
        Self::start_with(config_text, None).await
    }

    /// A gateway whose admin listener also serves `admin_api` (the console's
    /// tests pass theirs).
    pub async fn start_with(
        config_text: &str,
        admin_api: Option<rampart_gateway::admin::AdminApiFactory>,
    ) -> TestGateway {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("rampart.toml");
        std::fs::write(&config_path, config_text).unwrap();
        let config = GatewayConfig::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
        let gateway = Gateway::start_with(config, admin_api).await.unwrap();
        TestGateway {
            gateway,
            dir,
            config_path,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.gateway.listeners[0].1
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr(), path)
    }

    /// Bans `network` (an address or CIDR) as an operator would.
    pub fn ban(&self, network: &str) {
        let prevent = self
            .gateway
            .admin_state()
            .shared
            .runtime
            .load()
            .prevent
            .clone();
        let net = network
            .parse::<ipnet::IpNet>()
            .or_else(|_| network.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .unwrap();
        let target = rampart_prevent::BanTarget::Network(net);
        assert!(prevent.unwrap().ban(target, "test".into()).is_some());
    }

    /// The inventory discovery published last.
    pub fn inventory(&self) -> serde_json::Value {
        let discovery = self.gateway.admin_state().shared.services.discovery.clone();
        serde_json::to_value(&*discovery.unwrap().report()).unwrap()
    }

    pub fn events_path(&self) -> PathBuf {
        self.dir.path().join("events.jsonl")
    }

    /// Security events written so far (waits up to 3 s for `at_least`).
    pub async fn events(&self, at_least: usize) -> Vec<serde_json::Value> {
        for _ in 0..60 {
            let events: Vec<serde_json::Value> = std::fs::read_to_string(self.events_path())
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            if events.len() >= at_least {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {at_least} events were written");
    }
}

/// `config_text` (see [`config`]) running these pipeline stages, with extra
/// top-level `sections` (e.g. `[detect]` settings).
pub fn with_stages(config_text: &str, stages: &[&str], sections: &str) -> String {
    let stages: Vec<String> = stages.iter().map(|s| format!("\"{s}\"")).collect();
    config_text.replace(
        "[[listeners]]",
        &format!(
            "[pipeline]\nstages = [{}]\n\n{sections}\n[[listeners]]",
            stages.join(", ")
        ),
    )
}

/// A config with one loopback listener on a free port, the admin listener on
/// a free port, events to `events.jsonl`, and the given upstream addresses
/// and extra route settings.
pub fn config(upstreams: &[SocketAddr], route_extra: &str) -> String {
    let addresses: Vec<String> = upstreams.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"
[server]
header_read_timeout = "2s"
reload_poll_interval = "100ms"
drain_timeout = "5s"

[admin]
listen = "127.0.0.1:0"

[events]
jsonl = "events.jsonl"

[[listeners]]
name = "main"
listen = "127.0.0.1:0"

[[upstreams]]
name = "backend"
addresses = [{}]
unhealthy_for = "30s"

[[routes]]
name = "main"
upstream = "backend"
{route_extra}
"#,
        addresses.join(", ")
    )
}

/// The config of a gateway in front of `upstream` running `stages`, with
/// `spec` as its declared OpenAPI spec (endpoint templates are known from
/// the first request; the file lives in the returned directory),
/// `discovery` appended to `[discovery]`, then `sections`.
pub fn spec_config(
    upstream: SocketAddr,
    spec: &str,
    stages: &[&str],
    discovery: &str,
    sections: &str,
) -> (String, tempfile::TempDir) {
    let spec_dir = tempfile::tempdir().unwrap();
    let path = spec_dir.path().join("openapi.json");
    std::fs::write(&path, spec).unwrap();
    let sections = format!(
        "[discovery]\nspec = {:?}\n{discovery}\n{sections}",
        path.display().to_string()
    );
    let text = with_stages(&config(&[upstream], ""), stages, &sections);
    (text, spec_dir)
}

/// A gateway running `discover` and `behave` in front of `upstream` with
/// `spec`, whose behaviour counts live in the Redis at `redis_url` under
/// `prefix` (`[behave.ato] secret` set), with `sections` besides; and the
/// spec's directory, to keep while the gateway runs.
pub async fn shared_behave_gateway(
    upstream: &TestUpstream,
    spec: &str,
    redis_url: &str,
    prefix: &str,
    sections: &str,
) -> (TestGateway, tempfile::TempDir) {
    let sections = format!(
        "[redis]\nurl = \"{redis_url}\"\nkey_prefix = \"{prefix}\"\ntimeout_ms = 2000\nreconnect_min_ms = 20\nreconnect_max_ms = 200\n\n[behave.ato]\nsecret = \"one secret for every gateway\"\n{sections}"
    );
    let (text, spec_dir) = spec_config(
        upstream.addr,
        spec,
        &["discover", "behave"],
        "publish_interval = \"100ms\"",
        &sections,
    );
    (TestGateway::start(&text).await, spec_dir)
}

/// A JSON login as `username` at `addr`: its status, the answer read to its
/// end. The test upstream lets it in when `ok`.
pub async fn login(addr: SocketAddr, username: &str, ok: bool) -> u16 {
    let request = Request::builder()
        .method("POST")
        .uri(if ok { "/login?ok" } else { "/login" })
        .header("host", "api.test")
        .header("content-type", "application/json")
        .body(full(format!(
            r#"{{"username": "{username}", "password": "guess"}}"#
        )))
        .unwrap();
    let response = send(addr, request).await;
    let status = response.status().as_u16();
    body_text(response).await;
    status
}

/// An (unsigned) bearer JWT naming `user`, as the gateway reads identities.
pub fn bearer(user: &str) -> String {
    use base64::Engine as _;
    let claims =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{user}"}}"#));
    format!("Bearer eyJhbGciOiJIUzI1NiJ9.{claims}.c2ln")
}

/// Waits until discovery published each `(template, function)` (it infers
/// business functions from traffic).
pub async fn wait_for_functions(gateway: &TestGateway, expected: &[(&str, &str)]) {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        last = gateway.inventory();
        let endpoints = last["endpoints"].as_array().cloned().unwrap_or_default();
        let published = expected.iter().all(|(template, function)| {
            endpoints
                .iter()
                .any(|e| e["template"] == *template && e["function"] == *function)
        });
        if published {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{expected:?} never published: {last}");
}

/// One HTTP/1.1 request on a fresh connection.
pub async fn send(addr: SocketAddr, request: Request<BoxBody>) -> Response<Incoming> {
    try_send(addr, request).await.unwrap()
}

/// One HTTP/1.1 request on a fresh connection, which may fail.
pub async fn try_send(
    addr: SocketAddr,
    request: Request<BoxBody>,
) -> Result<Response<Incoming>, hyper::Error> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    sender.send_request(request).await
}

pub async fn get(addr: SocketAddr, path: &str) -> Response<Incoming> {
    send(
        addr,
        Request::get(path)
            .header("host", "test.local")
            .body(full(""))
            .unwrap(),
    )
    .await
}

/// Whether the gateway closes a new connection without answering a request
/// on it (a banned peer).
pub async fn refused_at_accept(addr: SocketAddr) -> bool {
    let request = Request::get("/ok")
        .header("host", "test.local")
        .body(full(""))
        .unwrap();
    try_send(addr, request).await.is_err()
}

pub async fn body_text(response: Response<Incoming>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub async fn body_json(response: Response<Incoming>) -> serde_json::Value {
    let text = body_text(response).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Writes raw bytes and reads until the peer closes or 3 s pass.
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    read_until_close(&mut stream, Duration::from_secs(3)).await
}

pub async fn read_until_close(stream: &mut TcpStream, limit: Duration) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The sources of an event's reasons, in order.
pub fn reason_sources(event: &serde_json::Value) -> Vec<&str> {
    event["reasons"]
        .as_array()
        .map(|reasons| {
            reasons
                .iter()
                .filter_map(|r| r["source"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The value of an echoed request header, as the upstream saw it.
pub fn echoed_header(echo: &serde_json::Value, name: &str) -> Option<String> {
    echo["headers"]
        .as_array()?
        .iter()
        .find(|pair| pair[0].as_str() == Some(name))
        .and_then(|pair| pair[1].as_str().map(str::to_owned))
}

/// An HTTP/2 (prior knowledge) client connection, and the task driving it.
pub async fn h2_connect<B>(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http2::SendRequest<B>,
    tokio::task::JoinHandle<Result<(), hyper::Error>>,
)
where
    B: http_body::Body + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) =
        hyper::client::conn::http2::handshake(executor(), TokioIo::new(stream))
            .await
            .unwrap();
    (sender, tokio::spawn(connection))
}

pub fn executor() -> TokioExecutor {
    TokioExecutor::new()
}
