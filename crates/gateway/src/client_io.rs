//! The client connection's byte stream as hyper reads it, with two things
//! hyper cannot give the gateway:
//!
//! - An answer after a header-read timeout. hyper closes a connection whose
//!   request head did not arrive in time without writing anything; the
//!   stream is shared (behind an uncontended mutex) so the gateway can still
//!   write `408 Request Timeout`, and only when request bytes arrived since
//!   the last response (an idle keep-alive connection closes silently).
//! - The raw header names of an HTTP/1 request head. hyper silently drops
//!   `Content-Length` when `Transfer-Encoding` is also present (RFC 9112
//!   6.3); a security gateway must refuse such a request instead, so the
//!   head is scanned for the pair as it is read (see `head_scan`).

use crate::head_scan::HeadScanner;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// What the stream noticed, for the requests of this connection to read.
#[derive(Debug, Default)]
pub struct ConnectionSignals {
    read_since_write: AtomicBool,
    ambiguous_head: AtomicBool,
}

impl ConnectionSignals {
    /// Whether the last request head carried both `Content-Length` and
    /// `Transfer-Encoding`; reading the flag clears it.
    pub fn take_ambiguous_head(&self) -> bool {
        self.ambiguous_head.swap(false, Ordering::Relaxed)
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

    fn wrote(&self, inner: &mut Inner<S>) {
        self.signals
            .read_since_write
            .store(false, Ordering::Relaxed);
        inner.scanner.expect_next_head();
    }
}

impl<S: AsyncWrite + Unpin> ClientIo<S> {
    /// Writes a bare `408` and closes the write side.
    pub async fn answer_request_timeout(mut self) {
        const RESPONSE: &[u8] =
            b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        let _ = self.write_all(RESPONSE).await;
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
            self.signals.read_since_write.store(true, Ordering::Relaxed);
            if inner.scanner.scan(fresh) {
                self.signals.ambiguous_head.store(true, Ordering::Relaxed);
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
