//! The gateway's decisions without sockets: recorded exchanges run through a
//! configuration's routes and pipelines exactly as live requests would, so
//! `rampart replay` can tell what a policy would have done before anyone
//! deploys it.
//!
//! What is the same as serving: routing, the route's header and body limits,
//! framing refusals, every stage's `request_headers` and `request_body`
//! phases, and the `logging` phase with the recorded status (so limits that
//! count only failed logins are charged as they would be). A record with a
//! response (a `status`) that the gateway would have forwarded also runs the
//! response phases: `response_headers` with the recorded headers and
//! `response_body` with the recorded body as one final chunk, so detectors
//! that learn from answers (object ownership, exposure, login outcomes) learn
//! as they would live; the upstream's answer time is the caller's to give
//! ([`OfflineGateway::evaluate_answered`]), since records do not carry it.
//! What differs, on purpose:
//! - time is the records' own (`ts`, else one millisecond after the previous
//!   record), so rate limits and ban TTLs behave as they did on the day;
//! - nothing leaves the process: no upstream, no Redis (limits and bans are
//!   local to the replay), no event sink, no inventory store;
//! - endpoint facts (templates, business functions) come from the declared
//!   spec (`[discovery] spec`) and from the records replayed so far, never
//!   from a live inventory, so two runs over one file agree: the records
//!   the gateway would have forwarded and that have a response are learned
//!   from, and what was learned reaches the stages every
//!   `[discovery] publish_interval` of the records' time, as the live
//!   inventory does in wall time.

use crate::config::GatewayConfig;
use crate::discovery::{declare_spec, Discovery, DiscoverySettings};
use crate::framing;
use crate::pipeline::{BodyView, ExchangeContext, Outcome, Pipeline};
use crate::proxy::over_limit;
use crate::runtime::{Runtime, Services};
use crate::stages::detect::PendingScan;
use crate::sync::lock;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode, Version};
use rampart_core::event::parse_rfc3339_millis;
use rampart_core::{Action, Clock, Combined, ExchangeRecord, ManualClock, Reason};
use rampart_discover::Inventory;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the gateway would have done with one recorded request.
#[derive(Debug, Clone)]
pub struct OfflineVerdict {
    /// The route that took the request, if any did.
    pub route: Option<Arc<str>>,
    /// `allow`, `monitor`, `would_block` (and the other decisions monitor
    /// mode holds back), `block` (or what the block really was:
    /// `rate_limit`, `ban`, `deceive`), as in security events.
    pub action: &'static str,
    /// The status the gateway itself would have answered with; `None` when
    /// the request would have been forwarded.
    pub status: Option<u16>,
    /// The evidence, in the order the stages produced it.
    pub reasons: Vec<Reason>,
}

impl OfflineVerdict {
    pub fn score(&self) -> f64 {
        Combined::of_reasons(&self.reasons).score
    }

    /// What the client got: the action and the gateway's own status.
    pub fn outcome(&self) -> (&'static str, Option<u16>) {
        (self.action, self.status)
    }

    /// What decided it, for grouping changes: the last stage or rule that
    /// spoke (bans, rules, limits, lists push their reason as they decide),
    /// else the strongest detection.
    pub fn cause(&self) -> Option<String> {
        let decided = self
            .reasons
            .iter()
            .rev()
            .find(|r| !r.source.starts_with("detect."));
        let strongest_detection = || {
            self.reasons
                .iter()
                .filter(|r| r.source.starts_with("detect."))
                .max_by(|a, b| a.score.total_cmp(&b.score))
        };
        decided
            .or_else(strongest_detection)
            .map(|r| r.source.clone())
    }
}

/// What one configuration did to a run of records compared with another:
/// `rampart replay --against` and the console's policy replay count alike.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub records: u64,
    /// Lines of the input that were not records.
    pub bad_lines: u64,
    /// Records by action, under the configuration tried.
    pub new_actions: BTreeMap<&'static str, u64>,
    /// Records by action, under the configuration compared against.
    pub current_actions: BTreeMap<&'static str, u64>,
    /// (current action, new action) -> cause -> records.
    pub changes: BTreeMap<(&'static str, &'static str), BTreeMap<String, u64>>,
    /// Records whose outcome differs.
    pub changed: u64,
}

impl Comparison {
    /// Counts one record; true when its outcome changed.
    pub fn add(&mut self, new: &OfflineVerdict, current: Option<&OfflineVerdict>) -> bool {
        self.records += 1;
        *self.new_actions.entry(new.action).or_default() += 1;
        let Some(current) = current else {
            return false;
        };
        *self.current_actions.entry(current.action).or_default() += 1;
        if new.outcome() == current.outcome() {
            return false;
        }
        self.changed += 1;
        *self
            .changes
            .entry((current.action, new.action))
            .or_default()
            .entry(change_cause(new, current))
            .or_default() += 1;
        true
    }
}

/// Why a record's outcome changed: what decided the new verdict, or, when
/// the record is now let through, what decided the old one.
pub fn change_cause(new: &OfflineVerdict, current: &OfflineVerdict) -> String {
    let deciding = if new.action == "allow" { current } else { new };
    deciding
        .cause()
        .unwrap_or_else(|| "route limits".to_string())
}

/// One configuration, compiled as the gateway would, fed records in order.
pub struct OfflineGateway {
    runtime: Runtime,
    /// Runs the pipeline's `settle` phase, which may await.
    settler: tokio::runtime::Runtime,
    clock: Arc<ManualClock>,
    discovery: Option<Arc<Discovery>>,
    learning: Option<Mutex<Learning>>,
}

/// The inventory replay learns from the records, and when it last handed
/// it to the stages.
struct Learning {
    inventory: Inventory,
    every: u64,
    published_at: u64,
    unpublished: bool,
}

impl Learning {
    fn new(settings: &DiscoverySettings) -> anyhow::Result<Learning> {
        let mut inventory = Inventory::new();
        declare_spec(&mut inventory, settings)?;
        Ok(Learning {
            inventory,
            every: u64::try_from(settings.publish_interval.as_millis()).unwrap_or(u64::MAX),
            published_at: 0,
            unpublished: false,
        })
    }

    /// Publishes what was learned once `every` has passed since the last
    /// publication.
    fn publish_due(&mut self, discovery: &Discovery, now: u64) {
        if self.unpublished && now.saturating_sub(self.published_at) >= self.every {
            discovery.publish(&mut self.inventory);
            self.published_at = now;
            self.unpublished = false;
        }
    }

    fn observe(&mut self, record: &ExchangeRecord) {
        self.inventory.observe(record);
        self.unpublished = true;
    }
}

impl OfflineGateway {
    /// Compiles `config` with a clock the records drive.
    pub fn new(config: GatewayConfig) -> anyhow::Result<OfflineGateway> {
        let clock = Arc::new(ManualClock::at(0));
        let learning = (config.discovery.as_ref())
            .map(Learning::new)
            .transpose()?
            .map(Mutex::new);
        let discovery = config
            .discovery
            .clone()
            .map(|mut settings| {
                settings.store = None;
                settings.publish_interval = Duration::MAX;
                settings.persist_interval = Duration::MAX;
                Discovery::start(settings)
            })
            .transpose()?;
        let services = Services {
            discovery: discovery.clone(),
            recorder: None,
            shared: None,
            key_refresh: None,
            clock: Arc::clone(&clock) as Arc<dyn Clock>,
            decisions_only: true,
        };
        let file = config.file.display().to_string();
        let runtime =
            Runtime::build(config, None, &services).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        Ok(OfflineGateway {
            runtime,
            settler: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()?,
            clock,
            discovery,
            learning,
        })
    }

    /// Decides one record; records must come in arrival order.
    pub fn evaluate(&self, record: &ExchangeRecord) -> OfflineVerdict {
        self.evaluate_answered(record, None)
    }

    /// Decides one record whose upstream took `upstream_took` to answer
    /// (what the slow-upstream detector judges; `None`: not known, as for
    /// [`OfflineGateway::evaluate`]).
    pub fn evaluate_answered(
        &self,
        record: &ExchangeRecord,
        upstream_took: Option<Duration>,
    ) -> OfflineVerdict {
        let arrival = record.ts.as_deref().and_then(parse_rfc3339_millis);
        match arrival {
            Some(millis) => self.clock.move_to(millis),
            None => self.clock.advance(Duration::from_millis(1)),
        }
        if let (Some(learning), Some(discovery)) = (&self.learning, &self.discovery) {
            lock(learning).publish_due(discovery, self.clock.now_millis());
        }
        let request = match request_parts(record) {
            Ok(parts) => parts,
            Err(why) => return refused(None, 400, "block", vec![malformed(why)]),
        };
        let client_ip = record
            .client_ip
            .as_deref()
            .and_then(|ip| ip.parse().ok())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let host = record.host.clone().unwrap_or_default().to_ascii_lowercase();
        let mut ctx = ExchangeContext::new(
            record.id.clone().unwrap_or_default(),
            client_ip,
            SocketAddr::new(client_ip, 0),
            request.method.clone(),
            host,
            record.path.clone(),
        );
        if let Some(why) = framing::ambiguity(request.version, &request.uri, &request.headers) {
            let reason = Reason::new("protocol.framing", "headers", why, 100.0);
            return refused(None, 400, "block", vec![reason]);
        }
        let Some(route_index) = self.runtime.router.route(&ctx.host, &ctx.path) else {
            return refused(None, 404, "allow", Vec::new());
        };
        let route = &self.runtime.routes[route_index];
        ctx.route = Arc::clone(&route.name);
        let limits = route.spec.limits;
        let body = record.request_body.as_deref().unwrap_or_default();
        if let Some(over) = over_limit(&limits, &request, Some(body.len() as u64)) {
            return refused(Some(&ctx.route), over.status, "allow", Vec::new());
        }

        let inspectable = body.len().min(limits.inspect_body_bytes as usize);
        let view = BodyView {
            bytes: &body[..inspectable],
            complete: inspectable == body.len(),
        };
        let mut action = route.pipeline.request_headers(&mut ctx, &request);
        if !action.is_terminal() {
            action = route.pipeline.request_body(&mut ctx, &request, view);
        }
        // The detection engine reads the whole recorded body, as it reads a
        // live body while forwarding it.
        if let Some(pending) = ctx.extensions.remove::<PendingScan>() {
            if !action.is_terminal() {
                let rest = body.get(pending.fed()..).unwrap_or_default();
                action = pending.judge_rest(rest, &mut ctx);
                ctx.monitored |= action == Action::Monitor;
            }
        }
        if !action.is_terminal() {
            action = self.settler.block_on(route.pipeline.settle(&mut ctx));
        }
        if let (false, Some(status)) = (action.is_terminal(), record.status) {
            ctx.upstream_took = upstream_took;
            action = answer(&route.pipeline, &mut ctx, record, status);
        }
        let (action, status) = match action {
            Action::Block { status, .. } => (ctx.answered_as, Some(status)),
            _ if ctx.monitored => ("monitor", None),
            _ => ("allow", None),
        };
        let outcome = Outcome {
            status: status.or(record.status).unwrap_or(0),
            action,
            completed: true,
        };
        route.pipeline.logging(&ctx, &outcome);
        // What the discover stage would hand the live inventory: answers
        // the upstream gave, never the gateway's own.
        if let (Some(learning), None, Some(_)) = (&self.learning, status, record.status) {
            lock(learning).observe(record);
        }
        // As in events: an exchange let through is named by what monitor
        // mode held back (`would_block`, ...), if anything.
        let action = match action {
            "allow" | "monitor" => ctx.passed_action(),
            applied => applied,
        };
        OfflineVerdict {
            route: Some(Arc::clone(&ctx.route)),
            action,
            status,
            reasons: ctx.reasons,
        }
    }
}

impl Drop for OfflineGateway {
    fn drop(&mut self) {
        if let Some(discovery) = &self.discovery {
            discovery.shutdown();
        }
    }
}

/// The response phases over a recorded answer: its head, then its body as
/// one final chunk. The first terminal action of `response_headers` is
/// what the client would have got instead.
fn answer(
    pipeline: &Pipeline,
    ctx: &mut ExchangeContext,
    record: &ExchangeRecord,
    status: u16,
) -> Action {
    let mut response = response_parts(record, status);
    let action = pipeline.response_headers(ctx, &mut response);
    if action.is_terminal() {
        return action;
    }
    if pipeline.wants_response_body() {
        let body = record.response_body.clone().unwrap_or_default();
        pipeline.response_body(ctx, &mut Bytes::from(body), true);
    }
    action
}

/// The recorded response head; header pairs HTTP would not carry are left
/// out, as for the request.
fn response_parts(record: &ExchangeRecord, status: u16) -> http::response::Parts {
    let mut parts = http::Response::new(()).into_parts().0;
    // The reader keeps statuses in 100..=999, all of which `http` accepts.
    parts.status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in &record.response_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            parts.headers.append(name, value);
        }
    }
    parts
}

fn refused(
    route: Option<&Arc<str>>,
    status: u16,
    action: &'static str,
    reasons: Vec<Reason>,
) -> OfflineVerdict {
    OfflineVerdict {
        route: route.cloned(),
        action,
        status: Some(status),
        reasons,
    }
}

fn malformed(why: String) -> Reason {
    Reason::new("protocol.request", "request", why, 0.0)
}

/// The request head as hyper would have handed it to the gateway. Header
/// pairs that HTTP would not carry are left out, as a live connection would
/// have refused them before the pipeline.
fn request_parts(record: &ExchangeRecord) -> Result<http::request::Parts, String> {
    let target = match record.query.is_empty() {
        true => record.path.clone(),
        false => format!("{}?{}", record.path, record.query),
    };
    let mut builder = http::Request::builder()
        .method(record.method.as_str())
        .uri(target)
        .version(Version::HTTP_11);
    for (name, value) in &record.request_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            builder = builder.header(name, value);
        }
    }
    let has_host = record
        .request_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"));
    if let (false, Some(host)) = (has_host, &record.host) {
        builder = builder.header(http::header::HOST, host.as_str());
    }
    builder
        .body(())
        .map(|request| request.into_parts().0)
        .map_err(|e| format!("not a valid HTTP request: {e}"))
}
