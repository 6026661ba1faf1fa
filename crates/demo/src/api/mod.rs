//! The demo API as a plain function from request to reply: routing, method
//! checks, authentication, and the endpoint handlers (in `people` and
//! `commerce`). The HTTP server in `crate::server` only moves bytes.

mod commerce;
mod people;
mod reply;
mod request;
mod routes;
mod views;

#[cfg(test)]
mod tests;

pub use reply::ApiReply;
pub use request::{ApiRequest, MAX_BODY_BYTES};

use crate::credentials::{Claims, Role, TokenIssuer};
use crate::dataset::{Dataset, Records};
use crate::directory::Directory;
use crate::reset::ResetTickets;
use http::header::{ALLOW, WWW_AUTHENTICATE};
use http::{Method, StatusCode};
use rampart_core::Clock;
use ring::rand::{SecureRandom, SystemRandom};
use routes::Resource;
use std::sync::Arc;

/// How long a login token is valid.
const TOKEN_TTL_SECS: u64 = 3600;

/// The demo API's state and logic. Cheap to share behind an `Arc`.
pub struct DemoApi {
    records: Records,
    directory: Directory,
    resets: ResetTickets,
    tokens: TokenIssuer,
    clock: Arc<dyn Clock>,
    random: SystemRandom,
}

impl DemoApi {
    /// Generates the data set from `seed`; the same seed always yields the same
    /// users, accounts, orders and products (and token signing key).
    pub fn new(seed: u64, clock: Arc<dyn Clock>) -> Self {
        let Dataset { users, records } = Dataset::generate(seed);
        DemoApi {
            records,
            directory: Directory::new(users),
            resets: ResetTickets::default(),
            tokens: TokenIssuer::new(format!("rampart-demo-signing-key-{seed}").as_bytes()),
            clock,
            random: SystemRandom::new(),
        }
    }

    /// Answers one request. Never panics, whatever the input.
    pub fn handle(&self, request: &ApiRequest<'_>) -> ApiReply {
        let Some(resource) = Resource::from_path(request.path) else {
            return ApiReply::not_found(format!("resource {}", request.path));
        };
        let method = request.method;
        if !resource.allowed_methods().contains(method) {
            return ApiReply::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{method} is not allowed on {}", request.path),
            )
            .with_header(ALLOW, &resource.allow_header());
        }
        let outcome = match resource {
            Resource::Health => Ok(ApiReply::ok(serde_json::json!({ "status": "ok" }))),
            Resource::Users if method == Method::POST => self.sign_up(request),
            Resource::Users => self.list_users(request),
            Resource::User(id) => self.get_user(id),
            Resource::UserOrders(id) => self.list_user_orders(request, id),
            Resource::Login => self.login(request),
            Resource::PasswordReset => self.request_password_reset(request),
            Resource::PasswordResetConfirm => self.confirm_password_reset(request),
            Resource::Account(id) => self.get_account(request, id),
            Resource::Order(id) => self.get_order(request, id),
            Resource::Products => self.search_products(request),
            Resource::AdminUsers => self.admin_list_users(request),
        };
        outcome.unwrap_or_else(|reply| reply)
    }

    fn now_secs(&self) -> u64 {
        self.clock.now_millis() / 1000
    }

    /// The verified claims of the request's bearer token, or a 401 reply.
    fn authenticate(&self, request: &ApiRequest<'_>) -> Result<Claims, ApiReply> {
        let unauthorized = |message: String| {
            ApiReply::error(StatusCode::UNAUTHORIZED, "unauthorized", message)
                .with_header(WWW_AUTHENTICATE, "Bearer realm=\"rampart-demo\"")
        };
        let token = request.bearer_token().ok_or_else(|| {
            unauthorized("a bearer token is required (POST /api/login)".to_owned())
        })?;
        self.tokens
            .verify(token, self.now_secs())
            .map_err(|e| unauthorized(e.to_string()))
    }

    /// Like [`Self::authenticate`], and the caller must be `user_id` or an admin.
    fn authorize_owner(&self, request: &ApiRequest<'_>, user_id: u64) -> Result<Claims, ApiReply> {
        let claims = self.authenticate(request)?;
        if claims.role == Role::Admin || claims.sub == user_id.to_string() {
            Ok(claims)
        } else {
            Err(ApiReply::error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this resource belongs to another user",
            ))
        }
    }

    /// 32 hexadecimal characters from the system's secure random source.
    fn random_hex(&self) -> Result<String, ApiReply> {
        let mut bytes = [0u8; 16];
        self.random.fill(&mut bytes).map_err(|_| internal_error())?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn random_salt(&self) -> Result<[u8; 16], ApiReply> {
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt).map_err(|_| internal_error())?;
        Ok(salt)
    }
}

fn internal_error() -> ApiReply {
    ApiReply::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "the server could not complete the request",
    )
}

/// A numeric id from a path segment: ASCII digits only, no sign, fits in u64.
fn parse_numeric_id(segment: &str, what: &str) -> Result<u64, ApiReply> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiReply::bad_request(format!(
            "{what} id must be a positive integer"
        )));
    }
    segment
        .parse()
        .map_err(|_| ApiReply::bad_request(format!("{what} id is out of range")))
}
