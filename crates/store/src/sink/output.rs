//! Where the writer thread puts a batch of events: a JSON-lines file and the
//! SQLite store, behind one small trait so the writer treats them alike (and a
//! webhook or syslog output can be added the same way).

use crate::error::{SinkError, StoreError};
use crate::sink::Counters;
use crate::store::Store;
use rampart_core::SecurityEvent;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

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
    path: PathBuf,
    file: File,
    /// Reused between batches.
    buffer: Vec<u8>,
    /// A failed write may have left half a line: start the next batch on a
    /// fresh line so that only the damaged line is lost.
    may_end_mid_line: bool,
}

impl JsonlOutput {
    /// Opens (creating if needed) `path` for appending. A new file is readable
    /// by its owner and group only: events quote what attackers sent.
    pub(crate) fn open(path: &Path) -> Result<JsonlOutput, SinkError> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
        let file = options.open(path).map_err(|source| SinkError::OpenJsonl {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(JsonlOutput {
            path: path.to_path_buf(),
            file,
            buffer: Vec::new(),
            may_end_mid_line: false,
        })
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
        let written = self
            .file
            .write_all(&self.buffer)
            .and_then(|()| self.file.flush());
        self.may_end_mid_line = written.is_err();
        written.map_err(|source| OutputError::Io {
            path: self.path.clone(),
            source,
        })?;
        encode_failure.map_or(Ok(()), Err)
    }
}

/// Inserts each batch in one transaction, then trims the table to the
/// configured number of events.
pub(crate) struct StoreOutput {
    store: Store,
    retain: Option<u64>,
    counters: Arc<Counters>,
}

impl StoreOutput {
    pub(crate) fn new(store: Store, retain: Option<u64>, counters: Arc<Counters>) -> StoreOutput {
        StoreOutput {
            store,
            retain,
            counters,
        }
    }
}

impl EventOutput for StoreOutput {
    fn write_batch(&mut self, events: &[SecurityEvent]) -> Result<(), OutputError> {
        self.store.insert_events(events)?;
        // The batch is stored either way: a failed trim is retried with the
        // next batch and does not count against these events.
        if let Some(keep) = self.retain {
            match self.store.prune_events(keep) {
                Ok(pruned) => {
                    self.counters.pruned.fetch_add(pruned, Ordering::Relaxed);
                }
                Err(error) => tracing::warn!(%error, "cannot trim stored security events"),
            }
        }
        Ok(())
    }
}
