//! The `behave` stage: what many requests of one client say
//! (`rampart-behave`), judged before the upstream answers where it can be.
//!
//! Every exchange on an endpoint discovery knows is followed through its
//! phases, with the endpoint's template and business function:
//!
//! - `request_headers`: a request of an identified principal (user, else
//!   API key) is judged by BOLA (`rampart_behave::bola`: objects it was
//!   never shown, walks) and BFLA (`rampart_behave::bfla`: admin-class
//!   calls by a principal that never did admin work, repeated refusals);
//!   every client, principal or not (then named by address and
//!   fingerprint), by what the slow-upstream and data-exposure detectors
//!   struck against it (`behave.slow.repeated`, `behave.exposure.repeated`).
//! - `request_body`: on a `login` endpoint the attempt is judged by account
//!   takeover (`rampart_behave::ato`: its address, /24 or /64, fingerprint,
//!   autonomous system when `[prevent.geo] asn_database` gives one, and
//!   account), and on the functions `[behave.enumeration]` watches
//!   (login, password reset) by account enumeration, once the username is
//!   read from the body; on a `sign_up` endpoint by fake-account bursts and
//!   look-alikes (`rampart_behave::signup`), on an `otp` endpoint by
//!   one-time-code bombing and pumping (`rampart_behave::otp`), once the
//!   account or the recipient is read from the body.
//! - `settle`: with `[redis]` and `[behave.ato] secret`, account takeover
//!   judges on the counts kept in Redis instead (`shared_ato`), and so do
//!   the sign-up and one-time-code floods (`shared_floods`), and the
//!   request is refused or let through here, on the signals of
//!   `request_body` and those.
//! - `response_headers`: the upstream's answer time (measured by the proxy,
//!   `ExchangeContext::upstream_took`) is judged against the endpoint's
//!   baseline (`behave.slow.request`, recorded: the upstream already did
//!   the work).
//! - `response_body`: a bounded sample of the answer is kept (2xx answers
//!   up to `[behave.bola] sample_body_bytes`, other answers of login
//!   endpoints up to 4 KiB) and, once complete, a 2xx JSON answer is parsed
//!   once, for BOLA and for the data-exposure detector, which scans it with
//!   discovery's sensitive-data validators (`behave.exposure.secrets`,
//!   `behave.exposure.excess`, recorded: the answer has gone out).
//!   Every request's query parameters and form or JSON body values are
//!   judged by the anomaly model (`rampart_behave::anomaly`, with
//!   `[behave.anomaly]`) against what its endpoint usually receives, and
//!   its rate against the endpoint's and its clients' usual rates; these
//!   signals are recorded for the policy (class `anomaly`), never refused
//!   here.
//! - `logging`: the answers the upstream gave are learned from (owned and
//!   shown objects, admin work and refusals, login outcomes, answer shapes,
//!   and the values of exchanges that passed for the anomaly model: let
//!   through, no positive-score signal of another detector, answered 2xx or
//!   3xx); the gateway's own answers are not.
//!
//! Signals become reasons (`behave.<class>.<signal>`, the class being what
//! the prevention policy acts on), and a request is refused when the scores
//! judged before the upstream reach `[behave] block_score` (recorded only,
//! in `monitor` mode). Each detector's state outlives reloads that leave
//! its section alone.

use crate::config::BehaveSettings;
use crate::discovery::EndpointProfile;
use crate::identity::IdentityConfig;
use crate::pipeline::{
    sample_into, ExchangeContext, HeldBack, Outcome, Settled, Settlement, Stage,
};
use crate::problem::problem_response;
use crate::shared::SharedLink;
use crate::stages::shared_ato::{SharedAtoCounts, SharedAtoStats};
use crate::stages::shared_floods::{SharedFloodCounts, SharedFloodStats};
use crate::sync::lock;
use crate::tokens::TokenGuard;
use bytes::Bytes;
use rampart_behave::anomaly::{self, AnomalyDetector, AnomalyStats, Param, Sources};
use rampart_behave::ato::enumeration::{EnumerationDetector, EnumerationStats, Probe};
use rampart_behave::ato::shared::SharedKeys;
use rampart_behave::ato::{self, AtoDetector, AtoStats, Attempt};
use rampart_behave::bfla::{BflaDetector, BflaStats, Call};
use rampart_behave::bola::{BolaDetector, BolaStats, Principal, Request, Response};
use rampart_behave::exposure::{self, ExposureDetector, ExposureStats, Hit};
use rampart_behave::otp::{CodeRequest, OtpConfig, OtpDetector};
use rampart_behave::shared_tally::FloodKeys;
use rampart_behave::signup::{SignUp, SignupConfig, SignupDetector};
use rampart_behave::slow::{self, SlowDetector, SlowStats};
use rampart_behave::{Signal, TallyStats};
use rampart_core::RequestView;
use rampart_core::{Action, Clock, Combined, Reason};
use rampart_discover::sensitive::scan_json;
use rampart_prevent::geo::Location;
use rampart_prevent::policy::Mode;
use rampart_store::shared::{AtoWindows, FloodKind};
use std::sync::{Arc, Mutex};

/// Longest `Location` header kept for learning a creation.
const MAX_LOCATION_BYTES: usize = 2048;
/// Sensitive values of one response handed to the exposure detector.
const MAX_HITS: usize = 1024;
/// Characters of a fingerprint naming a client without a principal.
const FINGERPRINT_CHARS: usize = 16;
/// What the anomaly model's own signals start with.
const ANOMALY_SOURCES: &str = "behave.anomaly.";

/// The detectors shared by every route, and the settings they run with.
pub struct BehaveRuntime {
    pub settings: BehaveSettings,
    bola: Arc<Mutex<BolaDetector>>,
    ato: Arc<Mutex<AtoDetector>>,
    /// Account-takeover counts kept in Redis, with `[redis]` and
    /// `[behave.ato] secret`; `ato` is then the fallback.
    ato_shared: Option<Arc<SharedAtoCounts>>,
    bfla: Arc<Mutex<BflaDetector>>,
    slow: Arc<Mutex<SlowDetector>>,
    exposure: Arc<Mutex<ExposureDetector>>,
    enumeration: Arc<Mutex<EnumerationDetector>>,
    signup: Arc<Mutex<SignupDetector>>,
    otp: Arc<Mutex<OtpDetector>>,
    /// The sign-up and one-time-code tallies kept in Redis, with `[redis]`
    /// and `[behave.ato] secret`; `signup` and `otp` are then the fallback.
    signup_shared: Option<Arc<SharedFloodCounts>>,
    otp_shared: Option<Arc<SharedFloodCounts>>,
    /// The learned anomaly model, unless `[behave.anomaly] enabled = false`.
    anomaly: Option<Arc<Mutex<AnomalyDetector>>>,
}

/// `previous`'s detector when its section (`old`) equals `config`, else a
/// new one.
fn carried<C: PartialEq + Clone, D>(
    previous: Option<(&C, &Arc<Mutex<D>>)>,
    config: &C,
    make: impl FnOnce(C) -> D,
) -> Arc<Mutex<D>> {
    match previous {
        Some((old, detector)) if old == config => Arc::clone(detector),
        _ => Arc::new(Mutex::new(make(config.clone()))),
    }
}

impl BehaveRuntime {
    /// The runtime for `settings`, keeping `previous`'s state of each
    /// detector whose section is the same; account-takeover, sign-up and
    /// one-time-code counts go to `shared` (the link to `[redis]`) when
    /// `[behave.ato] secret` is set.
    pub fn new(
        settings: &BehaveSettings,
        previous: Option<&BehaveRuntime>,
        clock: &Arc<dyn Clock>,
        shared: Option<&Arc<SharedLink>>,
    ) -> Self {
        let s = settings;
        let clock = || Arc::clone(clock);
        let ato_shared = match (shared, &s.ato_secret) {
            (Some(link), Some(secret)) => Some(SharedAtoCounts::new(
                &s.ato,
                secret,
                link,
                previous.and_then(|p| p.ato_shared.as_ref()),
            )),
            _ => None,
        };
        let flood_shared = |kind, windows, previous: Option<&Arc<SharedFloodCounts>>| {
            let (link, secret) = (shared?, s.ato_secret.as_ref()?);
            Some(SharedFloodCounts::new(
                kind, windows, secret, link, previous,
            ))
        };
        let signup_windows = AtoWindows {
            window: s.signup.window,
            cap: s.signup.bounds.max_entries_per_key,
        };
        let otp_windows = AtoWindows {
            window: s.otp.window,
            cap: s.otp.bounds.max_entries_per_key,
        };
        BehaveRuntime {
            ato_shared,
            signup_shared: flood_shared(
                FloodKind::SignUp,
                signup_windows,
                previous.and_then(|p| p.signup_shared.as_ref()),
            ),
            otp_shared: flood_shared(
                FloodKind::Otp,
                otp_windows,
                previous.and_then(|p| p.otp_shared.as_ref()),
            ),
            bola: carried(
                previous.map(|p| (&p.settings.bola, &p.bola)),
                &s.bola,
                |c| BolaDetector::new(c, clock()),
            ),
            ato: carried(previous.map(|p| (&p.settings.ato, &p.ato)), &s.ato, |c| {
                AtoDetector::new(c, clock())
            }),
            bfla: carried(
                previous.map(|p| (&p.settings.bfla, &p.bfla)),
                &s.bfla,
                |c| BflaDetector::new(c, clock()),
            ),
            slow: carried(
                previous.map(|p| (&p.settings.slow, &p.slow)),
                &s.slow,
                |c| SlowDetector::new(c, clock()),
            ),
            exposure: carried(
                previous.map(|p| (&p.settings.exposure, &p.exposure)),
                &s.exposure,
                |c| ExposureDetector::new(c, clock()),
            ),
            enumeration: carried(
                previous.map(|p| (&p.settings.enumeration, &p.enumeration)),
                &s.enumeration,
                |c| EnumerationDetector::new(c, clock()),
            ),
            signup: carried(
                previous.map(|p| (&p.settings.signup, &p.signup)),
                &s.signup,
                |c| SignupDetector::new(c, clock()),
            ),
            otp: carried(previous.map(|p| (&p.settings.otp, &p.otp)), &s.otp, |c| {
                OtpDetector::new(c, clock())
            }),
            anomaly: s.anomaly.as_ref().map(|config| {
                let previous = previous
                    .and_then(|p| Some((p.settings.anomaly.as_ref()?, p.anomaly.as_ref()?)));
                carried(previous, config, |c| AnomalyDetector::new(c, clock()))
            }),
            settings: settings.clone(),
        }
    }

    pub fn stats(&self) -> BolaStats {
        lock(&self.bola).stats()
    }

    pub fn ato_stats(&self) -> AtoStats {
        lock(&self.ato).stats()
    }

    /// What the account-takeover counts in Redis did, when they are used.
    pub fn ato_shared_stats(&self) -> Option<SharedAtoStats> {
        self.ato_shared.as_ref().map(|shared| shared.stats())
    }

    pub fn bfla_stats(&self) -> BflaStats {
        lock(&self.bfla).stats()
    }

    pub fn slow_stats(&self) -> SlowStats {
        lock(&self.slow).stats()
    }

    pub fn exposure_stats(&self) -> ExposureStats {
        lock(&self.exposure).stats()
    }

    pub fn enumeration_stats(&self) -> EnumerationStats {
        lock(&self.enumeration).stats()
    }

    pub fn signup_stats(&self) -> TallyStats {
        lock(&self.signup).stats()
    }

    pub fn otp_stats(&self) -> TallyStats {
        lock(&self.otp).stats()
    }

    /// What the anomaly model holds and learned, when it runs.
    pub fn anomaly_stats(&self) -> Option<AnomalyStats> {
        self.anomaly.as_ref().map(|model| lock(model).stats())
    }

    /// What the sign-up and the one-time-code tallies in Redis did, by
    /// detector, when they are used.
    pub fn flood_shared_stats(&self) -> Vec<(&'static str, SharedFloodStats)> {
        [
            (FloodKind::SignUp, &self.signup_shared),
            (FloodKind::Otp, &self.otp_shared),
        ]
        .into_iter()
        .filter_map(|(kind, shared)| Some((kind.name(), shared.as_ref()?.stats())))
        .collect()
    }

    /// Account takeover on the counts in Redis, for a login whose keys
    /// were computed.
    async fn judge_shared_login(&self, login: &Login) -> Vec<Signal> {
        match (&self.ato_shared, &login.shared_keys) {
            (Some(shared), Some(keys)) => shared.judge(&login.attempt(), keys, &self.ato).await,
            _ => Vec::new(),
        }
    }

    /// A sign-up or a code request on the tally in Redis, for a request
    /// whose keys were computed.
    async fn judge_shared_flood(&self, flood: &Flood) -> Vec<Signal> {
        let Some(keys) = &flood.shared_keys else {
            return Vec::new();
        };
        match (flood.sign_up, &self.signup_shared, &self.otp_shared) {
            (true, Some(shared), _) => {
                let (config, local) = (&self.settings.signup, &self.signup);
                shared.judge(config, &flood.sign_up(), keys, local).await
            }
            (false, _, Some(shared)) => {
                let (config, local) = (&self.settings.otp, &self.otp);
                shared
                    .judge(config, &flood.code_request(), keys, local)
                    .await
            }
            _ => Vec::new(),
        }
    }

    /// Refuses (or, in monitor mode, records) an exchange whose behaviour
    /// signals reached `block_score`, explained by the strongest signal.
    fn refuse(&self, ctx: &mut ExchangeContext, signals: &[Signal]) -> Action {
        let (action, held_back) = self.verdict(signals, &ctx.request_id);
        if let Some(decision) = held_back {
            ctx.hold_back(decision);
        }
        action
    }

    /// What [`BehaveRuntime::refuse`] decides, and what monitor mode holds
    /// back instead.
    fn verdict(&self, signals: &[Signal], request_id: &str) -> (Action, Option<HeldBack>) {
        let score = Combined::of(signals.iter().map(|s| (s.score, s.confidence))).score;
        let strongest = signals.iter().max_by(|a, b| a.score.total_cmp(&b.score));
        let Some(strongest) = strongest else {
            return (Action::Allow, None);
        };
        if score == 0.0 || score < self.settings.block_score {
            return (Action::Allow, None);
        }
        match self.settings.mode {
            Mode::Enforce => (
                problem_response(403, why(strongest.source), request_id),
                None,
            ),
            Mode::Monitor => (Action::Monitor, Some(HeldBack::Block)),
        }
    }
}

/// The detail of a refusal, by the class of the signal that weighed most.
fn why(source: &str) -> &'static str {
    let class = source.split('.').nth(1).unwrap_or_default();
    match class {
        "bola" => "refused: this client is asking for objects that were never shown to it",
        "bfla" => {
            "refused: this client is calling administrative functions it has no business with"
        }
        "ato" => "refused: too many failed logins from this client or for this account",
        "enumeration" => "refused: this client is probing which accounts exist",
        "signup" => "refused: too many sign-ups from this client or of accounts shaped alike",
        "otp" => "refused: too many one-time codes for this recipient or from this client",
        "slow" => "refused: this client's requests keep holding the upstream far longer than usual",
        "exposure" => {
            "refused: this client keeps receiving secrets or unusually much sensitive data"
        }
        _ => "refused: this client's requests over time look like an attack",
    }
}

/// Adds `signals` to the exchange's reasons, at `location`.
fn record(ctx: &mut ExchangeContext, signals: &[Signal], location: &str) {
    ctx.reasons.extend(reasons(signals, location));
}

/// `signals` as reasons, at `location`.
fn reasons<'a>(signals: &'a [Signal], location: &'a str) -> impl Iterator<Item = Reason> + 'a {
    signals.iter().map(move |s| {
        Reason::new(s.source, location, s.evidence.clone(), s.score).with_confidence(s.confidence)
    })
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

/// Who asked, as the detectors name principals.
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

/// What the stage keeps of an exchange on a known endpoint, from its
/// request to its answer.
#[derive(Debug, Clone)]
struct Judged {
    who: Option<Who>,
    /// The client as evidence names it and as slow answers and exposures
    /// are counted against it: the principal, else address and fingerprint.
    client: String,
    template: Arc<str>,
    function: Option<Arc<str>>,
    /// The request raised a BOLA signal.
    flagged: bool,
    /// The request was a BFLA escalation.
    escalated: bool,
    status: Option<u16>,
    location: Option<String>,
    /// A bounded sample of the answer.
    body: Vec<u8>,
    /// The sample of a 2xx answer, parsed once when it was JSON.
    document: Option<serde_json::Value>,
}

impl Judged {
    fn request<'a>(&'a self, principal: Principal<'a>, path: &'a str) -> Request<'a> {
        Request {
            principal,
            template: &self.template,
            path,
            function: self.function.as_deref(),
        }
    }

    fn call<'a>(&'a self, principal: Principal<'a>) -> Call<'a> {
        Call {
            principal,
            template: &self.template,
            function: self.function.as_deref(),
        }
    }

    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// An attempt on a login or password-reset endpoint: who sent it and the
/// username once the body is read.
#[derive(Debug, Clone)]
struct Login {
    address: std::net::IpAddr,
    fingerprint: String,
    /// The address's autonomous system, read with the body (the `prevent`
    /// stage looks it up in `request_headers`, with `[prevent.geo]
    /// asn_database`).
    asn: Option<u32>,
    template: Arc<str>,
    /// A login, judged by account takeover.
    login: bool,
    /// A function `[behave.enumeration]` watches.
    enumerated: bool,
    username: Option<String>,
    /// The attempt's keys in Redis, when account takeover counts there.
    shared_keys: Option<SharedKeys>,
}

/// A request whose verdict waits for counts in Redis (`settle`), with the
/// signals `request_body` raised for it already.
#[derive(Debug, Clone)]
struct Awaiting(Vec<Signal>);

/// The parameters the anomaly model judged, learned in `logging` if the
/// exchange passed.
#[derive(Debug, Clone)]
struct Profiled(Vec<Param>);

impl Login {
    fn attempt(&self) -> Attempt<'_> {
        Attempt {
            address: self.address,
            fingerprint: &self.fingerprint,
            asn: self.asn,
            username: self.username.as_deref(),
        }
    }

    fn probe(&self) -> Probe<'_> {
        Probe {
            address: self.address,
            template: &self.template,
            login: self.login,
            username: self.username.as_deref(),
        }
    }
}

/// A request to a `sign_up` or `otp` endpoint, counted once its body is
/// read.
#[derive(Debug, Clone)]
struct Flood {
    address: std::net::IpAddr,
    fingerprint: String,
    /// A sign-up (else a one-time-code request).
    sign_up: bool,
    /// The account or recipient the body names, once read.
    named: Option<String>,
    /// The request's keys in Redis, when its tally is kept there.
    shared_keys: Option<FloodKeys>,
}

impl Flood {
    fn sign_up(&self) -> SignUp<'_> {
        SignUp {
            address: self.address,
            fingerprint: &self.fingerprint,
            account: self.named.as_deref(),
        }
    }

    fn code_request(&self) -> CodeRequest<'_> {
        CodeRequest {
            address: self.address,
            fingerprint: &self.fingerprint,
            recipient: self.named.as_deref(),
        }
    }
}

impl BehaveStage {
    /// Judges the request's parameters and rate with the anomaly model
    /// (recorded for the policy, class `anomaly`) and keeps its parameters
    /// for learning.
    fn judge_anomaly(&self, ctx: &mut ExchangeContext, view: &RequestView<'_>) {
        let (Some(model), Some(judged)) = (&self.runtime.anomaly, ctx.extensions.get::<Judged>())
        else {
            return;
        };
        let content_type = view
            .header("content-type")
            .map(|v| String::from_utf8_lossy(v).to_ascii_lowercase())
            .unwrap_or_default();
        let body = view.body.filter(|b| !b.truncated);
        let sources = Sources {
            query: view.query,
            form: body
                .filter(|_| content_type.starts_with("application/x-www-form-urlencoded"))
                .map(|b| b.bytes),
            // The view's document: parsed once for every stage that reads it.
            json: content_type
                .contains("json")
                .then(|| view.json()?.ok())
                .flatten(),
        };
        let params = anomaly::parameters(&sources);
        let findings = lock(model).judge(&anomaly::Request {
            method: ctx.method.as_str(),
            template: &judged.template,
            client: &judged.client,
            params: &params,
        });
        ctx.reasons.extend(findings.into_iter().map(|f| {
            let s = f.signal;
            Reason::new(s.source, f.location, s.evidence, s.score).with_confidence(s.confidence)
        }));
        ctx.extensions.insert(Profiled(params));
    }

    /// Learns the parameters of an exchange that passed (let through, no
    /// positive-score signal of another detector, answered 2xx or 3xx by
    /// the upstream); counts the others.
    fn learn_anomaly(&self, ctx: &ExchangeContext, outcome: &Outcome, judged: &Judged) {
        let (Some(model), Some(Profiled(params))) =
            (&self.runtime.anomaly, ctx.extensions.get::<Profiled>())
        else {
            return;
        };
        let flagged = ctx
            .reasons
            .iter()
            .any(|r| r.score > 0.0 && !r.source.starts_with(ANOMALY_SOURCES));
        let answered = judged.status.is_some_and(|s| (200..400).contains(&s));
        let passed = outcome.action == "allow" && ctx.held_back.is_none() && answered && !flagged;
        let mut model = lock(model);
        if !passed {
            model.skip();
            return;
        }
        model.learn(&anomaly::Request {
            method: ctx.method.as_str(),
            template: &judged.template,
            client: &judged.client,
            params,
        });
    }

    /// Judges a sign-up or a code request by its body's account or
    /// recipient, or, when its tally is kept in Redis, computes its keys
    /// there (judged in `settle`).
    fn judge_flood(&self, flood: &mut Flood, view: &RequestView<'_>) -> Vec<Signal> {
        let runtime = &self.runtime;
        let fields = if flood.sign_up {
            &runtime.settings.signup.account_fields
        } else {
            &runtime.settings.otp.recipient_fields
        };
        let json = view.json().and_then(Result::ok);
        flood.named = view.body.and_then(|b| ato::username(b.bytes, json, fields));
        match (flood.sign_up, &runtime.signup_shared, &runtime.otp_shared) {
            (true, Some(shared), _) => {
                flood.shared_keys = Some(shared.keys::<SignupConfig>(&flood.sign_up()))
            }
            (false, _, Some(shared)) => {
                flood.shared_keys = Some(shared.keys::<OtpConfig>(&flood.code_request()))
            }
            (true, None, _) => return lock(&runtime.signup).judge(&flood.sign_up()),
            (false, _, None) => return lock(&runtime.otp).judge(&flood.code_request()),
        }
        Vec::new()
    }

    /// Learns how the upstream answered a login or password-reset attempt:
    /// in Redis on a task of its own when account takeover counts there,
    /// else in this gateway's windows.
    fn learn_login(&self, login: &Login, status: u16, body: &[u8]) {
        if login.login {
            let failure_words = &self.runtime.settings.ato.failure_words;
            let answer = ato::outcome(status, body, failure_words);
            let runtime = tokio::runtime::Handle::try_current();
            match (&self.runtime.ato_shared, &login.shared_keys, runtime) {
                (Some(shared), Some(keys), Ok(runtime)) => {
                    let (shared, keys) = (Arc::clone(shared), keys.clone());
                    let (login, local) = (login.clone(), Arc::clone(&self.runtime.ato));
                    runtime.spawn(async move {
                        shared.learn(&login.attempt(), &keys, answer, &local).await;
                    });
                }
                _ => lock(&self.runtime.ato).learn(&login.attempt(), answer),
            }
        }
        if login.enumerated {
            lock(&self.runtime.enumeration).learn(&login.probe(), status, body);
        }
    }

    /// The sensitive values of a 2xx answer against what its endpoint
    /// usually returns.
    fn judge_exposure(&self, judged: &Judged) -> Vec<Signal> {
        let Some(document) = &judged.document else {
            return Vec::new();
        };
        let mut found: Vec<(String, rampart_discover::sensitive::SensitiveKind)> = Vec::new();
        scan_json(document, &mut |path, kind| {
            if found.len() < MAX_HITS {
                found.push((path.to_string(), kind));
            }
        });
        let kinds: Vec<String> = found.iter().map(|(_, k)| format!("{k:?}")).collect();
        let hits: Vec<Hit<'_>> = found
            .iter()
            .zip(&kinds)
            .map(|((path, kind), name)| Hit {
                path,
                kind: name,
                secret: kind.is_secret(),
            })
            .collect();
        lock(&self.runtime.exposure).observe(&exposure::Response {
            template: &judged.template,
            function: judged.function.as_deref(),
            client: &judged.client,
            hits: &hits,
        })
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
        let identity = self.identity.of(&self.tokens, ctx, request);
        let fingerprint = identity.fingerprint.clone();
        let who = match (&identity.user, &identity.api_key) {
            (Some(user), _) => Some(Who::User(user.clone())),
            (None, Some(key)) => Some(Who::ApiKey(key.clone())),
            (None, None) => None,
        };
        let client = match &who {
            Some(who) => who.principal().to_string(),
            None => {
                let short: String = fingerprint.chars().take(FINGERPRINT_CHARS).collect();
                format!("address {} ({short})", ctx.client_ip)
            }
        };
        if let Some(function) = function.as_deref() {
            if matches!(function, "sign_up" | "otp") {
                ctx.extensions.insert(Flood {
                    address: ctx.client_ip,
                    fingerprint: fingerprint.clone(),
                    sign_up: function == "sign_up",
                    named: None,
                    shared_keys: None,
                });
            }
            let login = function == "login";
            let watched = &self.runtime.settings.enumeration.functions;
            let enumerated = watched.iter().any(|f| f == function);
            if login || enumerated {
                ctx.extensions.insert(Login {
                    address: ctx.client_ip,
                    fingerprint,
                    asn: None,
                    template: Arc::clone(&template),
                    login,
                    enumerated,
                    username: None,
                    shared_keys: None,
                });
            }
        }
        let mut judged = Judged {
            who,
            client,
            template,
            function,
            flagged: false,
            escalated: false,
            status: None,
            location: None,
            body: Vec::new(),
            document: None,
        };
        let mut by_principal = Vec::new();
        if let Some(who) = &judged.who {
            let principal = who.principal();
            let bola = lock(&self.runtime.bola).judge(&judged.request(principal, &ctx.path));
            let bfla = lock(&self.runtime.bfla).judge(&judged.call(principal));
            judged.flagged = !bola.is_empty();
            judged.escalated = bfla.escalated;
            by_principal.extend(bola.into_iter().map(Signal::from));
            by_principal.extend(bfla.signals);
        }
        let by_client: Vec<Signal> = (lock(&self.runtime.slow).judge(&judged.client))
            .into_iter()
            .chain(lock(&self.runtime.exposure).judge(&judged.client))
            .collect();
        ctx.extensions.insert(judged);
        record(ctx, &by_principal, "path");
        record(ctx, &by_client, "client");
        by_principal.extend(by_client);
        self.runtime.refuse(ctx, &by_principal)
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        self.judge_anomaly(ctx, view);
        let mut signals = match ctx.extensions.get_mut::<Flood>() {
            Some(flood) => self.judge_flood(flood, view),
            None => Vec::new(),
        };
        let asn = ctx.extensions.get::<Location>().and_then(|l| l.asn);
        if let Some(login) = ctx.extensions.get_mut::<Login>() {
            login.asn = asn;
            let fields = &self.runtime.settings.ato.username_fields;
            // The view's document: a JSON login is parsed once for every stage.
            let json = view.json().and_then(Result::ok);
            login.username = view.body.and_then(|b| ato::username(b.bytes, json, fields));
            if login.login {
                match &self.runtime.ato_shared {
                    Some(shared) => login.shared_keys = Some(shared.keys(&login.attempt())),
                    None => signals.extend(lock(&self.runtime.ato).judge(&login.attempt())),
                }
            }
            if login.enumerated {
                signals.extend(lock(&self.runtime.enumeration).judge(&login.probe()));
            }
        }
        record(ctx, &signals, "body");
        let awaiting = ctx
            .extensions
            .get::<Login>()
            .is_some_and(|login| login.shared_keys.is_some())
            || (ctx.extensions.get::<Flood>()).is_some_and(|flood| flood.shared_keys.is_some());
        if awaiting {
            // Decided in `settle`, with the signals of the counts in Redis.
            ctx.extensions.insert(Awaiting(signals));
            return Action::Allow;
        }
        if signals.is_empty() {
            return Action::Allow;
        }
        self.runtime.refuse(ctx, &signals)
    }

    /// Account takeover and floods on the counts in Redis, then the
    /// decision on every signal of the request body.
    fn settle(&self, ctx: &mut ExchangeContext) -> Option<Settlement> {
        let Awaiting(mut signals) = ctx.extensions.remove::<Awaiting>()?;
        let login = ctx.extensions.get::<Login>().cloned();
        let flood = ctx.extensions.get::<Flood>().cloned();
        let runtime = Arc::clone(&self.runtime);
        let request_id = ctx.request_id.clone();
        Some(Box::pin(async move {
            let mut shared = Vec::new();
            if let Some(login) = &login {
                shared.extend(runtime.judge_shared_login(login).await);
            }
            if let Some(flood) = &flood {
                shared.extend(runtime.judge_shared_flood(flood).await);
            }
            let reasons = reasons(&shared, "body").collect();
            signals.extend(shared);
            let (action, held_back) = runtime.verdict(&signals, &request_id);
            Settled {
                action,
                answered_as: "block",
                reasons,
                held_back,
                extensions: http::Extensions::new(),
            }
        }))
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        let took = ctx.upstream_took;
        let Some(judged) = ctx.extensions.get_mut::<Judged>() else {
            return Action::Allow;
        };
        judged.status = Some(response.status.as_u16());
        judged.location = response
            .headers
            .get(http::header::LOCATION)
            .filter(|v| v.len() <= MAX_LOCATION_BYTES)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let slow = took.and_then(|took| {
            lock(&self.runtime.slow).observe(&slow::Answer {
                method: ctx.method.as_str(),
                template: &judged.template,
                client: &judged.client,
                took,
            })
        });
        if let Some(signal) = slow {
            record(ctx, &[signal], "upstream");
        }
        Action::Allow
    }

    fn wants_response_body(&self) -> bool {
        true
    }

    fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, end_of_stream: bool) {
        let login = ctx.extensions.get::<Login>().is_some();
        let Some(judged) = ctx.extensions.get_mut::<Judged>() else {
            return;
        };
        let limit = if judged.succeeded() {
            self.runtime.settings.sample_body_bytes
        } else if login {
            ato::MAX_FAILURE_BODY_BYTES
        } else {
            0
        };
        sample_into(&mut judged.body, chunk, limit);
        if !(end_of_stream && judged.succeeded() && judged.document.is_none()) {
            return;
        }
        judged.document = serde_json::from_slice(&judged.body).ok();
        let signals = self.judge_exposure(judged);
        record(ctx, &signals, "response");
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        let Some(judged) = ctx.extensions.get::<Judged>() else {
            return;
        };
        self.learn_anomaly(ctx, outcome, judged);
        // The gateway's own answers (a refusal) say nothing of the API.
        let Some(status) = judged.status else {
            return;
        };
        if !matches!(outcome.action, "allow" | "monitor") {
            return;
        }
        if let Some(login) = ctx.extensions.get::<Login>() {
            self.learn_login(login, status, &judged.body);
        }
        let Some(who) = &judged.who else {
            return;
        };
        let principal = who.principal();
        lock(&self.runtime.bfla).learn(&judged.call(principal), status, judged.escalated);
        if !outcome.completed {
            return;
        }
        lock(&self.runtime.bola).learn(&Response {
            request: judged.request(principal, &ctx.path),
            method: ctx.method.as_str(),
            status,
            location: judged.location.as_deref(),
            body: judged.document.as_ref(),
            flagged: judged.flagged,
        });
    }
}
