//! The `traffic_minutes` table: how many requests the gateway answered in
//! each minute and how many of them it blocked, held back (monitor), rate
//! limited, refused as banned, deceived or failed upstream. The gateway adds
//! its counters once a minute (and at shutdown); the console draws traffic
//! and mitigation over time from it without any metrics system.

use crate::error::StoreError;
use crate::store::Store;
use serde::Serialize;

/// Counts of one minute (or of any span, summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrafficCounts {
    pub requests: u64,
    pub blocked: u64,
    /// Decisions monitor mode held back (`would_block`, `would_ban`, ...).
    pub would_block: u64,
    pub rate_limited: u64,
    /// Requests and connections refused because the client was banned.
    pub banned: u64,
    pub deceived: u64,
    pub upstream_errors: u64,
}

impl TrafficCounts {
    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        *self == TrafficCounts::default()
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &TrafficCounts) {
        self.requests += other.requests;
        self.blocked += other.blocked;
        self.would_block += other.would_block;
        self.rate_limited += other.rate_limited;
        self.banned += other.banned;
        self.deceived += other.deceived;
        self.upstream_errors += other.upstream_errors;
    }
}

/// SQLite integers are signed: counts saturate.
fn sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Store {
    /// Adds `counts` to the minute starting at `minute_millis` (ms since
    /// the epoch, a multiple of 60 000).
    pub fn add_traffic(
        &self,
        minute_millis: u64,
        counts: &TrafficCounts,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO traffic_minutes (minute, requests, blocked, would_block, \
                 rate_limited, banned, deceived, upstream_errors) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (minute) DO UPDATE SET \
                 requests = requests + excluded.requests, \
                 blocked = blocked + excluded.blocked, \
                 would_block = would_block + excluded.would_block, \
                 rate_limited = rate_limited + excluded.rate_limited, \
                 banned = banned + excluded.banned, \
                 deceived = deceived + excluded.deceived, \
                 upstream_errors = upstream_errors + excluded.upstream_errors",
                (
                    sql(minute_millis),
                    sql(counts.requests),
                    sql(counts.blocked),
                    sql(counts.would_block),
                    sql(counts.rate_limited),
                    sql(counts.banned),
                    sql(counts.deceived),
                    sql(counts.upstream_errors),
                ),
            )
            .map(drop)
            .map_err(|source| StoreError::query(&self.path, "add_traffic", source))
    }

    /// The minutes in `[from_millis, to_millis)` that have counts, oldest
    /// first, at most `limit`.
    pub fn traffic_between(
        &self,
        from_millis: u64,
        to_millis: u64,
        limit: usize,
    ) -> Result<Vec<(u64, TrafficCounts)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            "traffic_between",
            "SELECT minute, requests, blocked, would_block, rate_limited, banned, \
                 deceived, upstream_errors FROM traffic_minutes \
                 WHERE minute >= ?1 AND minute < ?2 ORDER BY minute LIMIT ?3",
            (sql(from_millis), sql(to_millis), limit),
            |row| {
                let count = |i: usize| row.get::<_, i64>(i).map(|v| v.max(0) as u64);
                Ok((
                    count(0)?,
                    TrafficCounts {
                        requests: count(1)?,
                        blocked: count(2)?,
                        would_block: count(3)?,
                        rate_limited: count(4)?,
                        banned: count(5)?,
                        deceived: count(6)?,
                        upstream_errors: count(7)?,
                    },
                ))
            },
        )
    }

    /// Deletes the minutes before `cutoff_millis`; returns how many.
    pub fn prune_traffic_before(&self, cutoff_millis: u64) -> Result<u64, StoreError> {
        self.conn
            .execute(
                "DELETE FROM traffic_minutes WHERE minute < ?1",
                (sql(cutoff_millis),),
            )
            .map(|deleted| deleted as u64)
            .map_err(|source| StoreError::query(&self.path, "prune_traffic_before", source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_a_minute_add_up_and_old_minutes_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db")).unwrap();
        let one = TrafficCounts {
            requests: 3,
            blocked: 1,
            ..TrafficCounts::default()
        };
        store.add_traffic(60_000, &one).unwrap();
        store.add_traffic(60_000, &one).unwrap();
        store.add_traffic(120_000, &one).unwrap();
        let rows = store.traffic_between(0, 180_000, 10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 60_000);
        assert_eq!(rows[0].1.requests, 6);
        assert_eq!(rows[0].1.blocked, 2);
        assert_eq!(store.prune_traffic_before(120_000).unwrap(), 1);
        assert_eq!(store.traffic_between(0, 180_000, 10).unwrap().len(), 1);
    }
}
