//! The token-protected admin endpoints of discovery:
//! - `POST /ingest`: exchange records as JSON lines (mirrored traffic, the
//!   passive mode), folded into the inventory; bad lines are reported with
//!   their number and skipped;
//! - `GET /inventory`: the current API inventory as JSON, with the template
//!   decisions learning made and those operators made;
//! - `POST /inventory/decisions`: one operator decision as JSON, e.g.
//!   `{"decision":"parameter","parent":"/workflows"}` (every value under
//!   it is a parameter's) or `{"decision":"split","parent":"/users",
//!   "value":"me"}` (keep it literal); also `merge` and `rename`. It holds
//!   from the next publication on and is stored with the inventory.

use super::{bounded_body, json, refused_without_token, text, AdminState};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use rampart_core::RecordReader;
use rampart_discover::Decision;

/// Largest ingestion request body.
const MAX_INGEST_BYTES: usize = 64 * 1024 * 1024;
/// Largest decision request body.
const MAX_DECISION_BYTES: usize = 16 * 1024;
/// Bad lines listed in an ingestion answer (all are counted).
const MAX_REPORTED_ERRORS: usize = 100;

pub async fn answer(state: &AdminState, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if let Some(refusal) = refused_without_token(state, &request) {
        return refusal;
    }
    let Some(discovery) = state.shared.services.discovery.clone() else {
        return text(
            StatusCode::CONFLICT,
            "discovery is not enabled: add a [discovery] table or the \"discover\" stage\n",
        );
    };
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/inventory") => {
            json(StatusCode::OK, discovery.report().as_str().to_owned())
        }
        (&Method::POST, "/ingest") => {
            let body = match bounded_body(request, MAX_INGEST_BYTES).await {
                Ok(body) => body,
                Err(message) => return text(StatusCode::PAYLOAD_TOO_LARGE, message),
            };
            let (mut accepted, mut dropped, mut bad_lines) = (0u64, 0u64, 0u64);
            let mut errors = Vec::new();
            for item in RecordReader::new(&body[..]) {
                match item {
                    Ok((_, record)) => {
                        if discovery.observe(record) {
                            accepted += 1;
                        } else {
                            dropped += 1;
                        }
                    }
                    Err(error) => {
                        bad_lines += 1;
                        if errors.len() < MAX_REPORTED_ERRORS {
                            errors.push(
                                serde_json::json!({"line": error.line, "message": error.message}),
                            );
                        }
                    }
                }
            }
            let status = if bad_lines > 0 && accepted == 0 {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::ACCEPTED
            };
            let summary = serde_json::json!({"accepted": accepted, "dropped": dropped, "bad_lines": bad_lines, "errors": errors});
            json(status, summary.to_string())
        }
        (&Method::POST, "/inventory/decisions") => {
            let body = match bounded_body(request, MAX_DECISION_BYTES).await {
                Ok(body) => body,
                Err(message) => return text(StatusCode::PAYLOAD_TOO_LARGE, message),
            };
            let decided = serde_json::from_slice::<Decision>(&body)
                .map_err(|e| format!("expected a decision ({{\"decision\": \"parameter\" | \"split\" | \"merge\" | \"rename\", ...}}): {e}"))
                .and_then(|decision| discovery.decide(decision));
            match decided {
                Ok(()) => json(StatusCode::ACCEPTED, r#"{"accepted":true}"#.to_owned()),
                Err(message) => text(StatusCode::BAD_REQUEST, format!("{message}\n")),
            }
        }
        _ => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "GET /inventory, POST /ingest or POST /inventory/decisions\n",
        ),
    }
}
