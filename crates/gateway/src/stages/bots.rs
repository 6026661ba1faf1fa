//! The `bots` stage: who the client says it is, whether that holds, and
//! what its requests over time say it does (`rampart_behave::bots`).
//!
//! In `request_headers` the user-agent is classified against the embedded
//! catalogue, a claim is checked against the `[[bots.verify]]` address
//! lists or, when it is signed (Web Bot Auth), against the
//! `[[bots.signed]]` key directories, and the request is counted in its client's window. The identity
//! becomes the policy's `bot.*` facts (`rampart_prevent::BotFacts` in the
//! exchange's extensions, read by `prevent`, which must come later), the
//! signals become reasons `bots.*` (class `bot` for the policy), and the
//! exchange is refused when their scores reach `[bots] block_score`
//! (recorded only, in `monitor` mode). In `logging`, a 4xx on a path the
//! inventory does not know counts toward the client's scan, and a refusal
//! of the gateway's own (403, 429) toward `bots.ignores_refusal`.
//!
//! The detector's state outlives reloads that leave `[bots]` alone; the
//! catalogue is parsed once per process.

use crate::config::BotsSettings;
use crate::discovery::EndpointProfile;
use crate::identity::IdentityConfig;
use crate::pipeline::{ExchangeContext, HeldBack, Outcome, Stage};
use crate::problem::problem_response;
use crate::sync::lock;
use crate::tokens::TokenGuard;
use http::header::{HeaderMap, ACCEPT_LANGUAGE, USER_AGENT};
use rampart_behave::bots::signature::Message;
use rampart_behave::bots::{
    BotsDetector, BotsStats, BrowserHeaders, Catalog, ClientKey, Identity, Request,
};
use rampart_core::{Action, Clock, Reason};
use rampart_prevent::policy::Mode;
use rampart_prevent::BotFacts;
use std::sync::{Arc, Mutex, OnceLock};

/// The detector shared by every route, and the settings it runs with.
pub struct BotsRuntime {
    pub settings: BotsSettings,
    detector: Arc<Mutex<BotsDetector>>,
}

/// The embedded catalogue, parsed on first use and shared for the process.
fn catalog() -> Result<Arc<Catalog>, String> {
    static CATALOG: OnceLock<Result<Arc<Catalog>, String>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Catalog::embedded().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
}

impl BotsRuntime {
    /// The runtime for `settings`, keeping `previous`'s state when its
    /// detector settings are the same.
    pub fn new(
        settings: &BotsSettings,
        previous: Option<&BotsRuntime>,
        clock: &Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let detector = match previous {
            Some(p) if p.settings.detector == settings.detector => Arc::clone(&p.detector),
            _ => Arc::new(Mutex::new(BotsDetector::new(
                settings.detector.clone(),
                catalog()?,
                Arc::clone(clock),
            ))),
        };
        Ok(BotsRuntime {
            settings: settings.clone(),
            detector,
        })
    }

    pub fn stats(&self) -> BotsStats {
        lock(&self.detector).stats()
    }
}

pub struct BotsStage {
    runtime: Arc<BotsRuntime>,
    identity: Arc<IdentityConfig>,
    tokens: Arc<TokenGuard>,
}

/// Whom the request was counted for, kept to learn its answer.
#[derive(Clone, Copy)]
struct Counted(ClientKey);

fn browser_headers(headers: &HeaderMap) -> BrowserHeaders {
    BrowserHeaders {
        accept_language: headers.contains_key(ACCEPT_LANGUAGE),
        sec_ch_ua: headers.contains_key("sec-ch-ua"),
        sec_fetch: headers.contains_key("sec-fetch-mode")
            || headers.contains_key("sec-fetch-site")
            || headers.contains_key("sec-fetch-dest"),
    }
}

/// The request as a Web Bot Auth signature covers it.
struct Signed<'a> {
    ctx: &'a ExchangeContext,
    request: &'a http::request::Parts,
}

impl Message for Signed<'_> {
    fn method(&self) -> &str {
        self.request.method.as_str()
    }

    fn authority(&self) -> &str {
        &self.ctx.host
    }

    fn path(&self) -> &str {
        &self.ctx.path
    }

    fn query(&self) -> Option<&str> {
        self.request.uri.query()
    }

    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .request
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

fn facts(identity: &Identity) -> BotFacts {
    BotFacts {
        name: identity.agent.name.to_string(),
        class: identity.agent.class.name().to_string(),
        operator: identity.agent.operator.to_string(),
        verification: identity.verification.name().to_string(),
    }
}

/// A 403 or 429 the gateway answered itself (a rule, a limit, a ban or
/// this stage), not the upstream's.
fn refused_by_the_gateway(outcome: &Outcome) -> bool {
    matches!(outcome.status, 403 | 429) && matches!(outcome.action, "block" | "rate_limit" | "ban")
}

impl BotsStage {
    pub fn new(
        runtime: Arc<BotsRuntime>,
        identity: Arc<IdentityConfig>,
        tokens: Arc<TokenGuard>,
    ) -> Self {
        BotsStage {
            runtime,
            identity,
            tokens,
        }
    }
}

impl Stage for BotsStage {
    fn name(&self) -> &'static str {
        "bots"
    }

    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        let fingerprint = self
            .identity
            .of(&self.tokens, ctx, request)
            .fingerprint
            .clone();
        let function = ctx
            .extensions
            .get::<Arc<EndpointProfile>>()
            .and_then(|p| p.function.clone());
        let judgement = lock(&self.runtime.detector).judge(&Request {
            user_agent: request
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok()),
            address: ctx.client_ip,
            client: &fingerprint,
            path: &ctx.path,
            query: request.uri.query(),
            endpoint: ctx.endpoint.as_deref(),
            function: function.as_deref(),
            headers: browser_headers(&request.headers),
            message: Some(&Signed { ctx, request }),
        });
        ctx.extensions.insert(Counted(judgement.client));
        if let Some(identity) = &judgement.identity {
            ctx.extensions.insert(facts(identity));
        }
        let score: f64 = judgement.signals.iter().map(|s| s.score).sum();
        ctx.reasons.extend(
            judgement
                .signals
                .into_iter()
                .map(|s| Reason::new(s.source, s.location, s.evidence, s.score)),
        );
        if score == 0.0 || score < self.runtime.settings.block_score {
            return Action::Allow;
        }
        match self.runtime.settings.mode {
            Mode::Enforce => problem_response(
                403,
                "refused: this client behaves as an automated client this API does not admit",
                &ctx.request_id,
            ),
            Mode::Monitor => {
                ctx.hold_back(HeldBack::Block);
                Action::Monitor
            }
        }
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        if let Some(Counted(client)) = ctx.extensions.get::<Counted>() {
            let mut detector = lock(&self.runtime.detector);
            detector.learn(*client, &ctx.path, outcome.status, ctx.endpoint.is_some());
            if refused_by_the_gateway(outcome) {
                detector.refused(*client);
            }
        }
    }
}
