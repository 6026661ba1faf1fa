//! Feeds discovery from live traffic and tells each exchange which inventory
//! endpoint it belongs to.
//!
//! `request_headers` matches the request against the published endpoint
//! matcher (an `ArcSwap` load and a tree walk) and captures what discovery
//! needs; the body phases keep a bounded sample; `logging` hands one exchange
//! record to the inventory worker without waiting. Exchanges the gateway
//! answered itself (blocks, errors) are not observed: attackers' probes must
//! not shape the inventory. Nor are exchanges that broke a contract learned
//! from it (`[detect.learned]`), even let through in monitor mode: they
//! would teach the contract they break.

use super::capture;
use crate::discovery::Discovery;
use crate::learned_contracts::breaks_learned_contract;
use crate::pipeline::{ExchangeContext, Outcome, Stage};
use bytes::Bytes;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Action, Clock, RequestView, SystemClock};
use std::sync::Arc;

pub struct DiscoverStage {
    discovery: Arc<Discovery>,
}

impl DiscoverStage {
    pub fn new(discovery: Arc<Discovery>) -> Self {
        DiscoverStage { discovery }
    }

    fn sample_limit(&self) -> usize {
        self.discovery.settings.sample_body_bytes
    }
}

impl Stage for DiscoverStage {
    fn name(&self) -> &'static str {
        "discover"
    }

    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        if let Some(found) =
            self.discovery
                .matcher()
                .find(request.method.as_str(), Some(&ctx.host), &ctx.path)
        {
            ctx.endpoint = Some(Arc::clone(&found.template));
            if let Some(profile) = self.discovery.profile(found.id) {
                ctx.extensions.insert(profile);
            }
        }
        capture::begin::<Self>(ctx, request);
        Action::Allow
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        let limit = self.sample_limit();
        capture::request_body::<Self>(ctx, view, limit);
        Action::Allow
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        capture::response_head::<Self>(ctx, response);
        Action::Allow
    }

    fn wants_response_body(&self) -> bool {
        true
    }

    fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, _end_of_stream: bool) {
        let limit = self.sample_limit();
        capture::response_chunk::<Self>(ctx, chunk, limit);
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        let Some(capture) = capture::take::<Self>(ctx) else {
            return;
        };
        let Some(status) = capture.status else { return };
        if !matches!(outcome.action, "allow" | "monitor") || breaks_learned_contract(&ctx.reasons) {
            return;
        }
        let ts = rfc3339_millis(SystemClock.now_millis());
        self.discovery.observe(capture.into_record(ctx, ts, status));
    }
}
