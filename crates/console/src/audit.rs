//! The audit trail: every request that changes something (any method but
//! GET and HEAD) is recorded after it is answered, with who made it (the
//! token's name and the peer address), what (method, path, a summary of
//! the body, the answer's status) and when, in the embedded store's
//! `audit` table and in the log (`rampart::audit`). `GET /api/audit` lists
//! the trail, newest first.

use crate::auth::Actor;
use crate::inventory::MAX_INGEST_BYTES;
use crate::page::{self, Page};
use crate::problem::Problem;
use crate::state::ApiState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use rampart_core::event::rfc3339_millis;
use rampart_gateway::admin::AdminPeer;
use rampart_store::AuditEntry;
use serde::Deserialize;

/// Bodies up to this size are recorded as they are (whitespace collapsed);
/// larger ones by their size.
const MAX_SUMMARY_CHARS: usize = 512;

pub async fn record_changes(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_INGEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Body too large",
                format!("the body could not be read within {MAX_INGEST_BYTES} bytes: {error}"),
            )
            .into_response()
        }
    };
    let summary = summarize(&body);
    let actor = parts
        .extensions
        .get::<Actor>()
        .map_or_else(|| "unknown".to_string(), |a| a.0.clone());
    let peer = parts
        .extensions
        .get::<AdminPeer>()
        .map_or_else(String::new, |p| p.0.to_string());
    let (method, path) = (parts.method.to_string(), parts.uri.path().to_string());
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let entry = AuditEntry {
        time: rfc3339_millis(page::now_millis()),
        actor,
        peer,
        method,
        path,
        status: response.status().as_u16(),
        summary,
    };
    tracing::info!(
        target: "rampart::audit",
        actor = %entry.actor,
        peer = %entry.peer,
        method = %entry.method,
        path = %entry.path,
        status = entry.status,
        summary = %entry.summary,
        "admin change"
    );
    if state.has_store() {
        if let Err(problem) = state
            .with_store(move |store| store.insert_audit(&entry))
            .await
        {
            tracing::error!(detail = %problem.detail, "the audit entry was not stored");
        }
    }
    response
}

/// The body as recorded: short text as it is, anything else by its size.
fn summarize(body: &Bytes) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.chars().count() <= MAX_SUMMARY_CHARS => {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        _ => format!("{} bytes", body.len()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// `GET /api/audit`.
pub async fn list(
    State(state): State<ApiState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, Problem> {
    let limit = page::limit(query.limit)?;
    let before = page::id_cursor(query.cursor.as_deref())?;
    let rows = state
        .with_store(move |store| store.audit_entries(before, limit + 1))
        .await?;
    Ok(Json(page::by_id(rows, limit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_bodies_are_kept_long_ones_summed_up() {
        assert_eq!(
            summarize(&Bytes::from_static(b"{\n  \"user\": \"eve\"\n}")),
            "{ \"user\": \"eve\" }"
        );
        assert_eq!(summarize(&Bytes::from(vec![b'x'; 600])), "600 bytes");
        assert_eq!(summarize(&Bytes::from_static(&[0xff, 0xfe])), "2 bytes");
    }
}
