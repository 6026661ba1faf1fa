//! A request body longer than the gateway's buffer, inspected while it is
//! forwarded.
//!
//! The gateway starts forwarding once it has buffered a prefix, so the
//! detection engine's scan (begun on the prefix by the `detect` stage) is
//! fed every further chunk on its way to the upstream. The last chunk is
//! not sent until the scan has read the end of the body and given its
//! verdict: a blocked body never reaches the upstream whole. A block fails
//! the upload (`RequestBodyError::Blocked`), which drops the upstream
//! connection (it is never reused after a failed upload), and the verdict
//! waits in a [`VerdictSlot`] for the exchange to answer the client as a
//! block on the prefix would. A verdict that lets the body through
//! (monitor mode, detections below the threshold) waits there too, to be
//! recorded with the exchange.

use crate::body::ForwardBody;
use crate::pipeline::ExchangeContext;
use crate::stages::detect::{act_on, PendingScan};
use rampart_core::Action;
use rampart_detect::{BodyScan, Engine, Progress, Verdict};
use std::sync::{Arc, Mutex};

/// Where the verdict on a streamed body waits for the exchange.
#[derive(Clone, Default)]
pub struct VerdictSlot(Arc<Mutex<Option<Verdict>>>);

impl VerdictSlot {
    /// The verdict, once the scan has given one.
    pub fn take(&self) -> Option<Verdict> {
        self.0.lock().ok()?.take()
    }

    fn put(&self, verdict: Verdict) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(verdict);
        }
    }
}

/// The engine's scan of one streamed body.
pub struct StreamInspection {
    engine: Arc<Engine>,
    scan: Option<BodyScan>,
    verdict: VerdictSlot,
}

impl StreamInspection {
    pub fn new(engine: Arc<Engine>, scan: BodyScan) -> (Self, VerdictSlot) {
        let verdict = VerdictSlot::default();
        let inspection = StreamInspection {
            engine,
            scan: Some(scan),
            verdict: verdict.clone(),
        };
        (inspection, verdict)
    }

    /// Reads a chunk; true when the body is blocked (the verdict is in
    /// the slot).
    pub fn feed(&mut self, data: &[u8]) -> bool {
        let Some(scan) = self.scan.as_mut() else {
            return false;
        };
        match self.engine.feed(scan, data) {
            Progress::Continue => false,
            Progress::Block => {
                let verdict = self.scan.take().map(|scan| self.engine.stop(scan));
                self.conclude(verdict)
            }
        }
    }

    /// The body ended; true when it is blocked.
    pub fn finish(&mut self) -> bool {
        let verdict = self.scan.take().map(|scan| self.engine.finish(scan));
        self.conclude(verdict)
    }

    fn conclude(&mut self, verdict: Option<Verdict>) -> bool {
        let Some(verdict) = verdict else {
            return false;
        };
        let blocked = verdict.blocked;
        self.verdict.put(verdict);
        blocked
    }
}

/// Carries the scan the `detect` stage began on the buffered prefix on to
/// the rest of the body: a body in memory is judged to its end now; a
/// streamed one gets the bytes buffered past what the stage saw, then the
/// scan goes with the body to be fed as it is forwarded (its verdict will
/// be in the returned slot).
pub fn continue_scan(
    pending: PendingScan,
    body: &mut ForwardBody,
    ctx: &mut ExchangeContext,
) -> (Action, Option<VerdictSlot>) {
    let fed = pending.fed();
    match body {
        ForwardBody::Empty => (Action::Allow, None),
        ForwardBody::Full { data, .. } => {
            let rest = data.as_deref().unwrap_or_default();
            (
                pending.judge_rest(rest.get(fed..).unwrap_or_default(), ctx),
                None,
            )
        }
        ForwardBody::Streaming {
            prefix, inspection, ..
        } => {
            let Some((engine, mut scan)) = pending.take() else {
                return (Action::Allow, None);
            };
            let rest = prefix.as_deref().unwrap_or_default();
            let rest = rest.get(fed..).unwrap_or_default();
            if engine.feed(&mut scan, rest) == Progress::Block {
                return (act_on(&engine.stop(scan), ctx), None);
            }
            let (streamed, slot) = StreamInspection::new(engine, scan);
            *inspection = Some(Box::new(streamed));
            (Action::Allow, Some(slot))
        }
    }
}
