//! The rate limits a policy decision names, as the `prevent` stage applies
//! them: checked in this gateway's own limiters, or, with `[redis]`, in
//! Redis during the pipeline's `settle` phase so that every gateway counts
//! against one quota (each limit falling back as its `on_error` says when
//! Redis cannot answer). Limits that count only some outcomes (failed
//! logins) are charged once the response status is known.
//!
//! A limit that passes is no reason for anything and leaves no trace on the
//! exchange; one that refuses is explained by the rule that named it and the
//! limit itself. In monitor mode every limit is still checked and counted
//! (that is how a limit is sized before it is enforced), and a refusal is
//! recorded as a would-be `rate_limit` instead of answered.

use super::{respond, PreventRuntime};
use crate::pipeline::{ExchangeContext, HeldBack, Settled, Settlement};
use rampart_core::{Action, Reason};
use rampart_prevent::policy::Mode;
use rampart_prevent::ratelimit::LimitKey;
use rampart_prevent::{rate_limited_response, NamedLimit, RateDecision, RequestFacts};
use std::sync::Arc;

/// What events call a refusal by a limit.
const RATE_LIMITED: &str = "rate_limit";

/// One limit this request is subject to.
#[derive(Debug, Clone)]
struct Charge {
    /// Index in `PreventRuntime::limiters` (and in the shared limits).
    index: usize,
    key: LimitKey,
    /// The key as every gateway computes it, for limits kept in Redis.
    fingerprint: Option<u128>,
}

/// Limits to check in Redis before forwarding, each with the reason that
/// named it and whether a refusal is applied or only recorded.
#[derive(Clone)]
struct AwaitingRedis(Vec<(Charge, Reason, Mode)>);

/// Limits passed, to be charged with the response status.
#[derive(Clone)]
struct PassedLimits(Vec<Charge>);

/// Checks the named limits. Local limits are decided here; a refusal is
/// returned as the block to answer with (in monitor mode, or for a limit
/// only rules in monitor mode named, recorded and the remaining limits
/// checked). Limits kept in Redis are left for [`settle`].
pub(super) fn check(
    prevent: &PreventRuntime,
    limits: Vec<NamedLimit>,
    facts: &RequestFacts,
    ctx: &mut ExchangeContext,
    mode: Mode,
) -> Option<Action> {
    let mut passed = Vec::new();
    let mut awaiting = Vec::new();
    for limit in limits {
        let Some(index) = prevent
            .limiters
            .iter()
            .position(|l| l.name() == &*limit.name)
        else {
            continue;
        };
        let limiter = &prevent.limiters[index];
        let Some(key) = limiter.key_for(facts) else {
            continue;
        };
        let mode = match (mode, limit.mode) {
            (Mode::Enforce, Mode::Enforce) => Mode::Enforce,
            _ => Mode::Monitor,
        };
        if prevent.shared.is_some() {
            let fingerprint = limiter.shared_fingerprint(facts);
            let charge = Charge {
                index,
                key,
                fingerprint,
            };
            awaiting.push((charge, limit.named_by, mode));
            continue;
        }
        let decision = limiter.check(key);
        if let Some(response) = rate_limited_response(&decision, &ctx.request_id) {
            ctx.reasons.extend(refusal_reasons(
                prevent,
                index,
                limit.named_by,
                ctx.client_ip.to_string(),
            ));
            if mode == Mode::Enforce {
                ctx.answered_as = RATE_LIMITED;
                return Some(respond(response));
            }
            ctx.hold_back(HeldBack::RateLimit);
        }
        passed.push(Charge {
            index,
            key,
            fingerprint: None,
        });
    }
    if !passed.is_empty() {
        ctx.extensions.insert(PassedLimits(passed));
    }
    if !awaiting.is_empty() {
        ctx.extensions.insert(AwaitingRedis(awaiting));
    }
    None
}

/// The Redis round trips [`check`] left, as the `settle` phase awaits them.
pub(super) fn settle(
    prevent: &Arc<PreventRuntime>,
    ctx: &mut ExchangeContext,
) -> Option<Settlement> {
    let AwaitingRedis(charges) = ctx.extensions.remove::<AwaitingRedis>()?;
    let prevent = Arc::clone(prevent);
    let request_id = ctx.request_id.clone();
    let client = ctx.client_ip.to_string();
    Some(Box::pin(async move {
        let mut passed = Vec::with_capacity(charges.len());
        let mut reasons = Vec::new();
        let mut held_back = None;
        for (charge, named_by, mode) in charges {
            let decision = decide_shared(&prevent, &charge).await;
            if let Some(response) = rate_limited_response(&decision, &request_id) {
                reasons.extend(refusal_reasons(
                    &prevent,
                    charge.index,
                    named_by,
                    client.clone(),
                ));
                if mode == Mode::Enforce {
                    return Settled {
                        action: respond(response),
                        answered_as: RATE_LIMITED,
                        reasons,
                        held_back: None,
                        extensions: with(PassedLimits(passed)),
                    };
                }
                held_back = Some(HeldBack::RateLimit);
            }
            passed.push(charge);
        }
        Settled {
            action: Action::Allow,
            answered_as: RATE_LIMITED,
            reasons,
            held_back,
            extensions: with(PassedLimits(passed)),
        }
    }))
}

/// The decision of a limit kept in Redis, or its fallback.
async fn decide_shared(prevent: &PreventRuntime, charge: &Charge) -> RateDecision {
    let local = &prevent.limiters[charge.index];
    match (&prevent.shared, charge.fingerprint) {
        (Some(shared), Some(fingerprint)) => {
            shared
                .link
                .state
                .check_or_fallback(&shared.limits[charge.index], fingerprint, local, charge.key)
                .await
        }
        _ => local.check(charge.key),
    }
}

/// Charges the limits that count this response's status.
pub(super) fn charge_outcome(prevent: &Arc<PreventRuntime>, ctx: &ExchangeContext, status: u16) {
    let Some(PassedLimits(charges)) = ctx.extensions.get::<PassedLimits>() else {
        return;
    };
    for charge in charges {
        let limiter = &prevent.limiters[charge.index];
        if !limiter.counts_outcome(status) {
            continue;
        }
        let runtime = tokio::runtime::Handle::try_current();
        match (&prevent.shared, charge.fingerprint, runtime) {
            (Some(_), Some(fingerprint), Ok(runtime)) => {
                let (prevent, charge) = (Arc::clone(prevent), charge.clone());
                runtime.spawn(async move {
                    let Some(shared) = &prevent.shared else {
                        return;
                    };
                    shared
                        .link
                        .state
                        .record_outcome_or_fallback(
                            &shared.limits[charge.index],
                            fingerprint,
                            &prevent.limiters[charge.index],
                            charge.key,
                            status,
                        )
                        .await;
                });
            }
            _ => limiter.record_outcome(charge.key, status),
        }
    }
}

/// Why a request was refused: the rule (or signal) that named the limit,
/// then the limit and the client it counted.
fn refusal_reasons(
    prevent: &PreventRuntime,
    index: usize,
    named_by: Reason,
    client: String,
) -> [Reason; 2] {
    let name = prevent.limiters[index].name();
    let limit = Reason::new(format!("prevent.rate_limit.{name}"), "client", client, 0.0);
    [named_by, limit]
}

fn with<T: Clone + Send + Sync + 'static>(value: T) -> http::Extensions {
    let mut extensions = http::Extensions::new();
    extensions.insert(value);
    extensions
}
