//! Runs the detection engine (`rampart-detect`) on each request: headers,
//! query, cookies and the inspected part of the body, once, in the
//! `request_body` phase (which also runs, without a body, for requests that
//! have none), reading the exchange view every stage shares. A verdict over
//! the endpoint's threshold blocks when the endpoint enforces; every
//! detection becomes an explained reason.

use crate::config::DetectEngine;
use crate::pipeline::{ExchangeContext, HeldBack, Stage};
use crate::problem::problem_response;
use rampart_core::Action;
use rampart_detect::RequestView;

pub struct DetectStage {
    engine: DetectEngine,
}

impl DetectStage {
    pub fn new(engine: DetectEngine) -> Self {
        DetectStage { engine }
    }
}

impl Stage for DetectStage {
    fn name(&self) -> &'static str {
        "detect"
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        let verdict = self.engine.0.inspect(view);
        if verdict.detections.is_empty() {
            return Action::Allow;
        }
        ctx.reasons.extend(verdict.reasons());
        match verdict.action {
            "block" => problem_response(
                403,
                "the request was blocked by Rampart's attack detection",
                &ctx.request_id,
            ),
            "monitor" => {
                ctx.hold_back(HeldBack::Block);
                Action::Monitor
            }
            _ => Action::Allow,
        }
    }
}
