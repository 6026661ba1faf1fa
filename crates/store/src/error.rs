//! Typed errors for the store and the sink. Every error names the file it is
//! about, because an operator reading a log line has to know which one to fix.

use std::path::{Path, PathBuf};

/// What can go wrong with the embedded SQLite store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or configured (missing directory, no
    /// permission, not a SQLite database, locked for longer than the busy
    /// timeout...).
    #[error("cannot open store {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer Rampart whose schema this build does
    /// not know; refusing to touch it protects the newer data.
    #[error("store {path} has schema version {found}, newer than the {known} this build knows")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    /// A schema migration failed; the store is left at the previous version.
    #[error("store {path}: migration {version} ({name}) failed: {source}")]
    Migration {
        path: PathBuf,
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// A read or write on an open store failed.
    #[error("store {path}: {operation} failed: {source}")]
    Query {
        path: PathBuf,
        operation: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// An event's reasons or bot identity could not be encoded to JSON, or
    /// a stored `reasons` or `bot` column is not the JSON this crate writes
    /// (the file was edited or damaged).
    #[error("store {path}: the {column} of event {request_id:?} are not valid JSON: {source}")]
    EventJson {
        path: PathBuf,
        request_id: String,
        /// `reasons` or `bot`.
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl StoreError {
    /// A failed statement on the open store at `path`.
    pub(crate) fn query(path: &Path, operation: &'static str, source: rusqlite::Error) -> Self {
        StoreError::Query {
            path: path.to_path_buf(),
            operation,
            source,
        }
    }
}

/// What can stop the event sink from starting.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The JSON-lines file could not be opened for appending.
    #[error("cannot open event log {path} for appending: {source}")]
    OpenJsonl {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The SQLite store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Neither a JSON-lines file nor a store was configured: events would be
    /// accepted and thrown away.
    #[error("event sink has no output: configure a JSON-lines path, a store path, or both")]
    NoOutput,
    /// A queue capacity or batch size of zero cannot carry events.
    #[error("event sink {setting} must be at least 1")]
    ZeroSetting { setting: &'static str },
    /// The operating system refused to start the writer thread.
    #[error("cannot start the event writer thread: {0}")]
    Spawn(#[source] std::io::Error),
}
