//! The client connection's byte stream, shared so the gateway can still
//! answer `408 Request Timeout` after hyper gives up on a slow request head.
//!
//! hyper closes a connection whose head did not arrive in time without
//! writing anything; a client (or a load balancer) deserves to know why. The
//! stream is shared between hyper and the accept task behind an uncontended
//! mutex, and the wrapper remembers whether request bytes arrived since the
//! last response, so an idle keep-alive connection is closed silently.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

pub struct ClientIo<S> {
    inner: Arc<Shared<S>>,
}

struct Shared<S> {
    stream: Mutex<S>,
    read_since_write: AtomicBool,
}

impl<S> ClientIo<S> {
    /// The stream for hyper, and a handle to answer on it afterwards.
    pub fn new(stream: S) -> (ClientIo<S>, ClientIo<S>) {
        let inner = Arc::new(Shared {
            stream: Mutex::new(stream),
            read_since_write: AtomicBool::new(false),
        });
        (ClientIo { inner: Arc::clone(&inner) }, ClientIo { inner })
    }

    fn lock(&self) -> MutexGuard<'_, S> {
        self.inner.stream.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether part of a request arrived that was never answered.
    pub fn has_unanswered_bytes(&self) -> bool {
        self.inner.read_since_write.load(Ordering::Relaxed)
    }
}

impl<S: AsyncWrite + Unpin> ClientIo<S> {
    /// Writes a bare `408` and closes the write side.
    pub async fn answer_request_timeout(mut self) {
        const RESPONSE: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        let _ = self.write_all(RESPONSE).await;
        let _ = self.shutdown().await;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ClientIo<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut *self.lock()).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.inner.read_since_write.store(true, Ordering::Relaxed);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ClientIo<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut *self.lock()).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.inner.read_since_write.store(false, Ordering::Relaxed);
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut *self.lock()).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.inner.read_since_write.store(false, Ordering::Relaxed);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.lock().is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.lock()).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.lock()).poll_shutdown(cx)
    }
}
