//! The policy endpoints: the configuration file the gateway runs, read,
//! checked, applied live, switched between monitor and enforce per route,
//! function or rule, its history with diffs, and a proposed version tried
//! on the gateway's recorded traffic before it is applied. Every operation
//! is `rampart_gateway::policy_admin`'s; this module only maps HTTP to it.
//!
//! - Bodies are JSON: `{"policy": "<TOML text>"}` (at most
//!   `policy_admin::MAX_POLICY_BYTES` of text, 413 before parsing).
//! - An invalid text is 422 with `problems` (key path and what was
//!   expected) and `warnings`; the running configuration and the file stay.
//! - Changes name the token that made them in the history and pass through
//!   the audit trail like every other change.
//! - Every operation touches files, the store or compiles configurations:
//!   it runs on a blocking thread. One replay runs at a time (each compiles
//!   two configurations and replays up to `MAX_REPLAY_RECORDS`); another
//!   meanwhile is refused with 429.

use crate::auth::Actor;
use crate::problem::{self, Problem};
use crate::state::ApiState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{header, HeaderValue, StatusCode};
use rampart_gateway::policy_admin::mode_edit::ModeScope;
use rampart_gateway::policy_admin::{Finding, PolicyAdmin, PolicyAdminError, MAX_REPLAY_CHANGES};
use rampart_prevent::policy::Mode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Replays running at once.
static REPLAYS: Semaphore = Semaphore::const_new(1);
/// History entries listed by default and at most.
const HISTORY_DEFAULT: u64 = 50;
const HISTORY_MAX: u64 = 500;
/// Changed exchanges a replay lists by default.
const REPLAY_DEFAULT_LIMIT: usize = 100;

/// `{"policy": "<TOML text>"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    pub policy: String,
}

/// `{"scope": "route|function|rule", "name": ..., "mode": "monitor|enforce"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeBody {
    pub scope: ModeScope,
    pub name: String,
    pub mode: Mode,
}

/// `{"policy": "<TOML text>", "limit": N}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    pub policy: String,
    pub limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    pub limit: Option<u64>,
}

/// `GET /api/policy`: the text, its version, and the modes of the running
/// configuration (defaults, routes, scopes, rules).
pub async fn current(State(state): State<ApiState>) -> Result<Response, Problem> {
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || {
        let current = policy.current()?;
        Ok(json!({
            "file": policy.path().display().to_string(),
            "text": current.text,
            "version": current.version,
            "modes": policy.modes(),
        }))
    })
    .await
}

/// `POST /api/policy/validate`: what the loader says of a text.
pub async fn validate(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let PolicyBody { policy: text } = parse(&body)?;
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || policy.validate(&text)).await
}

/// `PUT /api/policy`: validates, writes and applies a text.
pub async fn apply(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    body: Bytes,
) -> Result<Response, Problem> {
    let PolicyBody { policy: text } = parse(&body)?;
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || policy.apply(&text, &actor.0)).await
}

/// `POST /api/policy/mode`: monitor or enforce on a route, function or rule.
pub async fn set_mode(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    body: Bytes,
) -> Result<Response, Problem> {
    let ModeBody { scope, name, mode } = parse(&body)?;
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || policy.set_mode(scope, &name, mode, &actor.0)).await
}

/// `GET /api/policy/history?limit=`: versions, newest first.
pub async fn history(
    State(state): State<ApiState>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, Problem> {
    let limit = query.limit.unwrap_or(HISTORY_DEFAULT).clamp(1, HISTORY_MAX);
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || Ok(json!({ "items": policy.history(limit)? }))).await
}

/// `GET /api/policy/history/{version}`: one version with its text and diff.
pub async fn version(
    State(state): State<ApiState>,
    Path(version): Path<u64>,
) -> Result<Response, Problem> {
    let policy = Arc::clone(&state.admin.policy);
    blocking(move || policy.version(version)).await
}

/// `POST /api/policy/replay`: what a proposed text would change on the
/// recorded exchanges.
pub async fn replay(State(state): State<ApiState>, body: Bytes) -> Result<Response, Problem> {
    let ReplayBody {
        policy: text,
        limit,
    } = parse(&body)?;
    let limit = limit
        .unwrap_or(REPLAY_DEFAULT_LIMIT)
        .min(MAX_REPLAY_CHANGES);
    let Ok(_running) = REPLAYS.try_acquire() else {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Replay in progress",
            "one replay runs at a time: try again when it has finished",
        ));
    };
    let policy: Arc<PolicyAdmin> = Arc::clone(&state.admin.policy);
    blocking(move || policy.replay(&text, limit)).await
}

/// A JSON body of type `T`, or 400 saying what was wrong; a text over the
/// bound is refused by `policy_admin` with 413 before it is parsed.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::bad_request(format!("expected JSON: {e}")))
}

/// Runs a policy operation on a blocking thread and answers with its
/// result as JSON, or its error as a problem.
async fn blocking<T: Serialize + Send + 'static>(
    operation: impl FnOnce() -> Result<T, PolicyAdminError> + Send + 'static,
) -> Result<Response, Problem> {
    match tokio::task::spawn_blocking(operation).await {
        Ok(Ok(answer)) => Ok(Json(answer).into_response()),
        Ok(Err(error)) => Ok(failure(error)),
        Err(error) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Policy operation failed",
            error.to_string(),
        )),
    }
}

/// A policy error as problem details; an invalid or refused configuration
/// lists its problems (`{"key", "message"}`) beside the detail.
fn failure(error: PolicyAdminError) -> Response {
    let detail = error.to_string();
    let (status, title, problems, warnings) = match error {
        PolicyAdminError::Invalid(validation) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid configuration",
            validation.problems,
            validation.warnings,
        ),
        PolicyAdminError::Rejected(refused) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Configuration refused",
            refused.problems.iter().map(Finding::from).collect(),
            Vec::new(),
        ),
        PolicyAdminError::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Configuration too large",
            Vec::new(),
            Vec::new(),
        ),
        PolicyAdminError::Edit(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Cannot edit the configuration",
            Vec::new(),
            Vec::new(),
        ),
        PolicyAdminError::NoSuchRoute(_) | PolicyAdminError::NoSuchVersion(_) => {
            (StatusCode::NOT_FOUND, "Not found", Vec::new(), Vec::new())
        }
        PolicyAdminError::NoStore | PolicyAdminError::NoRecords => (
            StatusCode::CONFLICT,
            "Not available with this configuration",
            Vec::new(),
            Vec::new(),
        ),
        PolicyAdminError::Io { .. } | PolicyAdminError::Store(_) | PolicyAdminError::Replay(_) => {
            tracing::error!(%detail, "admin API: policy operation failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Policy operation failed",
                Vec::new(),
                Vec::new(),
            )
        }
    };
    let mut body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if !problems.is_empty() || status == StatusCode::UNPROCESSABLE_ENTITY {
        body["problems"] = json!(problems);
        body["warnings"] = json!(warnings);
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(problem::CONTENT_TYPE),
    );
    response
}
