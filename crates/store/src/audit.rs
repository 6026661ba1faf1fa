//! The `audit` table: every change an operator made through the admin API
//! (a ban, a lift, an inventory decision, ingested traffic), who made it (the
//! token's name and the peer address), what (method, path, a summary of the
//! body, the answer's status) and when. Rows are only ever added.

use crate::error::StoreError;
use crate::store::Store;
use serde::Serialize;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// RFC 3339 UTC with milliseconds.
    pub time: String,
    /// The name of the admin token used.
    pub actor: String,
    /// The peer address of the request.
    pub peer: String,
    pub method: String,
    pub path: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What the body asked for, shortened.
    pub summary: String,
}

impl Store {
    /// Records one change; returns its id.
    pub fn insert_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO audit (time, actor, peer, method, path, status, summary) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (
                    &entry.time,
                    &entry.actor,
                    &entry.peer,
                    &entry.method,
                    &entry.path,
                    entry.status,
                    &entry.summary,
                ),
            )
            .map(|_| self.conn.last_insert_rowid())
            .map_err(|source| StoreError::query(&self.path, "insert_audit", source))
    }

    /// Up to `limit` entries, newest first, with ids below `before_id`
    /// when given (cursor pagination).
    pub fn audit_entries(
        &self,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            "audit_entries",
            "SELECT id, time, actor, peer, method, path, status, summary FROM audit \
                 WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
            (before_id.unwrap_or(i64::MAX), limit),
            |row| {
                Ok((
                    row.get(0)?,
                    AuditEntry {
                        time: row.get(1)?,
                        actor: row.get(2)?,
                        peer: row.get(3)?,
                        method: row.get(4)?,
                        path: row.get(5)?,
                        status: row.get(6)?,
                        summary: row.get(7)?,
                    },
                ))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_newest_first_page_by_page() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("a.db")).unwrap();
        for i in 0..3 {
            let entry = AuditEntry {
                time: format!("2026-01-01T00:00:0{i}.000Z"),
                actor: "admin".into(),
                peer: "127.0.0.1:5000".into(),
                method: "POST".into(),
                path: "/api/bans".into(),
                status: 201,
                summary: format!("{{\"user\":\"u{i}\"}}"),
            };
            store.insert_audit(&entry).unwrap();
        }
        let first = store.audit_entries(None, 2).unwrap();
        assert_eq!(first.len(), 2);
        assert!(first[0].1.summary.contains("u2"));
        let rest = store.audit_entries(Some(first[1].0), 2).unwrap();
        assert_eq!(rest.len(), 1);
        assert!(rest[0].1.summary.contains("u0"));
    }
}
