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
//! The detector's state outlives reloads that leave `[behave.bola]` alone.

use crate::config::BehaveSettings;
use crate::discovery::EndpointProfile;
use crate::identity::IdentityConfig;
use crate::pipeline::{ExchangeContext, HeldBack, Outcome, Stage};
use crate::problem::problem_response;
use crate::sync::lock;
use crate::tokens::TokenGuard;
use bytes::Bytes;
use rampart_behave::bola::{BolaDetector, BolaStats, Principal, Request, Response};
use rampart_core::{Action, Clock, Reason};
use rampart_prevent::policy::Mode;
use std::sync::{Arc, Mutex};

/// Longest `Location` header kept for learning a creation.
const MAX_LOCATION_BYTES: usize = 2048;

/// The detector shared by every route, and the settings it runs with.
pub struct BehaveRuntime {
    pub settings: BehaveSettings,
    detector: Arc<Mutex<BolaDetector>>,
}

impl BehaveRuntime {
    /// The runtime for `settings`, keeping `previous`'s state when its
    /// `[behave.bola]` settings are the same.
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
        BehaveRuntime {
            settings: settings.clone(),
            detector,
        }
    }

    pub fn stats(&self) -> BolaStats {
        lock(&self.detector).stats()
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

impl Stage for BehaveStage {
    fn name(&self) -> &'static str {
        "behave"
    }

    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        let Some(template) = ctx.endpoint.clone() else {
            return Action::Allow;
        };
        let identity = self.identity.of(&self.tokens, ctx, request);
        let who = match (&identity.user, &identity.api_key) {
            (Some(user), _) => Who::User(user.clone()),
            (None, Some(key)) => Who::ApiKey(key.clone()),
            (None, None) => return Action::Allow,
        };
        let function = ctx
            .extensions
            .get::<Arc<EndpointProfile>>()
            .and_then(|p| p.function.clone());
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
        if score == 0.0 || score < self.runtime.settings.block_score {
            return Action::Allow;
        }
        match self.runtime.settings.mode {
            Mode::Enforce => problem_response(
                403,
                "refused: this client is asking for objects that were never shown to it",
                &ctx.request_id,
            ),
            Mode::Monitor => {
                ctx.hold_back(HeldBack::Block);
                Action::Monitor
            }
        }
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
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
        let limit = self.runtime.settings.sample_body_bytes;
        if let Some(judged) = ctx.extensions.get_mut::<Judged>() {
            if judged.status.is_some_and(|s| (200..300).contains(&s)) {
                let room = limit.saturating_sub(judged.body.len());
                judged
                    .body
                    .extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
        }
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
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
