//! The `events` table: security events written by the sink and read back by
//! the console, newest first, optionally for one client.
//!
//! Event fields come from clients (paths, hosts, evidence): they are bound as
//! parameters, never spliced into SQL, and read back byte for byte.

use crate::error::StoreError;
use crate::store::Store;
use rampart_core::{Reason, Repeats, SecurityEvent};
use rusqlite::Row;
use serde::Deserialize;
use serde_json::value::RawValue;

const SELECT_EVENT: &str = "SELECT id, time, request_id, client_ip, method, host, path, route, \
                            action, status, score, reasons, count, first_time, last_time \
                            FROM events";

/// A reason as stored in the `reasons` JSON column.
#[derive(Deserialize)]
struct StoredReason<'json> {
    source: String,
    location: String,
    evidence: String,
    /// The number exactly as written. serde_json writes the shortest text
    /// that reads back to the same `f64`, and `str::parse` reads it back
    /// exactly; serde_json's own float parser can be one ulp off. A score that
    /// was not finite was written as `null` and reads back as NaN.
    #[serde(borrow)]
    score: &'json RawValue,
    /// Absent from events written before reasons carried one: those were
    /// all sure.
    #[serde(default = "sure")]
    confidence: f64,
}

fn sure() -> f64 {
    1.0
}

/// A row as SQLite returns it, before its reasons JSON is decoded.
struct EventRow {
    event: SecurityEvent,
    reasons_json: String,
}

impl EventRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<EventRow> {
        Ok(EventRow {
            event: SecurityEvent {
                time: row.get("time")?,
                request_id: row.get("request_id")?,
                client_ip: row.get("client_ip")?,
                method: row.get("method")?,
                host: row.get("host")?,
                path: row.get("path")?,
                route: row.get("route")?,
                action: row.get("action")?,
                status: row.get("status")?,
                reasons: Vec::new(),
                // SQLite stores NaN as NULL.
                score: row.get::<_, Option<f64>>("score")?.unwrap_or(f64::NAN),
                repeats: match (
                    row.get::<_, Option<u64>>("count")?,
                    row.get::<_, Option<String>>("first_time")?,
                    row.get::<_, Option<String>>("last_time")?,
                ) {
                    (Some(count), Some(first_time), Some(last_time)) => Some(Repeats {
                        count,
                        first_time,
                        last_time,
                    }),
                    _ => None,
                },
            },
            reasons_json: row.get("reasons")?,
        })
    }
}

impl Store {
    /// Appends `events` in one transaction: all of them are stored or none.
    pub fn insert_events(&mut self, events: &[SecurityEvent]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StoreError::query(&self.path, "insert_events", source))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (time, request_id, client_ip, method, host, path, \
                     route, action, status, score, reasons, count, first_time, last_time) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .map_err(|source| StoreError::query(&self.path, "insert_events", source))?;
            for event in events {
                let repeats = event.repeats.as_ref();
                let reasons = serde_json::to_string(&event.reasons).map_err(|source| {
                    StoreError::ReasonsJson {
                        path: self.path.clone(),
                        request_id: event.request_id.clone(),
                        source,
                    }
                })?;
                insert
                    .execute((
                        &event.time,
                        &event.request_id,
                        &event.client_ip,
                        &event.method,
                        &event.host,
                        &event.path,
                        &event.route,
                        &event.action,
                        event.status,
                        event.score,
                        reasons,
                        repeats.map(|r| r.count),
                        repeats.map(|r| &r.first_time),
                        repeats.map(|r| &r.last_time),
                    ))
                    .map_err(|source| StoreError::query(&self.path, "insert_events", source))?;
            }
        }
        tx.commit()
            .map_err(|source| StoreError::query(&self.path, "insert_events", source))
    }

    /// The `limit` most recent events, newest first (by event time, then by
    /// insertion order).
    pub fn recent_events(&self, limit: usize) -> Result<Vec<SecurityEvent>, StoreError> {
        self.select_events(
            "recent_events",
            &format!("{SELECT_EVENT} ORDER BY time DESC, id DESC LIMIT ?1"),
            (sql_limit(limit),),
        )
    }

    /// The `limit` most recent events from `client_ip` (exact match), newest
    /// first.
    pub fn events_from_client(
        &self,
        client_ip: &str,
        limit: usize,
    ) -> Result<Vec<SecurityEvent>, StoreError> {
        self.select_events(
            "events_from_client",
            &format!("{SELECT_EVENT} WHERE client_ip = ?1 ORDER BY time DESC, id DESC LIMIT ?2"),
            (client_ip, sql_limit(limit)),
        )
    }

    /// How many events the store holds.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM events", [], |row| row.get(0))
            .map_err(|source| StoreError::query(&self.path, "event_count", source))
    }

    /// Deletes the oldest events (by insertion) so that at most `keep` remain;
    /// returns how many were deleted.
    pub fn prune_events(&self, keep: u64) -> Result<u64, StoreError> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        self.conn
            .execute(
                "DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?1",
                (keep,),
            )
            .map(|deleted| deleted as u64)
            .map_err(|source| StoreError::query(&self.path, "prune_events", source))
    }

    /// Deletes the events whose time is before `cutoff_millis` (the time
    /// column holds RFC 3339 UTC with milliseconds, which sorts as text);
    /// returns how many were deleted.
    pub fn prune_events_before(&self, cutoff_millis: u64) -> Result<u64, StoreError> {
        let cutoff = rampart_core::event::rfc3339_millis(cutoff_millis);
        self.conn
            .execute("DELETE FROM events WHERE time < ?1", (cutoff,))
            .map(|deleted| deleted as u64)
            .map_err(|source| StoreError::query(&self.path, "prune_events_before", source))
    }

    /// Bytes of the file in use (pages not on the free list). Deleted rows
    /// free pages that later writes reuse: the file stops growing, it is
    /// not shrunk.
    pub fn used_bytes(&self) -> Result<u64, StoreError> {
        let pragma = |name: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
                .map_err(|source| StoreError::query(&self.path, "used_bytes", source))
        };
        let pages = pragma("page_count")?.saturating_sub(pragma("freelist_count")?);
        Ok(pages.saturating_mul(pragma("page_size")?))
    }

    /// Deletes the oldest events, a tenth of them at a time, until the file
    /// uses at most `max_bytes` or no event is left; returns how many were
    /// deleted.
    pub fn prune_events_to_size(&self, max_bytes: u64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        while self.used_bytes()? > max_bytes {
            let count = self.event_count()?;
            if count == 0 {
                break;
            }
            let pruned = self.prune_events(count - count.div_ceil(10))?;
            if pruned == 0 {
                break;
            }
            deleted += pruned;
        }
        Ok(deleted)
    }

    fn select_events(
        &self,
        operation: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<SecurityEvent>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(sql)
            .map_err(|source| StoreError::query(&self.path, operation, source))?;
        let rows = statement
            .query_map(params, EventRow::read)
            .map_err(|source| StoreError::query(&self.path, operation, source))?;
        let mut events = Vec::new();
        for row in rows {
            let row = row.map_err(|source| StoreError::query(&self.path, operation, source))?;
            events.push(self.event_from_row(row)?);
        }
        Ok(events)
    }

    fn event_from_row(&self, row: EventRow) -> Result<SecurityEvent, StoreError> {
        let mut event = row.event;
        event.reasons =
            decode_reasons(&row.reasons_json).map_err(|source| StoreError::ReasonsJson {
                path: self.path.clone(),
                request_id: event.request_id.clone(),
                source,
            })?;
        Ok(event)
    }
}

fn decode_reasons(json: &str) -> Result<Vec<Reason>, serde_json::Error> {
    let stored: Vec<StoredReason> = serde_json::from_str(json)?;
    stored
        .into_iter()
        .map(|r| {
            let score = stored_score(r.score)?;
            Ok(Reason::new(r.source, r.location, r.evidence, score).with_confidence(r.confidence))
        })
        .collect()
}

/// Reads a stored reason score: `null` (not finite when written) is NaN.
fn stored_score(raw: &RawValue) -> Result<f64, serde_json::Error> {
    match raw.get() {
        "null" => Ok(f64::NAN),
        // Only a JSON number parses; anything else gets serde_json's error.
        text => text.parse().or_else(|_| serde_json::from_str(text)),
    }
}

/// Converts a caller's row limit to SQLite's integer, saturating.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
