//! Hands a sample of the exchanges to the recorder (`crate::recorder`):
//! the request head and a bounded prefix of its body, the response head
//! and a bounded prefix of its body, and the status the client got. Runs
//! first in every route's pipeline, so that exchanges the later stages
//! refuse are recorded too (a replay must see attacks to say what a new
//! policy does to them); an exchange refused at its head is recorded
//! without its body, which was never read.

use super::capture;
use crate::pipeline::{ExchangeContext, Outcome, Stage};
use crate::recorder::Recorder;
use bytes::Bytes;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Action, Clock, RequestView, SystemClock};
use std::sync::Arc;

pub struct RecordStage {
    recorder: Arc<Recorder>,
}

impl RecordStage {
    pub fn new(recorder: Arc<Recorder>) -> Self {
        RecordStage { recorder }
    }

    fn body_limit(&self) -> usize {
        self.recorder.settings.max_body_bytes
    }
}

impl Stage for RecordStage {
    fn name(&self) -> &'static str {
        "record"
    }

    fn request_headers(&self, ctx: &mut ExchangeContext, request: &http::request::Parts) -> Action {
        if self.recorder.sampled() {
            capture::begin::<Self>(ctx, request);
        }
        Action::Allow
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        capture::request_body::<Self>(ctx, view, self.body_limit());
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
        capture::response_chunk::<Self>(ctx, chunk, self.body_limit());
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        let Some(capture) = capture::take::<Self>(ctx) else {
            return;
        };
        let status = capture.status.unwrap_or(outcome.status);
        // The arrival time: replay runs limits and bans on the records' clock.
        let elapsed = u64::try_from(ctx.started.elapsed().as_millis()).unwrap_or(0);
        let arrived = SystemClock.now_millis().saturating_sub(elapsed);
        self.recorder
            .record(capture.into_record(ctx, rfc3339_millis(arrived), status));
    }
}
