//! The responses prevention sends instead of the upstream's: a block, by
//! default an RFC 9457 problem document carrying the request id, and the 429
//! of a rate limit with its `Retry-After`.

use crate::ratelimit::RateDecision;
use http::StatusCode;
use serde::Serialize;

/// A complete response for the gateway to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    request_id: &'a str,
}

/// A problem document for `status`, naming the request.
pub fn problem_response(status: u16, detail: &str, request_id: &str) -> BlockResponse {
    let title = StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Request refused");
    let problem = Problem {
        kind: "about:blank",
        title,
        status,
        detail,
        request_id,
    };
    // Serializing a struct of strings and an integer cannot fail.
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    BlockResponse {
        status,
        headers: with_request_id(
            vec![("content-type".into(), "application/problem+json".into())],
            request_id,
        ),
        body,
    }
}

/// The 429 answer to a limited request; `None` when it was allowed.
pub fn rate_limited_response(decision: &RateDecision, request_id: &str) -> Option<BlockResponse> {
    let retry_after = decision.retry_after_header()?;
    let mut response = problem_response(429, "Rate limit exceeded.", request_id);
    response.headers.push(("retry-after".into(), retry_after));
    Some(response)
}

/// Adds `x-request-id` unless the id is empty or the header is already set.
pub(crate) fn with_request_id(
    mut headers: Vec<(String, String)>,
    request_id: &str,
) -> Vec<(String, String)> {
    let present = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("x-request-id"));
    if !request_id.is_empty() && !present {
        headers.push(("x-request-id".into(), request_id.into()));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_default_block_is_a_problem_document_with_the_request_id() {
        let response = problem_response(403, "Blocked by rule `admin`.", "req-\"42\"");
        assert_eq!(response.status, 403);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["title"], "Forbidden");
        assert_eq!(body["status"], 403);
        assert_eq!(body["request_id"], "req-\"42\"");
        assert_eq!(body["detail"], "Blocked by rule `admin`.");
        assert!(response
            .headers
            .contains(&("content-type".into(), "application/problem+json".into())));
        assert!(response
            .headers
            .contains(&("x-request-id".into(), "req-\"42\"".into())));
    }

    #[test]
    fn a_rate_limited_request_gets_429_and_retry_after() {
        let limited = RateDecision::Limited {
            retry_after: Duration::from_millis(2_500),
        };
        let response = rate_limited_response(&limited, "r1").unwrap();
        assert_eq!(response.status, 429);
        assert!(response
            .headers
            .contains(&("retry-after".into(), "3".into())));
        assert_eq!(rate_limited_response(&RateDecision::Allow, "r1"), None);
    }
}
