//! Thread-per-core serving: each worker thread runs its own single-threaded
//! event loop with its own listening socket per listener (SO_REUSEPORT, the
//! kernel spreads connections; see `bind`), so an exchange (client connection, pipeline,
//! upstream connection) stays on one thread from accept to response, with no
//! work stealing and no cross-thread wake-ups on the hot path.

use crate::balance::Balancer;
use crate::bind::BoundListener;
use crate::listener::{self, ListenerContext, WorkerContext};
use crate::proxy::Shared;
use crate::upstream;
use anyhow::Context as _;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use tokio::sync::watch;

/// The running worker threads.
pub struct Workers {
    threads: Vec<std::thread::JoinHandle<()>>,
    exit: watch::Sender<bool>,
    /// Each worker reports here when its accept loops have stopped.
    accepting: Vec<tokio::sync::oneshot::Receiver<()>>,
}

impl Workers {
    /// Starts one thread per worker, each serving its socket of every listener.
    pub fn start(
        listeners: &mut [BoundListener],
        workers: usize,
        shared: &Arc<Shared>,
        graceful: &Arc<GracefulShutdown>,
        stop: &watch::Receiver<bool>,
    ) -> anyhow::Result<Workers> {
        let (exit, exit_rx) = watch::channel(false);
        let (balancer, inboxes) = Balancer::new(workers);
        let mut threads = Vec::with_capacity(workers);
        let mut accepting = Vec::with_capacity(workers);
        for (index, inbox) in inboxes.into_iter().enumerate() {
            let sockets: Vec<std::net::TcpListener> = listeners
                .iter_mut()
                .filter_map(BoundListener::take_socket)
                .collect();
            let context = Arc::new(WorkerContext {
                index,
                listeners: listeners
                    .iter()
                    .map(|l| ListenerContext::new(l.settings.clone()))
                    .collect(),
                shared: Arc::clone(shared),
                balancer: Arc::clone(&balancer),
                stop: stop.clone(),
            });
            let (done, done_rx) = tokio::sync::oneshot::channel();
            accepting.push(done_rx);
            let graceful = Arc::clone(graceful);
            let stop = stop.clone();
            let mut exit_rx = exit_rx.clone();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting a worker event loop")?;
            let thread = std::thread::Builder::new()
                .name(format!("rampart-worker-{index}"))
                .spawn(move || {
                    upstream::set_worker_index(index);
                    runtime.block_on(async move {
                        let heartbeat = tokio::spawn(timer_heartbeat());
                        let handoffs =
                            tokio::spawn(listener::inbox_loop(Arc::clone(&context), inbox));
                        let mut loops = Vec::new();
                        for (listener_index, socket) in sockets.into_iter().enumerate() {
                            match tokio::net::TcpListener::from_std(socket) {
                                Ok(listener) => loops.push(tokio::spawn(listener::accept_loop(
                                    listener,
                                    listener_index,
                                    Arc::clone(&context),
                                    Arc::clone(&graceful),
                                    stop.clone(),
                                ))),
                                Err(e) => {
                                    tracing::error!(error = %e, "worker cannot use its socket")
                                }
                            }
                        }
                        drop(graceful);
                        for accept_loop in loops {
                            let _ = accept_loop.await;
                        }
                        let _ = done.send(());
                        let _ = exit_rx.wait_for(|exit| *exit).await;
                        heartbeat.abort();
                        handoffs.abort();
                    });
                })
                .context("starting a worker thread")?;
            threads.push(thread);
        }
        Ok(Workers {
            threads,
            exit,
            accepting,
        })
    }

    /// Waits until every worker has stopped accepting (after `stop` was set).
    pub async fn stopped_accepting(&mut self) {
        for done in self.accepting.drain(..) {
            let _ = done.await;
        }
    }

    /// Ends the worker threads; connections still open are dropped.
    pub async fn exit(self) {
        let _ = self.exit.send(true);
        let threads = self.threads;
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
    }
}

/// Keeps a short timer pending on the worker's event loop at all times.
///
/// tokio wakes its own driver (an eventfd write, a system call) whenever a
/// timer is registered that expires before every pending one. hyper arms a
/// header-read timer for each request and the proxy a response timer: on a
/// loop with no earlier timer, each of those cost a wake-up (measured: 0.35
/// `write` calls per request). With this 250 ms heartbeat always due first,
/// they never are the earliest and register silently.
async fn timer_heartbeat() {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
