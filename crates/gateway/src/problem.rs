//! Error answers the gateway writes itself, as RFC 9457 problem documents
//! that carry the request id so an operator can find the matching event.

use rampart_core::Action;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A JSON problem document for `status` with a human-readable detail.
pub fn problem_body(status: u16, detail: &str, request_id: &str) -> Vec<u8> {
    let title = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    })
    .to_string()
    .into_bytes()
}

/// A `Block` action answering with a problem document.
pub fn problem_response(status: u16, detail: &str, request_id: &str) -> Action {
    Action::Block {
        status,
        body: problem_body(status, detail, request_id),
        headers: vec![("content-type".into(), PROBLEM_CONTENT_TYPE.into())],
    }
}
