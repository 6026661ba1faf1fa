//! Deception as the `prevent` stage applies it (`rampart_prevent::deception`):
//! a decoy token presented, a honeypot or decoy field touched, or a policy
//! verdict `deceive` is answered by the gateway itself with a plausible
//! fake, never by the upstream, and the client is marked.
//!
//! - Decoy tokens (minted by an earlier fake login) are looked for in every
//!   request head; who presents one is marked as `on_trap` says (ban or
//!   tag) and keeps getting fakes.
//! - Traps (honeypot paths, decoy fields in the query, a form or a JSON
//!   body) mark the client the same way, answered with a fake success.
//! - `deceive` verdicts: a fake success shaped like the endpoint's learned
//!   response schema, a fake login with a decoy token, or the tarpit: the
//!   fake is held for the tarpit's delay in the `settle` phase (a cap on
//!   answers held at once; past it, a plain 403 at once). Replays decide
//!   without waiting.
//!
//! In monitor mode a decoy or trap is recorded as a would-be deception and
//! the request goes on: no fake, no mark.
//!
//! Fakes are the gateway's own answers: they never pass through response
//! masking nor reach schema learning (both only see upstream responses).

use super::{respond, PreventRuntime, PreventStage};
use crate::discovery::EndpointProfile;
use crate::pipeline::{ExchangeContext, HeldBack, Settled, Settlement};
use crate::sync::lock;
use rampart_core::{Action, Reason, RequestView};
use rampart_prevent::deception::{DeceptiveAnswer, TarpitPermit, TrapRequest, TrapResponse};
use rampart_prevent::policy::{problem_response, Deception, Mode};
use rampart_prevent::{BlockResponse, RequestFacts};
use std::sync::{Arc, Mutex};

/// What events call a deceptive answer.
const DECEIVED: &str = "deceive";

/// A fake held by the tarpit until `settle`.
#[derive(Clone)]
struct Held(Arc<Mutex<Option<(TarpitPermit, BlockResponse)>>>);

/// What the stage must do about a marked client.
pub(super) enum Mark {
    /// Ban the client with this reason.
    Ban(String),
    /// Only record it (the reason is already in the context).
    Tag,
}

/// A decoy token in the request head: the client is marked and answered
/// with a fake success (`None` in monitor mode: recorded only). The
/// request's facts are gathered only on a hit.
pub(super) fn decoy_presented(
    prevent: &PreventRuntime,
    ctx: &mut ExchangeContext,
    request: &http::request::Parts,
) -> Option<(Action, Mark)> {
    let deceiver = &prevent.deceiver;
    let hit = deceiver.find_decoy(&request.headers)?;
    let facts = &PreventStage::facts(ctx);
    let passed_on = hit.mark.minted_for != deceiver.fingerprint(&facts.client);
    let evidence = format!(
        "decoy token minted at {} by a fake login{}",
        rampart_core::event::rfc3339_millis(hit.mark.issued_at_secs.saturating_mul(1000)),
        if passed_on {
            ", presented by another client"
        } else {
            ""
        }
    );
    let reason = Reason::new(
        "prevent.deception.decoy_token",
        format!("header.{}", hit.header),
        evidence.clone(),
        0.0,
    );
    caught(
        prevent,
        ctx,
        facts,
        reason,
        format!("decoy token: {evidence}"),
    )
}

/// A honeypot endpoint or decoy field touched: marked, answered with a fake
/// (`None` in monitor mode: recorded only).
pub(super) fn trap_touched(
    prevent: &PreventRuntime,
    ctx: &mut ExchangeContext,
    request: &http::request::Parts,
    view: &RequestView<'_>,
    facts: &RequestFacts,
) -> Option<(Action, Mark)> {
    let body = view.body.map_or(&[][..], |body| body.bytes);
    let content_type = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let watches_fields = prevent.deceiver.watches_fields();
    // The view's document: parsed once for every stage that reads it.
    let json = (watches_fields && content_type.contains("json"))
        .then(|| view.json()?.ok())
        .flatten();
    let trap = TrapRequest {
        method: request.method.as_str(),
        path: request.uri.path(),
        query: request.uri.query(),
        form: content_type
            .starts_with("application/x-www-form-urlencoded")
            .then_some(body),
        json,
    };
    let hit = prevent.deceiver.check_traps(&trap)?;
    let reason = Reason::new(
        "prevent.deception.trap",
        hit.location.clone(),
        hit.excerpt.clone(),
        0.0,
    );
    caught(prevent, ctx, facts, reason, hit.reason())
}

/// A client caught by a decoy or a trap: the evidence is recorded, a fake
/// success answers, and the mark (`on_trap`) says whether to ban. In
/// monitor mode only the evidence and the would-be deception are recorded.
fn caught(
    prevent: &PreventRuntime,
    ctx: &mut ExchangeContext,
    facts: &RequestFacts,
    evidence: Reason,
    ban_reason: String,
) -> Option<(Action, Mark)> {
    ctx.reasons.push(evidence);
    if prevent.policy.mode(facts) == Mode::Monitor {
        ctx.hold_back(HeldBack::Deceive);
        return None;
    }
    let answer = respond(prevent.deceiver.fake_success(facts, schema(ctx)));
    ctx.answered_as = DECEIVED;
    let mark = match prevent.deceiver.on_trap() {
        TrapResponse::Ban => Mark::Ban(ban_reason),
        TrapResponse::Tag => Mark::Tag,
    };
    Some((answer, mark))
}

/// The answer to a `deceive` verdict. A tarpit answer is left for
/// [`settle`] (or given at once when `waits` is false: replays).
pub(super) fn answer(
    prevent: &PreventRuntime,
    ctx: &mut ExchangeContext,
    with: Deception,
    facts: &RequestFacts,
    waits: bool,
) -> Action {
    ctx.reasons.push(Reason::new(
        "prevent.deception",
        "policy",
        format!("{with:?}"),
        0.0,
    ));
    let answer = prevent.deceiver.answer(with, facts, schema(ctx));
    ctx.answered_as = DECEIVED;
    match answer {
        DeceptiveAnswer::Now(response) => respond(response),
        DeceptiveAnswer::Held { permit, response } if waits => {
            ctx.extensions
                .insert(Held(Arc::new(Mutex::new(Some((permit, response))))));
            Action::Allow
        }
        DeceptiveAnswer::Held { response, .. } => respond(response),
        DeceptiveAnswer::TarpitFull => {
            ctx.answered_as = "block";
            ctx.reasons.push(Reason::new(
                "prevent.deception.tarpit",
                "policy",
                "the tarpit holds all it may; refused at once",
                0.0,
            ));
            respond(problem_response(403, "blocked by policy", &ctx.request_id))
        }
    }
}

/// The tarpit's wait, then the held fake.
pub(super) fn settle(ctx: &mut ExchangeContext) -> Option<Settlement> {
    let Held(slot) = ctx.extensions.remove::<Held>()?;
    let (permit, response) = lock(&slot).take()?;
    Some(Box::pin(async move {
        tokio::time::sleep(permit.delay()).await;
        drop(permit);
        Settled {
            action: respond(response),
            answered_as: DECEIVED,
            reasons: Vec::new(),
            held_back: None,
            extensions: http::Extensions::new(),
        }
    }))
}

/// The endpoint's learned response schema, when discovery knows it.
fn schema(ctx: &ExchangeContext) -> Option<&serde_json::Value> {
    ctx.extensions
        .get::<Arc<EndpointProfile>>()
        .and_then(|profile| profile.response_schema.as_deref())
}
