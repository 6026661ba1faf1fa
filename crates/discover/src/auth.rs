//! Which credentials a request carries.
//!
//! An endpoint is unauthenticated when a request without any credential got
//! a successful answer; so the inventory needs, per request, the set of
//! credential kinds present: JWT or opaque bearer tokens, basic auth, API
//! keys in a header or the query, session cookies.

use serde::{Deserialize, Serialize};

/// Credential kinds seen on requests, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CredentialSet(u8);

/// One kind of credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    JwtBearer,
    OpaqueBearer,
    Basic,
    OtherAuthorization,
    ApiKeyHeader,
    ApiKeyQuery,
    SessionCookie,
}

const ALL_KINDS: [(CredentialKind, &str); 7] = [
    (CredentialKind::JwtBearer, "jwt_bearer"),
    (CredentialKind::OpaqueBearer, "bearer"),
    (CredentialKind::Basic, "basic"),
    (CredentialKind::OtherAuthorization, "authorization"),
    (CredentialKind::ApiKeyHeader, "api_key_header"),
    (CredentialKind::ApiKeyQuery, "api_key_query"),
    (CredentialKind::SessionCookie, "session_cookie"),
];

impl CredentialSet {
    pub fn insert(&mut self, kind: CredentialKind) {
        self.0 |= 1 << kind as u8;
    }

    pub fn remove(&mut self, kind: CredentialKind) {
        self.0 &= !(1 << kind as u8);
    }

    pub fn union(self, other: CredentialSet) -> CredentialSet {
        CredentialSet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, kind: CredentialKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }

    /// Names of the kinds present, for reports.
    pub fn names(self) -> Vec<&'static str> {
        ALL_KINDS
            .iter()
            .filter(|(k, _)| self.contains(*k))
            .map(|(_, n)| *n)
            .collect()
    }
}

/// Header names that carry an API key or token.
pub fn is_credential_header(name: &str) -> bool {
    !name.eq_ignore_ascii_case("authorization")
        && (crate::sensitive::lower_contains(
            name,
            &["api-key", "api_key", "apikey", "token", "auth"],
        ) || name.eq_ignore_ascii_case("x-key")
            || name.len() > 7 && name[name.len() - 7..].eq_ignore_ascii_case("-secret"))
}

/// The header that authenticates a request: `Authorization` when present,
/// else the first API-key header. That credential belongs to the
/// endpoint's authentication, not to the data it carries; any other secret
/// header (a provider key passed along beside the bearer token) is data.
pub fn authenticating_header<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<&'a str> {
    let present = |(_, value): &(&str, &str)| !value.trim().is_empty();
    headers
        .clone()
        .filter(present)
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .or_else(|| {
            headers
                .filter(present)
                .find(|(name, _)| is_credential_header(name))
        })
        .map(|(name, _)| name)
}

/// Query parameter names that carry an API key or token.
pub fn is_credential_query_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "api_key"
            | "apikey"
            | "api-key"
            | "key"
            | "access_token"
            | "token"
            | "auth"
            | "auth_token"
            | "sig"
            | "signature"
    )
}

fn is_session_cookie(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n.contains("session")
        || n.contains("sess")
        || n == "sid"
        || n.ends_with(".sid")
        || n.contains("token")
        || n.contains("auth")
}

/// The credentials carried by a request.
pub fn credentials<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    query: impl Iterator<Item = (&'a str, &'a str)>,
) -> CredentialSet {
    let mut set = CredentialSet::default();
    for (name, value) in headers {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
            set.insert(if scheme.eq_ignore_ascii_case("bearer") {
                if rest.trim().starts_with("eyJ") && rest.matches('.').count() == 2 {
                    CredentialKind::JwtBearer
                } else {
                    CredentialKind::OpaqueBearer
                }
            } else if scheme.eq_ignore_ascii_case("basic") {
                CredentialKind::Basic
            } else {
                CredentialKind::OtherAuthorization
            });
        } else if name.eq_ignore_ascii_case("cookie") {
            if value
                .split(';')
                .filter_map(|c| c.split_once('='))
                .any(|(n, v)| is_session_cookie(n) && !v.trim().is_empty())
            {
                set.insert(CredentialKind::SessionCookie);
            }
        } else if is_credential_header(name) {
            set.insert(CredentialKind::ApiKeyHeader);
        }
    }
    for (name, value) in query {
        if is_credential_query_param(name) && !value.is_empty() {
            set.insert(CredentialKind::ApiKeyQuery);
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(headers: &[(&str, &str)], query: &[(&str, &str)]) -> Vec<&'static str> {
        credentials(headers.iter().copied(), query.iter().copied()).names()
    }

    #[test]
    fn recognises_each_kind() {
        assert_eq!(
            creds(&[("Authorization", "Bearer eyJa.eyJb.c")], &[]),
            ["jwt_bearer"]
        );
        assert_eq!(creds(&[("authorization", "Bearer abc")], &[]), ["bearer"]);
        assert_eq!(creds(&[("Authorization", "Basic dTpw")], &[]), ["basic"]);
        assert_eq!(creds(&[("X-API-Key", "k")], &[]), ["api_key_header"]);
        assert_eq!(creds(&[], &[("api_key", "k")]), ["api_key_query"]);
        assert_eq!(
            creds(&[("Cookie", "theme=dark; JSESSIONID=abc")], &[]),
            ["session_cookie"]
        );
    }

    #[test]
    fn the_authorization_header_authenticates_before_any_api_key() {
        let authenticator = |headers: &[(&'static str, &'static str)]| {
            authenticating_header(headers.iter().copied())
        };
        assert_eq!(authenticator(&[("api_key", "k1")]), Some("api_key"));
        assert_eq!(
            authenticator(&[("api_key", "k1"), ("Authorization", "Bearer t")]),
            Some("Authorization")
        );
        assert_eq!(
            authenticator(&[("Authorization", " "), ("X-Api-Key", "k")]),
            Some("X-Api-Key")
        );
        assert_eq!(authenticator(&[("Accept", "*/*")]), None);
    }

    #[test]
    fn ordinary_headers_are_not_credentials() {
        assert!(creds(
            &[
                ("Accept", "*/*"),
                ("Cookie", "theme=dark"),
                ("X-Api-Key", "")
            ],
            &[("q", "x")]
        )
        .is_empty());
    }
}
