//! The admin listener (default 127.0.0.1:9090): Prometheus metrics, liveness
//! and readiness, and, behind a bearer token, the API inventory and the
//! ingestion endpoint for mirrored traffic (passive mode). Kept apart from
//! client listeners so it can stay on loopback.

use crate::proxy::Shared;
use crate::telemetry;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_discover::findings::Severity;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub mod bans;
pub mod ingest;

/// What the admin endpoints read.
pub struct AdminState {
    pub shared: Arc<Shared>,
    /// False once draining starts: load balancers should stop sending traffic.
    pub ready: AtomicBool,
}

pub async fn serve(listener: TcpListener, state: Arc<AdminState>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = Arc::clone(&state);
                async move { Ok::<_, std::convert::Infallible>(answer(&state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(state: &AdminState, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    if path == "/ingest" || path == "/inventory" || path == "/inventory/decisions" {
        return ingest::answer(state, request).await;
    }
    if path == "/bans" {
        return bans::answer(state, request).await;
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    match path {
        "/metrics" => {
            refresh_gauges(state);
            let mut response = text(StatusCode::OK, telemetry::prometheus().render());
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" => {
            if state.ready.load(Ordering::Relaxed) {
                text(StatusCode::OK, "ready\n")
            } else {
                text(StatusCode::SERVICE_UNAVAILABLE, "draining\n")
            }
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: try /metrics, /healthz, /readyz, /inventory, /ingest or /bans\n",
        ),
    }
}

/// Values kept elsewhere (event sink counters, upstream health) are copied
/// into the registry just before it is rendered.
fn refresh_gauges(state: &AdminState) {
    if let Some(events) = &state.shared.events {
        let stats = events.stats();
        metrics::counter!(telemetry::EVENTS_DROPPED).absolute(stats.dropped);
        metrics::counter!(telemetry::EVENTS_WRITTEN).absolute(stats.written);
    } else {
        metrics::counter!(telemetry::EVENTS_DROPPED).absolute(0);
    }
    if let Some(discovery) = &state.shared.services.discovery {
        let stats = &discovery.stats;
        metrics::counter!(telemetry::DISCOVERY_OBSERVED)
            .absolute(stats.observed.load(Ordering::Relaxed));
        metrics::counter!(telemetry::DISCOVERY_DROPPED)
            .absolute(stats.dropped.load(Ordering::Relaxed));
        metrics::counter!(telemetry::DISCOVERY_PERSIST_ERRORS)
            .absolute(stats.persist_errors.load(Ordering::Relaxed));
        metrics::counter!(telemetry::DISCOVERY_OVERFLOWED)
            .absolute(stats.overflowed_paths.load(Ordering::Relaxed));
        metrics::counter!(telemetry::DISCOVERY_UNROUTED)
            .absolute(stats.unrouted.load(Ordering::Relaxed));
        for (severity, count) in Severity::ALL.iter().zip(&stats.findings) {
            metrics::gauge!(telemetry::DISCOVERY_FINDINGS, "severity" => severity.as_str())
                .set(count.load(Ordering::Relaxed) as f64);
        }
    }
    let runtime = state.shared.runtime.load();
    if let Some(behave) = &runtime.behave {
        refresh_bola(&behave.stats());
        refresh_ato(&behave.ato_stats());
    }
    if let Some(bots) = &runtime.bots {
        let stats = bots.stats();
        metrics::gauge!(telemetry::BOTS_TRACKED).set(stats.clients as f64);
        let removed = stats.clients_removed;
        metrics::counter!(telemetry::BOTS_REMOVED, "why" => "evicted").absolute(removed.evicted);
        metrics::counter!(telemetry::BOTS_REMOVED, "why" => "expired").absolute(removed.expired);
    }
    for upstream in &runtime.upstreams {
        metrics::gauge!(telemetry::UPSTREAM_UP, "upstream" => upstream.spec.name.clone())
            .set(upstream.healthy_addresses() as f64);
    }
}

/// What the BOLA detector holds, and what its bounds removed.
fn refresh_bola(stats: &rampart_behave::bola::BolaStats) {
    metrics::gauge!(telemetry::BOLA_TRACKED, "what" => "principals").set(stats.principals as f64);
    metrics::gauge!(telemetry::BOLA_TRACKED, "what" => "objects").set(stats.objects as f64);
    for (what, removed) in [
        ("principals", stats.principals_removed),
        ("shown_ids", stats.shown_ids_removed),
        ("walks", stats.walks_removed),
        ("objects", stats.objects_removed),
    ] {
        metrics::counter!(telemetry::BOLA_REMOVED, "what" => what, "why" => "evicted")
            .absolute(removed.evicted);
        metrics::counter!(telemetry::BOLA_REMOVED, "what" => what, "why" => "expired")
            .absolute(removed.expired);
    }
    metrics::counter!(telemetry::BOLA_REMOVED, "what" => "walk_steps", "why" => "evicted")
        .absolute(stats.walk_steps_dropped);
}

/// What the account-takeover detector holds, and what its bounds removed.
fn refresh_ato(stats: &rampart_behave::ato::AtoStats) {
    metrics::gauge!(telemetry::ATO_TRACKED, "what" => "sources").set(stats.sources as f64);
    metrics::gauge!(telemetry::ATO_TRACKED, "what" => "accounts").set(stats.accounts as f64);
    for (what, removed) in [
        ("sources", stats.sources_removed),
        ("accounts", stats.accounts_removed),
    ] {
        metrics::counter!(telemetry::ATO_REMOVED, "what" => what, "why" => "evicted")
            .absolute(removed.evicted);
        metrics::counter!(telemetry::ATO_REMOVED, "what" => what, "why" => "expired")
            .absolute(removed.expired);
    }
    metrics::counter!(telemetry::ATO_REMOVED, "what" => "attempts", "why" => "evicted")
        .absolute(stats.attempts_dropped);
}

pub(crate) fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

/// The admin token check of the endpoints that change or reveal state:
/// refused when no `admin.token` is configured or the request does not
/// carry it as a bearer token (compared in constant time).
pub(crate) fn refused_without_token(
    state: &AdminState,
    request: &Request<Incoming>,
) -> Option<Response<Full<Bytes>>> {
    let config = state.shared.runtime.load().config.clone();
    let Some(token) = config.admin_token.as_deref() else {
        return Some(text(
            StatusCode::FORBIDDEN,
            "set admin.token in the configuration to enable this endpoint\n",
        ));
    };
    let sent = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let (a, b) = (sent.as_bytes(), token.as_bytes());
    if a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0 {
        return None;
    }
    let mut refusal = text(
        StatusCode::UNAUTHORIZED,
        "a valid `Authorization: Bearer <admin.token>` is required\n",
    );
    refusal.headers_mut().insert(
        http::header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Bearer"),
    );
    Some(refusal)
}

pub(crate) fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = text(status, body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// A request body of at most `max_bytes`, or why it could not be read
/// (answered with 413).
pub(crate) async fn bounded_body(
    request: Request<Incoming>,
    max_bytes: usize,
) -> Result<Bytes, String> {
    use http_body_util::{BodyExt, Limited};
    match Limited::new(request.into_body(), max_bytes).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => Err(format!(
            "the body could not be read within {max_bytes} bytes: {e}\n"
        )),
    }
}
