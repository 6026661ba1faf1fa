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
//!   head is scanned for the pair as it is read.

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
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether part of a request arrived that was never answered.
    pub fn has_unanswered_bytes(&self) -> bool {
        self.signals.read_since_write.load(Ordering::Relaxed)
    }

    fn wrote(&self, inner: &mut Inner<S>) {
        self.signals.read_since_write.store(false, Ordering::Relaxed);
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
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
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
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
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

/// Follows HTTP/1 request heads byte by byte, remembering which of the two
/// framing headers each head names. Bodies are not scanned: after a head
/// ends, scanning resumes when the gateway writes its response.
#[derive(Debug)]
struct HeadScanner {
    scanning: bool,
    /// The stream turned out to be HTTP/2 (binary framing): never scan again.
    disabled: bool,
    /// A non-empty line of this head was seen (leading blank lines are allowed).
    started: bool,
    in_name: bool,
    line_len: usize,
    name: [u8; NAME_PREFIX],
    name_len: usize,
    lines: usize,
    content_length: bool,
    transfer_encoding: bool,
}

const NAME_PREFIX: usize = 20;

impl Default for HeadScanner {
    fn default() -> Self {
        HeadScanner {
            scanning: true,
            disabled: false,
            started: false,
            in_name: true,
            line_len: 0,
            name: [0; NAME_PREFIX],
            name_len: 0,
            lines: 0,
            content_length: false,
            transfer_encoding: false,
        }
    }
}

impl HeadScanner {
    fn expect_next_head(&mut self) {
        if !self.scanning && !self.disabled {
            *self = HeadScanner::default();
        }
    }

    /// Scans fresh bytes; true when a head just ended naming both headers.
    fn scan(&mut self, bytes: &[u8]) -> bool {
        let mut ambiguous = false;
        for &b in bytes {
            if !self.scanning {
                break;
            }
            match b {
                b'\n' => ambiguous |= self.end_line(),
                b'\r' => {}
                _ => {
                    self.line_len += 1;
                    if self.in_name {
                        if b == b':' && self.lines > 0 {
                            self.in_name = false;
                            let name = &self.name[..self.name_len];
                            self.content_length |= name == b"content-length";
                            self.transfer_encoding |= name == b"transfer-encoding";
                        } else if self.name_len < NAME_PREFIX {
                            self.name[self.name_len] = b.to_ascii_lowercase();
                            self.name_len += 1;
                        }
                    }
                }
            }
        }
        ambiguous
    }

    fn end_line(&mut self) -> bool {
        let blank = self.line_len == 0;
        if !blank && !self.started {
            self.started = true;
            if self.name[..self.name_len].starts_with(b"pri * http/2.0") {
                self.disabled = true;
                self.scanning = false;
                return false;
            }
        }
        let head_ended = blank && self.started;
        if !blank {
            self.lines += 1;
        }
        self.in_name = true;
        self.line_len = 0;
        self.name_len = 0;
        if head_ended {
            self.scanning = false;
            return self.content_length && self.transfer_encoding;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::HeadScanner;

    fn ambiguous(pieces: &[&str]) -> bool {
        let mut scanner = HeadScanner::default();
        pieces.iter().any(|p| scanner.scan(p.as_bytes()))
    }

    #[test]
    fn finds_both_framing_headers_across_reads() {
        assert!(ambiguous(&["POST / HTTP/1.1\r\nContent-Len", "gth: 4\r\ntransfer-encoding: chunked\r\n", "\r\n"]));
        assert!(!ambiguous(&["POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n"]));
        assert!(!ambiguous(&["POST / HTTP/1.1\r\nX: content-length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"]));
        assert!(!ambiguous(&["\r\nGET http://content-length:80/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"]));
    }

    #[test]
    fn bodies_and_http2_are_not_scanned() {
        let mut scanner = HeadScanner::default();
        assert!(!scanner.scan(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assert!(!scanner.scan(b"content-length: 1\r\ntransfer-encoding: x\r\n\r\n"), "body bytes");
        let mut h2 = HeadScanner::default();
        assert!(!h2.scan(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\ncontent-length:1\ntransfer-encoding:1\n\n"));
        h2.expect_next_head();
        assert!(!h2.scan(b"content-length:1\ntransfer-encoding:1\n\n"));
    }
}
