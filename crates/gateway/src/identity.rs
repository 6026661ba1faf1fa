//! Who the client says it is, read from the request head once, for policy
//! rules, rate-limit keys and bans: its API key, its user and a fingerprint
//! of the software it runs.
//!
//! API keys, Basic user names and fingerprints are not verified, and neither
//! is a bearer JWT unless `[identity.jwt]` gives the keys that sign the
//! API's tokens (`crate::tokens`). An attacker can therefore claim any
//! unverified identity, which is why identities only ever add limits on top
//! of the address-based ones (rotating a claimed identity escapes a per-user
//! limit, never a per-IP one), and why a decision keyed on them is explained
//! with the claimed value masked.
//!
//! - API key: the first configured header present (`x-api-key` by default),
//!   else the first configured query parameter (`api_key`, `apikey`).
//! - User: the configured claim (`sub`) of a bearer JWT (with
//!   `[identity.jwt]`, of a verified one only: a token that fails gives no
//!   user), or the user name of Basic credentials.
//! - Credentials: the kinds the request carries (bearer or JWT, Basic,
//!   another `Authorization` scheme, an API key in a header or the query,
//!   a session cookie), as discovery tells them apart
//!   (`rampart_discover::auth`); for policy's `client.credentials`. A
//!   bearer token that `[identity.jwt]` rejected is no credential.
//! - Fingerprint: in the spirit of JA4H, the HTTP version, whether cookies
//!   and a referer are sent, how many headers, and stable hashes of the
//!   header names in order and of the client's self-description
//!   (the `user-agent` without its version numbers, `accept-language`,
//!   `accept-encoding`); on HTTP/1, how
//!   the header names were cased, in order (`_k` and 4 hex digits, from
//!   `crate::head_scan`: hyper itself lowercases names). Stable across
//!   processes, so a fingerprint banned by one gateway means the same client
//!   to another. When Rampart terminated TLS, the client's JA4
//!   (`crate::tls::ja4`) comes first: `t13d1516h2_8daaf6152771_..._h11cn05_...`,
//!   so the fingerprint that bans, limits and the behaviour detectors key
//!   on tells apart two programs sending the same headers.

use crate::pipeline::ExchangeContext;
use crate::tokens::{TokenGuard, TokenReport, TokenVerdict};
use base64::Engine as _;
use http::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, REFERER, USER_AGENT};
use http::{HeaderMap, Version};
use rampart_discover::auth::{self, CredentialKind, CredentialSet};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Tokens and credentials longer than this are not decoded.
const MAX_CREDENTIAL_BYTES: usize = 8 * 1024;
/// Identities longer than this are cut (they key limits and bans).
const MAX_IDENTITY_CHARS: usize = 256;
/// The part of a user agent its family is read from.
const MAX_AGENT_FAMILY_BYTES: usize = 512;

/// The `[identity]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Request headers that carry an API key, in order of preference.
    #[serde(default = "default_api_key_headers")]
    pub api_key_headers: Vec<String>,
    /// Query parameters that carry an API key, when no header does.
    #[serde(default = "default_api_key_query")]
    pub api_key_query: Vec<String>,
    /// The JWT claim that names the user.
    #[serde(default = "default_user_claim")]
    pub user_claim: String,
    /// `[identity.jwt]`: the keys and rules bearer tokens are verified with.
    pub jwt: Option<crate::tokens::JwtConfig>,
}

fn default_api_key_headers() -> Vec<String> {
    vec!["x-api-key".into(), "api-key".into(), "apikey".into()]
}

fn default_api_key_query() -> Vec<String> {
    vec!["api_key".into(), "apikey".into()]
}

fn default_user_claim() -> String {
    "sub".into()
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            api_key_headers: default_api_key_headers(),
            api_key_query: default_api_key_query(),
            user_claim: default_user_claim(),
            jwt: None,
        }
    }
}

/// The check of an exchange's bearer token, made once with its identity
/// (see [`IdentityConfig::of`]).
#[derive(Clone)]
pub struct CheckedToken(pub Arc<TokenReport>);

/// What the request head says about the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIdentity {
    pub api_key: Option<String>,
    pub user: Option<String>,
    pub credentials: CredentialSet,
    pub fingerprint: String,
}

impl IdentityConfig {
    /// The identity of the exchange's client: read from the request head,
    /// with its bearer token checked by `tokens`, by the first stage that
    /// asks (`behave`, `prevent`) and kept for the others, beside the
    /// token's report ([`CheckedToken`]) for the stage that answers it.
    pub fn of<'a>(
        &self,
        tokens: &TokenGuard,
        ctx: &'a mut ExchangeContext,
        request: &http::request::Parts,
    ) -> &'a ClientIdentity {
        if ctx.extensions.get::<ClientIdentity>().is_none() {
            let report = tokens.inspect(bearer(&request.headers));
            let mut identity = self.identify(
                request.version,
                &request.headers,
                request.uri.query().unwrap_or(""),
                &report.verdict,
            );
            if let Some(ja4) = &ctx.ja4 {
                identity.fingerprint = format!("{ja4}_{}", identity.fingerprint);
            }
            if let Some(casing) = ctx.header_casing {
                identity.fingerprint = format!("{}_k{:04x}", identity.fingerprint, casing & 0xffff);
            }
            ctx.extensions.insert(CheckedToken(Arc::new(report)));
            ctx.extensions.insert(identity);
        }
        // Inserted just above when it was not there: the default is never made.
        ctx.extensions.get_or_insert_with(ClientIdentity::default)
    }

    /// Reads the identity of the client behind one request, given what its
    /// bearer token (if any) turned out to be.
    pub fn identify(
        &self,
        version: Version,
        headers: &HeaderMap,
        query: &str,
        token: &TokenVerdict,
    ) -> ClientIdentity {
        ClientIdentity {
            api_key: self.api_key(headers, query).map(bounded),
            user: self.user(headers, token).map(bounded),
            credentials: presented(headers, query, token),
            fingerprint: fingerprint(version, headers),
        }
    }

    fn api_key(&self, headers: &HeaderMap, query: &str) -> Option<String> {
        let from_header = self.api_key_headers.iter().find_map(|name| {
            let value = headers.get(name.as_str())?.to_str().ok()?.trim();
            (!value.is_empty()).then(|| value.to_string())
        });
        from_header.or_else(|| {
            query.split('&').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                let wanted = self.api_key_query.iter().any(|q| q == name);
                (wanted && !value.is_empty()).then(|| value.to_string())
            })
        })
    }

    fn user(&self, headers: &HeaderMap, token: &TokenVerdict) -> Option<String> {
        if bearer(headers).is_some() {
            return match token {
                TokenVerdict::Verified(verified) => self.claim(&verified.claims),
                TokenVerdict::Unchecked => {
                    let token = bearer(headers)?;
                    self.claim(&rampart_behave::tokens::decode(token).ok()?.claims)
                }
                TokenVerdict::Absent | TokenVerdict::Failed(_) => None,
            };
        }
        let (scheme, value) = credentials(headers)?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, _password) = text.split_once(':')?;
        (!user.is_empty()).then(|| user.to_string())
    }

    fn claim(&self, claims: &Map<String, Value>) -> Option<String> {
        match claims.get(&self.user_claim)? {
            Value::String(user) if !user.is_empty() => Some(user.clone()),
            Value::Number(user) => Some(user.to_string()),
            _ => None,
        }
    }
}

/// The credentials a request carries; a bearer token that failed
/// verification is none.
fn presented(headers: &HeaderMap, query: &str, token: &TokenVerdict) -> CredentialSet {
    let mut set = auth::credentials(
        headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
        query
            .split('&')
            .map(|pair| pair.split_once('=').unwrap_or((pair, ""))),
    );
    if matches!(token, TokenVerdict::Failed(_)) {
        set.remove(CredentialKind::JwtBearer);
        set.remove(CredentialKind::OpaqueBearer);
    }
    set
}

/// The scheme and value of the `Authorization` header, when it is short
/// enough to be read.
fn credentials(headers: &HeaderMap) -> Option<(&str, &str)> {
    let credentials = headers.get(AUTHORIZATION)?.to_str().ok()?;
    if credentials.len() > MAX_CREDENTIAL_BYTES {
        return None;
    }
    let (scheme, value) = credentials.trim().split_once(' ')?;
    Some((scheme, value.trim()))
}

/// The bearer token of the request, if it sends one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let (scheme, value) = credentials(headers)?;
    (scheme.eq_ignore_ascii_case("bearer") && !value.is_empty()).then_some(value)
}

fn bounded(mut identity: String) -> String {
    if let Some((cut, _)) = identity.char_indices().nth(MAX_IDENTITY_CHARS) {
        identity.truncate(cut);
    }
    identity
}

/// FNV-1a: fixed, so every gateway computes the same fingerprint.
fn stable_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0u8]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The user agent without its version numbers (digits dropped, at most
/// [`MAX_AGENT_FAMILY_BYTES`] kept): `Chrome/120.0.6099.71` and
/// `Chrome/119.0.0.0` on one platform are one family, so a client that
/// rotates versions keeps its fingerprint; another browser, platform or
/// library is another family.
fn user_agent_family(agent: &[u8]) -> Vec<u8> {
    agent
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_digit())
        .take(MAX_AGENT_FAMILY_BYTES)
        .collect()
}

fn fingerprint(version: Version, headers: &HeaderMap) -> String {
    let version = match version {
        Version::HTTP_09 => "09",
        Version::HTTP_10 => "10",
        Version::HTTP_2 => "20",
        Version::HTTP_3 => "30",
        _ => "11",
    };
    let cookies = if headers.contains_key(COOKIE) {
        'c'
    } else {
        'n'
    };
    let referer = if headers.contains_key(REFERER) {
        'r'
    } else {
        'n'
    };
    let names = headers
        .keys()
        .filter(|name| *name != COOKIE && *name != REFERER)
        .map(|name| name.as_str().as_bytes());
    let agent = headers
        .get(USER_AGENT)
        .map(|v| user_agent_family(v.as_bytes()))
        .unwrap_or_default();
    let described = [
        &agent[..],
        headers
            .get(ACCEPT_LANGUAGE)
            .map_or(&b""[..], |v| v.as_bytes()),
        headers
            .get(ACCEPT_ENCODING)
            .map_or(&b""[..], |v| v.as_bytes()),
    ];
    format!(
        "h{version}{cookies}{referer}{:02}_{:012x}_{:08x}",
        headers.len().min(99),
        stable_hash(names) & 0xffff_ffff_ffff,
        stable_hash(described) & 0xffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn identify(pairs: &[(&str, &str)], query: &str) -> ClientIdentity {
        IdentityConfig::default().identify(
            Version::HTTP_11,
            &headers(pairs),
            query,
            &TokenVerdict::Unchecked,
        )
    }

    #[test]
    fn api_key_from_the_first_configured_header_else_the_query() {
        let both = identify(&[("x-api-key", "k-header")], "api_key=k-query");
        assert_eq!(both.api_key.as_deref(), Some("k-header"));
        let query = identify(&[], "page=2&apikey=k-query");
        assert_eq!(query.api_key.as_deref(), Some("k-query"));
        assert_eq!(identify(&[("x-api-key", "  ")], "api_key=").api_key, None);
    }

    #[test]
    fn user_from_a_bearer_jwt_claim_or_basic_credentials() {
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","uid":42}"#);
        let bearer = format!("Bearer eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        assert_eq!(
            identify(&[("authorization", &bearer)], "").user.as_deref(),
            Some("alice")
        );
        let by_uid = IdentityConfig {
            user_claim: "uid".into(),
            ..IdentityConfig::default()
        };
        let numeric = by_uid.identify(
            Version::HTTP_11,
            &headers(&[("authorization", &bearer)]),
            "",
            &TokenVerdict::Unchecked,
        );
        assert_eq!(numeric.user.as_deref(), Some("42"));
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("bob:secret")
        );
        assert_eq!(
            identify(&[("authorization", &basic)], "").user.as_deref(),
            Some("bob")
        );
        for garbage in [
            "Bearer not-a-jwt",
            "Bearer a.!!!.c",
            "Basic %%%",
            "Digest x",
        ] {
            assert_eq!(
                identify(&[("authorization", garbage)], "").user,
                None,
                "{garbage}"
            );
        }
    }

    #[test]
    fn with_verification_the_user_comes_only_from_a_verified_token() {
        use rampart_behave::tokens::{Algorithm, Check, Failure, Verified};
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"mallory"}"#);
        let bearer = format!("Bearer eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        let request = headers(&[("authorization", &bearer)]);
        let user = |token: &TokenVerdict| {
            IdentityConfig::default()
                .identify(Version::HTTP_11, &request, "", token)
                .user
        };
        let claims = serde_json::json!({"sub": "alice"});
        let verified = TokenVerdict::Verified(Verified {
            alg: Algorithm::HS256,
            kid: None,
            claims: claims.as_object().unwrap().clone(),
        });
        assert_eq!(user(&verified).as_deref(), Some("alice"));
        let failed = TokenVerdict::Failed(Failure::new(Check::Signature, "forged"));
        assert_eq!(user(&failed), None, "a forged token names nobody");
        assert_eq!(user(&TokenVerdict::Unchecked).as_deref(), Some("mallory"));
    }

    #[test]
    fn credentials_are_the_kinds_carried_and_a_rejected_token_is_none() {
        let kinds = |pairs: &[(&str, &str)], query: &str, token: &TokenVerdict| {
            IdentityConfig::default()
                .identify(Version::HTTP_11, &headers(pairs), query, token)
                .credentials
                .names()
        };
        let unchecked = &TokenVerdict::Unchecked;
        assert!(kinds(
            &[("accept", "*/*"), ("cookie", "theme=dark")],
            "page=2",
            unchecked
        )
        .is_empty());
        assert_eq!(
            kinds(&[("authorization", "Bearer t0k3n")], "", unchecked),
            ["bearer"]
        );
        assert_eq!(
            kinds(&[("cookie", "sessionid=abc")], "api_key=k", unchecked),
            ["api_key_query", "session_cookie"]
        );
        let failed = TokenVerdict::Failed(rampart_behave::tokens::Failure::new(
            rampart_behave::tokens::Check::Signature,
            "forged",
        ));
        let forged = [("authorization", "Bearer t0k3n"), ("x-api-key", "k")];
        assert_eq!(kinds(&forged, "", &failed), ["api_key_header"]);
    }

    #[test]
    fn identities_are_bounded() {
        let key = "k".repeat(10_000);
        let identity = identify(&[("x-api-key", &key)], "");
        assert_eq!(identity.api_key.unwrap().len(), MAX_IDENTITY_CHARS);
    }

    #[test]
    fn fingerprint_follows_the_client_software_not_its_values() {
        let browser = [
            ("host", "a"),
            ("user-agent", "Mozilla/5.0"),
            ("accept-language", "en"),
            ("cookie", "s=1"),
        ];
        let same_browser_other_cookie = [
            ("host", "b"),
            ("user-agent", "Mozilla/5.0"),
            ("accept-language", "en"),
            ("cookie", "s=2"),
        ];
        let script = [("host", "a"), ("user-agent", "curl/8.0")];
        let reordered = [
            ("user-agent", "Mozilla/5.0"),
            ("host", "a"),
            ("accept-language", "en"),
            ("cookie", "s=1"),
        ];
        let fp = |pairs: &[(&str, &str)]| identify(pairs, "").fingerprint;
        assert_eq!(fp(&browser), fp(&same_browser_other_cookie));
        assert_ne!(fp(&browser), fp(&script));
        assert_ne!(fp(&browser), fp(&reordered));
        assert!(fp(&browser).starts_with("h11cn04_"), "{}", fp(&browser));
        let chrome = |agent: &str| {
            fp(&[
                ("host", "a"),
                ("user-agent", agent),
                ("accept-language", "en"),
            ])
        };
        let windows =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)";
        assert_eq!(
            chrome(&format!("{windows} Chrome/120.0.6099.71 Safari/537.36")),
            chrome(&format!("{windows} Chrome/119.0.0.0 Safari/537.36")),
            "another version of one browser"
        );
        assert_ne!(
            chrome(&format!("{windows} Chrome/120.0.6099.71 Safari/537.36")),
            chrome(&format!("{windows} Firefox/121.0")),
            "another browser"
        );
        assert_ne!(chrome("python-requests/2.31.0"), chrome("curl/8.4.0"));
    }
}
