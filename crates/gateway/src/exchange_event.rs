//! Which exchanges become security events, and the event they become.
//!
//! Events are for what an operator must read: decisions (a block, a
//! rate-limit refusal, a ban, a deception, an exchange a `monitor` rule asked
//! to record, what monitor mode held back), strong signals (an exchange
//! whose anomaly score reaches `[events] min_signal_score`), the
//! gateway's own 5xx answers with their detail, and a body let through
//! without being inspected (a blind spot an operator must know of). Everything else that left a
//! reason (weak signals, tags, limits passed) is counted per source in
//! `rampart_reasons_total` and written nowhere, so a normal run of
//! legitimate traffic writes no event at all.

use crate::pipeline::ExchangeContext;
use crate::stages::detect::UNINSPECTED;
use rampart_core::event::rfc3339_millis;
use rampart_core::SecurityEvent;
use rampart_prevent::BotFacts;

/// What makes an exchange worth an event (`[events]`, read at start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventFilter {
    /// An exchange let through is an event when its anomaly score (the sum
    /// of its reasons' scores) is positive and at least this.
    pub min_signal_score: f64,
}

impl EventFilter {
    /// Whether the exchange that ended with `action` (as events name it:
    /// `allow`, `monitor`, `would_block`, `block`, ...) and `status` is
    /// recorded as an event.
    pub fn wants(&self, ctx: &ExchangeContext, action: &str, status: u16) -> bool {
        if action != "allow" {
            return true;
        }
        let score = ctx.score();
        let strong_signal = score > 0.0 && score >= self.min_signal_score;
        let gateway_failure = status >= 500 && !ctx.reasons.is_empty();
        let uninspected = ctx.reasons.iter().any(|r| r.source == UNINSPECTED);
        strong_signal || gateway_failure || uninspected
    }
}

/// The event of one exchange, stamped `now_millis`.
pub fn of_exchange(
    ctx: ExchangeContext,
    action: &str,
    status: u16,
    now_millis: u64,
) -> SecurityEvent {
    let score = ctx.score();
    let bot = ctx.extensions.get::<BotFacts>().cloned();
    SecurityEvent {
        time: rfc3339_millis(now_millis),
        request_id: ctx.request_id,
        client_ip: ctx.client_ip.to_string(),
        method: ctx.method.to_string(),
        host: ctx.host,
        path: ctx.path,
        route: ctx.route.to_string(),
        action: action.to_string(),
        status: Some(status),
        reasons: ctx.reasons,
        score,
        repeats: None,
        bot,
        ja4: ctx.ja4.as_deref().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::HeldBack;
    use rampart_core::Reason;
    use std::net::{IpAddr, SocketAddr};

    fn exchange(reasons: &[(&str, f64)]) -> ExchangeContext {
        let client = IpAddr::from([192, 0, 2, 1]);
        let mut ctx = ExchangeContext::new(
            "r".into(),
            client,
            SocketAddr::new(client, 1),
            http::Method::GET,
            "api.test".into(),
            "/".into(),
        );
        for (source, score) in reasons {
            ctx.reasons
                .push(Reason::new(*source, "header.host", "127.0.0.1", *score));
        }
        ctx
    }

    const FILTER: EventFilter = EventFilter {
        min_signal_score: 3.0,
    };

    #[test]
    fn decisions_are_events_whatever_their_score() {
        let quiet = exchange(&[]);
        for action in ["block", "rate_limit", "ban", "deceive", "monitor"] {
            assert!(FILTER.wants(&quiet, action, 403), "{action}");
        }
        let mut held = exchange(&[("prevent.geo", 0.0)]);
        held.hold_back(HeldBack::Block);
        assert!(FILTER.wants(&held, held.passed_action(), 200));
    }

    #[test]
    fn signals_below_the_score_and_mere_reasons_are_not_events() {
        assert!(!FILTER.wants(&exchange(&[]), "allow", 200));
        assert!(!FILTER.wants(&exchange(&[("rule:tag", 0.0)]), "allow", 200));
        assert!(!FILTER.wants(&exchange(&[("detect.a", 2.5)]), "allow", 200));
        assert!(FILTER.wants(&exchange(&[("detect.a", 3.0)]), "allow", 200));
        assert!(
            FILTER.wants(
                &exchange(&[("detect.a", 1.5), ("detect.b", 1.5)]),
                "allow",
                200
            ),
            "the exchange's score counts"
        );
        let everything = EventFilter {
            min_signal_score: 0.0,
        };
        assert!(everything.wants(&exchange(&[("detect.a", 0.5)]), "allow", 200));
        assert!(
            !everything.wants(&exchange(&[("rule:tag", 0.0)]), "allow", 200),
            "a reason without a score is no signal"
        );
    }

    #[test]
    fn the_gateways_own_failures_keep_their_detail() {
        let failed = exchange(&[("upstream.connect", 0.0)]);
        assert!(FILTER.wants(&failed, "allow", 502));
        assert!(!FILTER.wants(&exchange(&[]), "allow", 404));
    }
}
