//! Who may use the admin API: a bearer token from the configuration
//! (`[admin] token`, `[[admin.tokens]]`) or the environment
//! (`RAMPART_ADMIN_TOKEN`), read from the running configuration on each
//! request so that a reload rotates them. The scheme is matched without
//! regard to case and every token is compared in constant time. The name
//! of the token that matched is the [`Actor`] of the audit trail.
//! `/api/openapi.json` needs no token; with no token configured every other
//! path answers 403 with how to set one.

use crate::problem::Problem;
use crate::state::ApiState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

/// The path served without a token.
pub const PUBLIC_PATH: &str = "/api/openapi.json";

/// The name of the token a request carried (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

pub async fn require_token(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == PUBLIC_PATH {
        return next.run(request).await;
    }
    let config = state.admin.shared.runtime.load().config.clone();
    if config.admin_tokens.is_empty() {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "No admin token configured",
            "set [admin] token (at least 16 characters) or [[admin.tokens]] in the configuration, \
             or the RAMPART_ADMIN_TOKEN environment variable, to enable the admin API",
        )
        .into_response();
    }
    let sent = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or("");
    // Every token is compared, so the time taken does not say which matched.
    let mut actor = None;
    for token in &config.admin_tokens {
        if constant_time_eq(sent.as_bytes(), token.token.as_bytes()) {
            actor = Some(token.name.clone());
        }
    }
    match actor {
        Some(name) => {
            request.extensions_mut().insert(Actor(name));
            next.run(request).await
        }
        None => {
            let mut refusal = Problem::new(
                StatusCode::UNAUTHORIZED,
                "Admin token required",
                "send a valid `Authorization: Bearer <token>` header",
            )
            .into_response();
            refusal
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            refusal
        }
    }
}

/// The token of an `Authorization` value whose scheme is `Bearer` in any case.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Equal bytes, in a time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_matched_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokex"));
        assert!(!constant_time_eq(b"secret", b"secret-token"));
    }
}
