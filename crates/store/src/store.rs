//! Opening the embedded SQLite file: one place that sets the connection up the
//! same way for every caller (WAL, busy timeout, current schema).
//!
//! Each component opens its own [`Store`] on the same file: WAL lets readers
//! (the console) run beside the one writer, and the busy timeout makes writers
//! from different components wait for each other instead of failing.

use crate::error::StoreError;
use crate::migrate;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a statement waits for another connection's write lock before
/// failing with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection to the embedded store: security events and named snapshots.
///
/// A `Store` is `Send` but not `Sync`: give each thread its own.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up
    /// to date. The parent directory must exist. Errors name `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        // No SQLITE_OPEN_URI: a configured path is a path, never a `file:` URI.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        let journal_mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_error)?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), journal_mode, "store is not in WAL mode: readers will block the writer");
        }
        // With WAL, NORMAL only syncs at checkpoints: a power cut can lose the
        // last commits but never corrupts the file.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        migrate::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    /// Truncates the write-ahead log back to `bytes` after each checkpoint.
    pub fn limit_wal(&self, bytes: u64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "journal_size_limit", bytes)
            .map_err(|source| StoreError::query(&self.path, "limit_wal", source))
    }

    /// The file this store was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs a query and reads each row with `read`; errors name `operation`.
    pub(crate) fn rows<T>(
        &self,
        operation: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let error = |source| StoreError::query(&self.path, operation, source);
        let mut statement = self.conn.prepare_cached(sql).map_err(error)?;
        let rows = statement.query_map(params, read).map_err(error)?;
        rows.collect::<Result<_, _>>().map_err(error)
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrate::recorded_version(&self.conn)
            .map_err(|source| StoreError::query(&self.path, "schema_version", source))
    }
}
