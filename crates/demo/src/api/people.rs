//! Endpoints about people: the user list and profiles, sign-up, login,
//! password reset, and the admin user listing.

use super::{parse_numeric_id, views, ApiReply, ApiRequest, DemoApi, TOKEN_TTL_SECS};
use crate::credentials::{Claims, PasswordHash, Role};
use crate::directory::{NewUser, SignUpError};
use http::header::LOCATION;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

const USERS_PAGE_SIZE: usize = 20;
const ADMIN_PAGE_SIZE: usize = 50;
const MAX_PAGE: u64 = 10_000;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_NAME_CHARS: usize = 100;
const MAX_PHONE_CHARS: usize = 32;
const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

#[derive(Deserialize)]
struct SignUpBody {
    name: String,
    email: String,
    password: String,
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct ResetBody {
    email: String,
}

#[derive(Deserialize)]
struct ResetConfirmBody {
    ticket: String,
    password: String,
}

impl DemoApi {
    pub(super) fn list_users(&self, request: &ApiRequest<'_>) -> Result<ApiReply, ApiReply> {
        self.user_page(request, USERS_PAGE_SIZE, views::user_summary)
    }

    pub(super) fn admin_list_users(&self, request: &ApiRequest<'_>) -> Result<ApiReply, ApiReply> {
        let claims = self.authenticate(request)?;
        if claims.role != Role::Admin {
            return Err(ApiReply::error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "administrators only",
            ));
        }
        self.user_page(request, ADMIN_PAGE_SIZE, views::admin_user)
    }

    fn user_page(
        &self,
        request: &ApiRequest<'_>,
        page_size: usize,
        view: fn(&crate::dataset::User) -> serde_json::Value,
    ) -> Result<ApiReply, ApiReply> {
        let page = request.page(MAX_PAGE)?;
        let offset = (page as usize - 1) * page_size;
        let users: Vec<_> = self
            .directory
            .page(offset, page_size)
            .iter()
            .map(view)
            .collect();
        Ok(ApiReply::ok(json!({
            "page": page,
            "page_size": page_size,
            "total": self.directory.len(),
            "users": users,
        })))
    }

    pub(super) fn get_user(&self, id: &str) -> Result<ApiReply, ApiReply> {
        let id = parse_numeric_id(id, "user")?;
        let user = self
            .directory
            .get(id)
            .ok_or_else(|| ApiReply::not_found(format!("user {id}")))?;
        Ok(ApiReply::ok(views::user_profile(&user)))
    }

    pub(super) fn sign_up(&self, request: &ApiRequest<'_>) -> Result<ApiReply, ApiReply> {
        let body: SignUpBody = request.json_body()?;
        let name = body.name.trim();
        check_length("name", name, 1..=MAX_NAME_CHARS)?;
        if name.chars().any(char::is_control) {
            return Err(ApiReply::bad_request(
                "name must not contain control characters",
            ));
        }
        check_email(&body.email)?;
        check_length("password", &body.password, PASSWORD_CHARS)?;
        check_phone(&body.phone)?;
        let member_since = time::OffsetDateTime::from_unix_timestamp(self.now_secs() as i64)
            .map(|t| t.date().to_string())
            .unwrap_or_default();
        let new_user = NewUser {
            name: name.to_owned(),
            email: body.email,
            phone: body.phone,
            password: PasswordHash::new(&body.password, self.random_salt()?),
            member_since,
        };
        match self.directory.sign_up(new_user) {
            Ok(user) => Ok(
                ApiReply::new(StatusCode::CREATED, views::user_summary(&user))
                    .with_header(LOCATION, &format!("/api/users/{}", user.id)),
            ),
            Err(e @ SignUpError::EmailTaken) => {
                Err(ApiReply::error(StatusCode::CONFLICT, "conflict", e))
            }
            Err(e @ SignUpError::Full) => Err(ApiReply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "capacity_reached",
                e,
            )),
        }
    }

    pub(super) fn login(&self, request: &ApiRequest<'_>) -> Result<ApiReply, ApiReply> {
        let body: LoginBody = request.json_body()?;
        check_length("email", &body.email, 1..=MAX_EMAIL_CHARS)?;
        check_length("password", &body.password, 1..=*PASSWORD_CHARS.end())?;
        let user = self
            .directory
            .find_by_email(&body.email)
            .filter(|user| user.password.matches(&body.password))
            .ok_or_else(|| {
                ApiReply::error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "wrong email or password",
                )
            })?;
        let now = self.now_secs();
        let token = self.tokens.issue(&Claims {
            sub: user.id.to_string(),
            role: user.role,
            iat: now,
            exp: now + TOKEN_TTL_SECS,
        });
        Ok(ApiReply::ok(json!({
            "token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECS,
            "user": views::user_summary(&user),
        })))
    }

    /// Always 202, whether or not the address is known, so that the endpoint
    /// does not reveal which emails have accounts.
    pub(super) fn request_password_reset(
        &self,
        request: &ApiRequest<'_>,
    ) -> Result<ApiReply, ApiReply> {
        let body: ResetBody = request.json_body()?;
        check_email(&body.email)?;
        if let Some(user) = self.directory.find_by_email(&body.email) {
            self.resets
                .issue(self.random_hex()?, user.id, self.clock.now_millis());
        }
        Ok(ApiReply::new(
            StatusCode::ACCEPTED,
            json!({ "status": "if the address belongs to an account, a reset link has been sent" }),
        ))
    }

    pub(super) fn confirm_password_reset(
        &self,
        request: &ApiRequest<'_>,
    ) -> Result<ApiReply, ApiReply> {
        let body: ResetConfirmBody = request.json_body()?;
        check_length("password", &body.password, PASSWORD_CHARS)?;
        let invalid = || {
            ApiReply::error(
                StatusCode::BAD_REQUEST,
                "invalid_ticket",
                "the reset ticket is unknown, used or expired",
            )
        };
        let user_id = self
            .resets
            .redeem(&body.ticket, self.clock.now_millis())
            .ok_or_else(invalid)?;
        if !self.directory.set_password(
            user_id,
            PasswordHash::new(&body.password, self.random_salt()?),
        ) {
            return Err(invalid());
        }
        Ok(ApiReply::ok(json!({ "status": "password updated" })))
    }
}

fn check_length(
    field: &str,
    value: &str,
    allowed: std::ops::RangeInclusive<usize>,
) -> Result<(), ApiReply> {
    let chars = value.chars().count();
    if allowed.contains(&chars) {
        Ok(())
    } else {
        Err(ApiReply::bad_request(format!(
            "{field} must be {} to {} characters long",
            allowed.start(),
            allowed.end()
        )))
    }
}

fn check_email(email: &str) -> Result<(), ApiReply> {
    check_length("email", email, 3..=MAX_EMAIL_CHARS)?;
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if well_formed {
        Ok(())
    } else {
        Err(ApiReply::bad_request("email is not a valid address"))
    }
}

fn check_phone(phone: &str) -> Result<(), ApiReply> {
    check_length("phone", phone, 0..=MAX_PHONE_CHARS)?;
    if phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
    {
        Ok(())
    } else {
        Err(ApiReply::bad_request(
            "phone may contain only digits, spaces and + - ( )",
        ))
    }
}
