//! A key publisher on loopback (an identity provider's key set, an agent's
//! key directory) that counts its hits, changes its answer on demand and
//! goes down, for the tests of fetched keys.

use super::{full, in_pieces};
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the key server answers.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub cache_control: &'static str,
    /// Sent in pieces without a length, rather than with `content-length`.
    pub chunked: bool,
    /// More header fields (a directory's signature).
    pub headers: Vec<(String, String)>,
}

/// Published keys on loopback (whatever the path), over TLS when given an
/// acceptor.
pub struct KeyServer {
    pub addr: std::net::SocketAddr,
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<Answer>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl KeyServer {
    pub async fn start(answer: Answer, tls: Option<tokio_rustls::TlsAcceptor>) -> KeyServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let answer = Arc::new(Mutex::new(answer));
        let (counter, answering) = (Arc::clone(&hits), Arc::clone(&answer));
        let accepting = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (counter, answering) = (Arc::clone(&counter), Arc::clone(&answering));
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_request| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let answer = answering.lock().unwrap().clone();
                        let mut response = hyper::Response::builder()
                            .status(answer.status)
                            .header("location", "/moved/jwks.json")
                            .header("content-type", "application/json")
                            .header("cache-control", answer.cache_control);
                        for (name, value) in &answer.headers {
                            response = response.header(name.as_str(), value.as_str());
                        }
                        let response = response.body(match answer.chunked {
                            true => in_pieces(&answer.body, 16 * 1024),
                            false => full(answer.body),
                        });
                        async move { response }
                    });
                    let http = hyper::server::conn::http1::Builder::new();
                    let _ = match tls {
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => {
                                http.serve_connection(TokioIo::new(stream), service).await
                            }
                            Err(_) => return,
                        },
                        None => http.serve_connection(TokioIo::new(stream), service).await,
                    };
                });
            }
        });
        KeyServer {
            addr,
            hits,
            answer,
            accepting,
        }
    }

    pub fn serve(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Stops accepting: the next fetches are refused.
    pub fn stop(&self) {
        self.accepting.abort();
    }
}

/// Polls `condition` every 50 ms for at most 10 s.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    condition: impl Fn() -> F,
) {
    for _ in 0..200 {
        if condition().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}
