//! Applies the prevention policy (`rampart-prevent`) to each request, after
//! detection has spoken: bans first, then the policy's decision over the
//! request's facts and this exchange's signals (its custom CEL rules, signal
//! classes and thresholds), then the rate limits the decision names.
//!
//! Where the policy's scope says `monitor`, every one of these (geo fences,
//! bans, decoys and traps, limits, verdicts) is still decided and recorded
//! with what it would have done ([`ExchangeContext::hold_back`]), but none
//! is applied: nothing is refused, nobody is banned.
//!
//! Signals are the reasons earlier stages recorded; a detection
//! `detect.sqli.tautology` is the signal class `sqli`, a behaviour signal
//! `behave.bola.walk` the class `bola`. Limits are applied by
//! `limits` (locally, or in Redis during `settle` when `[redis]` is set);
//! bans are made here and shared through Redis when it is set. Masking is
//! applied as the response streams (`response_mask`); deception (fakes,
//! decoy tokens, tarpit, traps) by `deceive`.

mod bearer;
mod deceive;
mod limits;
mod response_mask;

use crate::bans::BanBook;
use crate::discovery::EndpointProfile;
use crate::identity::{ClientIdentity, IdentityConfig};
use crate::pipeline::{ExchangeContext, HeldBack, Outcome, Settlement, Stage};
use crate::shared::SharedLink;
use crate::tokens::TokenGuard;
use bytes::Bytes;
use rampart_core::RequestView;
use rampart_core::{Action, Reason};
use rampart_prevent::ban::BanLadder;
use rampart_prevent::geo::Location;
use rampart_prevent::policy::ActionConfig;
use rampart_prevent::policy::{problem_response, BanOn, Mode};
use rampart_prevent::{
    Ban, BanTarget, BlockResponse, ClientFacts, Deceiver, EndpointFacts, GeoFence, GeoLocator,
    Policy, RateLimiter, RequestFacts, Signal, Verdict,
};
use rampart_store::shared::SharedLimit;
use std::net::SocketAddr;
use std::sync::Arc;

/// What prevention keeps across requests: the compiled policy, the limiters
/// (their state survives reloads that do not change them) and the ban list.
pub struct PreventRuntime {
    /// The settings this state was built from, to keep state across reloads.
    pub config: rampart_prevent::PreventConfig,
    pub policy: Arc<Policy>,
    /// Country/ASN lookup (embedded database unless the user gave one) and the route fences.
    pub geo: Arc<(GeoLocator, GeoFence)>,
    pub limiters: Vec<Arc<RateLimiter>>,
    pub bans: Arc<BanBook>,
    pub shared: Option<SharedPrevent>,
    /// Fakes, decoy tokens, the tarpit and traps (kept across reloads that
    /// leave `[prevent.deception]` alone, so decoys handed out stay known).
    pub deceiver: Arc<Deceiver>,
}

impl PreventRuntime {
    /// Bans `target` here at once and, with `[redis]`, for every gateway:
    /// the shared ban (escalated by the offences all gateways saw) replaces
    /// the local one when it comes back. `None` when the ban list is full.
    pub fn ban(self: &Arc<Self>, target: BanTarget, reason: String) -> Option<Ban> {
        let reason: Arc<str> = Arc::from(reason);
        let local = match self
            .bans
            .change(|list| list.ban(&target, Arc::clone(&reason)))
        {
            Ok(ban) => Some(ban),
            Err(full) => {
                tracing::warn!(entries = full.0, "the ban list is full; nobody was banned");
                None
            }
        };
        if let (Some(_), Ok(runtime)) = (&self.shared, tokio::runtime::Handle::try_current()) {
            let prevent = Arc::clone(self);
            runtime.spawn(async move {
                let Some(shared) = &prevent.shared else { return };
                match shared.link.state.ban(&shared.ladder, &target, &reason).await {
                    Ok(ban) => {
                        let _ = prevent.bans.change(|list| list.adopt(&target, &ban));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the ban could not be shared; it holds on this gateway")
                    }
                }
            });
        }
        local
    }

    /// Lifts the ban on `target` here and, with `[redis]`, on every gateway
    /// (its offences forgotten, so a later ban starts the ladder again).
    pub async fn unban(&self, target: &BanTarget) -> Unbanned {
        let here = self.bans.change(|list| list.unban(target));
        let everywhere = match &self.shared {
            None => SharedUnban::NotConfigured,
            Some(shared) => match shared.link.state.unban(target).await {
                Ok(_) => SharedUnban::Announced,
                Err(error) => {
                    tracing::warn!(%error, "the lift could not be shared; other gateways keep the ban until it ends");
                    SharedUnban::Failed(error.to_string())
                }
            },
        };
        Unbanned { here, everywhere }
    }
}

/// What lifting a ban did.
#[derive(Debug, PartialEq, Eq)]
pub struct Unbanned {
    /// This gateway held a ban on the target.
    pub here: bool,
    pub everywhere: SharedUnban,
}

/// Whether the other gateways were told to lift a ban.
#[derive(Debug, PartialEq, Eq)]
pub enum SharedUnban {
    /// No `[redis]`: bans are this gateway's own.
    NotConfigured,
    /// Redis forgot the target's offences and told every gateway.
    Announced,
    /// Redis could not be reached; the others keep the ban until it ends.
    Failed(String),
}

pub struct PreventStage {
    prevent: Arc<PreventRuntime>,
    identity: Arc<IdentityConfig>,
    tokens: Arc<TokenGuard>,
    /// False when replaying: decide, never hold an answer.
    waits: bool,
    /// Whether any rule or scope of the policy can ask for masking: only
    /// then do response bodies pass through this stage.
    may_mask: bool,
}

/// Limits and bans kept in Redis (`[redis]`), beside the local ones.
pub struct SharedPrevent {
    pub link: Arc<SharedLink>,
    /// One per entry of `PreventRuntime::limiters`, in the same order.
    pub limits: Vec<SharedLimit>,
    pub ladder: BanLadder,
}

impl PreventStage {
    pub fn new(
        prevent: Arc<PreventRuntime>,
        identity: Arc<IdentityConfig>,
        tokens: Arc<TokenGuard>,
        waits: bool,
    ) -> Self {
        let policy = &prevent.config.policy;
        let may_mask = policy
            .actions()
            .any(|action| matches!(action, ActionConfig::Mask {}));
        PreventStage {
            prevent,
            identity,
            tokens,
            waits,
            may_mask,
        }
    }

    pub(super) fn facts(ctx: &ExchangeContext) -> RequestFacts {
        let location = ctx.extensions.get::<Location>();
        let mut client = ClientFacts::from_ip(ctx.client_ip);
        client.country = location
            .and_then(|l| l.country)
            .map(|c| c.as_str().to_string());
        client.asn = location.and_then(|l| l.asn);
        if let Some(identity) = ctx.extensions.get::<ClientIdentity>() {
            client.api_key = identity.api_key.clone();
            client.user = identity.user.clone();
            client.fingerprint = Some(identity.fingerprint.clone());
            client.credentials = identity.credentials.names();
        }
        client.ja4 = ctx.ja4.as_deref().map(str::to_owned);
        client.bot = ctx.extensions.get::<rampart_prevent::BotFacts>().cloned();
        let profile = ctx.extensions.get::<Arc<EndpointProfile>>();
        RequestFacts {
            request_id: ctx.request_id.clone(),
            method: ctx.method.to_string(),
            host: ctx.host.clone(),
            path: ctx.path.clone(),
            route: ctx.route.to_string(),
            client,
            endpoint: EndpointFacts {
                template: ctx.endpoint.as_deref().map(str::to_owned),
                function: profile.and_then(|p| p.function.as_deref().map(str::to_owned)),
                risk: profile.map_or(0.0, |p| p.risk),
            },
        }
    }

    /// The reasons of the detecting stages as signals: `detect.sqli.*` is
    /// the class `sqli`, `behave.bola.*` the class `bola`, `bots.*` the class `bot`.
    fn signals(ctx: &ExchangeContext) -> Vec<Signal> {
        ctx.reasons
            .iter()
            .filter_map(|reason| {
                let class = match reason.source.strip_prefix("bots.") {
                    Some(_) => "bot",
                    None => (reason.source.strip_prefix("detect."))
                        .or_else(|| reason.source.strip_prefix("behave."))?
                        .split('.')
                        .next()?,
                };
                Some(Signal {
                    class: class.to_string(),
                    source: reason.source.clone(),
                    location: reason.location.clone(),
                    score: reason.score,
                    confidence: reason.confidence,
                })
            })
            .collect()
    }

    /// Whether the policy's scope for this request only records.
    fn monitors(&self, facts: &RequestFacts) -> bool {
        self.prevent.policy.mode(facts) == Mode::Monitor
    }

    /// A client caught by deception: banned or only recorded, as
    /// configured, and answered with the fake.
    fn marked(&self, answer: Action, mark: deceive::Mark, ctx: &ExchangeContext) -> Action {
        if let deceive::Mark::Ban(reason) = mark {
            self.prevent.ban(BanTarget::ip(ctx.client_ip), reason);
        }
        answer
    }

    fn ban_target(on: BanOn, facts: &RequestFacts) -> Option<BanTarget> {
        let client = &facts.client;
        match on {
            BanOn::Ip => Some(BanTarget::ip(client.ip)),
            BanOn::Subnet => {
                let prefix = if client.ip.is_ipv4() { 24 } else { 64 };
                ipnet::IpNet::new(client.ip, prefix)
                    .ok()
                    .map(|n| BanTarget::Network(n.trunc()))
            }
            BanOn::ApiKey => client.api_key.clone().map(BanTarget::ApiKey),
            BanOn::User => client.user.clone().map(BanTarget::User),
            BanOn::Fingerprint => client.fingerprint.clone().map(BanTarget::Fingerprint),
        }
    }
}

/// Records a verdict that monitor mode (the scope's or a rule's) does not apply.
fn hold_back_verdict(ctx: &mut ExchangeContext, verdict: &Verdict) {
    match verdict {
        Verdict::Allow => {}
        Verdict::Block(_) => ctx.hold_back(HeldBack::Block),
        Verdict::Ban { .. } => ctx.hold_back(HeldBack::Ban),
        Verdict::Deceive(_) => ctx.hold_back(HeldBack::Deceive),
    }
}

/// The answer a prevention decision asks for.
fn respond(response: BlockResponse) -> Action {
    Action::Block {
        status: response.status,
        body: response.body,
        headers: response.headers,
    }
}

impl Stage for PreventStage {
    fn name(&self) -> &'static str {
        "prevent"
    }

    /// A peer whose address is banned: refused before a byte is read.
    fn connection(&self, peer: SocketAddr) -> Action {
        let peer = ClientFacts::from_ip(peer.ip());
        match self.prevent.bans.current().is_banned(&peer) {
            Some(_) => Action::Block {
                status: 403,
                body: Vec::new(),
                headers: Vec::new(),
            },
            None => Action::Allow,
        }
    }

    /// Who the client is (its bearer token checked, identities, then geo),
    /// and whether the route admits it from where it is.
    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        let token_answer = bearer::check(&self.tokens, &self.identity, ctx, request);
        if let Some(refusal @ Action::Block { .. }) = token_answer {
            return refusal;
        }
        let (locator, fence) = &*self.prevent.geo;
        let location = locator.lookup(ctx.client_ip).unwrap_or_else(|e| {
            tracing::debug!(ip = %ctx.client_ip, error = %e, "geo lookup failed");
            Location::default()
        });
        let denial = fence.check(&ctx.route, &location);
        ctx.extensions.insert(location);
        if let Some(denial) = denial {
            ctx.reasons.push(Reason::new(
                "prevent.geo",
                "client_ip",
                format!("{}: {denial}", ctx.client_ip),
                0.0,
            ));
            if !self.monitors(&Self::facts(ctx)) {
                return respond(problem_response(
                    403,
                    "this route is not available from your location",
                    &ctx.request_id,
                ));
            }
            ctx.hold_back(HeldBack::Block);
        }
        match deceive::decoy_presented(&self.prevent, ctx, request) {
            Some((answer, mark)) => self.marked(answer, mark, ctx),
            None => token_answer.unwrap_or(Action::Allow),
        }
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        let facts = Self::facts(ctx);
        if let Some(ban) = self.prevent.bans.current().is_banned(&facts.client) {
            ctx.reasons.push(Reason::new(
                "prevent.ban",
                "client",
                ban.reason.to_string(),
                0.0,
            ));
            if self.monitors(&facts) {
                ctx.hold_back(HeldBack::Ban);
            } else {
                ctx.answered_as = "ban";
                let detail = format!(
                    "banned (offence {}) until {}",
                    ban.strikes,
                    rampart_core::event::rfc3339_millis(ban.until_millis)
                );
                return respond(problem_response(403, &detail, &ctx.request_id));
            }
        }
        if let Some((answer, mark)) =
            deceive::trap_touched(&self.prevent, ctx, request, view, &facts)
        {
            return self.marked(answer, mark, ctx);
        }
        let decision = self.prevent.policy.evaluate(&facts, &Self::signals(ctx));
        ctx.reasons.extend(decision.reasons.iter().cloned());
        for (rule, error) in &decision.failed_rules {
            ctx.reasons.push(Reason::new(
                format!("rule:{rule}"),
                "policy",
                format!("evaluation failed: {error}"),
                0.0,
            ));
        }
        let record = if decision.record {
            Action::Monitor
        } else {
            Action::Allow
        };
        if let Some(held_back) = &decision.held_back {
            hold_back_verdict(ctx, held_back);
        }
        if decision.mode == Mode::Monitor {
            limits::check(&self.prevent, decision.limits, &facts, ctx, Mode::Monitor);
            hold_back_verdict(ctx, &decision.verdict);
            return record;
        }
        ctx.upstream_headers
            .extend(decision.upstream_headers.iter().cloned());
        if decision.mask_response {
            response_mask::request(ctx);
        }
        if let Some(refusal) =
            limits::check(&self.prevent, decision.limits, &facts, ctx, Mode::Enforce)
        {
            return refusal;
        }
        match decision.verdict {
            Verdict::Allow => record,
            Verdict::Block(response) => respond(response),
            Verdict::Ban { on, response } => {
                if let Some(target) = Self::ban_target(on, &facts) {
                    self.prevent.ban(target, format!("policy ban on {on:?}"));
                }
                ctx.answered_as = "ban";
                respond(response)
            }
            Verdict::Deceive(kind) => deceive::answer(&self.prevent, ctx, kind, &facts, self.waits),
        }
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        response_mask::on_response_headers(ctx, response);
        Action::Allow
    }

    fn wants_response_body(&self) -> bool {
        self.may_mask
    }

    fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, end_of_stream: bool) {
        response_mask::on_response_chunk(ctx, chunk, end_of_stream);
    }

    fn settle(&self, ctx: &mut ExchangeContext) -> Option<Settlement> {
        deceive::settle(ctx).or_else(|| limits::settle(&self.prevent, ctx))
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        limits::charge_outcome(&self.prevent, ctx, outcome.status);
    }
}
