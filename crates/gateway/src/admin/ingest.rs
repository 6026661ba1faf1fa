//! What the console's discovery endpoints read: `POST /api/ingest` takes
//! exchange records as JSON lines (mirrored traffic, the passive mode) and
//! folds them into the inventory, reporting bad lines with their number;
//! `POST /api/inventory/decisions` takes one operator decision, e.g.
//! `{"decision":"parameter","parent":"/workflows"}` or
//! `{"decision":"split","parent":"/users","value":"me"}` (also `merge` and
//! `rename`). The readers live here, beside discovery, for their fuzz
//! targets.

use http::StatusCode;
use rampart_core::{ExchangeRecord, RecordError, RecordReader};
use rampart_discover::Decision;

/// Bad lines listed in an ingestion answer (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 100;

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
