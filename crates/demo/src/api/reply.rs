//! A response from the demo API before it meets the wire: status, extra headers
//! and a JSON body. Kept free of hyper so the API logic is testable and fuzzable
//! as a plain function.

use http::header::{HeaderName, HeaderValue};
use http::StatusCode;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct ApiReply {
    pub status: StatusCode,
    /// Headers besides `content-type`, which the server always sets.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Value,
}

impl ApiReply {
    pub fn new(status: StatusCode, body: Value) -> Self {
        ApiReply {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn ok(body: Value) -> Self {
        Self::new(StatusCode::OK, body)
    }

    /// An error body shaped `{"error": code, "message": message}`.
    pub fn error(status: StatusCode, code: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            status,
            json!({ "error": code, "message": message.to_string() }),
        )
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn bad_request(message: impl std::fmt::Display) -> Self {
        Self::error(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Adds a header whose value is known to be valid ASCII; a value that is not
    /// is left out rather than panicking.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    /// The body as compact JSON bytes.
    pub fn body_bytes(&self) -> Vec<u8> {
        // A `Value` always serializes; fall back to an empty object regardless.
        serde_json::to_vec(&self.body).unwrap_or_else(|_| b"{}".to_vec())
    }
}
