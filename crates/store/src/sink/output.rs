//! Where the writer thread puts a batch of events: a JSON-lines file (rotated
//! by size) and the SQLite store (trimmed by count, age and size), behind one
//! small trait so the writer treats them alike (and a webhook or syslog
//! output can be added the same way).

use crate::error::{SinkError, StoreError};
use crate::sink::Counters;
use crate::store::Store;
use rampart_core::{Clock, SecurityEvent};
use std::fs::{File, OpenOptions};
use std::io::Write;
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

/// When the JSON-lines file is rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rotation {
    /// A batch that would take the file past this starts a new file (a
    /// batch is never split, so an empty file takes one whole batch).
    pub(crate) max_bytes: u64,
    /// Rotated files kept: `PATH.1` (the newest) to `PATH.N`; zero keeps
    /// none (the file is started afresh).
    pub(crate) max_files: usize,
}

/// Appends one JSON object per line, one `write` per batch.
pub(crate) struct JsonlOutput {
    path: PathBuf,
    file: File,
    /// Bytes in the current file.
    size: u64,
    rotation: Option<Rotation>,
    counters: Arc<Counters>,
    /// Reused between batches.
    buffer: Vec<u8>,
    /// A failed write may have left half a line: start the next batch on a
    /// fresh line so that only the damaged line is lost.
    may_end_mid_line: bool,
}

impl JsonlOutput {
    /// Opens (creating if needed) `path` for appending. A new file is readable
    /// by its owner and group only: events quote what attackers sent.
    pub(crate) fn open(
        path: &Path,
        rotation: Option<Rotation>,
        counters: Arc<Counters>,
    ) -> Result<JsonlOutput, SinkError> {
        let (file, size) = append_to(path).map_err(|source| SinkError::OpenJsonl {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(JsonlOutput {
            path: path.to_path_buf(),
            file,
            size,
            rotation,
            counters,
            buffer: Vec::new(),
            may_end_mid_line: false,
        })
    }

    fn io_error(&self, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Shifts `PATH.1`... up by one (dropping the oldest), moves the
    /// current file to `PATH.1` and starts a new one.
    fn rotate(&mut self, max_files: usize) -> std::io::Result<()> {
        let numbered = |n: usize| {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        if max_files == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            match std::fs::remove_file(numbered(max_files)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            for n in (1..max_files).rev() {
                match std::fs::rename(numbered(n), numbered(n + 1)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        (self.file, self.size) = append_to(&self.path)?;
        self.may_end_mid_line = false;
        self.counters.rotations.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Encodes the batch into `buffer`, skipping (and reporting) any event
    /// that cannot be encoded.
    fn encode(&mut self, events: &[SecurityEvent]) -> Option<OutputError> {
        self.buffer.clear();
        if self.may_end_mid_line {
            self.buffer.push(b'\n');
        }
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
                            path: self.path.clone(),
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
        if let Some(rotation) = self.rotation {
            if self.size > 0 && self.size + self.buffer.len() as u64 > rotation.max_bytes {
                self.rotate(rotation.max_files)
                    .map_err(|source| self.io_error(source))?;
                // The new file starts on a fresh line.
                if self.buffer.first() == Some(&b'\n') {
                    self.buffer.remove(0);
                }
            }
        }
        let written = self
            .file
            .write_all(&self.buffer)
            .and_then(|()| self.file.flush());
        self.may_end_mid_line = written.is_err();
        written.map_err(|source| self.io_error(source))?;
        self.size += self.buffer.len() as u64;
        encode_failure.map_or(Ok(()), Err)
    }
}

/// Opens (creating if needed) `path` for appending, with its current size.
/// A new file is readable by its owner and group only: events quote what
/// attackers sent.
fn append_to(path: &Path) -> std::io::Result<(File, u64)> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let file = options.open(path)?;
    let size = file.metadata()?.len();
    Ok((file, size))
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
