//! What an endpoint is for, in business terms.
//!
//! Behaviour detection needs to know which endpoint is the login, the
//! sign-up, the password reset or the checkout: credential stuffing targets
//! one, card testing another. The function is inferred from the method, the
//! words of the path, the names of the parameters sent and the shape of the
//! response (a token coming back from a POST is a login).

use serde::{Deserialize, Serialize};

/// A business function; the first that fits, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessFunction {
    PasswordReset,
    Otp,
    AccountCreation,
    Authentication,
    Logout,
    TokenRefresh,
    Payment,
    Checkout,
    Cart,
    FileUpload,
    Search,
    Admin,
    Profile,
    Export,
    Other,
}

/// What the classifier looks at for one endpoint.
pub struct FunctionEvidence<'a> {
    pub method: &'a str,
    /// Literal path segments (parameters left out).
    pub literals: &'a [&'a str],
    /// Names of query, form and JSON body fields sent.
    pub request_fields: &'a [&'a str],
    /// Top-level names in successful responses.
    pub response_fields: &'a [&'a str],
    pub request_content_type_multipart: bool,
}

/// Splits `loginWithToken`, `forget-password`, `check_otp` into lower-case words.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Infers the business function of an endpoint.
pub fn infer(e: &FunctionEvidence<'_>) -> BusinessFunction {
    let path: Vec<String> = e.literals.iter().flat_map(|s| words(s)).collect();
    let has = |list: &[&str]| path.iter().any(|w| list.contains(&w.as_str()));
    let has_pair = |a: &str, b: &[&str]| {
        path.windows(2)
            .any(|w| w[0] == a && b.contains(&w[1].as_str()))
            || path
                .windows(2)
                .any(|w| b.contains(&w[0].as_str()) && w[1] == a)
    };
    let fields: Vec<String> = e.request_fields.iter().flat_map(|s| words(s)).collect();
    let field = |list: &[&str]| fields.iter().any(|w| list.contains(&w.as_str()));
    let response: Vec<String> = e
        .response_fields
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let writes = e.method != "GET" && e.method != "HEAD";

    if has_pair(
        "password",
        &["reset", "forgot", "forget", "change", "recover"],
    ) || has(&["reset"]) && field(&["password"])
    {
        return BusinessFunction::PasswordReset;
    }
    if has(&[
        "otp",
        "mfa",
        "2fa",
        "totp",
        "verification",
        "verifications",
        "verify",
    ]) || field(&["otp", "totp"])
    {
        return BusinessFunction::Otp;
    }
    if has(&["signup", "register", "registration"])
        || has_pair("sign", &["up"])
        || (writes && has(&["users", "accounts"]) && field(&["password"]))
    {
        return BusinessFunction::AccountCreation;
    }
    if has(&["logout", "signout"]) || has_pair("sign", &["out"]) {
        return BusinessFunction::Logout;
    }
    if has(&["refresh"]) && has(&["token", "tokens"]) {
        return BusinessFunction::TokenRefresh;
    }
    if has(&["login", "signin", "authenticate", "session", "sessions"])
        || has_pair("sign", &["in"])
        || (writes && field(&["password"]))
        || (writes
            && response
                .iter()
                .any(|k| k == "access_token" || k == "token" || k == "id_token"))
    {
        return BusinessFunction::Authentication;
    }
    if has(&[
        "payment", "payments", "pay", "charge", "charges", "invoice", "invoices", "billing",
        "refund", "refunds",
    ]) || field(&["card", "cvv", "cvc", "iban"])
    {
        return BusinessFunction::Payment;
    }
    if has(&["checkout", "order", "orders", "purchase"]) && writes {
        return BusinessFunction::Checkout;
    }
    if has(&["cart", "basket", "carts"]) {
        return BusinessFunction::Cart;
    }
    if e.request_content_type_multipart
        || has(&[
            "upload",
            "uploads",
            "attachment",
            "attachments",
            "files",
            "file",
            "image",
            "images",
            "avatar",
        ]) && writes
    {
        return BusinessFunction::FileUpload;
    }
    if has(&["search", "find", "query", "lookup", "autocomplete"])
        || field(&["q", "query", "search"])
    {
        return BusinessFunction::Search;
    }
    if has(&[
        "admin",
        "administration",
        "management",
        "manage",
        "internal",
        "debug",
        "superuser",
    ]) {
        return BusinessFunction::Admin;
    }
    if has(&[
        "profile",
        "profiles",
        "me",
        "account",
        "user",
        "users",
        "dashboard",
    ]) {
        return BusinessFunction::Profile;
    }
    if has(&["export", "exports", "download", "dump", "backup"]) {
        return BusinessFunction::Export;
    }
    BusinessFunction::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: &str, literals: &[&str], fields: &[&str], response: &[&str]) -> BusinessFunction {
        infer(&FunctionEvidence {
            method,
            literals,
            request_fields: fields,
            response_fields: response,
            request_content_type_multipart: false,
        })
    }

    #[test]
    fn infers_common_functions() {
        assert_eq!(
            of(
                "POST",
                &["identity", "api", "auth", "login"],
                &["email", "password"],
                &["token"]
            ),
            BusinessFunction::Authentication
        );
        assert_eq!(
            of("POST", &["auth", "forget-password"], &["email"], &[]),
            BusinessFunction::PasswordReset
        );
        assert_eq!(
            of("POST", &["auth", "v3", "check-otp"], &["otp"], &[]),
            BusinessFunction::Otp
        );
        assert_eq!(
            of("POST", &["auth", "signup"], &["email"], &[]),
            BusinessFunction::AccountCreation
        );
        assert_eq!(
            of("GET", &["pet", "findByStatus"], &["status"], &[]),
            BusinessFunction::Search
        );
        assert_eq!(
            of(
                "POST",
                &["v1", "sessions"],
                &["user", "pass"],
                &["access_token"]
            ),
            BusinessFunction::Authentication
        );
        assert_eq!(
            of(
                "GET",
                &["workshop", "api", "management", "users", "all"],
                &[],
                &[]
            ),
            BusinessFunction::Admin
        );
        assert_eq!(of("GET", &["colors"], &[], &[]), BusinessFunction::Other);
    }

    #[test]
    fn splits_words() {
        assert_eq!(words("loginWithToken"), ["login", "with", "token"]);
        assert_eq!(words("check_otp-v2"), ["check", "otp", "v2"]);
    }
}
