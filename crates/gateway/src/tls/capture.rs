//! Reading a TLS client's ClientHello off the connection before rustls
//! does, to fingerprint it (`super::ja4`), and giving rustls a stream that
//! replays those bytes first, so the handshake sees exactly what the client
//! sent.
//!
//! rustls offers no hook with the raw ClientHello (its `ClientHello` view
//! keeps neither the extension order nor GREASE values), hence the replay.
//! The read is bounded by `client_hello::MAX_BUFFERED_BYTES` and, in the
//! listener, by the handshake timeout; whatever went wrong, the bytes read
//! are handed to rustls, which answers the client as it would have.

use super::client_hello::{self, HelloError, Progress, Reassembler, MAX_BUFFERED_BYTES};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// What the first bytes of a TLS connection said about its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hello {
    /// The client's JA4.
    Fingerprinted(String),
    /// The bytes were no readable ClientHello.
    Unreadable(HelloError),
    /// The connection ended or failed before a whole ClientHello arrived.
    Ended,
}

impl Hello {
    /// A short, fixed name for metrics labels.
    pub fn outcome(&self) -> &'static str {
        match self {
            Hello::Fingerprinted(_) => "fingerprinted",
            Hello::Unreadable(error) => error.kind(),
            Hello::Ended => "ended",
        }
    }

    /// The JA4, when there is one.
    pub fn ja4(self) -> Option<String> {
        match self {
            Hello::Fingerprinted(ja4) => Some(ja4),
            _ => None,
        }
    }
}

/// Reads `stream` until its ClientHello is whole (or cannot be), and
/// returns what it said with the stream to hand to rustls.
pub async fn read_client_hello<S: AsyncRead + Unpin>(mut stream: S) -> (Hello, Replayed<S>) {
    let mut buffered = Vec::with_capacity(2048);
    let mut reassembler = Reassembler::default();
    let hello = loop {
        let room = MAX_BUFFERED_BYTES + 1 - buffered.len();
        let mut limited = (&mut stream).take(room as u64);
        match limited.read_buf(&mut buffered).await {
            Ok(0) | Err(_) => break Hello::Ended,
            Ok(_) => {}
        }
        match reassembler.feed(&buffered) {
            Ok(Progress::NeedMore) => {}
            Ok(Progress::Complete(body)) => {
                break match client_hello::parse(&body) {
                    Ok(hello) => Hello::Fingerprinted(super::ja4::ja4(&hello)),
                    Err(error) => Hello::Unreadable(error),
                }
            }
            Err(error) => break Hello::Unreadable(error),
        }
    };
    let replayed = Replayed {
        buffered,
        replayed: 0,
        stream,
    };
    (hello, replayed)
}

/// A stream whose reads return the bytes buffered before it existed, then
/// the stream's own; writes go straight to the stream.
#[derive(Debug)]
pub struct Replayed<S> {
    buffered: Vec<u8>,
    replayed: usize,
    stream: S,
}

impl<S: AsyncRead + Unpin> AsyncRead for Replayed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.buffered.get(this.replayed..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replayed += n;
            if this.replayed == this.buffered.len() {
                this.buffered = Vec::new();
                this.replayed = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replayed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::super::client_hello::tests::{hello_body, records};
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// What `read_client_hello` makes of `sent` written in `step`-byte
    /// pieces, and every byte the replaying stream then gives.
    async fn capture(sent: Vec<u8>, step: usize) -> (Hello, Vec<u8>) {
        let (mut client, server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            for piece in sent.chunks(step) {
                client.write_all(piece).await.unwrap();
            }
            client.shutdown().await.unwrap();
        });
        let (hello, mut replayed) = read_client_hello(server).await;
        let mut all = Vec::new();
        replayed.read_to_end(&mut all).await.unwrap();
        writer.await.unwrap();
        (hello, all)
    }

    #[tokio::test]
    async fn the_stream_replays_every_byte_whatever_the_outcome() {
        let hello = records(&hello_body(&[0x1301], &[(0, vec![])]), 9);
        let mut sent = hello.clone();
        sent.extend(b"after the hello");
        let (outcome, replayed) = capture(sent.clone(), 5).await;
        assert!(matches!(outcome, Hello::Fingerprinted(ref j) if j.starts_with("t12d0101")));
        assert_eq!(replayed, sent);

        let plain = b"GET / HTTP/1.1\r\nhost: a\r\n\r\n".to_vec();
        let (outcome, replayed) = capture(plain.clone(), 3).await;
        assert_eq!(outcome, Hello::Unreadable(HelloError::NotHandshake));
        assert_eq!(replayed, plain);

        let cut = hello[..hello.len() - 1].to_vec();
        let (outcome, replayed) = capture(cut.clone(), 64).await;
        assert_eq!(outcome, Hello::Ended);
        assert_eq!(replayed, cut);
    }

    #[tokio::test]
    async fn reads_no_more_than_the_bound() {
        let endless = records(&hello_body(&[0x1301; 4000], &[]), 1);
        let (outcome, replayed) = capture(endless.clone(), 4096).await;
        assert_eq!(outcome, Hello::Unreadable(HelloError::TooFragmented));
        assert_eq!(replayed, endless, "the rest is still there for rustls");
    }
}
