//! Request and response bodies as the gateway streams them.
//!
//! Towards the upstream, a body is either fully buffered (it fitted in the
//! inspection buffer) or the buffered prefix followed by the rest of the
//! client's stream, with the route's size limit enforced as bytes pass and,
//! when the detection engine reads it (`body_inspection`), the last chunk
//! held back until its verdict.
//! Towards the client, a body is either the gateway's own answer or the
//! upstream's stream; the end of that stream closes the exchange (logging
//! phase, metrics, event).

use crate::body_inspection::StreamInspection;
use crate::client_io::InFlight;
use crate::h1::UpstreamBody;
use crate::paced_body::{PacedBody, PacedError, TooSlow};
use crate::proxy::ExchangeTail;
use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a request body could not be forwarded.
#[derive(Debug, thiserror::Error)]
pub enum RequestBodyError {
    #[error("request body is larger than the route's limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("reading the client's request body: {0}")]
    Client(#[source] hyper::Error),
    #[error(transparent)]
    TooSlow(TooSlow),
    /// The detection engine blocked the body while it streamed; the
    /// verdict is in the exchange's `VerdictSlot`.
    #[error("the request body was blocked by attack detection")]
    Blocked,
}

impl From<PacedError> for RequestBodyError {
    fn from(error: PacedError) -> Self {
        match error {
            PacedError::Client(e) => RequestBodyError::Client(e),
            PacedError::TooSlow(why) => RequestBodyError::TooSlow(why),
        }
    }
}

/// The request body sent to the upstream.
pub enum ForwardBody {
    Empty,
    Full {
        data: Option<Bytes>,
        trailers: Option<HeaderMap>,
    },
    Streaming {
        prefix: Option<Bytes>,
        rest: PacedBody,
        /// Bytes received so far (prefix included).
        seen: u64,
        limit: u64,
        exact_len: Option<u64>,
        /// The detection engine reading the rest as it passes.
        inspection: Option<Box<StreamInspection>>,
        /// Frames read but not yet sent: the last chunk waits for the
        /// inspection's verdict.
        held: VecDeque<Frame<Bytes>>,
        /// The client's body has ended (only `held` is left).
        ended: bool,
    },
}

impl ForwardBody {
    /// The buffered start of the body, at most `limit` bytes, and whether it is all of it.
    pub fn inspectable(&self, limit: usize) -> (&[u8], bool) {
        let (data, whole) = match self {
            ForwardBody::Empty => (&[][..], true),
            ForwardBody::Full { data, .. } => (data.as_deref().unwrap_or_default(), true),
            ForwardBody::Streaming { prefix, .. } => (prefix.as_deref().unwrap_or_default(), false),
        };
        let shown = &data[..data.len().min(limit)];
        (shown, whole && shown.len() == data.len())
    }
}

impl Body for ForwardBody {
    type Data = Bytes;
    type Error = RequestBodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ForwardBody::Empty => Poll::Ready(None),
            ForwardBody::Full { data, trailers } => {
                if let Some(data) = data.take() {
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Poll::Ready(trailers.take().map(|t| Ok(Frame::trailers(t))))
            }
            ForwardBody::Streaming {
                prefix,
                rest,
                seen,
                limit,
                inspection,
                held,
                ended,
                ..
            } => {
                if let Some(prefix) = prefix.take() {
                    return Poll::Ready(Some(Ok(Frame::data(prefix))));
                }
                loop {
                    if *ended || inspection.is_none() && held.is_empty() && rest.is_end_stream() {
                        return Poll::Ready(held.pop_front().map(Ok));
                    }
                    let frame = match ready!(Pin::new(&mut *rest).poll_frame(cx)) {
                        None => None,
                        Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
                        Some(Ok(frame)) => Some(frame),
                    };
                    if let Some(data) = frame.as_ref().and_then(Frame::data_ref) {
                        *seen += data.len() as u64;
                        if *seen > *limit {
                            return Poll::Ready(Some(Err(RequestBodyError::TooLarge {
                                limit: *limit,
                            })));
                        }
                    }
                    let Some(scan) = inspection.as_mut() else {
                        *ended = frame.is_none();
                        return Poll::Ready(frame.map(Ok));
                    };
                    let is_data = frame.as_ref().is_some_and(Frame::is_data);
                    if let Some(data) = frame.as_ref().and_then(Frame::data_ref) {
                        if scan.feed(data) {
                            return Poll::Ready(Some(Err(RequestBodyError::Blocked)));
                        }
                    }
                    let last = frame.is_none() || !is_data || rest.is_end_stream();
                    held.extend(frame);
                    if last {
                        if scan.finish() {
                            held.clear();
                            return Poll::Ready(Some(Err(RequestBodyError::Blocked)));
                        }
                        *ended = true;
                        *inspection = None;
                        continue;
                    }
                    if held.len() > 1 {
                        return Poll::Ready(held.pop_front().map(Ok));
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ForwardBody::Empty => true,
            ForwardBody::Full { data, trailers } => data.is_none() && trailers.is_none(),
            ForwardBody::Streaming {
                prefix,
                rest,
                inspection,
                held,
                ended,
                ..
            } => {
                prefix.is_none()
                    && held.is_empty()
                    && (*ended || inspection.is_none() && rest.is_end_stream())
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ForwardBody::Empty => SizeHint::with_exact(0),
            ForwardBody::Full { data, .. } => exact_size(data),
            ForwardBody::Streaming { exact_len, .. } => {
                exact_len.map_or_else(SizeHint::default, SizeHint::with_exact)
            }
        }
    }
}

/// The size of a body held in memory (nothing left: zero).
fn exact_size(data: &Option<Bytes>) -> SizeHint {
    SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
}

/// The response body sent to the client.
pub struct ResponseBody {
    source: ResponseSource,
    tail: Option<ExchangeTail>,
    /// What stages still had to send when the source ended (masking holds
    /// back the end of what it has seen), before the source's trailers, if any.
    pending: Option<Frame<Bytes>>,
    /// The source has ended; only `pending` is left.
    source_done: bool,
    /// Keeps the client connection counted as busy until the body is dropped
    /// (delivered or abandoned): its idle timeout starts then.
    _exchange: Option<InFlight>,
}

enum ResponseSource {
    Full(Option<Bytes>),
    Upstream(UpstreamBody),
}

impl ResponseBody {
    /// A body the gateway wrote itself.
    pub fn full(data: impl Into<Bytes>, tail: Option<ExchangeTail>) -> Self {
        let data = data.into();
        ResponseBody {
            source: ResponseSource::Full((!data.is_empty()).then_some(data)),
            tail,
            pending: None,
            source_done: false,
            _exchange: None,
        }
    }

    /// The upstream's body.
    pub fn upstream(body: UpstreamBody, tail: ExchangeTail) -> Self {
        ResponseBody {
            source: ResponseSource::Upstream(body),
            tail: Some(tail),
            pending: None,
            source_done: false,
            _exchange: None,
        }
    }

    /// The body of an exchange that keeps its connection busy while it lasts.
    pub fn during(mut self, exchange: InFlight) -> Self {
        self._exchange = Some(exchange);
        self
    }

    /// The bytes stages held back, once the source has no more data.
    fn held_by_stages(&mut self) -> Option<Bytes> {
        let mut rest = Bytes::new();
        self.tail.as_mut()?.on_response_chunk(&mut rest, true);
        (!rest.is_empty()).then_some(rest)
    }

    fn finish(&mut self, completed: bool) {
        if let Some(tail) = self.tail.take() {
            tail.finish(completed);
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(frame) = this.pending.take() {
            return Poll::Ready(Some(Ok(frame)));
        }
        let polled = match &mut this.source {
            _ if this.source_done => None,
            ResponseSource::Full(data) => data.take().map(|d| Ok(Frame::data(d))),
            ResponseSource::Upstream(body) => {
                ready!(Pin::new(body).poll_frame(cx)).map(|r| r.map_err(BoxError::from))
            }
        };
        match polled {
            None => {
                this.source_done = true;
                if let Some(rest) = this.held_by_stages() {
                    return Poll::Ready(Some(Ok(Frame::data(rest))));
                }
                this.finish(true);
                Poll::Ready(None)
            }
            Some(Err(e)) => {
                this.finish(false);
                Poll::Ready(Some(Err(e)))
            }
            Some(Ok(mut frame)) => {
                let end = this.is_end_stream();
                match (this.tail.as_mut(), frame.data_mut()) {
                    (Some(tail), Some(data)) => tail.on_response_chunk(data, end),
                    (Some(_), None) => {
                        // Trailers end the body: what stages hold goes first.
                        if let Some(rest) = this.held_by_stages() {
                            this.pending = Some(frame);
                            return Poll::Ready(Some(Ok(Frame::data(rest))));
                        }
                    }
                    (None, _) => {}
                }
                if end {
                    this.finish(true);
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_none()
            && (self.source_done
                || match &self.source {
                    ResponseSource::Full(data) => data.is_none(),
                    ResponseSource::Upstream(body) => body.is_end_stream(),
                })
    }

    fn size_hint(&self) -> SizeHint {
        match &self.source {
            ResponseSource::Full(data) => exact_size(data),
            ResponseSource::Upstream(body) => body.size_hint(),
        }
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        let completed = self.is_end_stream();
        self.finish(completed);
    }
}
