//! The security-event sink: the request path hands events to a bounded queue
//! and never waits; one background thread writes them in batches to a
//! JSON-lines file and/or the SQLite store.
//!
//! The writer is never parked on the queue: it drains it every
//! `drain_interval` (20 ms), so a request's `send` is one non-blocking push
//! and never wakes a thread. A full queue drops the event and counts it (the
//! gateway exports the count as `rampart_events_dropped_total`); a failed
//! write is logged and counted and the thread goes on with the next batch.
//!
//! Written events are also offered to live subscribers ([`EventSender::subscribe`],
//! the console's event stream) through a bounded broadcast: a subscriber
//! that falls behind loses the oldest events and is told how many, and the
//! writer never waits for one.
//!
//! Disk stays bounded: repeats within `aggregate_window` are folded into one
//! event ([`aggregate`]), the JSON-lines file is rotated by size with a
//! bounded number of kept files, and the store is trimmed by age, size and
//! count after each batch.
//!
//! ```no_run
//! use rampart_store::{EventSink, SinkConfig};
//! use std::time::Duration;
//!
//! let config = SinkConfig {
//!     jsonl_path: Some("events.jsonl".into()),
//!     store_path: Some("rampart.db".into()),
//!     ..SinkConfig::default()
//! };
//! let (sink, events) = EventSink::start(config)?;
//! // On the request path: `events.send(event)`; never blocks.
//! drop(events);
//! let report = sink.shutdown(Duration::from_secs(5));
//! assert!(report.drained);
//! # Ok::<(), rampart_store::SinkError>(())
//! ```

mod aggregate;
mod output;
mod worker;

use crate::error::SinkError;
use crate::jsonl::Rotation;
use crate::store::Store;
use output::{EventOutput, JsonlOutput, Retention, StoreOutput};
use rampart_core::{Clock, SecurityEvent, SystemClock};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// How the sink is set up. `SinkConfig::default()` has no output: set at least
/// one path.
#[derive(Clone)]
pub struct SinkConfig {
    /// Append one JSON object per event, one event per line, to this file.
    pub jsonl_path: Option<PathBuf>,
    /// Insert events into the `events` table of the store at this path.
    pub store_path: Option<PathBuf>,
    /// Events that may wait in the queue; one more is dropped. Default 8192.
    pub capacity: usize,
    /// Most events written per batch (one `write`, one transaction).
    /// Default 256.
    pub batch_size: usize,
    /// How often the writer drains the queue. Default 20 ms.
    pub drain_interval: Duration,
    /// Keep at most this many events in the store, deleting the oldest.
    /// Default `None`: no bound by count.
    pub retain_events: Option<u64>,
    /// Delete stored events older than this. Default `None`.
    pub max_age: Option<Duration>,
    /// Delete the oldest stored events while the store file uses more than
    /// this many bytes. Default `None`.
    pub max_store_bytes: Option<u64>,
    /// Rotate the JSON-lines file before it grows past this many bytes.
    /// Default `None`: never.
    pub jsonl_max_bytes: Option<u64>,
    /// Rotated JSON-lines files kept (`events.jsonl.1` the newest). Default 4.
    pub jsonl_max_files: usize,
    /// Repeats of an event within this window are written as one event
    /// with a count (see [`aggregate`]). Default zero: every event written.
    pub aggregate_window: Duration,
    /// The time of aggregation windows and of retention by age.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SinkConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkConfig")
            .field("jsonl_path", &self.jsonl_path)
            .field("store_path", &self.store_path)
            .field("capacity", &self.capacity)
            .field("batch_size", &self.batch_size)
            .field("drain_interval", &self.drain_interval)
            .field("retain_events", &self.retain_events)
            .field("max_age", &self.max_age)
            .field("max_store_bytes", &self.max_store_bytes)
            .field("jsonl_max_bytes", &self.jsonl_max_bytes)
            .field("jsonl_max_files", &self.jsonl_max_files)
            .field("aggregate_window", &self.aggregate_window)
            .finish_non_exhaustive()
    }
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            jsonl_path: None,
            store_path: None,
            capacity: 8192,
            batch_size: 256,
            drain_interval: Duration::from_millis(20),
            retain_events: None,
            max_age: None,
            max_store_bytes: None,
            jsonl_max_bytes: None,
            jsonl_max_files: 4,
            aggregate_window: Duration::ZERO,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A snapshot of the sink's counters. Once the queue is drained (and
/// aggregation flushed), `received == written + write_errors + folded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SinkStats {
    /// Events refused because the queue was full or the sink had stopped.
    pub dropped: u64,
    /// Events the writer thread took from the queue.
    pub received: u64,
    /// Events every configured output wrote.
    pub written: u64,
    /// Events at least one output failed to write (each failure is logged).
    pub write_errors: u64,
    /// Events deleted from the store to honour its retention (count, age,
    /// size).
    pub pruned: u64,
    /// Events folded into another's `count` (not written as events of
    /// their own).
    pub folded: u64,
    /// JSON-lines files rotated.
    pub rotations: u64,
}

/// The counters shared by the senders, the writer thread and the sink handle.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    dropped: AtomicU64,
    received: AtomicU64,
    written: AtomicU64,
    write_errors: AtomicU64,
    pruned: AtomicU64,
    folded: AtomicU64,
    rotations: AtomicU64,
}

impl Counters {
    fn stats(&self) -> SinkStats {
        SinkStats {
            dropped: self.dropped.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
            written: self.written.load(Ordering::Relaxed),
            write_errors: self.write_errors.load(Ordering::Relaxed),
            pruned: self.pruned.load(Ordering::Relaxed),
            folded: self.folded.load(Ordering::Relaxed),
            rotations: self.rotations.load(Ordering::Relaxed),
        }
    }
}

/// Written events a live subscriber may be behind by before it loses the
/// oldest.
pub const TAP_CAPACITY: usize = 1024;

/// State shared between the handle, the senders and the writer thread.
#[derive(Debug)]
pub(crate) struct Shared {
    counters: Arc<Counters>,
    /// Set once by [`EventSink::shutdown`]: drain what is queued until then.
    stop_at: OnceLock<Instant>,
    /// Written events, for live subscribers.
    tap: broadcast::Sender<Arc<SecurityEvent>>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            counters: Arc::default(),
            stop_at: OnceLock::new(),
            tap: broadcast::channel(TAP_CAPACITY).0,
        }
    }
}

/// The request path's handle: cheap to clone, `send` never blocks.
#[derive(Debug, Clone)]
pub struct EventSender {
    queue: SyncSender<SecurityEvent>,
    shared: Arc<Shared>,
}

impl EventSender {
    /// Queues `event` for writing. Returns `false`, and counts a drop, when
    /// the queue is full or the sink is shutting down; never waits.
    pub fn send(&self, event: SecurityEvent) -> bool {
        let accepted = self.shared.stop_at.get().is_none()
            && match self.queue.try_send(event) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            };
        if !accepted {
            self.shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
        accepted
    }

    /// Events dropped so far (queue full or sink stopped).
    pub fn dropped(&self) -> u64 {
        self.shared.counters.dropped.load(Ordering::Relaxed)
    }

    /// All of the sink's counters.
    pub fn stats(&self) -> SinkStats {
        self.shared.counters.stats()
    }

    /// Every event written from now on, as it is written. A receiver more
    /// than [`TAP_CAPACITY`] events behind loses the oldest
    /// (`RecvError::Lagged` says how many); the stream ends when the sink
    /// stops.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<SecurityEvent>> {
        self.shared.tap.subscribe()
    }
}

/// What [`EventSink::shutdown`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// The writer wrote (or failed to write) everything queued and stopped
    /// before the deadline. When `false`, the thread is left to finish on its
    /// own and events still queued at the deadline are counted as dropped.
    pub drained: bool,
    /// The counters when `shutdown` returned.
    pub stats: SinkStats,
}

/// The handle that owns the writer thread.
///
/// The thread stops when every [`EventSender`] is dropped (after writing what
/// is queued) or on [`EventSink::shutdown`]. Dropping the handle leaves the
/// thread running until the senders are gone.
#[derive(Debug)]
pub struct EventSink {
    shared: Arc<Shared>,
    /// Disconnects when the writer thread ends, however it ends.
    finished: Receiver<()>,
    thread: JoinHandle<()>,
}

impl EventSink {
    /// Opens the configured outputs and starts the writer thread. Fails,
    /// naming the path, if the JSON-lines file cannot be opened for appending
    /// or the store cannot be opened.
    pub fn start(config: SinkConfig) -> Result<(EventSink, EventSender), SinkError> {
        let shared = Arc::new(Shared::default());
        let mut outputs: Vec<Box<dyn EventOutput>> = Vec::new();
        if let Some(path) = &config.jsonl_path {
            let rotation = config.jsonl_max_bytes.map(|max_bytes| Rotation {
                max_bytes,
                max_files: config.jsonl_max_files,
            });
            outputs.push(Box::new(JsonlOutput::open(
                path,
                rotation,
                Arc::clone(&shared.counters),
            )?));
        }
        if let Some(path) = &config.store_path {
            let store = Store::open(path)?;
            let retention = Retention {
                max_events: config.retain_events,
                max_age: config.max_age,
                max_bytes: config.max_store_bytes,
            };
            outputs.push(Box::new(StoreOutput::new(
                store,
                retention,
                Arc::clone(&config.clock),
                Arc::clone(&shared.counters),
            )?));
        }
        Self::start_with_outputs(&config, outputs, shared)
    }

    fn start_with_outputs(
        config: &SinkConfig,
        outputs: Vec<Box<dyn EventOutput>>,
        shared: Arc<Shared>,
    ) -> Result<(EventSink, EventSender), SinkError> {
        if outputs.is_empty() {
            return Err(SinkError::NoOutput);
        }
        if config.capacity == 0 {
            return Err(SinkError::ZeroSetting {
                setting: "queue capacity",
            });
        }
        if config.batch_size == 0 {
            return Err(SinkError::ZeroSetting {
                setting: "batch size",
            });
        }
        let (queue, events) = mpsc::sync_channel(config.capacity);
        let (finished_signal, finished) = mpsc::channel::<()>();
        let writer = worker::Writer::new(events, outputs, Arc::clone(&shared), config);
        let thread = std::thread::Builder::new()
            .name("rampart-events".to_string())
            .spawn(move || {
                // Dropped when the thread ends, even by panic.
                let _finished_signal = finished_signal;
                writer.run();
            })
            .map_err(SinkError::Spawn)?;
        let sender = EventSender {
            queue,
            shared: Arc::clone(&shared),
        };
        Ok((
            EventSink {
                shared,
                finished,
                thread,
            },
            sender,
        ))
    }

    /// All of the sink's counters.
    pub fn stats(&self) -> SinkStats {
        self.shared.counters.stats()
    }

    /// Stops accepting events, writes what is queued, and waits for the
    /// writer thread for at most `deadline`.
    pub fn shutdown(self, deadline: Duration) -> ShutdownReport {
        let stop_at = Instant::now() + deadline;
        let stop_at = *self.shared.stop_at.get_or_init(|| stop_at);
        let wait = stop_at.saturating_duration_since(Instant::now());
        let drained = match self.finished.recv_timeout(wait) {
            Err(mpsc::RecvTimeoutError::Timeout) => false,
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match self.thread.join() {
                Ok(()) => true,
                Err(_) => {
                    tracing::error!("the security event writer thread panicked");
                    false
                }
            },
        };
        ShutdownReport {
            drained,
            stats: self.shared.counters.stats(),
        }
    }
}

#[cfg(test)]
mod tests;
