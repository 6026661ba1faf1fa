//! The `behave` stage: what many requests of one principal say, judged
//! before the upstream answers (`rampart-behave`).
//!
//! Today that is BOLA (`rampart_behave::bola`): in `request_headers`, a
//! request of an identified client (user, else API key) on an endpoint
//! template discovery knows is judged against what that principal was shown
//! and owns; its signals become reasons (`behave.bola.walk`,
//! `behave.bola.foreign_object`, class `bola` for the prevention policy),
//! and the exchange is refused when their scores reach `[behave]
//! block_score` (recorded only, in `monitor` mode). The answer (status,
//! `Location`, a bounded sample of the body) is kept as it streams and
//! learned from in `logging`; the gateway's own answers are not.
//!
//! Account takeover (`rampart_behave::ato`) is judged on endpoints whose
//! business function discovery inferred as `login`, whoever asks: in
//! `request_body`, once the username is read from the body, the attempt is
//! judged by what its address, /24 or /64 and fingerprint and its account did
//! (`behave.ato.*`, class `ato`), and refused like BOLA's signals; its
//! answer (status, and the start of a `400` body) is learned in `logging`.
//!
//! Each detector's state outlives reloads that leave its section
//! (`[behave.bola]`, `[behave.ato]`) alone.

use crate::config::BehaveSettings;
use crate::discovery::EndpointProfile;
use crate::identity::IdentityConfig;
use crate::pipeline::{sample_into, ExchangeContext, HeldBack, Outcome, Stage};
use crate::problem::problem_response;
use crate::sync::lock;
use crate::tokens::TokenGuard;
use bytes::Bytes;
use rampart_behave::ato::{self, AtoDetector, AtoStats, Attempt};
use rampart_behave::bola::{BolaDetector, BolaStats, Principal, Request, Response};
use rampart_core::RequestView;
use rampart_core::{Action, Clock, Reason};
use rampart_prevent::policy::Mode;
use std::sync::{Arc, Mutex};

/// Longest `Location` header kept for learning a creation.
const MAX_LOCATION_BYTES: usize = 2048;

/// The detectors shared by every route, and the settings they run with.
pub struct BehaveRuntime {
    pub settings: BehaveSettings,
    detector: Arc<Mutex<BolaDetector>>,
    ato: Arc<Mutex<AtoDetector>>,
}

impl BehaveRuntime {
    /// The runtime for `settings`, keeping `previous`'s state of each
    /// detector whose section is the same.
    pub fn new(
        settings: &BehaveSettings,
        previous: Option<&BehaveRuntime>,
        clock: &Arc<dyn Clock>,
    ) -> Self {
        let detector = match previous {
            Some(p) if p.settings.bola == settings.bola => Arc::clone(&p.detector),
            _ => Arc::new(Mutex::new(BolaDetector::new(
                settings.bola.clone(),
                Arc::clone(clock),
            ))),
        };
        let ato = match previous {
            Some(p) if p.settings.ato == settings.ato => Arc::clone(&p.ato),
            _ => Arc::new(Mutex::new(AtoDetector::new(
                settings.ato.clone(),
                Arc::clone(clock),
            ))),
        };
        BehaveRuntime {
            settings: settings.clone(),
            detector,
            ato,
        }
    }

    pub fn stats(&self) -> BolaStats {
        lock(&self.detector).stats()
    }

    pub fn ato_stats(&self) -> AtoStats {
        lock(&self.ato).stats()
    }

    /// Refuses (or, in monitor mode, records) an exchange whose behaviour
    /// signals reached `block_score`, with `why` as the answer's detail.
    fn refuse(&self, ctx: &mut ExchangeContext, score: f64, why: &str) -> Action {
        if score == 0.0 || score < self.settings.block_score {
            return Action::Allow;
        }
        match self.settings.mode {
            Mode::Enforce => problem_response(403, why, &ctx.request_id),
            Mode::Monitor => {
                ctx.hold_back(HeldBack::Block);
                Action::Monitor
            }
        }
    }
}

pub struct BehaveStage {
    runtime: Arc<BehaveRuntime>,
    identity: Arc<IdentityConfig>,
    /// Bearer tokens are checked before a user is believed.
    tokens: Arc<TokenGuard>,
}

impl BehaveStage {
    pub fn new(
        runtime: Arc<BehaveRuntime>,
        identity: Arc<IdentityConfig>,
        tokens: Arc<TokenGuard>,
    ) -> Self {
        BehaveStage {
            runtime,
            identity,
            tokens,
        }
    }
}

/// Who asked, as the detector names principals.
#[derive(Debug, Clone)]
enum Who {
    User(String),
    ApiKey(String),
}

impl Who {
    fn principal(&self) -> Principal<'_> {
        match self {
            Who::User(name) => Principal::User(name),
            Who::ApiKey(key) => Principal::ApiKey(key),
        }
    }
}

/// What the stage keeps of a judged exchange for learning from its answer.
#[derive(Debug, Clone)]
struct Judged {
    who: Who,
    template: Arc<str>,
    function: Option<Arc<str>>,
    /// The request raised a BOLA signal.
    flagged: bool,
    status: Option<u16>,
    location: Option<String>,
    body: Vec<u8>,
}

impl Judged {
    fn request<'a>(&'a self, path: &'a str) -> Request<'a> {
        Request {
            principal: self.who.principal(),
            template: &self.template,
            path,
            function: self.function.as_deref(),
        }
    }
}

/// A login attempt in flight: who sent it, the username once the body is
/// read, and how it was answered.
#[derive(Debug, Clone)]
struct Login {
    address: std::net::IpAddr,
    fingerprint: String,
    username: Option<String>,
    status: Option<u16>,
    /// The start of a `400` answer, which may say the credentials were wrong.
    body: Vec<u8>,
}

impl Login {
    fn attempt(&self) -> Attempt<'_> {
        Attempt {
            address: self.address,
            fingerprint: &self.fingerprint,
            username: self.username.as_deref(),
        }
    }
}

impl BehaveStage {
    /// Marks a request to a `login` endpoint as an attempt to judge once
    /// its body is read.
    fn note_login(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) {
        let fingerprint = self
            .identity
            .of(&self.tokens, ctx, request)
            .fingerprint
            .clone();
        ctx.extensions.insert(Login {
            address: ctx.client_ip,
            fingerprint,
            username: None,
            status: None,
            body: Vec::new(),
        });
    }

    /// Learns how the upstream answered a login attempt; the gateway's own
    /// answers (a refusal) say nothing of the credentials.
    fn learn_login(&self, login: &Login, outcome: &Outcome) {
        let Some(status) = login.status else {
            return;
        };
        if !matches!(outcome.action, "allow" | "monitor") {
            return;
        }
        let failure_words = &self.runtime.settings.ato.failure_words;
        let answer = ato::outcome(status, &login.body, failure_words);
        lock(&self.runtime.ato).learn(&login.attempt(), answer);
    }
}

impl Stage for BehaveStage {
    fn name(&self) -> &'static str {
        "behave"
    }

    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        let Some(template) = ctx.endpoint.clone() else {
            return Action::Allow;
        };
        let function = ctx
            .extensions
            .get::<Arc<EndpointProfile>>()
            .and_then(|p| p.function.clone());
        if function.as_deref() == Some("login") {
            self.note_login(ctx, request);
        }
        let identity = self.identity.of(&self.tokens, ctx, request);
        let who = match (&identity.user, &identity.api_key) {
            (Some(user), _) => Who::User(user.clone()),
            (None, Some(key)) => Who::ApiKey(key.clone()),
            (None, None) => return Action::Allow,
        };
        let mut judged = Judged {
            who,
            template,
            function,
            flagged: false,
            status: None,
            location: None,
            body: Vec::new(),
        };
        let signals = lock(&self.runtime.detector).judge(&judged.request(&ctx.path));
        judged.flagged = !signals.is_empty();
        ctx.extensions.insert(judged);
        let score: f64 = signals.iter().map(|s| s.score).sum();
        ctx.reasons.extend(
            signals
                .into_iter()
                .map(|s| Reason::new(s.source, "path", s.evidence, s.score)),
        );
        self.runtime.refuse(
            ctx,
            score,
            "refused: this client is asking for objects that were never shown to it",
        )
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        let Some(login) = ctx.extensions.get_mut::<Login>() else {
            return Action::Allow;
        };
        let fields = &self.runtime.settings.ato.username_fields;
        // The view's document: a JSON login is parsed once for every stage.
        let json = view.json().and_then(Result::ok);
        login.username = view.body.and_then(|b| ato::username(b.bytes, json, fields));
        let signals = lock(&self.runtime.ato).judge(&login.attempt());
        let score: f64 = signals.iter().map(|s| s.score).sum();
        ctx.reasons.extend(
            signals
                .into_iter()
                .map(|s| Reason::new(s.source, "body", s.evidence, s.score)),
        );
        self.runtime.refuse(
            ctx,
            score,
            "refused: too many failed logins from this client or for this account",
        )
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        if let Some(login) = ctx.extensions.get_mut::<Login>() {
            login.status = Some(response.status.as_u16());
        }
        if let Some(judged) = ctx.extensions.get_mut::<Judged>() {
            judged.status = Some(response.status.as_u16());
            judged.location = response
                .headers
                .get(http::header::LOCATION)
                .filter(|v| v.len() <= MAX_LOCATION_BYTES)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        Action::Allow
    }

    fn wants_response_body(&self) -> bool {
        true
    }

    fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, _end_of_stream: bool) {
        if let Some(login) = ctx.extensions.get_mut::<Login>() {
            if login.status == Some(400) {
                sample_into(&mut login.body, chunk, ato::MAX_FAILURE_BODY_BYTES);
            }
        }
        let limit = self.runtime.settings.sample_body_bytes;
        if let Some(judged) = ctx.extensions.get_mut::<Judged>() {
            if judged.status.is_some_and(|s| (200..300).contains(&s)) {
                sample_into(&mut judged.body, chunk, limit);
            }
        }
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        if let Some(login) = ctx.extensions.get::<Login>() {
            self.learn_login(login, outcome);
        }
        let Some(judged) = ctx.extensions.get::<Judged>() else {
            return;
        };
        let Some(status) = judged.status else {
            return;
        };
        if !outcome.completed || !matches!(outcome.action, "allow" | "monitor") {
            return;
        }
        let body: Option<serde_json::Value> = serde_json::from_slice(&judged.body).ok();
        let method = ctx.method.as_str();
        lock(&self.runtime.detector).learn(&Response {
            request: judged.request(&ctx.path),
            method,
            status,
            location: judged.location.as_deref(),
            body: body.as_ref(),
            flagged: judged.flagged,
        });
    }
}
