//! Traffic and mitigation over time from the embedded store's
//! `traffic_minutes` (written by the gateway once a minute, see
//! `rampart_gateway::traffic`), with the counts of the minute in progress
//! added from memory: `GET /api/stats?from=&to=&step=`, and
//! `GET /api/overview`, the console's first page (the last hour's totals
//! and series, the top detectors, the riskiest endpoints, the bans).

use crate::bans::prevention;
use crate::inventory::{self, EndpointItem};
use crate::page;
use crate::problem::Problem;
use crate::state::ApiState;
use axum::extract::{Query, State};
use axum::Json;
use rampart_core::event::rfc3339_millis;
use rampart_gateway::traffic::{minute_of, MINUTE_MILLIS};
use rampart_store::TrafficCounts;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Buckets one answer may hold.
pub const MAX_BUCKETS: u64 = 1440;
/// The window when `from` is not given.
const DEFAULT_WINDOW_MILLIS: u64 = 3600 * 1000;
/// Detectors and endpoints on the overview.
const OVERVIEW_TOP: usize = 5;
/// (detector, method, path) groups read to name the top threats.
const THREAT_ROWS: usize = 1000;

#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    /// Start (RFC 3339 or Unix ms), rounded down to a minute; default an
    /// hour before `to`.
    pub from: Option<String>,
    /// End, exclusive; default now.
    pub to: Option<String>,
    /// Bucket width in seconds, a multiple of 60; default 60.
    pub step: Option<u64>,
}

/// One bucket of a series.
#[derive(Debug, Serialize)]
pub struct Bucket {
    /// The bucket's start, RFC 3339.
    pub time: String,
    #[serde(flatten)]
    pub counts: TrafficCounts,
}

/// Totals and series over a window.
#[derive(Debug, Serialize)]
pub struct Stats {
    pub from: String,
    pub to: String,
    /// Seconds per bucket.
    pub step: u64,
    pub totals: TrafficCounts,
    pub series: Vec<Bucket>,
}

pub async fn stats(
    State(state): State<ApiState>,
    Query(query): Query<StatsQuery>,
) -> Result<Json<Stats>, Problem> {
    let to = page::time("to", query.to.as_deref())?.unwrap_or_else(page::now_millis);
    let from = page::time("from", query.from.as_deref())?
        .unwrap_or_else(|| to.saturating_sub(DEFAULT_WINDOW_MILLIS));
    let step = query.step.unwrap_or(60);
    if step == 0 || step % 60 != 0 {
        return Err(Problem::bad_request(
            "step: expected seconds, a multiple of 60",
        ));
    }
    Ok(Json(series(&state, from, to, step * 1000).await?))
}

/// The counts in `[from, to)` in buckets of `step_millis`.
async fn series(state: &ApiState, from: u64, to: u64, step_millis: u64) -> Result<Stats, Problem> {
    let from = minute_of(from);
    if to <= from {
        return Err(Problem::bad_request("to: expected a time after from"));
    }
    let buckets = (to - from).div_ceil(step_millis);
    if buckets > MAX_BUCKETS {
        return Err(Problem::bad_request(format!(
            "at most {MAX_BUCKETS} buckets: widen step or narrow from/to"
        )));
    }
    let minutes = ((to - from).div_ceil(MINUTE_MILLIS)) as usize;
    let rows = state
        .with_store(move |store| store.traffic_between(from, to, minutes))
        .await?;
    let mut series: Vec<Bucket> = (0..buckets)
        .map(|i| Bucket {
            time: rfc3339_millis(from + i * step_millis),
            counts: TrafficCounts::default(),
        })
        .collect();
    let mut add = |minute: u64, counts: &TrafficCounts| {
        let index = ((minute - from) / step_millis) as usize;
        if let Some(bucket) = series.get_mut(index) {
            bucket.counts.add(counts);
        }
    };
    for (minute, counts) in &rows {
        add(*minute, counts);
    }
    // The minute in progress is still in memory.
    let now = minute_of(page::now_millis());
    if (from..to).contains(&now) {
        add(now, &state.admin.shared.traffic.peek());
    }
    let mut totals = TrafficCounts::default();
    for bucket in &series {
        totals.add(&bucket.counts);
    }
    Ok(Stats {
        from: rfc3339_millis(from),
        to: rfc3339_millis(to),
        step: step_millis / 1000,
        totals,
        series,
    })
}

/// The detectors behind the last hour's events by the business flow
/// (function of the endpoint) they hit, most exchanges first.
async fn top_threats(state: &ApiState, since: String) -> Result<Vec<Value>, Problem> {
    let rows = state
        .with_store(move |store| store.top_source_paths(&since, THREAT_ROWS))
        .await?;
    let discovery = inventory::discovery(state).ok();
    let matcher = discovery.as_ref().map(|d| d.matcher());
    let flow_of = |method: &str, path: &str| -> Option<String> {
        let found = matcher.as_ref()?.find(method, None, path)?;
        let profile = discovery.as_ref()?.profile(found.id)?;
        profile.function.as_deref().map(str::to_owned)
    };
    let mut threats: Vec<((String, Option<String>), u64)> = Vec::new();
    for (detector, method, path, count) in rows {
        let key = (detector, flow_of(&method, &path));
        match threats.iter_mut().find(|(k, _)| *k == key) {
            Some((_, total)) => *total += count,
            None => threats.push((key, count)),
        }
    }
    threats.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    Ok(threats
        .into_iter()
        .take(OVERVIEW_TOP)
        .map(
            |((detector, flow), count)| json!({"detector": detector, "flow": flow, "count": count}),
        )
        .collect())
}

/// `GET /api/overview`: each part that cannot be had (no store, no
/// discovery, no prevention) is `null`.
pub async fn overview(State(state): State<ApiState>) -> Json<Value> {
    let to = page::now_millis();
    let from = to - DEFAULT_WINDOW_MILLIS;
    let traffic = series(&state, from, to, MINUTE_MILLIS).await.ok();
    let threats = top_threats(&state, rfc3339_millis(from)).await.ok();
    let endpoints = inventory::discovery(&state).ok().map(|discovery| {
        let report = discovery.report();
        let mut endpoints: Vec<_> = report.endpoints.iter().collect();
        endpoints.sort_by_key(|e| std::cmp::Reverse(e.risk.score));
        endpoints
            .into_iter()
            .take(OVERVIEW_TOP)
            .map(EndpointItem::of)
            .collect::<Vec<_>>()
    });
    let bans = prevention(&state)
        .ok()
        .map(|p| p.bans.current().active().len());
    Json(json!({
        "from": rfc3339_millis(from),
        "to": rfc3339_millis(to),
        "totals": traffic.as_ref().map(|t| &t.totals),
        "series": traffic.as_ref().map(|t| &t.series),
        "top_threats": threats,
        "top_endpoints": endpoints,
        "active_bans": bans,
    }))
}
