//! Bans by hand: `GET /api/bans` lists the bans in force, `POST /api/bans`
//! bans a target (`{"network": "203.0.113.0/24", "reason": "..."}`, or
//! `api_key`, `user`, `fingerprint`; a bare address is a /32 or /128) with
//! the configured escalation, `DELETE /api/bans` with the same body (or
//! `DELETE /api/bans/{kind}/{value}`) lifts one. With `[redis]` both are
//! shared with the other gateways.

use crate::page::{self, Page};
use crate::problem::Problem;
use crate::state::ApiState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use rampart_core::event::rfc3339_millis;
use rampart_gateway::admin::bans::parse_ban_request;
use rampart_gateway::stages::prevent::{PreventRuntime, SharedUnban};
use rampart_prevent::BanTarget;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// The prevention state, or why there is none.
pub fn prevention(state: &ApiState) -> Result<Arc<PreventRuntime>, Problem> {
    state
        .admin
        .shared
        .runtime
        .load()
        .prevent
        .clone()
        .ok_or_else(|| Problem::conflict("bans need the \"prevent\" stage in [pipeline] stages"))
}

/// A target as the API writes it: `{"kind": "network", "value": "203.0.113.0/24"}`.
pub fn target_json(target: &BanTarget) -> Value {
    let (kind, value) = match target {
        BanTarget::Network(net) => ("network", net.to_string()),
        BanTarget::ApiKey(key) => ("api_key", key.clone()),
        BanTarget::User(user) => ("user", user.clone()),
        BanTarget::Fingerprint(fp) => ("fingerprint", fp.clone()),
    };
    json!({"kind": kind, "value": value})
}

/// One ban in force.
#[derive(Debug, Serialize)]
pub struct BanItem {
    pub target: Value,
    pub reason: String,
    pub since: String,
    pub until: String,
    /// Offences this ban counts (1 for the first; the ladder escalates).
    pub offences: u32,
    /// Whether bans are shared with other gateways through Redis.
    pub shared: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct BanListQuery {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// `GET /api/bans`: the bans in force, the latest first.
pub async fn list(
    State(state): State<ApiState>,
    Query(query): Query<BanListQuery>,
) -> Result<Json<Page<BanItem>>, Problem> {
    let limit = page::limit(query.limit)?;
    let offset = page::offset_cursor(query.cursor.as_deref())?;
    let prevent = prevention(&state)?;
    let shared = prevent.shared.is_some();
    let mut bans = prevent.bans.current().active();
    bans.sort_by_key(|ban| std::cmp::Reverse(ban.since_millis));
    let items = bans.into_iter().map(|ban| BanItem {
        target: target_json(&ban.target),
        reason: ban.reason.to_string(),
        since: rfc3339_millis(ban.since_millis),
        until: rfc3339_millis(ban.until_millis),
        offences: ban.strikes,
        shared,
    });
    Ok(Json(page::by_offset(items, offset, limit)))
}

/// `POST /api/bans`.
pub async fn ban(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let prevent = prevention(&state)?;
    let (target, reason) = parse_ban_request(&body).map_err(Problem::bad_request)?;
    let mut answer = json!({"target": target_json(&target), "shared": prevent.shared.is_some()});
    let Some(ban) = prevent.ban(target, reason) else {
        return Err(Problem::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "Ban list full",
            "the ban list is full: raise [prevent.bans] max_entries or lift bans",
        ));
    };
    answer["until"] = json!(rfc3339_millis(ban.until_millis));
    answer["offences"] = json!(ban.strikes);
    answer["reason"] = json!(&*ban.reason);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /api/bans` with a ban body.
pub async fn unban(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let (target, _) = parse_ban_request(&body).map_err(Problem::bad_request)?;
    lift(&state, target).await
}

/// `DELETE /api/bans/{kind}/{value}` (a network's `/` may stay as it is).
pub async fn unban_target(
    State(state): State<ApiState>,
    Path((kind, value)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let body = serde_json::to_vec(&json!({ kind: value }))
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let (target, _) = parse_ban_request(&body).map_err(|e| {
        Problem::bad_request(format!(
            "expected /api/bans/{{network|api_key|user|fingerprint}}/{{value}}: {e}"
        ))
    })?;
    lift(&state, target).await
}

async fn lift(state: &ApiState, target: BanTarget) -> Result<Response, Problem> {
    let prevent = prevention(state)?;
    let unbanned = prevent.unban(&target).await;
    let (shared, error) = match unbanned.everywhere {
        SharedUnban::NotConfigured => ("not_configured", None),
        SharedUnban::Announced => ("announced", None),
        SharedUnban::Failed(error) => ("failed", Some(error)),
    };
    let status = if error.is_some() {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::OK
    };
    let answer = json!({
        "target": target_json(&target),
        "lifted": unbanned.here,
        "shared": shared,
        "error": error,
    });
    Ok((status, Json(answer)).into_response())
}
