//! Client-facing listeners: accept connections (TLS when configured, with
//! the client's JA4 read from its ClientHello first), serve
//! HTTP/1.1 and HTTP/2 on them with hyper, and hand each request to the proxy.
//!
//! A peer the running configuration refuses outright (a banned address,
//! see `Runtime::refuses_connection`) is closed at accept, before a byte is
//! read. Other connections are spread evenly over the workers (see
//! `balance`) and driven by `conn_watch`, which closes idle ones and
//! answers slow request heads. Each listener's accept loop stops when
//! shutdown begins; open connections are then asked to finish (HTTP/1.1
//! closes after the current response, HTTP/2 sends GOAWAY) and are tracked
//! until they do.

use crate::balance::{Balancer, Handoff};
use crate::client_io::ClientIo;
use crate::conn_watch::{self, Ended};
use crate::problem::problem_body;
use crate::proxy::{self, ConnectionInfo, Shared};
use crate::telemetry;
use crate::tls::capture;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;

/// The settings a listener's connections are served with.
#[derive(Clone)]
pub struct ServeSettings {
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// The longest a TLS handshake may take.
    pub header_read_timeout: Duration,
    pub max_header_bytes: usize,
}

/// One listener as a worker serves it: its settings and its HTTP builder.
pub struct ListenerContext {
    settings: ServeSettings,
    builder: auto::Builder<TokioExecutor>,
}

impl ListenerContext {
    pub fn new(settings: ServeSettings) -> Self {
        let builder = http_builder(&settings);
        ListenerContext { settings, builder }
    }
}

/// What a worker's tasks share.
pub struct WorkerContext {
    pub index: usize,
    pub listeners: Vec<ListenerContext>,
    pub shared: Arc<Shared>,
    pub balancer: Arc<Balancer>,
    /// Turns true when shutdown begins: open connections then finish.
    pub stop: watch::Receiver<bool>,
}

/// Accepts on one listener until `stop` turns true; each connection is served
/// here or handed to a less busy worker, and is watched by `graceful`.
pub async fn accept_loop(
    listener: TcpListener,
    listener_index: usize,
    worker: Arc<WorkerContext>,
    graceful: Arc<GracefulShutdown>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if worker.shared.runtime.load().refuses_connection(peer) {
            metrics::counter!(telemetry::CONNECTIONS_REFUSED, "reason" => "ban").increment(1);
            worker.shared.traffic.refused_connection();
            tracing::debug!(%peer, "connection refused at accept");
            continue;
        }
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let target = worker.balancer.place(worker.index);
        if target == worker.index {
            tokio::spawn(serve(
                Arc::clone(&worker),
                listener_index,
                stream,
                peer,
                watcher,
            ));
            continue;
        }
        match stream.into_std() {
            Ok(stream) => {
                let handoff = Handoff {
                    stream,
                    peer,
                    listener: listener_index,
                    watcher,
                };
                if let Err(returned) = worker.balancer.hand_over(target, handoff) {
                    serve_handoff(&worker, returned);
                }
            }
            Err(e) => tracing::debug!(%peer, error = %e, "could not hand the connection over"),
        }
    }
}

/// Serves the connections other workers hand to this one, until the worker exits.
pub async fn inbox_loop(worker: Arc<WorkerContext>, mut inbox: UnboundedReceiver<Handoff>) {
    while let Some(handoff) = inbox.recv().await {
        serve_handoff(&worker, handoff);
    }
}

fn serve_handoff(worker: &Arc<WorkerContext>, handoff: Handoff) {
    match TcpStream::from_std(handoff.stream) {
        Ok(stream) => {
            tokio::spawn(serve(
                Arc::clone(worker),
                handoff.listener,
                stream,
                handoff.peer,
                handoff.watcher,
            ));
        }
        Err(e) => {
            tracing::debug!(peer = %handoff.peer, error = %e, "could not take over the connection")
        }
    }
}

async fn serve(
    worker: Arc<WorkerContext>,
    listener_index: usize,
    stream: TcpStream,
    peer: SocketAddr,
    watcher: Watcher,
) {
    let Some(listener) = worker.listeners.get(listener_index) else {
        return;
    };
    let _slot = worker.balancer.slot(worker.index);
    metrics::gauge!(telemetry::CONNECTIONS_OPEN).increment(1.0);
    serve_connection(stream, peer, listener, &worker, watcher).await;
    metrics::gauge!(telemetry::CONNECTIONS_OPEN).decrement(1.0);
}

fn http_builder(settings: &ServeSettings) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Request heads are timed by `conn_watch`, from their first byte.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(settings.max_header_bytes.max(8192))
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(settings.max_header_bytes as u32)
        .max_concurrent_streams(256);
    builder
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    listener: &ListenerContext,
    worker: &WorkerContext,
    watcher: Watcher,
) {
    let builder = &listener.builder;
    match &listener.settings.tls {
        None => {
            serve_http(
                stream,
                ConnectionInfo::new(peer, false),
                worker,
                builder,
                watcher,
            )
            .await
        }
        Some(acceptor) => {
            let handshake = tokio::time::timeout(listener.settings.header_read_timeout, async {
                let (hello, stream) = capture::read_client_hello(stream).await;
                metrics::counter!(telemetry::TLS_CLIENT_HELLOS, "outcome" => hello.outcome())
                    .increment(1);
                let accepted = acceptor.accept(stream).await;
                accepted.map(|tls_stream| (tls_stream, hello.ja4()))
            })
            .await;
            match handshake {
                Ok(Ok((tls_stream, ja4))) => {
                    serve_http(
                        tls_stream,
                        ConnectionInfo {
                            ja4: ja4.map(Arc::from),
                            ..ConnectionInfo::new(peer, true)
                        },
                        worker,
                        builder,
                        watcher,
                    )
                    .await
                }
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => {
                    metrics::counter!(telemetry::CLIENT_TIMEOUTS, "reason" => "tls_handshake")
                        .increment(1);
                    tracing::debug!(%peer, "TLS handshake timed out")
                }
            }
        }
    }
}

/// Serves HTTP on one connection until it ends; `watcher` keeps the
/// connection counted for a graceful shutdown until then.
async fn serve_http<S>(
    stream: S,
    info: ConnectionInfo,
    worker: &WorkerContext,
    builder: &auto::Builder<TokioExecutor>,
    watcher: Watcher,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (io, answer) = ClientIo::new(stream);
    let signals = answer.signals();
    let info = ConnectionInfo {
        signals: Arc::clone(&signals),
        ..info
    };
    let peer = info.peer;
    let shared = Arc::clone(&worker.shared);
    let service = service_fn(move |request| {
        let exchange = signals.exchange_started();
        let handled = proxy::handle(Arc::clone(&shared), info.clone(), request);
        async move {
            let response = handled.await?;
            Ok::<_, std::convert::Infallible>(response.map(|body| body.during(exchange)))
        }
    });
    // Boxed, so that hyper's side is really gone before a 408 is written.
    let mut connection =
        Box::pin(builder.serve_connection_with_upgrades(TokioIo::new(io), service));
    let ended = conn_watch::drive(
        connection.as_mut(),
        |connection| connection.graceful_shutdown(),
        &answer,
        &worker.shared,
        worker.stop.clone(),
    )
    .await;
    drop(connection);
    match ended {
        Ended::Finished(Ok(())) => {}
        Ended::Finished(Err(error)) => {
            tracing::debug!(%peer, %error, "client connection ended with an error")
        }
        Ended::HeadTimedOut => {
            let request_id = worker.shared.ids.next();
            let problem = problem_body(408, "the request head did not arrive in time", &request_id);
            answer.answer_request_timeout(&problem).await;
        }
    }
    drop(watcher);
}
