//! Upstream pools: round robin over addresses, keep-alive connection reuse and
//! passive health.
//!
//! An address that refuses a connection (or does not accept it in time) is
//! taken out for the upstream's `unhealthy_for` and tried again afterwards.
//! When every address is out, they are all tried anyway: failing over to a
//! possibly-recovered address beats refusing every request.
//!
//! Idle connections are kept per worker thread: a connection is registered
//! with the event loop of the worker that opened it, so reusing it from the
//! same worker keeps every step of an exchange on one thread.

use crate::h1::Connection;
use std::cell::Cell;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

use crate::config::UpstreamSpec;
use crate::sync::lock;

thread_local! {
    static WORKER_INDEX: Cell<usize> = const { Cell::new(0) };
}

/// Declares which worker the current thread is; idle connections are kept per worker.
pub fn set_worker_index(index: usize) {
    WORKER_INDEX.with(|w| w.set(index));
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("connecting to {addr}: {source}")]
    Refused {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("connecting to {addr}: no answer within {timeout:?}")]
    Timeout { addr: SocketAddr, timeout: Duration },
}

pub struct UpstreamPool {
    pub spec: UpstreamSpec,
    slots: Vec<Arc<AddressSlot>>,
    cursor: AtomicUsize,
    /// The slots' clock origin (they all share it).
    epoch: Instant,
}

impl UpstreamPool {
    /// A pool keeping idle connections for `workers` worker threads.
    pub fn new(spec: UpstreamSpec, workers: usize) -> Self {
        let epoch = Instant::now();
        let slots = spec
            .addresses
            .iter()
            .map(|&addr| {
                Arc::new(AddressSlot {
                    addr,
                    idle: (0..workers.max(1)).map(|_| IdleList::default()).collect(),
                    down_until_ms: AtomicU64::new(0),
                    max_idle: spec.max_idle_per_address,
                    epoch,
                })
            })
            .collect();
        UpstreamPool {
            spec,
            slots,
            cursor: AtomicUsize::new(0),
            epoch,
        }
    }

    /// Addresses in the order to try them: round robin, healthy ones first.
    /// Health is read at one instant, so each address comes exactly once;
    /// nothing is allocated (this runs for every request).
    pub fn candidates(&self) -> impl Iterator<Item = &Arc<AddressSlot>> + '_ {
        let n = self.slots.len();
        // One address needs no rotation, and the shared cursor's cache line
        // then stays put instead of moving between the workers' cores.
        let start = if n > 1 {
            self.cursor.fetch_add(1, Ordering::Relaxed)
        } else {
            0
        };
        let now_ms = millis_since(self.epoch);
        let rotated = move || (0..n).map(move |i| &self.slots[(start + i) % n]);
        let up = rotated().filter(move |slot| slot.is_up_at(now_ms));
        let down = rotated().filter(move |slot| !slot.is_up_at(now_ms));
        up.chain(down)
    }

    /// How many addresses are currently considered healthy.
    pub fn healthy_addresses(&self) -> usize {
        self.slots.iter().filter(|s| s.is_up()).count()
    }
}

/// One upstream address: its idle connections and its health.
pub struct AddressSlot {
    pub addr: SocketAddr,
    /// One list of idle connections per worker thread.
    idle: Box<[IdleList]>,
    down_until_ms: AtomicU64,
    max_idle: usize,
    epoch: Instant,
}

impl AddressSlot {
    fn now_ms(&self) -> u64 {
        millis_since(self.epoch)
    }

    pub fn is_up(&self) -> bool {
        self.is_up_at(self.now_ms())
    }

    fn is_up_at(&self, now_ms: u64) -> bool {
        self.down_until_ms.load(Ordering::Relaxed) <= now_ms
    }

    pub fn mark_down(&self, duration: Duration) {
        let until = self.now_ms() + duration.as_millis() as u64;
        self.down_until_ms.store(until, Ordering::Relaxed);
        for idle in self.idle.iter() {
            lock(&idle.0).clear();
        }
    }

    /// This worker's idle connections.
    fn idle_connections(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        let index = WORKER_INDEX.with(Cell::get) % self.idle.len();
        lock(&self.idle[index].0)
    }

    /// A ready connection: an idle one when available, else a new one.
    pub async fn checkout(
        self: &Arc<Self>,
        connect_timeout: Duration,
    ) -> Result<PooledConnection, ConnectError> {
        loop {
            let Some(connection) = self.idle_connections().pop() else {
                break;
            };
            if connection.is_open_and_quiet() {
                return Ok(PooledConnection {
                    connection,
                    slot: Arc::clone(self),
                    reused: true,
                });
            }
        }
        self.connect(connect_timeout).await
    }

    pub async fn connect(
        self: &Arc<Self>,
        connect_timeout: Duration,
    ) -> Result<PooledConnection, ConnectError> {
        let addr = self.addr;
        let stream = match tokio::time::timeout(connect_timeout, TcpStream::connect(addr)).await {
            Err(_) => {
                return Err(ConnectError::Timeout {
                    addr,
                    timeout: connect_timeout,
                })
            }
            Ok(Err(source)) => return Err(ConnectError::Refused { addr, source }),
            Ok(Ok(stream)) => stream,
        };
        let _ = stream.set_nodelay(true);
        Ok(PooledConnection {
            connection: Connection::new(stream),
            slot: Arc::clone(self),
            reused: false,
        })
    }
}

/// One worker's idle connections, on a cache line of its own: two workers
/// returning connections at the same moment must not fight over one line.
#[derive(Default)]
#[repr(align(128))]
struct IdleList(Mutex<Vec<Connection>>);

fn millis_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_millis() as u64
}

/// A connection checked out of a slot; give it back with [`PooledConnection::release`].
pub struct PooledConnection {
    pub connection: Connection,
    pub slot: Arc<AddressSlot>,
    /// Whether it had served a request before (a failed send may then be retried).
    pub reused: bool,
}

impl PooledConnection {
    /// Returns the connection to the idle pool once its response is fully
    /// read, unless that response forbids reuse.
    pub fn release(self) {
        if !self.connection.is_reusable() {
            return;
        }
        let mut idle = self.slot.idle_connections();
        if idle.len() < self.slot.max_idle {
            idle.push(self.connection);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_of(addresses: &[&str]) -> UpstreamPool {
        UpstreamPool::new(
            UpstreamSpec {
                name: "u".into(),
                addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
                unhealthy_for: Duration::from_secs(60),
                max_idle_per_address: 4,
            },
            1,
        )
    }

    fn order(pool: &UpstreamPool) -> Vec<u16> {
        pool.candidates().map(|slot| slot.addr.port()).collect()
    }

    #[test]
    fn candidates_rotate_and_put_addresses_taken_out_last() {
        let pool = pool_of(&["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]);
        assert_eq!(order(&pool), [1, 2, 3]);
        assert_eq!(order(&pool), [2, 3, 1]);
        pool.slots[1].mark_down(Duration::from_secs(60));
        assert_eq!(order(&pool), [3, 1, 2], "each address exactly once");
        assert_eq!(order(&pool), [1, 3, 2]);
        assert_eq!(pool.healthy_addresses(), 2);
        assert!(order(&pool_of(&[])).is_empty(), "no address, no candidate");
    }
}
