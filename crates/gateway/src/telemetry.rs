//! Prometheus metrics: their names, labels and the process-wide recorder.
//!
//! Label values come only from bounded sets (configured route and upstream
//! names, status codes, action names, fixed reasons, reason sources named by
//! code or configuration, capped), so cardinality cannot grow with traffic.

use crate::sync::lock;
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rampart_core::Reason;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

pub const REQUESTS: &str = "rampart_requests_total";
pub const REQUEST_DURATION: &str = "rampart_request_duration_seconds";
pub const UPSTREAM_ERRORS: &str = "rampart_upstream_errors_total";
pub const REFUSED: &str = "rampart_refused_requests_total";
pub const EVENTS_DROPPED: &str = "rampart_events_dropped_total";
pub const EVENTS_WRITTEN: &str = "rampart_events_written_total";
pub const CONFIG_RELOADS: &str = "rampart_config_reload_total";
pub const CONNECTIONS_OPEN: &str = "rampart_connections_open";
pub const CLIENT_TIMEOUTS: &str = "rampart_client_timeouts_total";
pub const CONNECTIONS_REFUSED: &str = "rampart_connections_refused_total";
pub const TLS_CLIENT_HELLOS: &str = "rampart_tls_client_hellos_total";
pub const UPSTREAM_UP: &str = "rampart_upstream_healthy_addresses";
pub const DISCOVERY_OBSERVED: &str = "rampart_discovery_observed_total";
pub const DISCOVERY_DROPPED: &str = "rampart_discovery_dropped_total";
pub const DISCOVERY_PERSIST_ERRORS: &str = "rampart_discovery_persist_errors_total";
pub const DISCOVERY_OVERFLOWED: &str = "rampart_discovery_overflowed_paths_total";
pub const DISCOVERY_UNROUTED: &str = "rampart_discovery_unrouted_total";
pub const DISCOVERY_FINDINGS: &str = "rampart_discovery_findings";
pub const DISCOVERY_LEARNED_CONTRACTS: &str = "rampart_discovery_learned_contracts";
pub const RECORD_WRITTEN: &str = "rampart_record_written_total";
pub const RECORD_DROPPED: &str = "rampart_record_dropped_total";
pub const RECORD_WRITE_ERRORS: &str = "rampart_record_write_errors_total";
pub const REDIS_UP: &str = "rampart_redis_up";
pub const REDIS_EVENTS: &str = "rampart_redis_total";
pub const JWKS_FETCHES: &str = "rampart_jwks_fetch_total";
pub const JWKS_KEYS: &str = "rampart_jwks_keys";
pub const JWKS_AGE: &str = "rampart_jwks_age_seconds";
pub const JWKS_UNKNOWN_KID_REFETCH: &str = "rampart_jwks_unknown_kid_total";
pub const REASONS: &str = "rampart_reasons_total";
pub const BOLA_TRACKED: &str = "rampart_behave_bola_tracked";
pub const BOLA_REMOVED: &str = "rampart_behave_bola_removed_total";
pub const ATO_TRACKED: &str = "rampart_behave_ato_tracked";
pub const ATO_REMOVED: &str = "rampart_behave_ato_removed_total";
pub const ATO_SHARED: &str = "rampart_behave_ato_shared_total";
pub const FLOOD_SHARED: &str = "rampart_behave_flood_shared_total";
pub const SIGNUP_TRACKED: &str = "rampart_behave_signup_tracked";
pub const SIGNUP_REMOVED: &str = "rampart_behave_signup_removed_total";
pub const OTP_TRACKED: &str = "rampart_behave_otp_tracked";
pub const OTP_REMOVED: &str = "rampart_behave_otp_removed_total";
pub const BFLA_TRACKED: &str = "rampart_behave_bfla_tracked";
pub const BFLA_REMOVED: &str = "rampart_behave_bfla_removed_total";
pub const SLOW_TRACKED: &str = "rampart_behave_slow_tracked";
pub const SLOW_REMOVED: &str = "rampart_behave_slow_removed_total";
pub const EXPOSURE_TRACKED: &str = "rampart_behave_exposure_tracked";
pub const EXPOSURE_REMOVED: &str = "rampart_behave_exposure_removed_total";
pub const ENUMERATION_TRACKED: &str = "rampart_behave_enumeration_tracked";
pub const ENUMERATION_REMOVED: &str = "rampart_behave_enumeration_removed_total";
/// Endpoints seen answering differently for existing accounts.
pub const ENUMERATION_LEAKING: &str = "rampart_behave_enumeration_leaking_endpoints";
/// The anomaly model (`[behave.anomaly]`): what it holds, what its bounds
/// removed, what became of the values it was handed and the minutes it
/// judged unusual, profiles that started over, exchanges it did not learn.
pub const ANOMALY_TRACKED: &str = "rampart_anomaly_tracked";
pub const ANOMALY_REMOVED: &str = "rampart_anomaly_removed_total";
pub const ANOMALY_VALUES: &str = "rampart_anomaly_values_total";
pub const ANOMALY_UNUSUAL_MINUTES: &str = "rampart_anomaly_unusual_minutes_total";
pub const ANOMALY_RELEARNED: &str = "rampart_anomaly_relearned_total";
pub const ANOMALY_SKIPPED: &str = "rampart_anomaly_exchanges_skipped_total";
pub const BOTS_TRACKED: &str = "rampart_bots_clients_tracked";
pub const BOTS_REMOVED: &str = "rampart_bots_clients_removed_total";
/// List and search endpoints whose usual coverage the bots stage learned.
pub const BOTS_COVERAGE: &str = "rampart_bots_coverage_endpoints";

/// Distinct `source` labels `rampart_reasons_total` takes; later sources
/// (only a configuration reloaded with ever new rule names gets there) are
/// counted as `other`.
const MAX_REASON_SOURCES: usize = 512;
/// The label of reasons past [`MAX_REASON_SOURCES`].
const OTHER_SOURCE: &str = "other";

const LATENCY_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(REQUEST_DURATION.to_string()),
                &LATENCY_BUCKETS,
            )
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "a metrics recorder was already installed; Rampart's /metrics may be empty"
            );
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(REQUESTS, "Requests answered, by route, status and action.");
    metrics::describe_histogram!(
        REQUEST_DURATION,
        metrics::Unit::Seconds,
        "Time from request head to the end of the response, by route."
    );
    metrics::describe_counter!(
        UPSTREAM_ERRORS,
        "Failed upstream attempts, by upstream and kind (connect, timeout, protocol)."
    );
    metrics::describe_counter!(REFUSED, "Requests refused before routing, by reason.");
    metrics::describe_counter!(
        EVENTS_DROPPED,
        "Security events dropped because the event queue was full."
    );
    metrics::describe_counter!(EVENTS_WRITTEN, "Security events written by the event sink.");
    metrics::describe_counter!(
        CONFIG_RELOADS,
        "Configuration reloads, by result (ok, error)."
    );
    metrics::describe_gauge!(CONNECTIONS_OPEN, "Client connections currently open.");
    metrics::describe_counter!(
        CLIENT_TIMEOUTS,
        "Client connections and requests given up on for slowness, by reason (idle, header, body_read, body_rate, tls_handshake)."
    );
    metrics::describe_counter!(
        CONNECTIONS_REFUSED,
        "Client connections closed at accept before any byte was read, by reason (ban)."
    );
    metrics::describe_counter!(
        TLS_CLIENT_HELLOS,
        "TLS ClientHellos read for the JA4 fingerprint, by outcome (fingerprinted, ended, not_handshake, not_client_hello, too_large, too_fragmented, malformed)."
    );
    metrics::describe_counter!(
        DISCOVERY_OBSERVED,
        "Exchanges folded into the API inventory."
    );
    metrics::describe_counter!(
        DISCOVERY_DROPPED,
        "Exchanges not observed because the inventory queue was full."
    );
    metrics::describe_counter!(
        DISCOVERY_PERSIST_ERRORS,
        "Failed writes of the inventory to the store."
    );
    metrics::describe_counter!(
        DISCOVERY_OVERFLOWED,
        "Path values the inventory sent to a parameter because a bound of its tree was hit."
    );
    metrics::describe_counter!(
        DISCOVERY_UNROUTED,
        "Exchanges answered 404 or 405 on paths no endpoint had (not learned)."
    );
    metrics::describe_gauge!(
        DISCOVERY_FINDINGS,
        "Findings in the last published inventory report, by severity (low, medium, high, critical)."
    );
    metrics::describe_counter!(
        RECORD_WRITTEN,
        "Sampled exchanges the recorder wrote ([record])."
    );
    metrics::describe_counter!(
        RECORD_DROPPED,
        "Sampled exchanges not recorded because the recorder's queue was full."
    );
    metrics::describe_counter!(
        RECORD_WRITE_ERRORS,
        "Sampled exchanges lost to failed writes of the record file."
    );
    metrics::describe_gauge!(
        REDIS_UP,
        "1 while the shared-state Redis is reachable, 0 while limits fall back."
    );
    metrics::describe_counter!(
        REDIS_EVENTS,
        "Shared-state client events, by what: errors, timeouts, fallbacks, reconnects, bans_received, bans_unreadable."
    );
    metrics::describe_counter!(
        JWKS_FETCHES,
        "Fetches of the jwks_url key set, by result (ok, unreachable, timeout, status, too_large, invalid)."
    );
    metrics::describe_gauge!(
        JWKS_KEYS,
        "Signature keys in the last good jwks_url key set."
    );
    metrics::describe_gauge!(
        JWKS_AGE,
        metrics::Unit::Seconds,
        "Time since the jwks_url key set was last fetched successfully."
    );
    metrics::describe_counter!(
        JWKS_UNKNOWN_KID_REFETCH,
        "Tokens with a kid the key set lacks, by whether they started a refetch (started) or came within 30 s of one (limited)."
    );
    metrics::describe_gauge!(
        BOTS_TRACKED,
        "Clients whose requests the bots stage counts in their window."
    );
    metrics::describe_counter!(
        BOTS_REMOVED,
        "Clients the bots stage forgot, by why: evicted (its bound was hit) or expired."
    );
    metrics::describe_gauge!(
        BOTS_COVERAGE,
        "List and search endpoints whose usual coverage (distinct pages a client reaches in a window) the bots stage learned."
    );
    metrics::describe_counter!(
        REASONS,
        "Reasons recorded on exchanges (detections, rules, limits, bans, geo, deception), by source, whether or not the exchange became an event."
    );
    metrics::describe_gauge!(
        UPSTREAM_UP,
        "Upstream addresses currently considered healthy, by upstream."
    );
}

/// The per-route request metrics, looked up once per thread and then kept:
/// a registry lookup (label hashing, allocation) per request costs more than
/// the rest of the bookkeeping together. Routes and (status, action) pairs
/// are few, so plain lists searched in order beat hashing every request.
struct RouteMetrics {
    route: Arc<str>,
    duration: Histogram,
    counters: Vec<((u16, &'static str), Counter)>,
}

thread_local! {
    static ROUTE_METRICS: RefCell<Vec<RouteMetrics>> = const { RefCell::new(Vec::new()) };
}

/// Counts one answered request and records how long it took.
pub fn record_request(route: &Arc<str>, status: u16, action: &'static str, seconds: f64) {
    ROUTE_METRICS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let index = match cache.iter().position(|m| same_name(&m.route, route)) {
            Some(index) => index,
            None => {
                cache.push(RouteMetrics {
                    route: Arc::clone(route),
                    duration: metrics::histogram!(REQUEST_DURATION, "route" => route.to_string()),
                    counters: Vec::new(),
                });
                cache.len() - 1
            }
        };
        let metrics = &mut cache[index];
        metrics.duration.record(seconds);
        let key = (status, action);
        let counter = match metrics.counters.iter().position(|(k, _)| *k == key) {
            Some(at) => &metrics.counters[at].1,
            None => {
                let counter = metrics::counter!(REQUESTS, "route" => route.to_string(), "status" => status.to_string(), "action" => action);
                metrics.counters.push((key, counter));
                &metrics.counters[metrics.counters.len() - 1].1
            }
        };
        counter.increment(1);
    });
}

thread_local! {
    /// Each thread's handles on `rampart_reasons_total`, by source.
    static REASON_COUNTERS: RefCell<HashMap<Box<str>, Counter>> = RefCell::new(HashMap::new());
}

/// Sources given a label of their own, process-wide; taken only the first
/// time a thread meets a source.
static REASON_SOURCES: Mutex<Option<HashSet<Box<str>>>> = Mutex::new(None);

/// Counts each reason of an exchange under its source.
pub fn count_reasons(reasons: &[Reason]) {
    if reasons.is_empty() {
        return;
    }
    REASON_COUNTERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        for reason in reasons {
            if let Some(counter) = cache.get(reason.source.as_str()) {
                counter.increment(1);
                continue;
            }
            let counter = metrics::counter!(REASONS, "source" => admitted_source(&reason.source));
            counter.increment(1);
            // Bounded like the labels: past the cap, sources share `other`
            // and are looked up again rather than kept.
            if cache.len() < MAX_REASON_SOURCES * 2 {
                cache.insert(reason.source.as_str().into(), counter);
            }
        }
    });
}

/// The label a reason source is counted under: its own while there is room.
fn admitted_source(source: &str) -> String {
    let mut sources = lock(&REASON_SOURCES);
    let sources = sources.get_or_insert_with(HashSet::new);
    if sources.contains(source) {
        return source.to_string();
    }
    if sources.len() < MAX_REASON_SOURCES {
        sources.insert(source.into());
        return source.to_string();
    }
    OTHER_SOURCE.to_string()
}

/// The same route name: usually the very same allocation (the running
/// configuration's), compared by content when a reload made a new one.
fn same_name(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}
