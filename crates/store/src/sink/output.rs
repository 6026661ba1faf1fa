//! Where the writer thread puts a batch of events: a JSON-lines file (rotated
//! by size) and the SQLite store (trimmed by count, age and size), behind one
//! small trait so the writer treats them alike (and a webhook or syslog
//! output can be added the same way).

use crate::error::{SinkError, StoreError};
use crate::jsonl::{JsonlFile, Rotation};
use crate::sink::Counters;
use crate::store::Store;
use rampart_core::{Clock, SecurityEvent};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The WAL is truncated back to this after a checkpoint, so that a burst
/// does not leave a large `-wal` file beside the store.
const WAL_SIZE_LIMIT: u64 = 64 << 20;

/// Why an output could not write a whole batch.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {count} events could not be encoded as JSON; first error: {first}")]
    Encode {
        path: PathBuf,
        count: usize,
        first: serde_json::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One destination for security events, owned by the writer thread.
pub(crate) trait EventOutput: Send {
    /// Writes every event of the batch, or reports why it could not.
    fn write_batch(&mut self, events: &[SecurityEvent]) -> Result<(), OutputError>;
}

/// Appends one JSON object per line, one `write` per batch.
pub(crate) struct JsonlOutput {
    file: JsonlFile,
    counters: Arc<Counters>,
    /// Reused between batches.
    buffer: Vec<u8>,
}

impl JsonlOutput {
    /// Opens (creating if needed) `path` for appending.
    pub(crate) fn open(
        path: &Path,
        rotation: Option<Rotation>,
        counters: Arc<Counters>,
    ) -> Result<JsonlOutput, SinkError> {
        let file = JsonlFile::open(path, rotation).map_err(|source| SinkError::OpenJsonl {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(JsonlOutput {
            file,
            counters,
            buffer: Vec::new(),
        })
    }

    fn path(&self) -> PathBuf {
        self.file.path().to_path_buf()
    }

    /// Encodes the batch into `buffer`, skipping (and reporting) any event
    /// that cannot be encoded.
    fn encode(&mut self, events: &[SecurityEvent]) -> Option<OutputError> {
        self.buffer.clear();
        let mut failure: Option<OutputError> = None;
        for event in events {
            let line_start = self.buffer.len();
            match serde_json::to_writer(&mut self.buffer, event) {
                Ok(()) => self.buffer.push(b'\n'),
                Err(error) => {
                    self.buffer.truncate(line_start);
                    failure = Some(match failure {
                        Some(OutputError::Encode { path, count, first }) => OutputError::Encode {
                            path,
                            count: count + 1,
                            first,
                        },
                        _ => OutputError::Encode {
                            path: self.path(),
                            count: 1,
                            first: error,
                        },
                    });
                }
            }
        }
        failure
    }
}

impl EventOutput for JsonlOutput {
    fn write_batch(&mut self, events: &[SecurityEvent]) -> Result<(), OutputError> {
        let encode_failure = self.encode(events);
        let rotated = self
            .file
            .append(&self.buffer)
            .map_err(|source| OutputError::Io {
                path: self.path(),
                source,
            })?;
        if rotated {
            self.counters.rotations.fetch_add(1, Ordering::Relaxed);
        }
        encode_failure.map_or(Ok(()), Err)
    }
}

/// How much the store keeps; each bound is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retention {
    pub(crate) max_events: Option<u64>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_bytes: Option<u64>,
}

/// Inserts each batch in one transaction, then trims the table to the
/// retention's bounds.
pub(crate) struct StoreOutput {
    store: Store,
    retention: Retention,
    clock: Arc<dyn Clock>,
    counters: Arc<Counters>,
}

impl StoreOutput {
    pub(crate) fn new(
        store: Store,
        retention: Retention,
        clock: Arc<dyn Clock>,
        counters: Arc<Counters>,
    ) -> Result<StoreOutput, StoreError> {
        store.limit_wal(WAL_SIZE_LIMIT)?;
        Ok(StoreOutput {
            store,
            retention,
            clock,
            counters,
        })
    }

    /// Applies every bound of the retention; how many events went.
    fn trim(&self) -> Result<u64, StoreError> {
        let mut pruned = 0;
        if let Some(age) = self.retention.max_age {
            let now = self.clock.now_millis();
            let age = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
            pruned += self.store.prune_events_before(now.saturating_sub(age))?;
        }
        if let Some(keep) = self.retention.max_events {
            pruned += self.store.prune_events(keep)?;
        }
        if let Some(max_bytes) = self.retention.max_bytes {
            pruned += self.store.prune_events_to_size(max_bytes)?;
        }
        Ok(pruned)
    }
}

impl EventOutput for StoreOutput {
    fn write_batch(&mut self, events: &[SecurityEvent]) -> Result<(), OutputError> {
        self.store.insert_events(events)?;
        // The batch is stored either way: a failed trim is retried with the
        // next batch and does not count against these events.
        match self.trim() {
            Ok(pruned) => {
                self.counters.pruned.fetch_add(pruned, Ordering::Relaxed);
            }
            Err(error) => tracing::warn!(%error, "cannot trim stored security events"),
        }
        Ok(())
    }
}
