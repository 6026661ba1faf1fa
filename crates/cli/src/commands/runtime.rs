//! What the long-running commands share: the async runtime and the signals
//! that end or reload them. What a signal means is the binary's choice, not
//! the gateway library's: `serve` reloads on SIGHUP (a supervisor's
//! convention), `demo` stops on it (its terminal was closed).

use std::future::Future;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Runs a future on a multi-threaded runtime with one worker per core.
pub fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(future)
}

/// A signal a long-running command was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Hangup,
    Interrupt,
    Terminate,
}

impl Received {
    pub fn name(self) -> &'static str {
        match self {
            Received::Hangup => "SIGHUP",
            Received::Interrupt => "SIGINT",
            Received::Terminate => "SIGTERM",
        }
    }
}

/// SIGHUP, SIGINT and SIGTERM, caught from the moment this is made (before
/// anything is served, so that none of them kills the process half-started).
pub struct Signals {
    hangup: Signal,
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Must be called inside the runtime.
    pub fn catch() -> anyhow::Result<Signals> {
        Ok(Signals {
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next signal received.
    pub async fn next(&mut self) -> Received {
        tokio::select! {
            _ = self.hangup.recv() => Received::Hangup,
            _ = self.interrupt.recv() => Received::Interrupt,
            _ = self.terminate.recv() => Received::Terminate,
        }
    }
}
