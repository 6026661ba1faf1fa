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
use rampart_core::{ExchangeRecord, RecordError, RecordReader};
use rampart_discover::Decision;

/// Largest ingestion request body.
const MAX_INGEST_BYTES: usize = 64 * 1024 * 1024;
/// Largest decision request body.
const MAX_DECISION_BYTES: usize = 16 * 1024;
/// Bad lines listed in an ingestion answer (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 100;

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
            let summary = ingest(&body, |record| discovery.observe(record));
            json(summary.status(), summary.to_json())
        }
        (&Method::POST, "/inventory/decisions") => {
            let body = match bounded_body(request, MAX_DECISION_BYTES).await {
                Ok(body) => body,
                Err(message) => return text(StatusCode::PAYLOAD_TOO_LARGE, message),
            };
            let decided = parse_decision(&body).and_then(|decision| discovery.decide(decision));
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

/// What an ingestion request did, line by line.
#[derive(Debug, Default)]
pub struct IngestSummary {
    /// Records handed to discovery.
    pub accepted: u64,
    /// Records discovery's queue had no room for (counted, not retried).
    pub dropped: u64,
    /// Lines that were not a record.
    pub bad_lines: u64,
    /// The first [`MAX_REPORTED_ERRORS`] bad lines, with their numbers.
    pub errors: Vec<RecordError>,
}

impl IngestSummary {
    /// 400 when nothing in the body was a record, else 202.
    pub fn status(&self) -> StatusCode {
        if self.bad_lines > 0 && self.accepted == 0 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::ACCEPTED
        }
    }

    pub fn to_json(&self) -> String {
        let errors: Vec<_> = self
            .errors
            .iter()
            .map(|e| serde_json::json!({"line": e.line, "message": e.message}))
            .collect();
        serde_json::json!({
            "accepted": self.accepted,
            "dropped": self.dropped,
            "bad_lines": self.bad_lines,
            "errors": errors,
        })
        .to_string()
    }
}

/// Reads exchange records from a JSON-lines body and hands each to
/// `observe`, which says whether it was taken; bad lines are counted and
/// the first ones kept for the answer.
pub fn ingest(body: &[u8], mut observe: impl FnMut(ExchangeRecord) -> bool) -> IngestSummary {
    let mut summary = IngestSummary::default();
    for item in RecordReader::new(body) {
        match item {
            Ok((_, record)) => {
                if observe(record) {
                    summary.accepted += 1;
                } else {
                    summary.dropped += 1;
                }
            }
            Err(error) => {
                summary.bad_lines += 1;
                if summary.errors.len() < MAX_REPORTED_ERRORS {
                    summary.errors.push(error);
                }
            }
        }
    }
    summary
}

/// An operator decision from a request body (checked when applied, by
/// `Discovery::decide`).
pub fn parse_decision(body: &[u8]) -> Result<Decision, String> {
    serde_json::from_slice::<Decision>(body).map_err(|e| {
        format!("expected a decision ({{\"decision\": \"parameter\" | \"split\" | \"merge\" | \"rename\", ...}}): {e}")
    })
}
