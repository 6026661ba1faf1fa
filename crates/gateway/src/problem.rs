//! Error answers the gateway writes itself, as RFC 9457 problem documents
//! that carry the request id so an operator can find the matching event.
//! The document itself is built by `rampart-prevent`, so every refusal,
//! whichever part of the gateway makes it, reads the same.

use rampart_core::Action;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A JSON problem document for `status` with a human-readable detail: the
/// same document prevention answers with (`rampart_prevent::policy`).
pub fn problem_body(status: u16, detail: &str, request_id: &str) -> Vec<u8> {
    rampart_prevent::policy::problem_response(status, detail, request_id).body
}

/// A `Block` action answering with a problem document.
pub fn problem_response(status: u16, detail: &str, request_id: &str) -> Action {
    Action::Block {
        status,
        body: problem_body(status, detail, request_id),
        headers: vec![("content-type".into(), PROBLEM_CONTENT_TYPE.into())],
    }
}
