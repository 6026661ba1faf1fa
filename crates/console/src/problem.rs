//! Errors as RFC 9457 problem details (`application/problem+json` with a
//! `title` and a `detail`), so that a client reads every failure the same
//! way, including those axum answers itself (unknown path, wrong method,
//! unreadable query), which [`as_problem`] rewrites.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use http_body_util::BodyExt;
use rampart_store::StoreError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// The longest detail copied from an answer axum made.
const MAX_DETAIL_BYTES: usize = 1024;

/// A failed request: its status, a short title and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub title: String,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, title: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title: title.into(),
            detail: detail.into(),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "Bad request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "Not found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::CONFLICT,
            "Not available with this configuration",
            detail,
        )
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Problem {
        tracing::error!(%error, "admin API: store error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store error",
            error.to_string(),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (self.status, body.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

/// Rewrites an error answer that is not yet a problem (axum's own
/// rejections: 404, 405, 413, bad query or path) as one, its text as the
/// detail.
pub async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(CONTENT_TYPE.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_DETAIL_BYTES);
    let text = match limited.collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes())
            .trim()
            .to_string(),
        Err(_) => String::new(),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let detail = match (status, text.is_empty()) {
        (StatusCode::NOT_FOUND, true) => "no such path under /api/: see /api/openapi.json".into(),
        (StatusCode::METHOD_NOT_ALLOWED, true) => {
            "this path does not take this method: see /api/openapi.json".into()
        }
        (_, _) => text,
    };
    let mut problem = Problem::new(status, title, detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}
