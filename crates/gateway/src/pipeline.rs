//! The protection pipeline: the phase trait every stage implements, and the
//! per-exchange context stages read and annotate.
//!
//! Phase names follow Pingora's `ProxyHttp`. Every method has a no-op default
//! so a stage implements only the phases it needs. Stages run in the
//! configured order; the first terminal action (`Block`) ends the phase, and
//! `Monitor` is remembered so the exchange is recorded without being changed.
//!
//! The `request_body` phase hands every stage the same
//! [`RequestView`](rampart_core::RequestView), built once per request by
//! [`request_view`]: no stage re-parses what another parsed (the JSON body
//! is parsed at most once, by whichever stage reads it first).

use bytes::Bytes;
use rampart_core::exchange::{Body, RequestView};
use rampart_core::{Action, Combined, Reason};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

/// What one exchange carries through the phases.
#[derive(Debug, Clone)]
pub struct ExchangeContext {
    pub request_id: String,
    /// The client address: the peer, or what a trusted proxy said it forwarded for.
    pub client_ip: IpAddr,
    pub peer: SocketAddr,
    /// The JA4 fingerprint of the TLS client, when Rampart terminated TLS
    /// and could read the ClientHello.
    pub ja4: Option<Arc<str>>,
    /// How an HTTP/1 client cased its header names, in order
    /// (`crate::head_scan`); `None` on HTTP/2 and offline.
    pub header_casing: Option<u32>,
    pub route: Arc<str>,
    pub method: http::Method,
    pub host: String,
    pub path: String,
    /// Evidence collected by stages, in the order they produced it.
    pub reasons: Vec<Reason>,
    /// Set when a stage asked for `Monitor`: record, change nothing.
    pub monitored: bool,
    /// The first decision monitor mode held back: what enforce mode would
    /// have answered (it stops at the first).
    pub held_back: Option<HeldBack>,
    pub started: Instant,
    /// How long the upstream took to answer with a response head, once it
    /// did (what `behave`'s slow-upstream detector judges).
    pub upstream_took: Option<std::time::Duration>,
    /// The inventory endpoint this request belongs to, when discovery knows it.
    pub endpoint: Option<Arc<str>>,
    /// Stage-private data carried from one phase to the next.
    pub extensions: http::Extensions,
    /// Headers stages add to the request sent upstream (e.g. risk tags).
    pub upstream_headers: Vec<(String, String)>,
    /// What events call the gateway's own answer when a stage ends the
    /// exchange with `Block`: `block`, or what the stage says it really
    /// was (`rate_limit`, `ban`, `deceive`).
    pub answered_as: &'static str,
}

impl ExchangeContext {
    /// A fresh context for a request that has not been routed yet.
    pub fn new(
        request_id: String,
        client_ip: IpAddr,
        peer: SocketAddr,
        method: http::Method,
        host: String,
        path: String,
    ) -> Self {
        ExchangeContext {
            request_id,
            client_ip,
            peer,
            ja4: None,
            header_casing: None,
            route: Arc::from(""),
            method,
            host,
            path,
            reasons: Vec::new(),
            monitored: false,
            held_back: None,
            started: Instant::now(),
            upstream_took: None,
            endpoint: None,
            extensions: http::Extensions::new(),
            upstream_headers: Vec::new(),
            answered_as: "block",
        }
    }

    /// The exchange's anomaly score, the sum of its reasons' ([`Combined`]).
    pub fn score(&self) -> f64 {
        Combined::of_reasons(&self.reasons).score
    }

    /// Records a decision monitor mode does not apply: the exchange goes
    /// on, and its event says what would have happened.
    pub fn hold_back(&mut self, decision: HeldBack) {
        self.monitored = true;
        self.held_back.get_or_insert(decision);
    }

    /// What events and metrics call an exchange the gateway let through:
    /// `would_block` and the like when monitor mode held a decision back,
    /// `monitor` when a stage only asked to record it, else `allow`.
    pub fn passed_action(&self) -> &'static str {
        match self.held_back {
            Some(decision) => decision.action(),
            None if self.monitored => "monitor",
            None => "allow",
        }
    }
}

/// A decision monitor mode recorded instead of applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldBack {
    Block,
    Ban,
    RateLimit,
    Deceive,
}

impl HeldBack {
    /// The event action: what would have happened.
    pub fn action(self) -> &'static str {
        match self {
            HeldBack::Block => "would_block",
            HeldBack::Ban => "would_ban",
            HeldBack::RateLimit => "would_rate_limit",
            HeldBack::Deceive => "would_deceive",
        }
    }
}

/// The part of a request body the stages may look at.
#[derive(Debug, Clone, Copy)]
pub struct BodyView<'a> {
    /// At most the route's `inspect_body_bytes`.
    pub bytes: &'a [u8],
    /// False when the body is longer than what is shown.
    pub complete: bool,
}

/// The exchange view of a request head and its inspected body: the one
/// adapter from `http` types, for live traffic and `rampart replay` alike.
/// HTTP/2 carries the host in `:authority`, not in a `Host` header; the
/// view lists it as `host` so that every host check reads what the protocol
/// version carries.
pub fn request_view<'a>(request: &'a http::request::Parts, body: BodyView<'a>) -> RequestView<'a> {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    RequestView::new(
        request.method.as_str(),
        request.uri.path(),
        request.uri.query().unwrap_or(""),
        headers,
        Some(Body {
            bytes: body.bytes,
            truncated: !body.complete,
        }),
    )
    .with_authority(request.uri.authority().map(|a| a.as_str()))
}

/// Appends what of `chunk` fits in a sample of at most `limit` bytes: how
/// stages keep a bounded prefix of a body that streams past them.
pub fn sample_into(sample: &mut Vec<u8>, chunk: &[u8], limit: usize) {
    let room = limit.saturating_sub(sample.len());
    sample.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

/// How an exchange ended, for the logging phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    /// The action the gateway applied (`allow`, `monitor`, `block`).
    pub action: &'static str,
    /// True when the response body was fully delivered.
    pub completed: bool,
}

/// One stage of the pipeline. Implement only the phases you need.
pub trait Stage: Send + Sync {
    /// Short name used in events and metrics.
    fn name(&self) -> &'static str;

    /// A new client connection, before any request is read. The gateway
    /// closes it only when every route's pipeline refuses the peer, and
    /// never when the peer is a trusted proxy (the client behind it is not
    /// known yet). For cheap, unexplained refusals (bans, connection limits);
    /// a refusal that deserves an answer belongs in `request_headers`.
    fn connection(&self, _peer: SocketAddr) -> Action {
        Action::Allow
    }

    /// The request head has been read and a route chosen.
    fn request_headers(
        &self,
        _ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
    ) -> Action {
        Action::Allow
    }

    /// The request with the first `inspect_body_bytes` of its body, as one
    /// view shared by every stage; called for every request, with no body
    /// in the view when the request has none.
    fn request_body(
        &self,
        _ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        _view: &RequestView<'_>,
    ) -> Action {
        Action::Allow
    }

    /// Decisions that need a round trip to shared state (limits kept in
    /// Redis), asked for after `request_body` allowed the request. The
    /// stage takes what it needs from `ctx` into the returned future; the
    /// gateway awaits it before forwarding.
    fn settle(&self, _ctx: &mut ExchangeContext) -> Option<Settlement> {
        None
    }

    /// The upstream's response head; headers may be changed.
    fn response_headers(
        &self,
        _ctx: &mut ExchangeContext,
        _response: &mut http::response::Parts,
    ) -> Action {
        Action::Allow
    }

    /// Whether [`Stage::response_body`] should be called for this stage.
    fn wants_response_body(&self) -> bool {
        false
    }

    /// Each chunk of the response body as it streams to the client; may be rewritten.
    fn response_body(&self, _ctx: &mut ExchangeContext, _chunk: &mut Bytes, _end_of_stream: bool) {}

    /// The exchange is over; hand observations to background workers. Never blocks.
    fn logging(&self, _ctx: &ExchangeContext, _outcome: &Outcome) {}
}

/// A decision being awaited (see [`Stage::settle`]).
pub type Settlement = Pin<Box<dyn Future<Output = Settled> + Send>>;

/// What a settled decision adds to the exchange.
pub struct Settled {
    pub action: Action,
    /// What events call a terminal action (see `ExchangeContext::answered_as`).
    pub answered_as: &'static str,
    pub reasons: Vec<Reason>,
    /// A decision monitor mode did not apply (the action is then `Allow`).
    pub held_back: Option<HeldBack>,
    /// Stage-private data for the later phases, merged into the context's.
    pub extensions: http::Extensions,
}

/// The ordered stages of one route.
#[derive(Clone, Default)]
pub struct Pipeline {
    stages: Vec<Arc<dyn Stage>>,
}

impl Pipeline {
    pub fn new(stages: Vec<Arc<dyn Stage>>) -> Self {
        Pipeline { stages }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    pub fn connection(&self, peer: SocketAddr) -> Action {
        self.first_terminal(None, |stage| stage.connection(peer))
    }

    pub fn request_headers(
        &self,
        ctx: &mut ExchangeContext,
        request: &http::request::Parts,
    ) -> Action {
        self.run(ctx, |stage, ctx| stage.request_headers(ctx, request))
    }

    pub fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        request: &http::request::Parts,
        body: BodyView<'_>,
    ) -> Action {
        let view = request_view(request, body);
        self.run(ctx, |stage, ctx| stage.request_body(ctx, request, &view))
    }

    /// Awaits every stage's pending decision in order; the first terminal
    /// one ends the phase.
    pub async fn settle(&self, ctx: &mut ExchangeContext) -> Action {
        for stage in &self.stages {
            let Some(pending) = stage.settle(ctx) else {
                continue;
            };
            let settled = pending.await;
            ctx.reasons.extend(settled.reasons);
            ctx.extensions.extend(settled.extensions);
            if let Some(decision) = settled.held_back {
                ctx.hold_back(decision);
            }
            match settled.action {
                Action::Allow => {}
                Action::Monitor => ctx.monitored = true,
                terminal => {
                    ctx.answered_as = settled.answered_as;
                    return terminal;
                }
            }
        }
        Action::Allow
    }

    pub fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        self.run(ctx, |stage, ctx| stage.response_headers(ctx, response))
    }

    pub fn wants_response_body(&self) -> bool {
        self.stages.iter().any(|s| s.wants_response_body())
    }

    pub fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, end_of_stream: bool) {
        for stage in self.stages.iter().filter(|s| s.wants_response_body()) {
            stage.response_body(ctx, chunk, end_of_stream);
        }
    }

    pub fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        for stage in &self.stages {
            stage.logging(ctx, outcome);
        }
    }

    fn run(
        &self,
        ctx: &mut ExchangeContext,
        mut phase: impl FnMut(&dyn Stage, &mut ExchangeContext) -> Action,
    ) -> Action {
        let mut monitored = false;
        let action = self.first_terminal(Some(&mut monitored), |stage| phase(stage.as_ref(), ctx));
        if monitored {
            ctx.monitored = true;
        }
        action
    }

    fn first_terminal(
        &self,
        mut monitored: Option<&mut bool>,
        mut phase: impl FnMut(&Arc<dyn Stage>) -> Action,
    ) -> Action {
        for stage in &self.stages {
            match phase(stage) {
                Action::Allow => {}
                Action::Monitor => {
                    if let Some(flag) = monitored.as_deref_mut() {
                        *flag = true;
                    }
                }
                terminal => return terminal,
            }
        }
        Action::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refuses one peer at connection time and monitors every request.
    struct Doorman(IpAddr);

    impl Stage for Doorman {
        fn name(&self) -> &'static str {
            "doorman"
        }
        fn connection(&self, peer: SocketAddr) -> Action {
            if peer.ip() == self.0 {
                Action::Block {
                    status: 403,
                    body: Vec::new(),
                    headers: Vec::new(),
                }
            } else {
                Action::Allow
            }
        }
        fn request_headers(
            &self,
            _ctx: &mut ExchangeContext,
            _request: &http::request::Parts,
        ) -> Action {
            Action::Monitor
        }
    }

    /// Answers after an await, as a stage with shared state would.
    struct RoundTrip(Action);

    impl Stage for RoundTrip {
        fn name(&self) -> &'static str {
            "round_trip"
        }
        fn settle(&self, _ctx: &mut ExchangeContext) -> Option<Settlement> {
            let action = self.0.clone();
            Some(Box::pin(async move {
                tokio::task::yield_now().await;
                let mut extensions = http::Extensions::new();
                extensions.insert(7u8);
                Settled {
                    action,
                    answered_as: "rate_limit",
                    reasons: vec![Reason::new("round_trip", "client", "checked", 0.0)],
                    held_back: None,
                    extensions,
                }
            }))
        }
    }

    #[tokio::test]
    async fn settled_decisions_add_their_reasons_and_the_first_terminal_wins() {
        let refuse = Action::Block {
            status: 429,
            body: Vec::new(),
            headers: Vec::new(),
        };
        let pipeline = Pipeline::new(vec![
            Arc::new(RoundTrip(Action::Monitor)),
            Arc::new(RoundTrip(refuse.clone())),
            Arc::new(RoundTrip(Action::Allow)),
        ]);
        let mut ctx = context();
        assert_eq!(pipeline.settle(&mut ctx).await, refuse);
        assert_eq!(ctx.answered_as, "rate_limit");
        assert!(ctx.monitored);
        assert_eq!(
            ctx.reasons.len(),
            2,
            "the stage after the refusal is not asked"
        );
        assert_eq!(ctx.extensions.get::<u8>(), Some(&7));
    }

    /// Notes where the JSON document it was handed lives.
    struct JsonReader(std::sync::Mutex<Vec<usize>>);

    impl Stage for JsonReader {
        fn name(&self) -> &'static str {
            "json_reader"
        }
        fn request_body(
            &self,
            _ctx: &mut ExchangeContext,
            _request: &http::request::Parts,
            view: &RequestView<'_>,
        ) -> Action {
            if let Some(Ok(doc)) = view.json() {
                let at = doc as *const serde_json::Value as usize;
                self.0.lock().unwrap().push(at);
            }
            Action::Allow
        }
    }

    #[test]
    fn every_stage_reads_the_one_document_parsed_for_the_request() {
        let reader = Arc::new(JsonReader(std::sync::Mutex::new(Vec::new())));
        let pipeline = Pipeline::new(vec![reader.clone(), reader.clone()]);
        let (parts, ()) = http::Request::post("/orders")
            .body(())
            .unwrap()
            .into_parts();
        let body = BodyView {
            bytes: br#"{"sku":"A-1"}"#,
            complete: true,
        };
        assert_eq!(
            pipeline.request_body(&mut context(), &parts, body),
            Action::Allow
        );
        let seen = reader.0.lock().unwrap();
        assert_eq!(seen.len(), 2, "both stages read the body as JSON");
        assert_eq!(
            seen[0], seen[1],
            "the second stage got the first one's document"
        );
    }

    #[test]
    fn a_sample_keeps_the_first_bytes_up_to_its_limit() {
        let mut sample = Vec::new();
        sample_into(&mut sample, b"abc", 5);
        sample_into(&mut sample, b"defg", 5);
        sample_into(&mut sample, b"h", 5);
        assert_eq!(sample, b"abcde");
    }

    #[test]
    fn an_http2_authority_is_the_host_of_the_view() {
        let (parts, ()) = http::Request::get("https://api.test:8443/v1/items")
            .version(http::Version::HTTP_2)
            .body(())
            .unwrap()
            .into_parts();
        let empty = BodyView {
            bytes: b"",
            complete: true,
        };
        let view = request_view(&parts, empty);
        assert_eq!(view.header("host"), Some(&b"api.test:8443"[..]));
        assert_eq!(view.path, "/v1/items");
        assert!(view.body.is_none());
    }

    fn context() -> ExchangeContext {
        let client = IpAddr::from([192, 0, 2, 1]);
        ExchangeContext::new(
            "r".into(),
            client,
            SocketAddr::new(client, 1),
            http::Method::GET,
            String::new(),
            "/".into(),
        )
    }

    #[test]
    fn phases_run_in_order_and_remember_monitor() {
        let banned = IpAddr::from([203, 0, 113, 9]);
        let pipeline = Pipeline::new(vec![Arc::new(Doorman(banned))]);
        assert!(pipeline
            .connection(SocketAddr::new(banned, 1))
            .is_terminal());
        assert!(!pipeline
            .connection(SocketAddr::from(([192, 0, 2, 1], 1)))
            .is_terminal());
        let mut ctx = context();
        let (parts, ()) = http::Request::new(()).into_parts();
        assert_eq!(pipeline.request_headers(&mut ctx, &parts), Action::Allow);
        assert!(
            ctx.monitored,
            "a Monitor answer is remembered, the exchange goes on"
        );
    }
}
