//! Endpoints that let anyone do privileged work or read secrets.
//!
//! The costliest findings are not misconfigured headers but endpoints that
//! never ask who is calling: a debug page listing every user's password, a
//! database reset, an admin listing. Each needs three things the inventory
//! already learned about the endpoint, so it is decided here, once per
//! report, from the endpoint's whole record:
//!
//! - **no credentials needed**: a request without any credential was seen
//!   answered 2xx (`AuthStats::unauthenticated_successes`); a declared
//!   `security` in the spec is not evidence of exposure, traffic is;
//! - **privileged**: the business function is `admin` or `destructive`
//!   (the function classifier's path vocabulary: `admin`, `debug`,
//!   `internal`, `actuator`, `purge`, `reset`...), or the method is
//!   `DELETE`;
//! - **or secrets**: a response body carried a password, a private key, an
//!   API key or a JWT, on an endpoint whose job is not to hand credentials
//!   out (login, sign-up, token refresh and one-time codes answer tokens to
//!   callers that have none: that is their purpose).
//!
//! A health check is public by design and is never privileged; an admin
//! endpoint that was only ever answered with credentials is no finding.

use crate::findings::Finding;
use crate::function::{BusinessFunction, FunctionVerdict};
use crate::sensitive::Location;
use crate::stats::{AuthStats, SensitiveField};

/// Sensitive fields named in one finding's evidence.
const MAX_NAMED_FIELDS: usize = 4;

/// What exposure is decided from.
pub struct Exposure<'a> {
    pub method: &'a str,
    pub function: &'a FunctionVerdict,
    pub auth: &'a AuthStats,
    /// Sensitive fields seen, with how often.
    pub sensitive: &'a [(&'a SensitiveField, u64)],
}

/// The exposure findings of one endpoint, none when no request without
/// credentials ever succeeded.
pub fn findings(exposure: &Exposure<'_>) -> Vec<Finding> {
    let successes = exposure.auth.unauthenticated_successes;
    let mut out = Vec::new();
    if successes == 0 {
        return out;
    }
    let anyone = format!("answered 2xx to {successes} request(s) without credentials");
    let verdict = exposure.function;
    let function = |name: &str| match verdict.reason.as_str() {
        "" => format!("{anyone}; function {name}"),
        reason => format!("{anyone}; function {name} ({reason})"),
    };
    if verdict.function == BusinessFunction::Admin {
        out.push(Finding::UnauthenticatedAdmin {
            evidence: function("admin"),
        });
    }
    if verdict.function == BusinessFunction::Destructive {
        out.push(Finding::UnauthenticatedDestructive {
            evidence: function("destructive"),
        });
    } else if exposure.method.eq_ignore_ascii_case("DELETE") {
        out.push(Finding::UnauthenticatedDestructive {
            evidence: format!("DELETE {anyone}"),
        });
    }
    if !verdict.function.hands_out_credentials() {
        let secrets: Vec<String> = exposure
            .sensitive
            .iter()
            .filter(|(field, _)| field.location == Location::ResponseBody && field.kind.is_secret())
            .map(|(field, count)| format!("{:?} at {} ({count}x)", field.kind, field.path))
            .collect();
        if !secrets.is_empty() {
            let mut named = secrets[..secrets.len().min(MAX_NAMED_FIELDS)].join(", ");
            if secrets.len() > MAX_NAMED_FIELDS {
                named.push_str(&format!(" and {} more", secrets.len() - MAX_NAMED_FIELDS));
            }
            out.push(Finding::UnauthenticatedSecrets {
                evidence: format!("{anyone}; responses carry {named}"),
            });
        }
    }
    out
}
