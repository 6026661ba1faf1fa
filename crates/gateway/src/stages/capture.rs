//! What the stages that hand whole exchanges to a background worker
//! (`discover` to the inventory, `record` to the recorder) keep of one
//! exchange between its phases: the request head, a bounded prefix of each
//! body, the response head. One capture type, so both stages see and hand
//! on an exchange the same way.

use crate::pipeline::{sample_into, ExchangeContext};
use crate::sync::lock;
use http::HeaderMap;
use rampart_core::{ExchangeRecord, RequestView};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

/// One stage's capture of one exchange, in the exchange's extensions
/// (`S` is the stage, so two capturing stages keep their own), moved out
/// (not copied) when it is handed on: `logging` only sees the exchange by
/// reference.
#[derive(Debug)]
struct CaptureSlot<S>(Arc<Mutex<Capture>>, PhantomData<fn() -> S>);

impl<S> Clone for CaptureSlot<S> {
    fn clone(&self) -> Self {
        CaptureSlot(Arc::clone(&self.0), PhantomData)
    }
}

/// What is kept of one exchange between phases.
#[derive(Debug, Default)]
pub struct Capture {
    query: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<Vec<u8>>,
    /// `None` until the upstream answered (never, for the gateway's own answers).
    pub status: Option<u16>,
    response_headers: Vec<(String, String)>,
    response_body: Vec<u8>,
}

/// Each phase's part of a capture for the stage `S`; every one but
/// [`begin`] does nothing for an exchange `S` is not capturing.
pub fn begin<S: 'static>(ctx: &mut ExchangeContext, request: &http::request::Parts) {
    let capture = Capture {
        query: request.uri.query().unwrap_or("").to_string(),
        request_headers: header_pairs(&request.headers),
        ..Capture::default()
    };
    ctx.extensions
        .insert(CaptureSlot::<S>(Arc::new(Mutex::new(capture)), PhantomData));
}

/// Keeps at most `limit` bytes of the request body.
pub fn request_body<S: 'static>(ctx: &ExchangeContext, view: &RequestView<'_>, limit: usize) {
    if let (Some(slot), Some(body)) = (ctx.extensions.get::<CaptureSlot<S>>(), view.body) {
        lock(&slot.0).request_body = Some(body.bytes[..body.bytes.len().min(limit)].to_vec());
    }
}

pub fn response_head<S: 'static>(ctx: &ExchangeContext, response: &http::response::Parts) {
    if let Some(slot) = ctx.extensions.get::<CaptureSlot<S>>() {
        let mut capture = lock(&slot.0);
        capture.status = Some(response.status.as_u16());
        capture.response_headers = header_pairs(&response.headers);
    }
}

/// Adds what fits of a response chunk to a sample of at most `limit` bytes.
pub fn response_chunk<S: 'static>(ctx: &ExchangeContext, chunk: &[u8], limit: usize) {
    if let Some(slot) = ctx.extensions.get::<CaptureSlot<S>>() {
        sample_into(&mut lock(&slot.0).response_body, chunk, limit);
    }
}

/// Moves the capture out, if `S` captured this exchange.
pub fn take<S: 'static>(ctx: &ExchangeContext) -> Option<Capture> {
    let slot = ctx.extensions.get::<CaptureSlot<S>>()?;
    Some(std::mem::take(&mut *lock(&slot.0)))
}

impl Capture {
    /// The exchange as a record, arrived at `ts` and answered with `status`.
    pub fn into_record(self, ctx: &ExchangeContext, ts: String, status: u16) -> ExchangeRecord {
        ExchangeRecord {
            id: Some(ctx.request_id.clone()),
            ts: Some(ts),
            client_ip: Some(ctx.client_ip.to_string()),
            host: Some(ctx.host.clone()),
            method: ctx.method.to_string(),
            path: ctx.path.clone(),
            query: self.query,
            request_headers: self.request_headers,
            request_body: self.request_body,
            status: Some(status),
            response_headers: self.response_headers,
            response_body: (!self.response_body.is_empty()).then_some(self.response_body),
        }
    }
}

/// The headers as records carry them. Sized once (`len` counts every
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
