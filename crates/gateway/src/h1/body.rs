//! The upstream's response body, read off its connection as the client takes
//! it: delimited by length, by chunks or by the connection's close. The
//! connection goes back to its pool the moment the last byte is read.

use super::chunked::{ChunkedDecoder, ChunkedError, ChunkedStep};
use super::response::ResponseFraming;
use crate::upstream::PooledConnection;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

#[derive(Debug, thiserror::Error)]
pub enum UpstreamBodyError {
    #[error("the upstream closed the connection before the body's end")]
    Truncated,
    #[error("reading the upstream's body: {0}")]
    Read(#[source] std::io::Error),
    #[error("the upstream's chunked body: {0}")]
    Chunked(#[source] ChunkedError),
}

pub struct UpstreamBody {
    /// Until the body ends (or fails): the connection it is read from.
    connection: Option<PooledConnection>,
    remaining: Remaining,
}

enum Remaining {
    Length(u64),
    Chunked(ChunkedDecoder),
    UntilClose,
}

impl UpstreamBody {
    /// The body that follows a response head read on `connection`.
    pub fn new(connection: PooledConnection, framing: ResponseFraming) -> Self {
        let remaining = match framing {
            ResponseFraming::NoBody => Remaining::Length(0),
            ResponseFraming::Length(length) => Remaining::Length(length),
            ResponseFraming::Chunked => Remaining::Chunked(ChunkedDecoder::new()),
            ResponseFraming::UntilClose => Remaining::UntilClose,
        };
        let mut body = UpstreamBody {
            connection: Some(connection),
            remaining,
        };
        if matches!(body.remaining, Remaining::Length(0)) {
            body.finish();
        }
        body
    }

    /// The body was read to its end: the connection serves the next request.
    fn finish(&mut self) {
        if let Some(connection) = self.connection.take() {
            connection.release();
        }
    }

    /// The body failed: the connection is closed, its state unknown.
    fn fail(
        &mut self,
        error: UpstreamBodyError,
    ) -> Poll<Option<Result<Frame<Bytes>, UpstreamBodyError>>> {
        self.connection = None;
        Poll::Ready(Some(Err(error)))
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = UpstreamBodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        loop {
            let Some(pooled) = this.connection.as_mut() else {
                return Poll::Ready(None);
            };
            let buffered = pooled.connection.buffered();
            match &mut this.remaining {
                Remaining::Length(left) if !buffered.is_empty() => {
                    let take = buffered
                        .len()
                        .min(usize::try_from(*left).unwrap_or(usize::MAX));
                    let data = buffered.split_to(take).freeze();
                    *left -= take as u64;
                    if *left == 0 {
                        this.finish();
                    }
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Remaining::Chunked(decoder) => match decoder.decode(buffered) {
                    Ok(ChunkedStep::Data(data)) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                    Ok(ChunkedStep::End(trailers)) => {
                        this.finish();
                        return Poll::Ready(trailers.map(|t| Ok(Frame::trailers(t))));
                    }
                    Ok(ChunkedStep::NeedMore) => {}
                    Err(e) => return this.fail(UpstreamBodyError::Chunked(e)),
                },
                Remaining::UntilClose if !buffered.is_empty() => {
                    let data = buffered.split().freeze();
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Remaining::Length(_) | Remaining::UntilClose => {}
            }
            match ready!(pooled.connection.poll_fill(cx)) {
                Ok(0) if matches!(this.remaining, Remaining::UntilClose) => {
                    this.connection = None;
                    return Poll::Ready(None);
                }
                Ok(0) => return this.fail(UpstreamBodyError::Truncated),
                Ok(_) => {}
                Err(e) => return this.fail(UpstreamBodyError::Read(e)),
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.connection.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.connection, &self.remaining) {
            (None, _) => SizeHint::with_exact(0),
            (Some(_), Remaining::Length(left)) => SizeHint::with_exact(*left),
            _ => SizeHint::default(),
        }
    }
}
