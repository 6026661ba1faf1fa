//! What an endpoint is for, in business terms.
//!
//! Behaviour detection and policy need to know which endpoint is the login,
//! the sign-up, the password reset or the checkout: credential stuffing
//! targets one, card testing another, and operators write rules such as
//! `endpoint.function == "login"`. The function is inferred once per
//! endpoint when the inventory is reported, never per request.
//!
//! # Method
//!
//! Evidence, not the first word that matches. Every rule that fits adds
//! points to one function (`score.rs`; the words are in `vocabulary.rs`):
//!
//! - **path words**: every literal segment, split on camelCase, kebab,
//!   snake, dots and colons (`auth.revoke`, `accounts:signUp`), versions and
//!   file extensions left out, `sign in`/`log out` joined. A word weighs by
//!   position: the last word of the path names the action (full weight),
//!   the rest of the last segment qualifies it (0.8), earlier segments give
//!   context (0.5). So `/users/v1/login` is a login: `login` ends the path,
//!   `users` only sets the scene. Administrative words (`admin`, `internal`,
//!   `actuator`...) weigh the same wherever they are; a few words count
//!   only as the last word (`auth.revoke`) or as a whole segment (`/me`,
//!   `/user`), and a verb of the last segment can veto (`users.deletePhoto`
//!   uploads nothing, a password sent to `.../update` is no login).
//! - **method and shape**: `POST` to `/sessions` with credentials opens a
//!   session, `DELETE` on it closes one; `POST` to a users collection with
//!   a password creates an account; `DELETE` on a whole collection
//!   (no id after it) is destructive; `GET` on a plural noun or an answer
//!   that is a list (`[...]`, `{"data": [...]}`) lists.
//! - **fields** sent (query, form, JSON top level and one wrapper down) and
//!   answered: `password`, `new_password`, `otp`, `refresh_token`, card
//!   numbers, `q` (a search, unless the path is a collection it filters); a
//!   token in the answer to a write.
//! - **statuses**: `401` answered to a password, `201 Created` for a new
//!   account (weak).
//!
//! Weights, out of 10 before position: words that name the action 10
//! (`login`, `logout`, `signup`, `otp`, `reset password`, `healthz`),
//! administrative words 9, other purpose words 8 (`search`, `checkout`,
//! `purge`, `export`), `refresh_token` sent 9, a session opened with
//! credentials 7, a users collection given a password 6, an OAuth token
//! endpoint 6, a password sent 4, a collection or a list answer 4 each;
//! weak hints 1 to 3. Per function the best path word and the best field
//! count once, other rules add. The function with most points wins if it reaches
//! [`THRESHOLD`]; ties go to the more specific (order of
//! [`BusinessFunction::ALL`]). `list` and `profile` describe a shape more
//! than a purpose, so they win only when no other function reaches the
//! threshold (`/search/repositories` answers a list, it is a search). The
//! [`FunctionVerdict`] names the evidence that decided, for the report.

mod learned;

pub(crate) use learned::shape as response_shape;
mod score;
mod vocabulary;
mod words;

#[cfg(test)]
mod cases;

pub(crate) use learned::Learned;
pub(crate) use words::words;

use serde::{Deserialize, Serialize};

/// Points (tenths) a function needs to be chosen over `other`.
pub const THRESHOLD: u32 = 40;

/// A business function. The snake-case names are what policy compares
/// (`endpoint.function == "login"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessFunction {
    /// Liveness and readiness checks: `/healthz`, `/actuator/health`.
    Health,
    /// Ends a session or revokes a token.
    Logout,
    /// Trades a refresh token for a new access token.
    TokenRefresh,
    /// Forgotten, reset or changed password.
    PasswordReset,
    /// One-time codes: OTP, MFA/2FA, verification codes.
    Otp,
    /// Creates an account.
    #[serde(alias = "account_creation")]
    SignUp,
    /// Trades credentials for a session or token.
    #[serde(alias = "authentication")]
    Login,
    /// Deletes or resets in bulk: `DELETE /pods`, `purge`, `truncate`.
    Destructive,
    /// Administration, management, internals and debugging.
    Admin,
    /// Exports and downloads data in bulk.
    Export,
    FileUpload,
    Payment,
    /// Places an order: checkout, purchase, coupons.
    Checkout,
    Cart,
    Search,
    /// Reads a collection.
    List,
    /// The caller's own account, or one user.
    Profile,
    #[default]
    Other,
}

impl BusinessFunction {
    /// Every function, most specific first (the order that breaks ties).
    pub const ALL: [BusinessFunction; 18] = [
        Self::Health,
        Self::Logout,
        Self::TokenRefresh,
        Self::PasswordReset,
        Self::Otp,
        Self::SignUp,
        Self::Login,
        Self::Destructive,
        Self::Admin,
        Self::Export,
        Self::FileUpload,
        Self::Payment,
        Self::Checkout,
        Self::Cart,
        Self::Search,
        Self::List,
        Self::Profile,
        Self::Other,
    ];

    /// The name policy rules compare against, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Logout => "logout",
            Self::TokenRefresh => "token_refresh",
            Self::PasswordReset => "password_reset",
            Self::Otp => "otp",
            Self::SignUp => "sign_up",
            Self::Login => "login",
            Self::Destructive => "destructive",
            Self::Admin => "admin",
            Self::Export => "export",
            Self::FileUpload => "file_upload",
            Self::Payment => "payment",
            Self::Checkout => "checkout",
            Self::Cart => "cart",
            Self::Search => "search",
            Self::List => "list",
            Self::Profile => "profile",
            Self::Other => "other",
        }
    }

    /// Whether answers of this function give a credential to a caller
    /// that had none (its purpose, not an exposure).
    pub fn hands_out_credentials(self) -> bool {
        matches!(
            self,
            Self::Login | Self::SignUp | Self::TokenRefresh | Self::Otp
        )
    }

    /// `list` and `profile` say what an endpoint looks like more than what
    /// it is for: any other function with enough evidence wins over them.
    fn is_shape(self) -> bool {
        matches!(self, Self::List | Self::Profile | Self::Other)
    }
}

impl std::fmt::Display for BusinessFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What successful answers look like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseShape {
    /// No JSON answer seen.
    #[default]
    Unknown,
    /// One object.
    Object,
    /// A list: an array, or an object wrapping one (`{"data": [...]}`,
    /// `{"items": [...], "next": ...}`).
    Array,
}

/// What the classifier looks at for one endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct FunctionEvidence<'a> {
    pub method: &'a str,
    /// Literal path segments (parameters left out).
    pub literals: &'a [&'a str],
    /// The path ends with a parameter (`/users/{id}`): it addresses one item.
    pub trailing_param: bool,
    /// `mutation accountRegister`: its name is read as a last path segment.
    pub graphql_operation: Option<&'a str>,
    /// Names of query, form and JSON body fields sent.
    pub request_fields: &'a [&'a str],
    /// Top-level names in successful responses (and one wrapper down).
    pub response_fields: &'a [&'a str],
    pub response: ResponseShape,
    pub request_content_type_multipart: bool,
    /// Statuses answered.
    pub statuses: &'a [u16],
}

/// The function chosen and the evidence that decided it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionVerdict {
    pub function: BusinessFunction,
    /// E.g. `path ends with "login"; field "password"`.
    pub reason: String,
}

/// Infers the business function of an endpoint.
pub fn infer(e: &FunctionEvidence<'_>) -> BusinessFunction {
    classify(e).function
}

/// Infers the business function of an endpoint, with the reason.
pub fn classify(e: &FunctionEvidence<'_>) -> FunctionVerdict {
    let board = score::score(e);
    let best = |shape: bool| {
        BusinessFunction::ALL
            .iter()
            .zip(&board.tallies)
            .filter(|(f, _)| f.is_shape() == shape)
            .map(|(f, t)| (*f, t, t.total()))
            .filter(|(_, _, total)| *total >= THRESHOLD)
            // `max_by_key` keeps the last of equals: reverse to prefer the first.
            .rev()
            .max_by_key(|(_, _, total)| *total)
    };
    match best(false).or_else(|| best(true)) {
        Some((function, tally, _)) => FunctionVerdict {
            function,
            reason: tally
                .reasons()
                .iter()
                .map(|i| i.reason.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        },
        None => FunctionVerdict {
            function: BusinessFunction::Other,
            reason: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: &str, literals: &[&str], fields: &[&str], response: &[&str]) -> FunctionVerdict {
        classify(&FunctionEvidence {
            method,
            literals,
            request_fields: fields,
            response_fields: response,
            ..Default::default()
        })
    }

    #[test]
    fn the_last_path_word_beats_an_earlier_one() {
        let login = of(
            "POST",
            &["users", "v1", "login"],
            &["username", "password"],
            &[],
        );
        assert_eq!(login.function, BusinessFunction::Login);
        assert_eq!(login.reason, "path ends with \"login\"; field \"password\"");
        let sign_up = of(
            "POST",
            &["users", "v1"],
            &["username", "password", "email"],
            &[],
        );
        assert_eq!(sign_up.function, BusinessFunction::SignUp);
    }

    #[test]
    fn shapes_yield_to_purposes_and_no_evidence_is_other() {
        assert_eq!(
            of("GET", &["colors"], &[], &[]).function,
            BusinessFunction::List
        );
        // `q` filters a collection; elsewhere it searches.
        assert_eq!(
            of("GET", &["colors"], &["q"], &[]).function,
            BusinessFunction::List
        );
        let search = of("GET", &["geocode"], &["q"], &[]);
        assert_eq!(search.function, BusinessFunction::Search);
        assert_eq!(search.reason, "field \"q\"");
        let verdict = of("POST", &["colors"], &[], &[]);
        assert_eq!(verdict.function, BusinessFunction::Other);
        assert_eq!(verdict.reason, "");
    }

    #[test]
    fn statuses_are_weak_evidence() {
        let e = |statuses: &'static [u16]| FunctionEvidence {
            method: "POST",
            literals: &["members"],
            request_fields: &["password"],
            statuses,
            ..Default::default()
        };
        // A password to a collection: sign-up (6) over login (4)...
        assert_eq!(infer(&e(&[])), BusinessFunction::SignUp);
        assert_eq!(
            classify(&e(&[201])).reason,
            "POST to a users collection with a password; answers 201 Created"
        );
        // ...unless it answers like a login: 401 to a password, a token (4 + 2 + 3).
        let login = classify(&FunctionEvidence {
            response_fields: &["token"],
            ..e(&[401])
        });
        assert_eq!(login.function, BusinessFunction::Login);
    }

    #[test]
    fn names_are_the_serialised_ones_and_old_names_still_load() {
        for f in BusinessFunction::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
            assert_eq!(f.to_string(), f.as_str());
        }
        let old: BusinessFunction = serde_json::from_str("\"authentication\"").unwrap();
        assert_eq!(old, BusinessFunction::Login);
        let old: BusinessFunction = serde_json::from_str("\"account_creation\"").unwrap();
        assert_eq!(old, BusinessFunction::SignUp);
    }
}
