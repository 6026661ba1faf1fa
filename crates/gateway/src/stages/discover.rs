//! Feeds discovery from live traffic and tells each exchange which inventory
//! endpoint it belongs to.
//!
//! `request_headers` matches the request against the published endpoint
//! matcher (an `ArcSwap` load and a tree walk) and captures what discovery
//! needs; the body phases keep a bounded sample; `logging` hands one exchange
//! record to the inventory worker without waiting. Exchanges the gateway
//! answered itself (blocks, errors) are not observed: attackers' probes must
//! not shape the inventory.

use crate::discovery::Discovery;
use crate::pipeline::{sample_into, ExchangeContext, Outcome, Stage};
use crate::sync::lock;
use bytes::Bytes;
use http::HeaderMap;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Action, Clock, ExchangeRecord, RequestView, SystemClock};
use std::sync::{Arc, Mutex};

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

/// The capture of one exchange, moved out (not copied) when it is handed
/// to the inventory: `logging` only sees the exchange by reference.
#[derive(Debug, Clone, Default)]
struct CaptureSlot(Arc<Mutex<Capture>>);

/// What the stage keeps of one exchange between phases.
#[derive(Debug, Default)]
struct Capture {
    query: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<Vec<u8>>,
    status: Option<u16>,
    response_headers: Vec<(String, String)>,
    response_body: Vec<u8>,
}

/// The headers as discovery reads them. Sized once (`len` counts every
/// value); values are almost always ASCII, which `from_utf8` checks
/// word-at-a-time where `from_utf8_lossy` walks chunk by chunk.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let value = match std::str::from_utf8(value.as_bytes()) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
        };
        pairs.push((name.as_str().to_owned(), value));
    }
    pairs
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
        ctx.extensions
            .insert(CaptureSlot(Arc::new(Mutex::new(Capture {
                query: request.uri.query().unwrap_or("").to_string(),
                request_headers: header_pairs(&request.headers),
                ..Capture::default()
            }))));
        Action::Allow
    }

    fn request_body(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
        view: &RequestView<'_>,
    ) -> Action {
        let limit = self.sample_limit();
        if let (Some(slot), Some(body)) = (ctx.extensions.get::<CaptureSlot>(), view.body) {
            let mut capture = lock(&slot.0);
            capture.request_body = Some(body.bytes[..body.bytes.len().min(limit)].to_vec());
        }
        Action::Allow
    }

    fn response_headers(
        &self,
        ctx: &mut ExchangeContext,
        response: &mut http::response::Parts,
    ) -> Action {
        if let Some(slot) = ctx.extensions.get::<CaptureSlot>() {
            let mut capture = lock(&slot.0);
            capture.status = Some(response.status.as_u16());
            capture.response_headers = header_pairs(&response.headers);
        }
        Action::Allow
    }

    fn wants_response_body(&self) -> bool {
        true
    }

    fn response_body(&self, ctx: &mut ExchangeContext, chunk: &mut Bytes, _end_of_stream: bool) {
        let limit = self.sample_limit();
        if let Some(slot) = ctx.extensions.get::<CaptureSlot>() {
            sample_into(&mut lock(&slot.0).response_body, chunk, limit);
        }
    }

    fn logging(&self, ctx: &ExchangeContext, outcome: &Outcome) {
        let Some(slot) = ctx.extensions.get::<CaptureSlot>() else {
            return;
        };
        let capture = std::mem::take(&mut *lock(&slot.0));
        let Some(status) = capture.status else { return };
        if !matches!(outcome.action, "allow" | "monitor") {
            return;
        }
        self.discovery.observe(ExchangeRecord {
            id: Some(ctx.request_id.clone()),
            ts: Some(rfc3339_millis(SystemClock.now_millis())),
            client_ip: Some(ctx.client_ip.to_string()),
            host: Some(ctx.host.clone()),
            method: ctx.method.to_string(),
            path: ctx.path.clone(),
            query: capture.query,
            request_headers: capture.request_headers,
            request_body: capture.request_body,
            status: Some(status),
            response_headers: capture.response_headers,
            response_body: (!capture.response_body.is_empty()).then_some(capture.response_body),
        });
    }
}
