//! The client connection's byte stream as hyper reads it, with three things
//! hyper cannot give the gateway:
//!
//! - An answer after a header-read timeout. The stream is shared (behind an
//!   uncontended mutex) so the gateway can still write `408 Request Timeout`
//!   once it stops hyper, and only when request bytes arrived since the last
//!   response (an idle keep-alive connection closes silently).
//! - What the connection is waiting for ([`Waiting`]): an exchange in
//!   progress, a request head that started arriving, or nothing since the
//!   accept or the last response. `conn_watch` times the last two.
//! - The raw header names of an HTTP/1 request head. hyper silently drops
//!   `Content-Length` when `Transfer-Encoding` is also present (RFC 9112
//!   6.3); a security gateway must refuse such a request instead, so the
//!   head is scanned for the pair as it is read (see `head_scan`), and for
//!   how its header names are cased, which hyper forgets too.

use crate::head_scan::HeadScanner;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// What the stream noticed, for the requests of this connection to read.
#[derive(Debug)]
pub struct ConnectionSignals {
    read_since_write: AtomicBool,
    ambiguous_head: AtomicBool,
    /// The last HTTP/1 head's casing signature, with [`CASING_READ`] set
    /// while it has not been taken.
    head_casing: AtomicU64,
    /// Exchanges whose response has not ended yet.
    in_flight: AtomicUsize,
    times: Mutex<Times>,
    /// Woken when the connection starts waiting for something else.
    changed: Notify,
}

#[derive(Debug, Clone, Copy)]
struct Times {
    /// The accept, or the end of the last exchange.
    idle_since: Instant,
    /// The first byte of the request head being read.
    head_started: Instant,
}

impl Default for ConnectionSignals {
    fn default() -> Self {
        let now = Instant::now();
        ConnectionSignals {
            read_since_write: AtomicBool::new(false),
            ambiguous_head: AtomicBool::new(false),
            head_casing: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            times: Mutex::new(Times {
                idle_since: now,
                head_started: now,
            }),
            changed: Notify::new(),
        }
    }
}

/// Marks [`ConnectionSignals::head_casing`] as holding an untaken signature.
const CASING_READ: u64 = 1 << 32;

/// What a connection is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// An exchange is in progress; its own timeouts apply.
    Busy,
    /// No request since this instant (the accept or the last response).
    Idle(Instant),
    /// An HTTP/1 request head started arriving at this instant.
    Head(Instant),
}

impl ConnectionSignals {
    /// Whether the last request head carried both `Content-Length` and
    /// `Transfer-Encoding`; reading the flag clears it.
    pub fn take_ambiguous_head(&self) -> bool {
        self.ambiguous_head.swap(false, Ordering::Relaxed)
    }

    /// How the last HTTP/1 request head cased its header names
    /// ([`HeadScanner::casing`]); `None` on HTTP/2 or once taken.
    pub fn take_head_casing(&self) -> Option<u32> {
        let taken = self.head_casing.swap(0, Ordering::Relaxed);
        (taken & CASING_READ != 0).then_some(taken as u32)
    }

    /// Counts an exchange as in progress until the returned guard drops
    /// (with the end of its response).
    pub fn exchange_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    /// Resolves once the connection starts waiting for something else.
    pub async fn changed(&self) {
        self.changed.notified().await
    }

    fn times(&self) -> MutexGuard<'_, Times> {
        crate::sync::lock(&self.times)
    }
}

/// An exchange in progress on its connection (see
/// [`ConnectionSignals::exchange_started`]).
#[derive(Debug)]
pub struct InFlight(Arc<ConnectionSignals>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let signals = &self.0;
        if signals.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            signals.times().idle_since = Instant::now();
            signals.changed.notify_one();
        }
    }
}

pub struct ClientIo<S> {
    shared: Arc<Mutex<Inner<S>>>,
    signals: Arc<ConnectionSignals>,
}

struct Inner<S> {
    stream: S,
    scanner: HeadScanner,
}

impl<S> ClientIo<S> {
    /// The stream for hyper, and a handle to answer on it afterwards.
    pub fn new(stream: S) -> (ClientIo<S>, ClientIo<S>) {
        let shared = Arc::new(Mutex::new(Inner {
            stream,
            scanner: HeadScanner::default(),
        }));
        let signals = Arc::new(ConnectionSignals::default());
        (
            ClientIo {
                shared: Arc::clone(&shared),
                signals: Arc::clone(&signals),
            },
            ClientIo { shared, signals },
        )
    }

    pub fn signals(&self) -> Arc<ConnectionSignals> {
        Arc::clone(&self.signals)
    }

    fn lock(&self) -> MutexGuard<'_, Inner<S>> {
        crate::sync::lock(&self.shared)
    }

    /// Whether part of a request arrived that was never answered.
    pub fn has_unanswered_bytes(&self) -> bool {
        self.signals.read_since_write.load(Ordering::Relaxed)
    }

    /// What the connection is waiting for now. Bytes that arrive between
    /// exchanges start a request head on HTTP/1; on HTTP/2 they are control
    /// frames (pings, settings), which keep no idle connection open.
    pub fn waiting(&self) -> Waiting {
        let signals = &self.signals;
        if signals.in_flight.load(Ordering::Relaxed) > 0 {
            return Waiting::Busy;
        }
        let times = *signals.times();
        if self.has_unanswered_bytes() && !self.lock().scanner.is_http2() {
            Waiting::Head(times.head_started)
        } else {
            Waiting::Idle(times.idle_since)
        }
    }

    fn wrote(&self, inner: &mut Inner<S>) {
        self.signals
            .read_since_write
            .store(false, Ordering::Relaxed);
        inner.scanner.expect_next_head();
    }
}

impl<S: AsyncWrite + Unpin> ClientIo<S> {
    /// Writes `408` with `problem` (a problem document) and closes the write side.
    pub async fn answer_request_timeout(mut self, problem: &[u8]) {
        let head = format!(
            "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            crate::problem::PROBLEM_CONTENT_TYPE,
            problem.len()
        );
        let _ = self.write_all(head.as_bytes()).await;
        let _ = self.write_all(problem).await;
        let _ = self.shutdown().await;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ClientIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let mut inner = self.lock();
        let polled = Pin::new(&mut inner.stream).poll_read(cx, buf);
        let fresh = &buf.filled()[before..];
        if !fresh.is_empty() {
            let signals = &self.signals;
            if !signals.read_since_write.swap(true, Ordering::Relaxed)
                && signals.in_flight.load(Ordering::Relaxed) == 0
            {
                signals.times().head_started = Instant::now();
                signals.changed.notify_one();
            }
            let head_open = inner.scanner.casing().is_none();
            if inner.scanner.scan(fresh) {
                self.signals.ambiguous_head.store(true, Ordering::Relaxed);
            }
            // Once per head, when these bytes ended it (not on body reads).
            if let Some(casing) = inner.scanner.casing().filter(|_| head_open) {
                let signature = CASING_READ | u64::from(casing);
                self.signals.head_casing.store(signature, Ordering::Relaxed);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ClientIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut inner = self.lock();
        let polled = Pin::new(&mut inner.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote(&mut inner);
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut inner = self.lock();
        let polled = Pin::new(&mut inner.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote(&mut inner);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.lock().stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.lock().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.lock().stream).poll_shutdown(cx)
    }
}
