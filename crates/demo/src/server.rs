//! The demo API on the wire: an HTTP/1.1 server (hyper) that reads each request
//! body within bounds, hands the request to [`DemoApi::handle`], and writes the
//! JSON reply. Connections are capped and shut down gracefully.

use crate::api::{ApiReply, ApiRequest, DemoApi, MAX_BODY_BYTES};
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rampart_core::SystemClock;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The seed [`serve`] generates its data from; the walkthrough's ids and
/// credentials hold for it.
pub const DEFAULT_SEED: u64 = 2024;
/// Connections served at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 1024;
/// A client must send its request head within this.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// ... and its body within this.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// In-flight requests get this long to finish once shutdown is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Pause after a failed accept (e.g. out of file descriptors) before retrying.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves the demo API (data from [`DEFAULT_SEED`], real clock) on `listener`
/// until `shutdown` completes, then lets in-flight requests finish for up to
/// five seconds and returns.
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let api = Arc::new(DemoApi::new(DEFAULT_SEED, Arc::new(SystemClock)));
    serve_api(listener, api, shutdown).await;
}

/// Like [`serve`], with a caller-built API (another seed, a test clock).
pub async fn serve_api(
    listener: TcpListener,
    api: Arc<DemoApi>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                tracing::warn!(%error, "demo API: accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(
                limit = MAX_CONNECTIONS,
                "demo API: connection limit reached, closing"
            );
            continue;
        };
        let api = Arc::clone(&api);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(
                TokioIo::new(stream),
                service_fn(move |request| respond(Arc::clone(&api), request)),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "demo API: connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("demo API: connections still open after the shutdown grace period");
    }
}

async fn respond(
    api: Arc<DemoApi>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let declared_too_large = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|len| len > MAX_BODY_BYTES as u64);
    let reply = if declared_too_large {
        body_too_large()
    } else {
        match tokio::time::timeout(
            BODY_READ_TIMEOUT,
            Limited::new(body, MAX_BODY_BYTES).collect(),
        )
        .await
        {
            Err(_) => ApiReply::error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request body was not received in time",
            ),
            Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => body_too_large(),
            Ok(Err(_)) => ApiReply::bad_request("the request body could not be read"),
            Ok(Ok(collected)) => {
                let body = collected.to_bytes();
                api.handle(&ApiRequest {
                    method: &parts.method,
                    path: parts.uri.path(),
                    query: parts.uri.query(),
                    headers: &parts.headers,
                    body: &body,
                })
            }
        }
    };
    Ok(to_response(reply))
}

fn body_too_large() -> ApiReply {
    ApiReply::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("request body larger than {MAX_BODY_BYTES} bytes"),
    )
}

fn to_response(reply: ApiReply) -> Response<Full<Bytes>> {
    let body = Bytes::from(reply.body_bytes());
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        headers.insert(name, value);
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
