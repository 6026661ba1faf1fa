//! One upstream connection speaking HTTP/1.1: it writes a request, reads the
//! response head, and keeps whatever arrived past the head for the body.
//!
//! The exchange runs inside the client's own task: no connection task, no
//! channel between them, one buffer each way reused from request to request.
//! A streamed request body is sent while the response head is awaited, so an
//! upstream that answers early (say 413 before the whole upload) is heard.

use super::request::{chunk_header, encode_head, encode_last_chunk, RequestFraming};
use super::response::{parse_head, HeadError, ResponseHead};
use crate::body::{ForwardBody, RequestBodyError};
use bytes::{Bytes, BytesMut};
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::io::{self, IoSlice};
use std::task::{ready, Context, Poll, Waker};
use tokio::net::TcpStream;

/// Spare room a read into the buffer asks for: a response head usually fits
/// in one read; body reads take more at once.
const HEAD_READ_BYTES: usize = 8 * 1024;
const BODY_READ_BYTES: usize = 32 * 1024;
/// A buffered request body up to this size goes out with the head in one write.
const COALESCE_BODY_BYTES: usize = 16 * 1024;

pub struct Connection {
    stream: TcpStream,
    /// Bytes read and not yet consumed (the rest of a response after its head).
    read_buf: BytesMut,
    /// The request head being written; kept to reuse its allocation.
    write_buf: Vec<u8>,
    /// Whether the last response allows another request on this connection.
    keep_alive: bool,
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("sending the request: {0}")]
    Write(#[source] io::Error),
    #[error("the connection closed before any response byte arrived{}", cause_of(.0))]
    NoResponse(Option<io::Error>),
    #[error("reading the response head: {0}")]
    Read(#[source] io::Error),
    #[error(transparent)]
    Head(#[from] HeadError),
    #[error(transparent)]
    RequestBody(RequestBodyError),
}

fn cause_of(error: &Option<io::Error>) -> String {
    error
        .as_ref()
        .map_or_else(String::new, |e| format!(": {e}"))
}

impl ExchangeError {
    /// Whether the same request may be sent again on a fresh connection after
    /// failing on a reused one: the body must still be in hand, and the
    /// upstream must not have acted on it. A failed write means the upstream
    /// had closed the connection (an idle keep-alive timing out); a close
    /// before any answer may also mean the upstream crashed on the request,
    /// so only idempotent methods are sent again then.
    pub fn may_retry(&self, method: &Method, body: &ForwardBody) -> bool {
        let body_in_hand = !matches!(body, ForwardBody::Streaming { .. });
        body_in_hand
            && match self {
                ExchangeError::Write(_) => true,
                ExchangeError::NoResponse(_) => method.is_idempotent(),
                _ => false,
            }
    }
}

impl Connection {
    pub fn new(stream: TcpStream) -> Self {
        Connection {
            stream,
            read_buf: BytesMut::new(),
            write_buf: Vec::new(),
            keep_alive: true,
        }
    }

    /// Whether an idle connection can carry a request: the upstream has
    /// neither closed it nor sent anything unasked. Costs a system call only
    /// when the event loop has seen the socket readable.
    pub fn is_open_and_quiet(&self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        match self.stream.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            Poll::Ready(Ok(())) => matches!(
                self.stream.try_read(&mut [0u8; 1]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock
            ),
        }
    }

    /// Whether the connection may go back to the pool: the last response
    /// allowed it and nothing beyond that response was received.
    pub fn is_reusable(&self) -> bool {
        self.keep_alive && self.read_buf.is_empty()
    }

    /// Bytes received and not consumed yet.
    pub fn buffered(&mut self) -> &mut BytesMut {
        &mut self.read_buf
    }

    /// Reads more of the response into [`Connection::buffered`]; `Ok(0)` when the upstream closed.
    pub fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            reserve(&mut self.read_buf, BODY_READ_BYTES);
            match self.stream.try_read_buf(&mut self.read_buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                done => return Poll::Ready(done),
            }
        }
    }

    /// The socket and the bytes already read past a `101 Switching Protocols` head.
    pub fn into_upgraded(self) -> (TcpStream, Bytes) {
        (self.stream, self.read_buf.freeze())
    }

    /// Sends the request and reads the final response head (interim 1xx
    /// answers other than 101 are skipped). The body stays in the request: a
    /// buffered one can be sent again if [`ExchangeError::may_retry`] allows.
    pub async fn exchange(
        &mut self,
        request: &mut Request<ForwardBody>,
    ) -> Result<ResponseHead, ExchangeError> {
        self.keep_alive = false;
        let method = request.method().clone();
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let framing = framing_for(request.body(), request.headers());
        self.write_buf.clear();
        encode_head(
            &mut self.write_buf,
            &method,
            target,
            request.headers(),
            framing,
        );
        let stream = &self.stream;
        let head = match request.body_mut() {
            ForwardBody::Empty
            | ForwardBody::Full {
                data: None,
                trailers: None,
            } => write_all(stream, &mut [IoSlice::new(&self.write_buf)]).await,
            ForwardBody::Full {
                data: Some(data),
                trailers: None,
            } if data.len() <= COALESCE_BODY_BYTES => {
                self.write_buf.extend_from_slice(data);
                write_all(stream, &mut [IoSlice::new(&self.write_buf)]).await
            }
            ForwardBody::Full {
                data: Some(data),
                trailers: None,
            } => {
                write_all(
                    stream,
                    &mut [IoSlice::new(&self.write_buf), IoSlice::new(data)],
                )
                .await
            }
            ForwardBody::Full { data, trailers } => {
                let data = data.as_deref().unwrap_or_default();
                if !data.is_empty() {
                    self.write_buf.extend_from_slice(&chunk_header(data.len()));
                    self.write_buf.extend_from_slice(data);
                    self.write_buf.extend_from_slice(b"\r\n");
                }
                encode_last_chunk(&mut self.write_buf, trailers.as_ref());
                write_all(stream, &mut [IoSlice::new(&self.write_buf)]).await
            }
            streaming @ ForwardBody::Streaming { .. } => {
                let written = write_all(stream, &mut [IoSlice::new(&self.write_buf)]).await;
                if let Err(e) = written {
                    return Err(ExchangeError::Write(e));
                }
                // Boxed: a streamed upload is rare, and its state would
                // otherwise enlarge every exchange's future.
                let (head, answered_early) = Box::pin(upload_while_awaiting_answer(
                    stream,
                    &mut self.read_buf,
                    streaming,
                    framing,
                    &method,
                ))
                .await?;
                self.keep_alive = head.keep_alive && !answered_early;
                return Ok(head);
            }
        }
        .map_err(ExchangeError::Write);
        head?;
        let head = read_head(stream, &mut self.read_buf, &method).await?;
        self.keep_alive = head.keep_alive;
        Ok(head)
    }
}

/// How the request body goes on the wire, from what the gateway holds.
fn framing_for(body: &ForwardBody, headers: &http::HeaderMap) -> RequestFraming {
    match body {
        ForwardBody::Empty
        | ForwardBody::Full {
            data: None,
            trailers: None,
        } => {
            // A client that framed an empty body said so; keep saying it.
            if headers.contains_key(header::CONTENT_LENGTH) {
                RequestFraming::Length(0)
            } else {
                RequestFraming::NoBody
            }
        }
        ForwardBody::Full {
            data: Some(data),
            trailers: None,
        } => RequestFraming::Length(data.len() as u64),
        ForwardBody::Full { .. } => RequestFraming::Chunked,
        ForwardBody::Streaming { exact_len, .. } => {
            exact_len.map_or(RequestFraming::Chunked, RequestFraming::Length)
        }
    }
}

/// Streams the rest of the body while listening for the answer. An answer
/// that comes before the body is all sent ends the upload; the connection
/// then cannot be reused (the upstream did not read the whole request).
async fn upload_while_awaiting_answer(
    stream: &TcpStream,
    read_buf: &mut BytesMut,
    body: &mut ForwardBody,
    framing: RequestFraming,
    method: &Method,
) -> Result<(ResponseHead, bool), ExchangeError> {
    let upload = upload(stream, body, framing);
    let answer = read_head(stream, read_buf, method);
    tokio::pin!(upload, answer);
    tokio::select! {
        biased;
        head = &mut answer => return head.map(|head| (head, true)),
        uploaded = &mut upload => match uploaded {
            Ok(()) => {}
            // The upstream may have answered and closed before reading all
            // of the body: its answer is worth more than the write error.
            Err(ExchangeError::Write(error)) => {
                return answer.await.map(|head| (head, true)).map_err(|_| ExchangeError::Write(error))
            }
            Err(other) => return Err(other),
        },
    }
    answer.await.map(|head| (head, false))
}

/// Sends a streamed body, framed as the head declared it.
async fn upload(
    stream: &TcpStream,
    body: &mut ForwardBody,
    framing: RequestFraming,
) -> Result<(), ExchangeError> {
    let chunked = framing == RequestFraming::Chunked;
    let mut sent = 0u64;
    let mut trailers = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ExchangeError::RequestBody)?;
        let data = match frame.into_data() {
            Ok(data) => data,
            Err(frame) => {
                trailers = frame.into_trailers().ok();
                continue;
            }
        };
        if data.is_empty() {
            continue;
        }
        sent += data.len() as u64;
        if chunked {
            let header = chunk_header(data.len());
            let mut parts = [
                IoSlice::new(&header),
                IoSlice::new(&data),
                IoSlice::new(b"\r\n"),
            ];
            write_all(stream, &mut parts).await
        } else {
            write_all(stream, &mut [IoSlice::new(&data)]).await
        }
        .map_err(ExchangeError::Write)?;
    }
    match framing {
        RequestFraming::Chunked => {
            let mut last = Vec::new();
            encode_last_chunk(&mut last, trailers.as_ref());
            write_all(stream, &mut [IoSlice::new(&last)])
                .await
                .map_err(ExchangeError::Write)
        }
        RequestFraming::Length(declared) if declared != sent => {
            Err(ExchangeError::Write(io::Error::other(format!(
                "the request body had {sent} bytes where {declared} were declared"
            ))))
        }
        _ => Ok(()),
    }
}

/// Reads until a final response head (or a 101) is complete.
async fn read_head(
    stream: &TcpStream,
    buf: &mut BytesMut,
    method: &Method,
) -> Result<ResponseHead, ExchangeError> {
    let mut received_any = !buf.is_empty();
    loop {
        if let Some(head) = parse_head(buf, method)? {
            let status = head.parts.status;
            if status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS {
                continue;
            }
            return Ok(head);
        }
        let read = loop {
            stream.readable().await.map_err(ExchangeError::Read)?;
            reserve(buf, HEAD_READ_BYTES);
            match stream.try_read_buf(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                done => break done,
            }
        };
        match read {
            Ok(0) if received_any => {
                return Err(ExchangeError::Read(io::ErrorKind::UnexpectedEof.into()))
            }
            Ok(0) => return Err(ExchangeError::NoResponse(None)),
            Ok(_) => received_any = true,
            Err(e) if received_any => return Err(ExchangeError::Read(e)),
            Err(e) => return Err(ExchangeError::NoResponse(Some(e))),
        }
    }
}

/// Writes every byte of `parts`, in as few system calls as the socket allows.
async fn write_all(stream: &TcpStream, mut parts: &mut [IoSlice<'_>]) -> io::Result<()> {
    IoSlice::advance_slices(&mut parts, 0);
    while !parts.is_empty() {
        match stream.try_write_vectored(parts) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => IoSlice::advance_slices(&mut parts, written),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => stream.writable().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Makes room for a read of about `want` bytes.
fn reserve(buf: &mut BytesMut, want: usize) {
    if buf.capacity() - buf.len() < want / 4 {
        buf.reserve(want);
    }
}
