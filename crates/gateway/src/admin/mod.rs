//! The admin listener (default 127.0.0.1:9090): Prometheus metrics,
//! liveness and readiness, served here so that they work whatever else runs;
//! every other path goes to the admin API a caller injects (the console's
//! `/api/`, see [`AdminApi`]), which the gateway does not depend on. Kept
//! apart from client listeners so it can stay on loopback.

use crate::proxy::Shared;
use crate::telemetry;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_discover::findings::Severity;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub mod bans;
pub mod ingest;

/// The error of an admin response body that streams.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// An admin response body: whole or streamed (Server-Sent Events).
pub type AdminBody = UnsyncBoxBody<Bytes, BoxError>;
/// What [`AdminApi::call`] returns.
pub type AdminFuture = Pin<Box<dyn Future<Output = Response<AdminBody>> + Send>>;

/// The admin API served beside metrics and health: every request whose
/// path is not `/metrics`, `/healthz` or `/readyz`. The request carries the
/// peer's address as an [`AdminPeer`] extension.
pub trait AdminApi: Send + Sync + 'static {
    fn call(&self, request: Request<Incoming>) -> AdminFuture;
}

/// Builds the admin API once the gateway's state exists (at start).
pub type AdminApiFactory = Box<dyn FnOnce(Arc<AdminState>) -> Arc<dyn AdminApi> + Send>;

/// The address an admin request came from (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminPeer(pub SocketAddr);

/// What the admin endpoints read.
pub struct AdminState {
    pub shared: Arc<Shared>,
    /// False once draining starts: load balancers should stop sending traffic.
    pub ready: AtomicBool,
    /// Turns true when the gateway stops: long answers (event streams) end.
    pub stopping: watch::Receiver<bool>,
    /// The configuration file as the policy endpoints manage it.
    pub policy: Arc<crate::policy_admin::PolicyAdmin>,
}

pub async fn serve(
    listener: TcpListener,
    state: Arc<AdminState>,
    api: Option<Arc<dyn AdminApi>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let Ok((stream, peer)) = accepted else {
            continue;
        };
        let state = Arc::clone(&state);
        let api = api.clone();
        tokio::spawn(async move {
            let service = service_fn(move |mut request: Request<Incoming>| {
                let state = Arc::clone(&state);
                let api = api.clone();
                request.extensions_mut().insert(AdminPeer(peer));
                async move {
                    Ok::<_, std::convert::Infallible>(answer(&state, api.as_deref(), request).await)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    state: &AdminState,
    api: Option<&dyn AdminApi>,
    request: Request<Incoming>,
) -> Response<AdminBody> {
    let path = request.uri().path();
    let own = matches!(path, "/metrics" | "/healthz" | "/readyz");
    match api {
        Some(api) if !own => return api.call(request).await,
        None if !own => {
            return text(
                StatusCode::NOT_FOUND,
                "not found: try /metrics, /healthz or /readyz\n",
            )
        }
        _ => {}
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
        _ => {
            if state.ready.load(Ordering::Relaxed) {
                text(StatusCode::OK, "ready\n")
            } else {
                text(StatusCode::SERVICE_UNAVAILABLE, "draining\n")
            }
        }
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
        metrics::gauge!(telemetry::DISCOVERY_LEARNED_CONTRACTS)
            .set(stats.learned_contracts.load(Ordering::Relaxed) as f64);
        for (severity, count) in Severity::ALL.iter().zip(&stats.findings) {
            metrics::gauge!(telemetry::DISCOVERY_FINDINGS, "severity" => severity.as_str())
                .set(count.load(Ordering::Relaxed) as f64);
        }
    }
    if let Some(recorder) = &state.shared.services.recorder {
        let stats = &recorder.stats;
        metrics::counter!(telemetry::RECORD_WRITTEN)
            .absolute(stats.written.load(Ordering::Relaxed));
        metrics::counter!(telemetry::RECORD_DROPPED)
            .absolute(stats.dropped.load(Ordering::Relaxed));
        metrics::counter!(telemetry::RECORD_WRITE_ERRORS)
            .absolute(stats.write_errors.load(Ordering::Relaxed));
    }
    let runtime = state.shared.runtime.load();
    if let Some(behave) = &runtime.behave {
        refresh_behave(behave);
    }
    if let Some(bots) = &runtime.bots {
        let stats = bots.stats();
        metrics::gauge!(telemetry::BOTS_TRACKED).set(stats.clients as f64);
        metrics::gauge!(telemetry::BOTS_COVERAGE).set(stats.endpoints as f64);
        let removed = stats.clients_removed;
        metrics::counter!(telemetry::BOTS_REMOVED, "why" => "evicted").absolute(removed.evicted);
        metrics::counter!(telemetry::BOTS_REMOVED, "why" => "expired").absolute(removed.expired);
    }
    for upstream in &runtime.upstreams {
        metrics::gauge!(telemetry::UPSTREAM_UP, "upstream" => upstream.spec.name.clone())
            .set(upstream.healthy_addresses() as f64);
    }
}

/// What one detector holds (`what`: count) and what its bounds removed
/// (`what`: removals), under its two metric names.
fn refresh_detector(
    (tracked_name, removed_name): (&'static str, &'static str),
    tracked: &[(&'static str, usize)],
    removed: &[(&'static str, rampart_behave::Removals)],
    dropped: (&'static str, u64),
) {
    for (what, count) in tracked {
        metrics::gauge!(tracked_name, "what" => *what).set(*count as f64);
    }
    for (what, removals) in removed {
        metrics::counter!(removed_name, "what" => *what, "why" => "evicted")
            .absolute(removals.evicted);
        metrics::counter!(removed_name, "what" => *what, "why" => "expired")
            .absolute(removals.expired);
    }
    metrics::counter!(removed_name, "what" => dropped.0, "why" => "evicted").absolute(dropped.1);
}

/// What each behaviour detector holds and what its bounds removed.
fn refresh_behave(behave: &crate::stages::behave::BehaveRuntime) {
    let bola = behave.stats();
    refresh_detector(
        (telemetry::BOLA_TRACKED, telemetry::BOLA_REMOVED),
        &[("principals", bola.principals), ("objects", bola.objects)],
        &[
            ("principals", bola.principals_removed),
            ("shown_ids", bola.shown_ids_removed),
            ("walks", bola.walks_removed),
            ("objects", bola.objects_removed),
        ],
        ("walk_steps", bola.walk_steps_dropped),
    );
    let ato = behave.ato_stats();
    refresh_detector(
        (telemetry::ATO_TRACKED, telemetry::ATO_REMOVED),
        &[("sources", ato.sources), ("accounts", ato.accounts)],
        &[
            ("sources", ato.sources_removed),
            ("accounts", ato.accounts_removed),
        ],
        ("attempts", ato.attempts_dropped),
    );
    if let Some(shared) = behave.ato_shared_stats() {
        for (what, value) in [
            ("tallied", shared.tallied),
            ("recorded", shared.recorded),
            ("fallbacks", shared.fallbacks),
            ("attempts_dropped", shared.attempts_dropped),
        ] {
            metrics::counter!(telemetry::ATO_SHARED, "what" => what).absolute(value);
        }
    }
    for (detector, shared) in behave.flood_shared_stats() {
        for (what, value) in [
            ("counted", shared.counted),
            ("fallbacks", shared.fallbacks),
            ("requests_dropped", shared.requests_dropped),
        ] {
            metrics::counter!(telemetry::FLOOD_SHARED, "detector" => detector, "what" => what)
                .absolute(value);
        }
    }
    for (names, stats) in [
        (
            (telemetry::SIGNUP_TRACKED, telemetry::SIGNUP_REMOVED),
            behave.signup_stats(),
        ),
        (
            (telemetry::OTP_TRACKED, telemetry::OTP_REMOVED),
            behave.otp_stats(),
        ),
    ] {
        refresh_detector(
            names,
            &[("sources", stats.sources), ("subjects", stats.subjects)],
            &[
                ("sources", stats.sources_removed),
                ("subjects", stats.subjects_removed),
            ],
            ("requests", stats.entries_dropped),
        );
    }
    let bfla = behave.bfla_stats();
    refresh_detector(
        (telemetry::BFLA_TRACKED, telemetry::BFLA_REMOVED),
        &[("principals", bfla.principals)],
        &[
            ("principals", bfla.principals_removed),
            ("denials", bfla.denials_removed),
        ],
        ("denial_strikes", bfla.denials_dropped),
    );
    let slow = behave.slow_stats();
    refresh_detector(
        (telemetry::SLOW_TRACKED, telemetry::SLOW_REMOVED),
        &[("endpoints", slow.endpoints), ("clients", slow.clients)],
        &[
            ("endpoints", slow.endpoints_removed),
            ("clients", slow.clients_removed),
        ],
        ("strikes", slow.strikes_dropped),
    );
    let exposure = behave.exposure_stats();
    refresh_detector(
        (telemetry::EXPOSURE_TRACKED, telemetry::EXPOSURE_REMOVED),
        &[
            ("endpoints", exposure.endpoints),
            ("clients", exposure.clients),
        ],
        &[
            ("endpoints", exposure.endpoints_removed),
            ("clients", exposure.clients_removed),
        ],
        ("strikes", exposure.strikes_dropped),
    );
    let enumeration = behave.enumeration_stats();
    refresh_detector(
        (
            telemetry::ENUMERATION_TRACKED,
            telemetry::ENUMERATION_REMOVED,
        ),
        &[("sources", enumeration.sources)],
        &[
            ("sources", enumeration.sources_removed),
            ("leaking_endpoints", enumeration.leaking_removed),
        ],
        ("answers", enumeration.answers_dropped),
    );
    metrics::gauge!(telemetry::ENUMERATION_LEAKING).set(enumeration.leaking_endpoints as f64);
    if let Some(anomaly) = behave.anomaly_stats() {
        refresh_anomaly(&anomaly);
    }
}

/// What the anomaly model holds, removed and learned.
fn refresh_anomaly(anomaly: &rampart_behave::anomaly::AnomalyStats) {
    refresh_detector(
        (telemetry::ANOMALY_TRACKED, telemetry::ANOMALY_REMOVED),
        &[
            ("endpoints", anomaly.endpoints),
            ("parameters", anomaly.parameters),
            ("clients", anomaly.clients),
        ],
        &[
            ("endpoints", anomaly.endpoints_removed),
            ("parameters", anomaly.parameters_removed),
        ],
        ("clients", anomaly.clients_dropped),
    );
    for (outcome, count) in [
        ("learned", anomaly.values_learned),
        ("client_cap", anomaly.values_capped),
        ("odd", anomaly.values_odd),
    ] {
        metrics::counter!(telemetry::ANOMALY_VALUES, "outcome" => outcome).absolute(count);
    }
    metrics::counter!(telemetry::ANOMALY_UNUSUAL_MINUTES).absolute(anomaly.unusual_minutes);
    metrics::counter!(telemetry::ANOMALY_RELEARNED).absolute(anomaly.relearned);
    metrics::counter!(telemetry::ANOMALY_SKIPPED).absolute(anomaly.exchanges_skipped);
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<AdminBody> {
    let mut response = Response::new(
        Full::new(body.into())
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response
}
