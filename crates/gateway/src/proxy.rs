//! One exchange, phase by phase: framing checks, routing, limits, the
//! pipeline's request phases, forwarding to the upstream, the response
//! phases, and the exchange's tail (logging phase, metrics, security event).

use crate::body::{ForwardBody, RequestBodyError, ResponseBody};
use crate::body_inspection::{continue_scan, VerdictSlot};
use crate::client_io::ConnectionSignals;
use crate::config::RouteLimits;
use crate::exchange_event::{self, EventFilter};
use crate::forwarding::{self, RequestIds};
use crate::framing;
use crate::h1::{ExchangeError, ResponseHead, UpstreamBody};
use crate::log_limit::LogLimiter;
use crate::paced_body::{PacedBody, TooSlow};
use crate::pipeline::{BodyView, ExchangeContext, Outcome};
use crate::problem::{problem_body, PROBLEM_CONTENT_TYPE};
use crate::runtime::{RouteRuntime, Runtime, Services};
use crate::stages::detect::{act_on, PendingScan};
use crate::telemetry;
use crate::upstream::{ConnectError, PooledConnection};
use arc_swap::ArcSwap;
use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode, Version};
use http_body::Body;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use rampart_core::{Action, Clock, Reason, SystemClock};
use rampart_store::EventSender;
use std::net::SocketAddr;
use std::sync::Arc;

/// State shared by every connection of a gateway.
pub struct Shared {
    pub runtime: ArcSwap<Runtime>,
    pub ids: RequestIds,
    pub events: Option<EventSender>,
    /// Which exchanges become events (`[events]`, read at start).
    pub event_filter: EventFilter,
    pub services: Services,
    /// Outcomes since the last minute was recorded (console statistics).
    pub traffic: Arc<crate::traffic::TrafficTally>,
}

/// What the gateway knows of the client connection a request arrived on.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub peer: SocketAddr,
    /// The peer as this hop's forwarding headers name it.
    pub hop: forwarding::HopPeer,
    pub tls: bool,
    /// The JA4 fingerprint of the TLS client, when its ClientHello could
    /// be read (`crate::tls::capture`).
    pub ja4: Option<Arc<str>>,
    pub signals: Arc<ConnectionSignals>,
}

impl ConnectionInfo {
    pub fn new(peer: SocketAddr, tls: bool) -> Self {
        ConnectionInfo {
            peer,
            hop: forwarding::HopPeer::new(peer.ip()),
            tls,
            ja4: None,
            signals: Arc::default(),
        }
    }
}

/// Why forwarding failed, and the answer the client gets.
#[derive(Debug, thiserror::Error)]
enum ForwardError {
    #[error("no upstream address accepted a connection: {0}")]
    Connect(ConnectError),
    #[error("the upstream has no address")]
    NoAddress,
    #[error("the upstream did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the upstream failed: {0}")]
    Upstream(ExchangeError),
    #[error("request body is larger than the route's limit of {0} bytes")]
    BodyTooLarge(u64),
    #[error("the request body could not be read: {0}")]
    ClientBody(String),
    #[error(transparent)]
    ClientTooSlow(TooSlow),
    /// Attack detection blocked the body while it streamed.
    #[error("the request body was blocked while it streamed")]
    Blocked,
}

impl ForwardError {
    fn status(&self) -> u16 {
        match self {
            ForwardError::Connect(_) | ForwardError::NoAddress | ForwardError::Upstream(_) => 502,
            ForwardError::Timeout(_) => 504,
            ForwardError::BodyTooLarge(_) => 413,
            ForwardError::ClientBody(_) => 400,
            ForwardError::ClientTooSlow(_) => 408,
            ForwardError::Blocked => 403,
        }
    }

    /// What the client is told: the request's own faults in full, the
    /// upstream's only in general terms (addresses and internal errors go
    /// to the log and the event, never to the client).
    fn public_detail(&self) -> String {
        match self {
            ForwardError::Connect(_) | ForwardError::NoAddress => {
                "the upstream could not be reached".to_owned()
            }
            ForwardError::Timeout(_) => "the upstream did not answer in time".to_owned(),
            ForwardError::Upstream(_) => "the upstream's answer could not be used".to_owned(),
            ForwardError::BodyTooLarge(_)
            | ForwardError::ClientBody(_)
            | ForwardError::ClientTooSlow(_)
            | ForwardError::Blocked => self.to_string(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ForwardError::Connect(_) | ForwardError::NoAddress => "connect",
            ForwardError::Timeout(_) => "timeout",
            ForwardError::Upstream(_) => "protocol",
            ForwardError::BodyTooLarge(_)
            | ForwardError::ClientBody(_)
            | ForwardError::ClientTooSlow(_)
            | ForwardError::Blocked => "request_body",
        }
    }
}

impl From<ExchangeError> for ForwardError {
    /// A failed exchange is the client's fault when its request body failed.
    fn from(error: ExchangeError) -> ForwardError {
        match error {
            ExchangeError::RequestBody(RequestBodyError::TooLarge { limit }) => {
                ForwardError::BodyTooLarge(limit)
            }
            ExchangeError::RequestBody(RequestBodyError::Client(e)) => {
                ForwardError::ClientBody(e.to_string())
            }
            ExchangeError::RequestBody(RequestBodyError::TooSlow(why)) => {
                ForwardError::ClientTooSlow(why)
            }
            ExchangeError::RequestBody(RequestBodyError::Blocked) => ForwardError::Blocked,
            other => ForwardError::Upstream(other),
        }
    }
}

/// Handles one request from a client connection. Never fails: every problem
/// becomes a response.
pub async fn handle(
    shared: Arc<Shared>,
    connection: ConnectionInfo,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, std::convert::Infallible> {
    let runtime = shared.runtime.load_full();
    let (mut parts, body) = request.into_parts();
    let server = &runtime.config.server;
    let answers = Answers {
        shared: &shared,
        request_id_header: &server.request_id_header,
    };
    let peer_trusted = server.trusted_proxies.contains(connection.peer.ip());
    let request_id = shared
        .ids
        .keep_or_new(parts.headers.get(&server.request_id_header), peer_trusted);
    let host = request_host(&parts);
    let mut ctx = ExchangeContext::new(
        request_id,
        forwarding::client_ip(
            connection.peer.ip(),
            &parts.headers,
            &server.trusted_proxies,
        ),
        connection.peer,
        parts.method.clone(),
        host,
        parts.uri.path().to_string(),
    );

    ctx.ja4 = connection.ja4.clone();
    ctx.header_casing = connection.signals.take_head_casing();

    let ambiguity = if connection.signals.take_ambiguous_head() {
        Some(framing::BOTH_LENGTHS)
    } else {
        framing::ambiguity(parts.version, &parts.uri, &parts.headers)
    };
    if let Some(why) = ambiguity {
        metrics::counter!(telemetry::REFUSED, "reason" => "ambiguous_framing").increment(1);
        ctx.reasons
            .push(Reason::new("protocol.framing", "headers", why, 100.0));
        return Ok(answers.refuse(None, ctx, 400, why, "block"));
    }
    forwarding::host_from_target(&mut parts);
    let Some(route_index) = runtime.router.route(&ctx.host, &ctx.path) else {
        metrics::counter!(telemetry::REFUSED, "reason" => "no_route").increment(1);
        return Ok(answers.refuse(
            None,
            ctx,
            404,
            "no route matches this host and path",
            "allow",
        ));
    };
    let route = Arc::clone(&runtime.routes[route_index]);
    ctx.route = Arc::clone(&route.name);
    let limits = route.spec.limits;

    let declared_length = declared_length(&parts.headers);
    if let Some(over) = over_limit(&limits, &parts, declared_length) {
        return Ok(answers.refuse(Some(&route), ctx, over.status, over.detail, "allow"));
    }
    if let Action::Block {
        status,
        body,
        headers,
    } = route.pipeline.request_headers(&mut ctx, &parts)
    {
        return Ok(answers.blocked(&route, ctx, status, body, headers));
    }

    let forward_body = if body.is_end_stream() {
        ForwardBody::Empty
    } else {
        match buffer_prefix(
            PacedBody::new(body, server.body_pace),
            limits.inspect_body_bytes,
            limits.max_body_bytes,
            declared_length,
        )
        .await
        {
            Ok(forward_body) => forward_body,
            Err(RequestBodyError::TooLarge { .. }) => {
                return Ok(answers.body_too_large(&route, ctx))
            }
            Err(RequestBodyError::TooSlow(why)) => {
                return Ok(answers.too_slow(&route, ctx, why, parts.version))
            }
            // (`Blocked` comes only from a body inspected as it streams,
            // after this.)
            Err(e @ (RequestBodyError::Client(_) | RequestBodyError::Blocked)) => {
                ctx.reasons
                    .push(Reason::new("protocol.body", "body", e.to_string(), 0.0));
                return Ok(answers.refuse(
                    Some(&route),
                    ctx,
                    400,
                    "the request body could not be read",
                    "allow",
                ));
            }
        }
    };
    let (bytes, complete) = forward_body.inspectable(limits.inspect_body_bytes as usize);
    let view = BodyView { bytes, complete };
    let mut action = route.pipeline.request_body(&mut ctx, &parts, view);
    let mut forward_body = forward_body;
    let mut streamed_verdict = None;
    if let Some(pending) = ctx.extensions.remove::<PendingScan>() {
        if !action.is_terminal() {
            let (judged, slot) = continue_scan(pending, &mut forward_body, &mut ctx);
            streamed_verdict = slot;
            action = judged;
            if action == Action::Monitor {
                ctx.monitored = true;
            }
        }
    }
    if !action.is_terminal() {
        action = route.pipeline.settle(&mut ctx).await;
    }
    if let Action::Block {
        status,
        body,
        headers,
    } = action
    {
        return Ok(answers.blocked(&route, ctx, status, body, headers));
    }

    let upgrade = parts.version == Version::HTTP_11 && forwarding::wants_upgrade(&parts.headers);
    let client_upgrade = upgrade
        .then(|| parts.extensions.remove::<hyper::upgrade::OnUpgrade>())
        .flatten();
    let mut upstream_request = upstream_request(
        &mut parts,
        forward_body,
        &ctx,
        &connection,
        upgrade,
        &runtime,
    );

    let sent = std::time::Instant::now();
    let sent_result = send(&route, &mut upstream_request).await;
    if let Some(verdict) = streamed_verdict.as_ref().and_then(VerdictSlot::take) {
        match act_on(&verdict, &mut ctx) {
            Action::Block {
                status,
                body,
                headers,
            } => return Ok(answers.blocked(&route, ctx, status, body, headers)),
            Action::Monitor => ctx.monitored = true,
            _ => {}
        }
    }
    match sent_result {
        Err(ForwardError::ClientTooSlow(why)) => {
            Ok(answers.too_slow(&route, ctx, why, parts.version))
        }
        Err(error) => {
            let status = error.status();
            let kind = error.kind();
            if status >= 500 {
                metrics::counter!(telemetry::UPSTREAM_ERRORS, "upstream" => route.upstream.spec.name.clone(), "kind" => kind)
                    .increment(1);
                ctx.reasons.push(Reason::new(
                    format!("upstream.{kind}"),
                    "upstream",
                    error.to_string(),
                    0.0,
                ));
            }
            tracing::debug!(request_id = %ctx.request_id, %error, "forwarding failed");
            Ok(answers.refuse(Some(&route), ctx, status, &error.public_detail(), "allow"))
        }
        Ok((head, pooled)) => {
            ctx.upstream_took = Some(sent.elapsed());
            Ok(respond(
                shared,
                route,
                &runtime.config.server.request_id_header,
                ctx,
                Upstreamed {
                    head,
                    pooled,
                    client_upgrade,
                },
            ))
        }
    }
}

/// The authority the client asked for: `:authority` (HTTP/2) or `Host`,
/// lowercased.
fn request_host(parts: &http::request::Parts) -> String {
    let authority = parts.uri.authority().map(|a| a.as_str()).or_else(|| {
        parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
    });
    let mut host = authority.unwrap_or_default().to_owned();
    host.make_ascii_lowercase();
    host
}

/// A request the route's size limits refuse before any stage sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverLimit {
    pub status: u16,
    pub detail: &'static str,
}

const HEAD_TOO_LARGE: OverLimit = OverLimit {
    status: 431,
    detail: "request headers are larger than this route allows",
};

const BODY_TOO_LARGE: OverLimit = OverLimit {
    status: 413,
    detail: "request body is larger than this route allows",
};

/// The route's size limits on a request head and a body of `body_len`
/// bytes, when that is known: 431 for the head, 413 for the body. Live
/// traffic (declared length) and replayed records (the recorded body) are
/// judged by this one rule.
pub(crate) fn over_limit(
    limits: &RouteLimits,
    parts: &http::request::Parts,
    body_len: Option<u64>,
) -> Option<OverLimit> {
    if head_size(parts) > limits.max_header_bytes {
        return Some(HEAD_TOO_LARGE);
    }
    body_len
        .filter(|len| *len > limits.max_body_bytes)
        .map(|_| BODY_TOO_LARGE)
}

/// Bytes of the request head as the route's header limit counts them.
fn head_size(parts: &http::request::Parts) -> u64 {
    let line = parts.method.as_str().len()
        + parts.uri.path_and_query().map_or(1, |p| p.as_str().len())
        + 12;
    let fields: usize = parts
        .headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    (line + fields) as u64
}

fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Reads the start of the request body, up to the inspection size, before
/// anything is forwarded: the pipeline sees it, and a body that fails to
/// parse (bad chunk framing) or exceeds the limit early is refused before the
/// upstream sees a byte.
async fn buffer_prefix(
    mut body: PacedBody,
    inspect_bytes: u64,
    max_body_bytes: u64,
    declared_length: Option<u64>,
) -> Result<ForwardBody, RequestBodyError> {
    let mut prefix = BytesMut::new();
    let mut trailers = None;
    while (prefix.len() as u64) < inspect_bytes.max(1) {
        match body.frame().await {
            None => {
                return Ok(ForwardBody::Full {
                    data: (!prefix.is_empty()).then(|| prefix.freeze()),
                    trailers,
                })
            }
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    if (prefix.len() + data.len()) as u64 > max_body_bytes {
                        return Err(RequestBodyError::TooLarge {
                            limit: max_body_bytes,
                        });
                    }
                    prefix.extend_from_slice(&data);
                }
                Err(frame) => {
                    if let Ok(t) = frame.into_trailers() {
                        trailers = Some(t);
                    }
                }
            },
        }
        if body.is_end_stream() {
            return Ok(ForwardBody::Full {
                data: (!prefix.is_empty()).then(|| prefix.freeze()),
                trailers,
            });
        }
    }
    Ok(ForwardBody::Streaming {
        seen: prefix.len() as u64,
        prefix: Some(prefix.freeze()),
        rest: body,
        limit: max_body_bytes,
        exact_len: declared_length,
        inspection: None,
        held: std::collections::VecDeque::new(),
        ended: false,
    })
}

/// The request as the upstream receives it: origin-form URI, HTTP/1.1,
/// hop-by-hop headers removed, this hop appended, the request id set.
fn upstream_request(
    parts: &mut http::request::Parts,
    body: ForwardBody,
    ctx: &ExchangeContext,
    connection: &ConnectionInfo,
    upgrade: bool,
    runtime: &Runtime,
) -> Request<ForwardBody> {
    let mut headers = std::mem::take(&mut parts.headers);
    forwarding::strip_hop_by_hop(&mut headers, upgrade);
    if !headers.contains_key(header::HOST) {
        if let Ok(host) = HeaderValue::from_str(&ctx.host) {
            headers.insert(header::HOST, host);
        }
    }
    forwarding::append_forwarded(&mut headers, &connection.hop, &ctx.host, connection.tls);
    if let Ok(id) = HeaderValue::from_str(&ctx.request_id) {
        headers.insert(&runtime.config.server.request_id_header, id);
    }
    for (name, value) in &ctx.upstream_headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| http::uri::PathAndQuery::from_static("/"), Clone::clone);
    let mut request = Request::new(body);
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = http::Uri::from(path_and_query);
    *request.version_mut() = Version::HTTP_11;
    *request.headers_mut() = headers;
    request
}

/// Sends to the route's upstream: addresses in round-robin order, an address
/// that refuses the connection is marked down and the next one tried; a
/// reused keep-alive connection that closed under us is retried once on a
/// fresh connection when [`ExchangeError::may_retry`] says it is safe.
async fn send(
    route: &RouteRuntime,
    request: &mut Request<ForwardBody>,
) -> Result<(ResponseHead, PooledConnection), ForwardError> {
    let limits = route.spec.limits;
    let upstream = &route.upstream;
    let mut last_connect_error = None;
    for slot in upstream.candidates() {
        let mut connection = match slot.checkout(limits.connect_timeout).await {
            Ok(connection) => connection,
            Err(error) => {
                slot.mark_down(upstream.spec.unhealthy_for);
                metrics::counter!(telemetry::UPSTREAM_ERRORS, "upstream" => upstream.spec.name.clone(), "kind" => "connect")
                    .increment(1);
                if let Some(suppressed) =
                    UPSTREAM_DOWN_LOG.admit(&upstream.spec.name, std::time::Instant::now())
                {
                    tracing::warn!(upstream = %upstream.spec.name, %error, suppressed, "upstream address taken out");
                }
                last_connect_error = Some(error);
                continue;
            }
        };
        for attempt in 0..2 {
            let exchanged = tokio::time::timeout(
                limits.response_timeout,
                connection.connection.exchange(request),
            )
            .await;
            match exchanged {
                Err(_) => return Err(ForwardError::Timeout(limits.response_timeout)),
                Ok(Ok(head)) => return Ok((head, connection)),
                Ok(Err(error))
                    if attempt == 0
                        && connection.reused
                        && error.may_retry(request.method(), request.body()) =>
                {
                    tracing::debug!(%error, "reused upstream connection failed; sending again on a fresh one");
                    connection = slot
                        .connect(limits.connect_timeout)
                        .await
                        .map_err(ForwardError::Connect)?;
                }
                Ok(Err(error)) => return Err(error.into()),
            }
        }
    }
    Err(last_connect_error.map_or(ForwardError::NoAddress, ForwardError::Connect))
}

/// One warning per upstream and interval while its addresses refuse
/// connections (`suppressed`: the repeats not logged), not one per request.
static UPSTREAM_DOWN_LOG: std::sync::LazyLock<LogLimiter> =
    std::sync::LazyLock::new(|| LogLimiter::new(std::time::Duration::from_secs(10)));

/// What came back from the upstream, and what goes with it.
struct Upstreamed {
    head: ResponseHead,
    /// The connection the body is read from (or, after a 101, the tunnel's).
    pooled: PooledConnection,
    /// The client's side of a protocol switch it asked for.
    client_upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// Turns the upstream's response into the client's: response phases,
/// hop-by-hop headers removed, request id added, body streamed. Takes the
/// exchange's handles to the gateway and the route rather than cloning
/// them: their counts are shared by every worker's core.
fn respond(
    shared: Arc<Shared>,
    route: Arc<RouteRuntime>,
    request_id_header: &http::HeaderName,
    mut ctx: ExchangeContext,
    upstreamed: Upstreamed,
) -> Response<ResponseBody> {
    let Upstreamed {
        head,
        pooled,
        client_upgrade,
    } = upstreamed;
    let answers = Answers {
        shared: &shared,
        request_id_header,
    };
    let mut parts = head.parts;
    let switching = parts.status == StatusCode::SWITCHING_PROTOCOLS;
    let body = if switching {
        match client_upgrade {
            Some(client) => {
                tokio::spawn(tunnel(client, pooled.connection));
                None
            }
            None => {
                return answers.refuse(
                    Some(&route),
                    ctx,
                    502,
                    "the upstream switched protocols without being asked",
                    "allow",
                );
            }
        }
    } else {
        Some(UpstreamBody::new(pooled, head.framing))
    };
    forwarding::strip_hop_by_hop(&mut parts.headers, switching);
    if let Action::Block {
        status,
        body,
        headers,
    } = route.pipeline.response_headers(&mut ctx, &mut parts)
    {
        return answers.blocked(&route, ctx, status, body, headers);
    }
    if let Ok(id) = HeaderValue::from_str(&ctx.request_id) {
        parts.headers.insert(request_id_header, id);
    }
    let status = parts.status.as_u16();
    let action = if ctx.monitored { "monitor" } else { "allow" };
    let tail = ExchangeTail::new(shared, Some(route), ctx, status, action);
    let body = match body {
        Some(body) => ResponseBody::upstream(body, tail),
        None => ResponseBody::full(Bytes::new(), Some(tail)),
    };
    Response::from_parts(parts, body)
}

/// Copies bytes both ways once the client's side of an upgrade is done,
/// starting with what the upstream sent right after its 101.
async fn tunnel(client: hyper::upgrade::OnUpgrade, upstream: crate::h1::Connection) {
    use tokio::io::AsyncWriteExt;
    let client = match client.await {
        Ok(client) => client,
        Err(e) => {
            tracing::debug!(error = %e, "protocol upgrade failed");
            return;
        }
    };
    let mut client = hyper_util::rt::TokioIo::new(client);
    let (mut upstream, early) = upstream.into_upgraded();
    if let Err(e) = client.write_all(&early).await {
        tracing::debug!(error = %e, "upgraded connection ended with an error");
        return;
    }
    if let Err(e) = tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
        tracing::debug!(error = %e, "upgraded connection ended with an error");
    }
}

/// What the gateway's own answers (refusals, blocks) are made with: its
/// shared state, and the request-id header as named by the configuration the
/// request was routed with (a reload in between may rename it).
struct Answers<'a> {
    shared: &'a Arc<Shared>,
    request_id_header: &'a http::HeaderName,
}

impl Answers<'_> {
    /// The gateway's own answer with a problem document.
    fn refuse(
        &self,
        route: Option<&Arc<RouteRuntime>>,
        ctx: ExchangeContext,
        status: u16,
        detail: &str,
        action: &'static str,
    ) -> Response<ResponseBody> {
        let body = problem_body(status, detail, &ctx.request_id);
        let headers = vec![("content-type".to_string(), PROBLEM_CONTENT_TYPE.to_string())];
        self.own_response(route, ctx, status, body, headers, action)
    }

    /// 413: the body is over the route's limit (declared, or found while reading).
    fn body_too_large(
        &self,
        route: &Arc<RouteRuntime>,
        ctx: ExchangeContext,
    ) -> Response<ResponseBody> {
        self.refuse(
            Some(route),
            ctx,
            BODY_TOO_LARGE.status,
            BODY_TOO_LARGE.detail,
            "allow",
        )
    }

    /// 408: the request body arrived too slowly. An HTTP/1 connection is
    /// closed after it (the rest of the body would be read as a request).
    fn too_slow(
        &self,
        route: &Arc<RouteRuntime>,
        ctx: ExchangeContext,
        why: TooSlow,
        version: Version,
    ) -> Response<ResponseBody> {
        let mut response = self.refuse(Some(route), ctx, 408, &why.to_string(), "allow");
        if version < Version::HTTP_2 {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }

    /// The answer a stage asked for with `Action::Block`.
    fn blocked(
        &self,
        route: &Arc<RouteRuntime>,
        ctx: ExchangeContext,
        status: u16,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> Response<ResponseBody> {
        let action = ctx.answered_as;
        self.own_response(Some(route), ctx, status, body, headers, action)
    }

    fn own_response(
        &self,
        route: Option<&Arc<RouteRuntime>>,
        ctx: ExchangeContext,
        status: u16,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
        action: &'static str,
    ) -> Response<ResponseBody> {
        let request_id = HeaderValue::from_str(&ctx.request_id).ok();
        let tail = ExchangeTail::new(Arc::clone(self.shared), route.cloned(), ctx, status, action);
        let mut response = Response::new(ResponseBody::full(body, Some(tail)));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        if let Some(id) = request_id {
            response
                .headers_mut()
                .insert(self.request_id_header.clone(), id);
        }
        response
    }
}

/// The end of an exchange: runs when the response body has been delivered
/// (or abandoned): the logging phase, metrics and the security event.
pub struct ExchangeTail {
    shared: Arc<Shared>,
    route: Option<Arc<RouteRuntime>>,
    ctx: ExchangeContext,
    status: u16,
    action: &'static str,
}

impl ExchangeTail {
    fn new(
        shared: Arc<Shared>,
        route: Option<Arc<RouteRuntime>>,
        ctx: ExchangeContext,
        status: u16,
        action: &'static str,
    ) -> Self {
        ExchangeTail {
            shared,
            route,
            ctx,
            status,
            action,
        }
    }

    /// Lets the route's stages see (and rewrite) a response chunk.
    pub fn on_response_chunk(&mut self, chunk: &mut Bytes, end_of_stream: bool) {
        if let Some(route) = &self.route {
            if route.pipeline.wants_response_body() {
                route
                    .pipeline
                    .response_body(&mut self.ctx, chunk, end_of_stream);
            }
        }
    }

    pub fn finish(mut self, completed: bool) {
        let outcome = Outcome {
            status: self.status,
            action: self.action,
            completed,
        };
        if let Some(route) = &self.route {
            route.pipeline.logging(&self.ctx, &outcome);
        }
        // What was applied, or, for an exchange let through, what monitor
        // mode held back.
        self.action = match self.action {
            "allow" | "monitor" => self.ctx.passed_action(),
            applied => applied,
        };
        telemetry::record_request(
            &self.ctx.route,
            self.status,
            self.action,
            self.ctx.started.elapsed().as_secs_f64(),
        );
        telemetry::count_reasons(&self.ctx.reasons);
        let upstream_failed = self
            .ctx
            .reasons
            .iter()
            .any(|r| r.source.starts_with("upstream."));
        self.shared.traffic.count(self.action, upstream_failed);
        let Some(events) = &self.shared.events else {
            return;
        };
        if self
            .shared
            .event_filter
            .wants(&self.ctx, self.action, self.status)
        {
            events.send(exchange_event::of_exchange(
                self.ctx,
                self.action,
                self.status,
                SystemClock.now_millis(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits(max_header_bytes: u64, max_body_bytes: u64) -> RouteLimits {
        RouteLimits {
            max_header_bytes,
            max_body_bytes,
            inspect_body_bytes: 0,
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn size_limits_refuse_the_head_first_then_a_known_body() {
        let (parts, ()) = Request::get("/items")
            .header("x-filler", "a".repeat(200))
            .body(())
            .unwrap()
            .into_parts();
        let roomy = limits(1_000, 100);
        assert_eq!(over_limit(&roomy, &parts, Some(100)), None);
        assert_eq!(over_limit(&roomy, &parts, None), None, "length unknown");
        assert_eq!(over_limit(&roomy, &parts, Some(101)), Some(BODY_TOO_LARGE));
        let tight = limits(100, 100);
        assert_eq!(over_limit(&tight, &parts, Some(101)), Some(HEAD_TOO_LARGE));
        assert_eq!(HEAD_TOO_LARGE.status, 431);
        assert_eq!(BODY_TOO_LARGE.status, 413);
    }
}
