//! The `events` table: security events written by the sink and read back by
//! the console, newest first, filtered (time, client, endpoint, action,
//! detector) and paged by id, or summed by client and by detector.
//!
//! Event fields come from clients (paths, hosts, evidence): they are bound as
//! parameters, never spliced into SQL, and read back byte for byte.

use crate::error::StoreError;
use crate::store::Store;
use rampart_core::{BotIdentity, Reason, Repeats, SecurityEvent};
use rusqlite::Row;
use serde::Deserialize;
use serde_json::value::RawValue;

const SELECT_EVENT: &str = "SELECT id, time, request_id, client_ip, method, host, path, route, \
                            action, status, score, reasons, count, first_time, last_time, bot, \
                            ja4 FROM events";

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

/// Which events [`Store::query_events`] returns; each field set narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Events at or after this time (RFC 3339 UTC with milliseconds, as
    /// stored).
    pub from: Option<String>,
    /// Events before this time.
    pub to: Option<String>,
    pub client_ip: Option<String>,
    pub action: Option<String>,
    /// A reason source (`sqli.union`) or a family of them (`sqli`).
    pub detector: Option<String>,
    /// Events on one endpoint: its method and path template (`/users/{id}`).
    pub endpoint: Option<(String, String)>,
    /// Only events whose id is below this (the previous page's last).
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// One client's events, as the console's top offenders list shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    pub client_ip: String,
    /// Exchanges the client's events stand for (repeats counted).
    pub events: u64,
    /// Of them, those refused (block, ban, rate limit, deception).
    pub blocked: u64,
    pub max_score: f64,
    pub last_time: String,
}

/// Actions that refused the exchange.
const REFUSING_ACTIONS: &str = "('block', 'ban', 'rate_limit', 'deceive')";

/// The `WHERE` of [`Store::query_events`]: each condition holds when its
/// parameter is NULL.
const EVENT_FILTER: &str = "(?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2) \
     AND (?3 IS NULL OR client_ip = ?3) AND (?4 IS NULL OR action = ?4) \
     AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(events.reasons) r \
          WHERE json_extract(r.value, '$.source') = ?5 \
             OR substr(json_extract(r.value, '$.source'), 1, length(?5) + 1) = ?5 || '.')) \
     AND (?6 IS NULL OR (method = ?6 AND path GLOB ?7 \
          AND length(path) - length(replace(path, '/', '')) = ?8)) \
     AND id < ?9";

/// A path template as a GLOB pattern: each `{param}` matches anything;
/// with the same number of slashes (checked beside it), anything within
/// one segment.
fn template_glob(template: &str) -> String {
    let mut glob = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' if !in_param => {
                in_param = true;
                glob.push('*');
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            '*' | '?' | '[' => {
                glob.push('[');
                glob.push(c);
                glob.push(']');
            }
            _ => glob.push(c),
        }
    }
    glob
}

/// A row as SQLite returns it, before its reasons JSON is decoded.
struct EventRow {
    id: i64,
    event: SecurityEvent,
    reasons_json: String,
    bot_json: Option<String>,
}

impl EventRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<EventRow> {
        Ok(EventRow {
            id: row.get("id")?,
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
                bot: None,
                ja4: row.get("ja4")?,
            },
            reasons_json: row.get("reasons")?,
            bot_json: row.get("bot")?,
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
                     route, action, status, score, reasons, count, first_time, last_time, bot, \
                     ja4) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .map_err(|source| StoreError::query(&self.path, "insert_events", source))?;
            for event in events {
                let repeats = event.repeats.as_ref();
                let unencodable = |column, source| StoreError::EventJson {
                    path: self.path.clone(),
                    request_id: event.request_id.clone(),
                    column,
                    source,
                };
                let reasons =
                    serde_json::to_string(&event.reasons).map_err(|e| unencodable("reasons", e))?;
                let bot = (event.bot.as_ref())
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(|e| unencodable("bot", e))?;
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
                        bot,
                        &event.ja4,
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

    /// The events `query` asks for with their ids, newest first (by id).
    pub fn query_events(
        &self,
        query: &EventQuery,
    ) -> Result<Vec<(i64, SecurityEvent)>, StoreError> {
        let (method, glob, slashes) = match &query.endpoint {
            Some((method, template)) => (
                Some(method.as_str()),
                Some(template_glob(template)),
                Some(template.matches('/').count() as i64),
            ),
            None => (None, None, None),
        };
        let rows = self.rows(
            "query_events",
            &format!("{SELECT_EVENT} WHERE {EVENT_FILTER} ORDER BY id DESC LIMIT ?10"),
            (
                query.from.as_deref(),
                query.to.as_deref(),
                query.client_ip.as_deref(),
                query.action.as_deref(),
                query.detector.as_deref(),
                method,
                glob,
                slashes,
                query.before_id.unwrap_or(i64::MAX),
                sql_limit(query.limit),
            ),
            EventRow::read,
        )?;
        rows.into_iter()
            .map(|row| Ok((row.id, self.event_from_row(row)?)))
            .collect()
    }

    /// The clients with the most events since `from` (RFC 3339), most
    /// first; `offset` skips the first ones (pagination).
    pub fn top_clients(
        &self,
        from: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<ClientSummary>, StoreError> {
        self.rows(
            "top_clients",
            &format!(
                "SELECT client_ip, sum(coalesce(count, 1)) AS n, \
                 sum(CASE WHEN action IN {REFUSING_ACTIONS} THEN coalesce(count, 1) ELSE 0 END), \
                 max(score), max(coalesce(last_time, time)) \
                 FROM events WHERE time >= ?1 GROUP BY client_ip \
                 ORDER BY n DESC, client_ip LIMIT ?2 OFFSET ?3"
            ),
            (from, sql_limit(limit), sql_limit(offset)),
            |row| {
                Ok(ClientSummary {
                    client_ip: row.get(0)?,
                    events: row.get::<_, i64>(1)?.max(0) as u64,
                    blocked: row.get::<_, i64>(2)?.max(0) as u64,
                    max_score: row.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
                    last_time: row.get(4)?,
                })
            },
        )
    }

    /// The reason sources (detectors, rules) behind the events since `from`,
    /// of one client or of all, with the exchanges they stand for, most
    /// first.
    pub fn top_sources(
        &self,
        from: &str,
        client_ip: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        self.rows(
            "top_sources",
            "SELECT json_extract(r.value, '$.source') AS source, \
                 sum(coalesce(e.count, 1)) AS n \
                 FROM events e, json_each(e.reasons) r \
                 WHERE e.time >= ?1 AND (?2 IS NULL OR e.client_ip = ?2) \
                 GROUP BY source ORDER BY n DESC, source LIMIT ?3",
            (from, client_ip, sql_limit(limit)),
            |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    row.get::<_, i64>(1)?.max(0) as u64,
                ))
            },
        )
    }

    /// The bot `client_ip` last declared itself to be in an event since
    /// `from`, if it declared one.
    pub fn latest_bot(
        &self,
        from: &str,
        client_ip: &str,
    ) -> Result<Option<BotIdentity>, StoreError> {
        let rows = self.rows(
            "latest_bot",
            "SELECT bot FROM events WHERE time >= ?1 AND client_ip = ?2 AND bot IS NOT NULL \
             ORDER BY id DESC LIMIT 1",
            (from, client_ip),
            |row| row.get::<_, String>(0),
        )?;
        rows.first()
            .map(|json| {
                serde_json::from_str(json).map_err(|source| StoreError::EventJson {
                    path: self.path.clone(),
                    request_id: format!("(latest of {client_ip})"),
                    column: "bot",
                    source,
                })
            })
            .transpose()
    }

    /// The reason sources behind the events since `from` by the method and
    /// path they hit, with the exchanges they stand for, most first: what
    /// the console names threats by (detector and the business flow of the
    /// endpoint).
    pub fn top_source_paths(
        &self,
        from: &str,
        limit: usize,
    ) -> Result<Vec<(String, String, String, u64)>, StoreError> {
        self.rows(
            "top_source_paths",
            "SELECT json_extract(r.value, '$.source') AS source, e.method, e.path, \
                 sum(coalesce(e.count, 1)) AS n \
                 FROM events e, json_each(e.reasons) r WHERE e.time >= ?1 \
                 GROUP BY source, e.method, e.path ORDER BY n DESC, source LIMIT ?2",
            (from, sql_limit(limit)),
            |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    row.get(1)?,
                    row.get(2)?,
                    row.get::<_, i64>(3)?.max(0) as u64,
                ))
            },
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
        self.rows(operation, sql, params, EventRow::read)?
            .into_iter()
            .map(|row| self.event_from_row(row))
            .collect()
    }

    fn event_from_row(&self, row: EventRow) -> Result<SecurityEvent, StoreError> {
        let mut event = row.event;
        let damaged = |column, source| StoreError::EventJson {
            path: self.path.clone(),
            request_id: event.request_id.clone(),
            column,
            source,
        };
        let reasons = decode_reasons(&row.reasons_json).map_err(|e| damaged("reasons", e))?;
        let bot = (row.bot_json.as_deref())
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| damaged("bot", e))?;
        event.reasons = reasons;
        event.bot = bot;
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

#[cfg(test)]
mod tests {
    use super::template_glob;

    #[test]
    fn a_template_globs_its_parameters_and_escapes_glob_characters() {
        assert_eq!(template_glob("/users/{id}/orders"), "/users/*/orders");
        assert_eq!(template_glob("/files/{name}.json"), "/files/*.json");
        assert_eq!(template_glob("/a*b?/[c]"), "/a[*]b[?]/[[]c]");
    }
}
