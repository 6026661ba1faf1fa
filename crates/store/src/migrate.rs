//! The schema, as an ordered list of migrations recorded in the file itself.
//!
//! Later components (API inventory, policy) add tables by appending a
//! [`Migration`] to [`MIGRATIONS`]; never edit or reorder a released one.
//! Opening a store applies what is missing in one immediate transaction, so two
//! processes opening the same new file at once cannot both migrate it.

use crate::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// One schema step: applied once, recorded in `schema_migrations`.
pub(crate) struct Migration {
    pub(crate) version: u32,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// Every schema step, oldest first; versions are 1, 2, 3...
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "security events",
        sql: "CREATE TABLE events (
                  id         INTEGER PRIMARY KEY,
                  time       TEXT NOT NULL,
                  request_id TEXT NOT NULL,
                  client_ip  TEXT NOT NULL,
                  method     TEXT NOT NULL,
                  host       TEXT NOT NULL,
                  path       TEXT NOT NULL,
                  route      TEXT NOT NULL,
                  action     TEXT NOT NULL,
                  status     INTEGER,
                  score      REAL,
                  reasons    TEXT NOT NULL
              );
              CREATE INDEX events_by_time ON events (time);
              CREATE INDEX events_by_client_ip ON events (client_ip, time);",
    },
    Migration {
        version: 2,
        name: "named snapshots",
        sql: "CREATE TABLE snapshots (
                  name       TEXT PRIMARY KEY,
                  version    INTEGER NOT NULL,
                  json       TEXT NOT NULL CHECK (json_valid(json)),
                  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
              );",
    },
    Migration {
        version: 3,
        name: "aggregated events",
        sql: "ALTER TABLE events ADD COLUMN count INTEGER;
              ALTER TABLE events ADD COLUMN first_time TEXT;
              ALTER TABLE events ADD COLUMN last_time TEXT;",
    },
    Migration {
        version: 4,
        name: "console: event filters, traffic per minute, audit trail",
        sql: "CREATE INDEX events_by_action ON events (action, id);
              CREATE TABLE traffic_minutes (
                  minute          INTEGER PRIMARY KEY,
                  requests        INTEGER NOT NULL DEFAULT 0,
                  blocked         INTEGER NOT NULL DEFAULT 0,
                  would_block     INTEGER NOT NULL DEFAULT 0,
                  rate_limited    INTEGER NOT NULL DEFAULT 0,
                  banned          INTEGER NOT NULL DEFAULT 0,
                  deceived        INTEGER NOT NULL DEFAULT 0,
                  upstream_errors INTEGER NOT NULL DEFAULT 0
              );
              CREATE TABLE audit (
                  id      INTEGER PRIMARY KEY,
                  time    TEXT NOT NULL,
                  actor   TEXT NOT NULL,
                  peer    TEXT NOT NULL,
                  method  TEXT NOT NULL,
                  path    TEXT NOT NULL,
                  status  INTEGER NOT NULL,
                  summary TEXT NOT NULL
              );",
    },
    Migration {
        version: 5,
        name: "policy history",
        sql: "CREATE TABLE policy_history (
                  version INTEGER PRIMARY KEY,
                  time    TEXT NOT NULL,
                  who     TEXT NOT NULL,
                  text    TEXT NOT NULL,
                  diff    TEXT NOT NULL
              );",
    },
    Migration {
        version: 6,
        name: "the bot identity of an event",
        sql: "ALTER TABLE events ADD COLUMN bot TEXT;",
    },
    Migration {
        version: 7,
        name: "the JA4 fingerprint of an event's TLS client",
        sql: "ALTER TABLE events ADD COLUMN ja4 TEXT;",
    },
];

/// The schema version this build writes.
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The newest migration recorded in the file; 0 for a new file.
pub(crate) fn recorded_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("SELECT max(version) FROM schema_migrations", [], |row| {
        row.get::<_, Option<u32>>(0)
    })
    .map(Option::unwrap_or_default)
}

/// Brings the file at `path` up to [`latest_version`]; returns the version it
/// was at before. Nothing is changed when a migration fails.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<u32, StoreError> {
    let open_error = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_error)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         );",
    )
    .map_err(open_error)?;
    let found = recorded_version(&tx).map_err(open_error)?;
    let known = latest_version();
    if found > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    for step in MIGRATIONS.iter().filter(|m| m.version > found) {
        let migration_error = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version: step.version,
            name: step.name,
            source,
        };
        tx.execute_batch(step.sql).map_err(migration_error)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            (step.version, step.name),
        )
        .map_err(migration_error)?;
    }
    tx.commit().map_err(open_error)?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one_without_gaps() {
        for (index, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.version as usize, index + 1, "migration {}", step.name);
        }
        assert_eq!(latest_version() as usize, MIGRATIONS.len());
    }
}
