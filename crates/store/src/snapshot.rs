//! Named, versioned JSON snapshots: how other components (the API inventory,
//! policy) persist their state in the same file without a table of their own.
//!
//! The version is the caller's format version, so a reader can tell whether it
//! understands what it loads. The JSON is checked by SQLite on write.

use crate::error::StoreError;
use crate::store::Store;
use rusqlite::OptionalExtension;

impl Store {
    /// Stores `json` under `name`, replacing any earlier snapshot of that
    /// name. Fails if `json` is not valid JSON.
    pub fn put_snapshot(&self, name: &str, version: u32, json: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO snapshots (name, version, json) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET version = excluded.version, \
                 json = excluded.json, updated_at = excluded.updated_at",
                (name, version, json),
            )
            .map(drop)
            .map_err(|source| StoreError::query(&self.path, "put_snapshot", source))
    }

    /// The format version and JSON last stored under `name`, if any.
    pub fn get_snapshot(&self, name: &str) -> Result<Option<(u32, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT version, json FROM snapshots WHERE name = ?1",
                (name,),
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|source| StoreError::query(&self.path, "get_snapshot", source))
    }
}
