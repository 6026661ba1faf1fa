//! Runs the detection engine (`rampart-detect`) on each request: headers,
//! query, cookies and the body, in the `request_body` phase (which also
//! runs, without a body, for requests that have none), reading the exchange
//! view every stage shares. A verdict over the endpoint's threshold blocks
//! when the endpoint enforces; every detection becomes an explained reason.
//! With `[detect.learned]`, the engine is also handed the contracts the
//! inventory worker last published (one `ArcSwap` load per request).
//!
//! A body longer than the buffered prefix is not judged on the prefix
//! alone: the stage begins the engine's scan on what is buffered and leaves
//! it in the exchange ([`PendingScan`]); the gateway feeds it the rest of
//! the body as it forwards it (`body_inspection`), or, for a body already
//! in memory (`rampart replay`), at once ([`PendingScan::judge_rest`]).
//! Either way the verdict becomes the same answer and reasons through
//! [`act_on`].

use crate::config::DetectEngine;
use crate::discovery::Discovery;
use crate::pipeline::{ExchangeContext, HeldBack, Stage};
use crate::problem::problem_response;
use rampart_core::{Action, Reason};
use rampart_detect::{BodyScan, Engine, Progress, RequestView, Verdict};
use std::sync::{Arc, Mutex};

/// The reason a body that was not inspected leaves (every such exchange
/// is an event, let through or refused).
pub const UNINSPECTED: &str = "detect.body.uninspected";
/// The reason of a binary body let through: counted, not an event (an API
/// taking protobuf or images would write one per request).
pub const BINARY: &str = "detect.body.binary";

pub struct DetectStage {
    engine: DetectEngine,
    /// Where the contracts learned from the inventory are published, when
    /// `[detect.learned]` is enabled.
    learned: Option<Arc<Discovery>>,
}

impl DetectStage {
    pub fn new(engine: DetectEngine, learned: Option<Arc<Discovery>>) -> Self {
        DetectStage { engine, learned }
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
        let engine = &self.engine.0;
        let learned = self.learned.as_ref().map(|d| d.learned_contracts());
        let mut scan = engine.begin_with(view, learned.as_deref().map(|l| &**l));
        let Some(body) = view.body else {
            return act_on(&engine.finish(scan), ctx);
        };
        let progress = engine.feed(&mut scan, body.bytes);
        if !body.truncated {
            return act_on(&engine.finish(scan), ctx);
        }
        if progress == Progress::Block {
            return act_on(&engine.stop(scan), ctx);
        }
        ctx.extensions.insert(PendingScan {
            engine: Arc::clone(engine),
            scan: Arc::new(Mutex::new(Some(scan))),
            fed: body.bytes.len(),
        });
        Action::Allow
    }
}

/// A scan begun on a body's buffered prefix, waiting for the rest of it.
/// (Shared and locked only to travel in the exchange's extensions, which
/// need clonable values; one task uses it.)
#[derive(Clone)]
pub struct PendingScan {
    engine: Arc<Engine>,
    scan: Arc<Mutex<Option<BodyScan>>>,
    /// Body bytes the scan has read.
    fed: usize,
}

impl PendingScan {
    /// Bytes of the body the scan has read already.
    pub fn fed(&self) -> usize {
        self.fed
    }

    /// The engine and the scan, for the gateway to feed.
    pub fn take(self) -> Option<(Arc<Engine>, BodyScan)> {
        let scan = self.scan.lock().ok()?.take()?;
        Some((self.engine, scan))
    }

    /// Judges the rest of a body that is in memory (`rest`: what follows
    /// the bytes already read) to the end.
    pub fn judge_rest(self, rest: &[u8], ctx: &mut ExchangeContext) -> Action {
        let Some((engine, mut scan)) = self.take() else {
            return Action::Allow;
        };
        let verdict = match engine.feed(&mut scan, rest) {
            Progress::Block => engine.stop(scan),
            Progress::Continue => engine.finish(scan),
        };
        act_on(&verdict, ctx)
    }
}

/// What a verdict does to the exchange: its detections become reasons; a
/// block answers 403 (413 for a body refused as uninspectable); monitor
/// mode holds the block back.
pub fn act_on(verdict: &Verdict, ctx: &mut ExchangeContext) -> Action {
    ctx.reasons.extend(verdict.reasons());
    if let Some(why) = &verdict.uninspected {
        let source = if why.binary && !why.refused {
            BINARY
        } else {
            UNINSPECTED
        };
        ctx.reasons
            .push(Reason::new(source, "body", why.reason.clone(), 0.0));
    }
    match verdict.action {
        "block" if verdict.status == 413 => problem_response(
            413,
            "the request body cannot be inspected and is refused",
            &ctx.request_id,
        ),
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
