//! The API inventory discovery learned: the whole report
//! (`GET /api/inventory`), endpoints listed, filtered and searched
//! (`GET /api/endpoints`), one endpoint in detail (`GET /api/endpoints/{id}`),
//! operators' template decisions (`POST /api/inventory/decisions`), the
//! OpenAPI export (`GET /api/inventory/openapi`) and mirrored traffic
//! (`POST /api/ingest`). Read from the typed report discovery publishes;
//! bodies are read by the gateway's own parsers.

use crate::page::{self, Page};
use crate::problem::Problem;
use crate::state::ApiState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use rampart_discover::report::{EndpointReport, OrphanReport};
use rampart_gateway::admin::ingest;
use rampart_gateway::discovery::Discovery;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// Largest ingestion request body.
pub const MAX_INGEST_BYTES: usize = 64 * 1024 * 1024;

/// Discovery, or why there is none.
pub fn discovery(state: &ApiState) -> Result<Arc<Discovery>, Problem> {
    state
        .admin
        .shared
        .services
        .discovery
        .clone()
        .ok_or_else(|| {
            Problem::conflict(
                "discovery is not enabled: add a [discovery] table or the \"discover\" stage",
            )
        })
}

/// `GET /api/inventory`: the whole report.
pub async fn report(State(state): State<ApiState>) -> Result<Json<Value>, Problem> {
    let report = discovery(&state)?.report();
    to_json(&*report).map(Json)
}

/// A report (or part of one) as JSON.
fn to_json(value: &impl Serialize) -> Result<Value, Problem> {
    serde_json::to_value(value).map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Unserializable report",
            e.to_string(),
        )
    })
}

/// Risk levels by score (0-100): below 25 low, below 50 medium, below 75
/// high, else critical.
pub fn risk_level(score: u32) -> &'static str {
    match score {
        0..=24 => "low",
        25..=49 => "medium",
        50..=74 => "high",
        _ => "critical",
    }
}

/// How an endpoint stands against the declared spec: `shadow` (served,
/// not declared), `zombie` (deprecated, still called), `declared`, or
/// `learned` when no spec was declared.
pub fn drift(endpoint: &EndpointReport) -> &'static str {
    if endpoint.shadow == Some(true) {
        "shadow"
    } else if endpoint.zombie == Some(true) {
        "zombie"
    } else if endpoint.declared {
        "declared"
    } else {
        "learned"
    }
}

/// An orphan's id: declared operations have no learned id, so one is made
/// from the method and template (FNV-1a).
fn orphan_id(orphan: &OrphanReport) -> String {
    let hash = format!("{} {}", orphan.method, orphan.template)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("orphan-{hash:016x}")
}

/// One row of the endpoint list.
#[derive(Debug, Serialize)]
pub struct EndpointItem {
    pub id: String,
    pub method: String,
    pub host: Option<String>,
    pub template: String,
    pub name: Option<String>,
    pub risk: Value,
    pub drift: &'static str,
    /// `false`: answered without credentials; `null`: no evidence.
    pub auth_required: Option<bool>,
    pub auth: Vec<String>,
    pub sensitive: Vec<String>,
    /// The business function (`login`, `search`...); for an orphan, the
    /// one its declaration gives.
    pub function: Option<String>,
    pub requests: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

fn risk_json(score: u32, reasons: &[String]) -> Value {
    json!({"score": score, "level": risk_level(score), "reasons": reasons})
}

fn sensitive_kinds(endpoint: &EndpointReport) -> Vec<String> {
    let mut kinds: Vec<String> = endpoint
        .sensitive
        .iter()
        .filter_map(|s| serde_json::to_value(s.kind).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

impl EndpointItem {
    pub fn of(endpoint: &EndpointReport) -> EndpointItem {
        EndpointItem {
            id: endpoint.id.clone(),
            method: endpoint.method.clone(),
            host: endpoint.hosts.first().cloned(),
            template: endpoint.template.clone(),
            name: endpoint.name.clone(),
            risk: risk_json(endpoint.risk.score, &endpoint.risk.reasons),
            drift: drift(endpoint),
            auth_required: endpoint.auth_required,
            auth: endpoint.auth_kinds.clone(),
            sensitive: sensitive_kinds(endpoint),
            function: Some(endpoint.function.as_str().to_owned()),
            requests: endpoint.requests,
            first_seen: endpoint.first_seen.clone(),
            last_seen: endpoint.last_seen.clone(),
        }
    }

    fn of_orphan(orphan: &OrphanReport) -> EndpointItem {
        EndpointItem {
            id: orphan_id(orphan),
            method: orphan.method.clone(),
            host: None,
            template: orphan.template.clone(),
            name: orphan.operation_id.clone(),
            risk: risk_json(0, &[]),
            drift: "orphan",
            auth_required: None,
            auth: Vec::new(),
            sensitive: Vec::new(),
            function: Some(orphan.function.as_str().to_string()),
            requests: 0,
            first_seen: None,
            last_seen: None,
        }
    }
}

/// The filters of `GET /api/endpoints`.
#[derive(Debug, Default, Deserialize)]
pub struct EndpointFilter {
    /// Case-insensitive text in the template, name or business function.
    pub q: Option<String>,
    pub host: Option<String>,
    pub method: Option<String>,
    /// `shadow`, `zombie`, `orphan`, `declared` or `learned`.
    pub drift: Option<String>,
    pub risk_min: Option<u32>,
    /// `true`, `false`, or a kind such as `CREDIT_CARD`.
    pub sensitive: Option<String>,
    /// `none` (answered without credentials), `required`, `unknown`, or a
    /// credential kind such as `bearer`.
    pub auth: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl EndpointFilter {
    fn keeps(&self, item: &EndpointItem) -> bool {
        let same = |wanted: &Option<String>, value: &str| {
            wanted
                .as_ref()
                .is_none_or(|w| w.eq_ignore_ascii_case(value))
        };
        let text = self.q.as_ref().is_none_or(|q| {
            let q = q.to_lowercase();
            [
                Some(&item.template),
                item.name.as_ref(),
                item.function.as_ref(),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(&q))
        });
        let host = self.host.as_ref().is_none_or(|h| {
            item.host
                .as_ref()
                .is_some_and(|host| host.eq_ignore_ascii_case(h))
        });
        let risk = self
            .risk_min
            .is_none_or(|min| item.risk["score"].as_u64().unwrap_or(0) >= u64::from(min));
        let sensitive = self.sensitive.as_deref().is_none_or(|s| match s {
            "true" => !item.sensitive.is_empty(),
            "false" => item.sensitive.is_empty(),
            kind => item.sensitive.iter().any(|k| k.eq_ignore_ascii_case(kind)),
        });
        let auth = self.auth.as_deref().is_none_or(|a| match a {
            "none" => item.auth_required == Some(false),
            "required" => item.auth_required == Some(true),
            "unknown" => item.auth_required.is_none(),
            kind => item.auth.iter().any(|k| k.eq_ignore_ascii_case(kind)),
        });
        text && host
            && risk
            && sensitive
            && auth
            && same(&self.method, &item.method)
            && same(&self.drift, item.drift)
    }
}

/// `GET /api/endpoints`: observed endpoints by risk (highest first), then
/// declared operations never called (orphans).
pub async fn list(
    State(state): State<ApiState>,
    Query(filter): Query<EndpointFilter>,
) -> Result<Json<Page<EndpointItem>>, Problem> {
    let limit = page::limit(filter.limit)?;
    let offset = page::offset_cursor(filter.cursor.as_deref())?;
    let report = discovery(&state)?.report();
    let mut endpoints: Vec<&EndpointReport> = report.endpoints.iter().collect();
    endpoints.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then_with(|| a.template.cmp(&b.template))
            .then_with(|| a.method.cmp(&b.method))
    });
    let items = endpoints
        .into_iter()
        .map(EndpointItem::of)
        .chain(report.orphans.iter().map(EndpointItem::of_orphan))
        .filter(|item| filter.keeps(item));
    Ok(Json(page::by_offset(items, offset, limit)))
}

/// `GET /api/endpoints/{id}`: everything learned about one endpoint, its
/// findings and its requests per minute.
pub async fn detail(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let report = discovery(&state)?.report();
    if let Some(orphan) = report.orphans.iter().find(|o| orphan_id(o) == id) {
        let mut detail = to_json(&EndpointItem::of_orphan(orphan))?;
        detail["deprecated"] = json!(orphan.deprecated);
        return Ok(Json(detail));
    }
    let endpoint = report
        .endpoints
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| Problem::not_found(format!("no endpoint has the id {id:?}")))?;
    let mut detail = to_json(endpoint)?;
    detail["drift"] = json!(drift(endpoint));
    detail["risk"]["level"] = json!(risk_level(endpoint.risk.score));
    detail["traffic"] = json!(endpoint
        .traffic
        .iter()
        .map(|(minute, requests)| json!({"minute": minute, "requests": requests}))
        .collect::<Vec<_>>());
    Ok(Json(detail))
}

/// `POST /api/inventory/decisions`: one decision, applied from the next
/// publication on and stored with the inventory.
pub async fn decide(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let discovery = discovery(&state)?;
    ingest::parse_decision(&body)
        .and_then(|decision| discovery.decide(decision))
        .map_err(Problem::bad_request)?;
    Ok((StatusCode::ACCEPTED, Json(json!({"accepted": true}))).into_response())
}

/// `GET /api/inventory/openapi`: the learned inventory as OpenAPI 3.1.
pub async fn openapi(State(state): State<ApiState>) -> Result<Json<Value>, Problem> {
    let report = discovery(&state)?.report();
    Ok(Json(rampart_discover::export::openapi_document(
        &report,
        "Learned by Rampart",
    )))
}

/// `POST /api/ingest`: exchange records as JSON lines.
pub async fn ingest(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let discovery = discovery(&state)?;
    let summary = ingest::ingest(&body, |record| discovery.observe(record));
    let answer: Value = serde_json::from_str(&summary.to_json()).unwrap_or(Value::Null);
    Ok((summary.status(), Json(answer)).into_response())
}
