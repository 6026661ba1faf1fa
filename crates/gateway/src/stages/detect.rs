//! Runs the detection engine (`rampart-detect`) on each request: headers,
//! query, cookies and the inspected part of the body, once, in the
//! `request_body` phase (which also runs, with an empty body, for requests
//! that have none). A verdict over the endpoint's threshold blocks when the
//! endpoint enforces; every detection becomes an explained reason.

use crate::config::DetectEngine;
use crate::pipeline::{BodyView, ExchangeContext, HeldBack, Stage};
use crate::problem::problem_response;
use rampart_core::Action;
use rampart_detect::{Body, RequestView};

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
        request: &http::request::Parts,
        body: BodyView<'_>,
    ) -> Action {
        let mut headers: Vec<(&str, &[u8])> = request
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        // HTTP/2 carries the host in `:authority`, not in a `Host` header:
        // the host checks read what the protocol version carries.
        if !request.headers.contains_key(http::header::HOST) {
            if let Some(authority) = request.uri.authority() {
                headers.push(("host", authority.as_str().as_bytes()));
            }
        }
        let view = RequestView {
            method: request.method.as_str(),
            path: request.uri.path(),
            query: request.uri.query().unwrap_or(""),
            headers: &headers,
            body: (!body.bytes.is_empty() || !body.complete).then_some(Body {
                bytes: body.bytes,
                truncated: !body.complete,
            }),
        };
        let verdict = self.engine.0.inspect(&view);
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
