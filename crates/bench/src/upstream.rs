//! The origin every configuration forwards to: a minimal HTTP/1.1 keep-alive
//! server (hyper) that reads each request body and answers a small fixed JSON
//! body, on its own tokio runtime inside the harness so that it costs the
//! same in every configuration.

use anyhow::{Context, Result};
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::runtime::Runtime;

/// What the upstream answers to every request.
pub const BODY: &[u8] = br#"{"id":42,"name":"bench","status":"ok","tags":["a","b"]}"#;

/// The name of the upstream's threads (the harness counts their CPU time).
pub const THREAD_NAME: &str = "bench-upstream";

const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// A running upstream; stops (runtime shut down) when dropped.
pub struct Upstream {
    pub addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl Upstream {
    /// Binds 127.0.0.1 on a free port and serves with `threads` worker threads.
    pub fn start(threads: usize) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(THREAD_NAME)
            .enable_all()
            .build()
            .context("starting the upstream runtime")?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .context("binding the upstream listener")?;
        let addr = listener.local_addr()?;
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                };
                // Latency matters more than packet count here, as for any API.
                stream.set_nodelay(true).ok();
                tokio::spawn(
                    http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(answer)),
                );
            }
        });
        Ok(Upstream {
            addr,
            runtime: Some(runtime),
        })
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Reads the whole request body (as an API would before answering; it also
/// keeps the connection reusable) and answers [`BODY`].
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // A body cut short is the proxy's problem, measured as such: answer anyway.
    let _ = request.into_body().collect().await;
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
