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
//! Claims of agents with domains are checked by reverse DNS in the
//! background (`crate::reverse_dns`), never waited for.
//!
//! The detector's state (with its remembered signature nonces) outlives
//! reloads that leave `[bots]` alone, and so do the `keys_url` directories
//! it verifies with and the reverse DNS lookups; the catalogue is parsed
//! once per process.

use crate::config::BotsSettings;
use crate::discovery::EndpointProfile;
use crate::identity::IdentityConfig;
use crate::key_set::directory::RemoteDirectory;
use crate::pipeline::{ExchangeContext, HeldBack, Outcome, Stage};
use crate::problem::problem_response;
use crate::reverse_dns::ReverseDnsLookups;
use crate::sync::lock;
use crate::tokens::TokenGuard;
use http::header::{HeaderMap, ACCEPT_LANGUAGE, USER_AGENT};
use rampart_behave::bots::signature::{FetchedDirectory, Message};
use rampart_behave::bots::{
    BotsDetector, BotsStats, BrowserHeaders, Catalog, ClientKey, Identity, Request,
    ReverseDnsSource,
};
use rampart_core::{Action, Clock, Reason};
use rampart_prevent::policy::Mode;
use rampart_prevent::BotFacts;
use std::sync::{Arc, Mutex, OnceLock};

/// The detector shared by every route, and the settings it runs with.
pub struct BotsRuntime {
    pub settings: BotsSettings,
    detector: Arc<Mutex<BotsDetector>>,
    /// The `keys_url` directories the detector verifies with, to keep fresh.
    fetched: Vec<Arc<RemoteDirectory>>,
    /// When some agent is verified by its domains and a resolver is known.
    reverse_dns: Option<Arc<ReverseDnsLookups>>,
}

/// The embedded catalogue, parsed on first use and shared for the process.
fn catalog() -> Result<Arc<Catalog>, String> {
    static CATALOG: OnceLock<Result<Arc<Catalog>, String>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Catalog::embedded().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
}

impl BotsRuntime {
    /// The runtime for `settings`, keeping `previous`'s state (and its
    /// fetched directories) when its detector settings and reverse DNS
    /// lookups are the same; a new detector's directories take over the
    /// keys previous ones fetched from the same source. Nothing `previous`
    /// uses is changed, so a reload that fails later leaves it as it was.
    pub fn new(
        settings: &BotsSettings,
        previous: Option<&BotsRuntime>,
        clock: &Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let reverse_dns = reverse_dns(settings, previous, clock)?;
        let same_lookups = |p: &BotsRuntime| match (&p.reverse_dns, &reverse_dns) {
            (Some(before), Some(now)) => Arc::ptr_eq(before, now),
            (before, now) => before.is_none() && now.is_none(),
        };
        let kept = previous.filter(|p| p.settings.detector == settings.detector && same_lookups(p));
        let (detector, fetched) = match kept {
            Some(p) => (Arc::clone(&p.detector), p.fetched.clone()),
            None => {
                let earlier = previous.map_or(&[][..], |p| p.fetched.as_slice());
                for directory in &settings.fetched {
                    if let Some(same) = earlier.iter().find(|e| e.source() == directory.source()) {
                        directory.adopt(same);
                    }
                }
                let mut detector =
                    BotsDetector::new(settings.detector.clone(), catalog()?, Arc::clone(clock));
                detector.set_reverse_dns(
                    reverse_dns
                        .clone()
                        .map(|lookups| lookups as Arc<dyn ReverseDnsSource>),
                );
                (Arc::new(Mutex::new(detector)), settings.fetched.clone())
            }
        };
        Ok(BotsRuntime {
            settings: settings.clone(),
            detector,
            fetched,
            reverse_dns,
        })
    }

    /// The `keys_url` directories to keep fresh.
    pub fn fetched(&self) -> &[Arc<RemoteDirectory>] {
        &self.fetched
    }

    pub fn stats(&self) -> BotsStats {
        lock(&self.detector).stats()
    }
}

/// The reverse DNS lookups `settings` need: `previous`'s when they serve
/// the same resolver settings and domains (so that a reload keeps what
/// was looked up), new ones otherwise, none without domains or a resolver.
fn reverse_dns(
    settings: &BotsSettings,
    previous: Option<&BotsRuntime>,
    clock: &Arc<dyn Clock>,
) -> Result<Option<Arc<ReverseDnsLookups>>, String> {
    let mut domains: Vec<String> = settings
        .detector
        .verify
        .iter()
        .flat_map(|entry| entry.domains.iter().cloned())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    if domains.is_empty() || settings.dns.resolver.is_none() {
        return Ok(None);
    }
    let kept = previous
        .and_then(|p| p.reverse_dns.as_ref())
        .filter(|lookups| lookups.serves(&settings.dns, &domains));
    match kept {
        Some(kept) => Ok(Some(Arc::clone(kept))),
        None => ReverseDnsLookups::new(&settings.dns, domains, clock).map(|l| Some(Arc::new(l))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_behave::bots::VerifiedRanges;
    use rampart_core::SystemClock;
    use std::time::Duration;

    fn settings(timeout: Duration) -> BotsSettings {
        let mut settings = BotsSettings::default();
        settings.detector.verify.push(VerifiedRanges {
            agents: vec!["Googlebot".into()],
            ranges: None,
            domains: vec!["googlebot.com".into()],
        });
        settings.dns.resolver = Some("127.0.0.1:53".parse().unwrap());
        settings.dns.timeout = timeout;
        settings
    }

    #[test]
    fn a_reload_keeps_the_lookups_while_their_settings_stay() {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let first = BotsRuntime::new(&settings(Duration::from_secs(2)), None, &clock).unwrap();
        let same =
            BotsRuntime::new(&settings(Duration::from_secs(2)), Some(&first), &clock).unwrap();
        let (kept, before) = (same.reverse_dns.as_ref(), first.reverse_dns.as_ref());
        assert!(Arc::ptr_eq(kept.unwrap(), before.unwrap()));
        let other =
            BotsRuntime::new(&settings(Duration::from_secs(1)), Some(&same), &clock).unwrap();
        assert!(!Arc::ptr_eq(
            other.reverse_dns.as_ref().unwrap(),
            kept.unwrap()
        ));
        let mut without = settings(Duration::from_secs(1));
        without.detector.verify[0].domains.clear();
        without.detector.verify[0].ranges = Some(Default::default());
        let none = BotsRuntime::new(&without, Some(&other), &clock).unwrap();
        assert!(none.reverse_dns.is_none(), "no domains, no lookups");
    }
}
