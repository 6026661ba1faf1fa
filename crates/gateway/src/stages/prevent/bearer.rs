//! The bearer token's part of `request_headers`: the token checked
//! (`crate::tokens`), the client's identity read from what it proved, and
//! the outcome turned into reasons and a decision.
//!
//! A failed check is the reason `identity.jwt.<check>` on
//! `header.authorization` with the check's score and what was found; in
//! `enforce` mode it is refused with 401 and `WWW-Authenticate: Bearer`, in
//! `monitor` mode held back (`would_block`). An `HS*` token signed with a
//! listed weak secret is the reason `identity.jwt.weak_secret`, recorded as
//! an event the first time (per issuer and secret) and then only counted.

use crate::identity::{CheckedToken, IdentityConfig};
use crate::pipeline::{ExchangeContext, HeldBack};
use crate::tokens::{TokenGuard, TokenVerdict};
use rampart_behave::tokens::weak_secrets::Sighting;
use rampart_core::{Action, Reason};
use rampart_prevent::policy::problem_response;
use std::sync::Arc;

const LOCATION: &str = "header.authorization";

/// Checks the token (unless a stage before did, with the identity), and
/// returns the answer the token calls for: a refusal, a record, or nothing.
pub(super) fn check(
    tokens: &TokenGuard,
    identity: &IdentityConfig,
    ctx: &mut ExchangeContext,
    request: &http::request::Parts,
) -> Option<Action> {
    identity.of(tokens, ctx, request);
    let report = Arc::clone(&ctx.extensions.get::<CheckedToken>()?.0);
    let mut answer = None;
    if let (Sighting::New(weak) | Sighting::Known(weak), Some(alg)) =
        (&report.weak_secret, report.weak_alg)
    {
        ctx.reasons.push(Reason::new(
            "identity.jwt.weak_secret",
            LOCATION,
            format!("{alg} token signed with {weak}: anyone can forge this API's tokens"),
            0.0,
        ));
        if matches!(report.weak_secret, Sighting::New(_)) {
            answer = Some(Action::Monitor);
        }
    }
    if let TokenVerdict::Failed(failure) = &report.verdict {
        ctx.reasons.push(Reason::new(
            format!("identity.jwt.{}", failure.check.name()),
            LOCATION,
            failure.detail.clone(),
            failure.check.score(),
        ));
        if tokens.monitors() {
            ctx.hold_back(HeldBack::Block);
        } else {
            return Some(refusal(failure.check.name(), &ctx.request_id));
        }
    }
    answer
}

/// 401 with a problem document, and the RFC 6750 challenge naming the check.
fn refusal(check: &str, request_id: &str) -> Action {
    let mut response = problem_response(401, "the bearer token was not accepted", request_id);
    response.headers.push((
        "www-authenticate".into(),
        format!("Bearer error=\"invalid_token\", error_description=\"{check}\""),
    ));
    Action::Block {
        status: response.status,
        body: response.body,
        headers: response.headers,
    }
}
