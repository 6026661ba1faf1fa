//! What the stages that hand whole exchanges to a background worker
//! (`discover` to the inventory, `record` to the recorder) keep of one
//! exchange between its phases: the request head, a bounded prefix of each
//! body, the response head. One capture type, so both stages see and hand
//! on an exchange the same way.

use crate::pipeline::{sample_into, ExchangeContext};
use crate::sync::lock;
use http::HeaderMap;
use rampart_core::ExchangeRecord;
use std::sync::{Arc, Mutex};

/// The capture of one exchange, moved out (not copied) when it is handed
/// on: `logging` only sees the exchange by reference.
#[derive(Debug, Clone, Default)]
pub struct CaptureSlot(Arc<Mutex<Capture>>);

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

impl CaptureSlot {
    /// Starts a capture with the request head.
    pub fn begin(request: &http::request::Parts) -> CaptureSlot {
        CaptureSlot(Arc::new(Mutex::new(Capture {
            query: request.uri.query().unwrap_or("").to_string(),
            request_headers: header_pairs(&request.headers),
            ..Capture::default()
        })))
    }

    /// Keeps at most `limit` bytes of the request body.
    pub fn request_body(&self, body: &[u8], limit: usize) {
        lock(&self.0).request_body = Some(body[..body.len().min(limit)].to_vec());
    }

    pub fn response_head(&self, response: &http::response::Parts) {
        let mut capture = lock(&self.0);
        capture.status = Some(response.status.as_u16());
        capture.response_headers = header_pairs(&response.headers);
    }

    /// Adds what fits of a response chunk to a sample of at most `limit` bytes.
    pub fn response_chunk(&self, chunk: &[u8], limit: usize) {
        sample_into(&mut lock(&self.0).response_body, chunk, limit);
    }

    /// Moves the capture out, leaving an empty one.
    pub fn take(&self) -> Capture {
        std::mem::take(&mut *lock(&self.0))
    }
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
