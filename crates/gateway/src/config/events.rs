//! `[events]`: where security events go, which exchanges become one, and
//! how much disk they may take (SQLite retention by age and size, JSON-lines
//! rotation, aggregation of repeats). The defaults bound the disk: a flood
//! cannot fill it.

use super::raw::RawEvents;
use super::Validator;
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_QUEUE_CAPACITY: usize = 10_000;
const DEFAULT_MIN_SIGNAL_SCORE: f64 = 3.0;
const DEFAULT_AGGREGATE_WINDOW: Duration = Duration::from_secs(10);
const DEFAULT_JSONL_MAX_BYTES: u64 = 100 << 20;
const DEFAULT_JSONL_MAX_FILES: usize = 4;
const DEFAULT_SQLITE_MAX_AGE: Duration = Duration::from_secs(30 * 86_400);
const DEFAULT_SQLITE_MAX_BYTES: u64 = 1 << 30;
/// Below this a JSON-lines file would rotate every few events.
const MIN_JSONL_MAX_BYTES: u64 = 64 << 10;
/// Below this the store's inventory alone could leave no room for events.
const MIN_SQLITE_MAX_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct EventSettings {
    pub jsonl: Option<PathBuf>,
    pub sqlite: Option<PathBuf>,
    pub queue_capacity: usize,
    /// An exchange let through is an event from this anomaly score up.
    pub min_signal_score: f64,
    /// Repeats of an event within this window are written as one, with a
    /// count; zero writes every event.
    pub aggregate_window: Duration,
    /// The JSON-lines file is rotated when it would grow past this.
    pub jsonl_max_bytes: u64,
    /// Rotated JSON-lines files kept beside the live one.
    pub jsonl_max_files: usize,
    /// Stored events older than this are deleted.
    pub sqlite_max_age: Duration,
    /// The oldest stored events are deleted while the store is larger.
    pub sqlite_max_bytes: u64,
}

impl Validator<'_> {
    pub(super) fn events(&mut self, raw: RawEvents) -> EventSettings {
        let queue_capacity = raw.queue_capacity.unwrap_or(DEFAULT_QUEUE_CAPACITY);
        if queue_capacity == 0 || queue_capacity > 10_000_000 {
            self.problem(
                "events.queue_capacity",
                format!("expected a number between 1 and 10000000, got {queue_capacity}"),
            );
        }
        let min_signal_score = raw.min_signal_score.unwrap_or(DEFAULT_MIN_SIGNAL_SCORE);
        if !min_signal_score.is_finite() || min_signal_score < 0.0 {
            self.problem(
                "events.min_signal_score",
                format!("expected a score of 0 or more, got {min_signal_score}"),
            );
        }
        let jsonl_max_bytes = raw.jsonl_max_bytes.map_or(DEFAULT_JSONL_MAX_BYTES, |b| b.0);
        if jsonl_max_bytes < MIN_JSONL_MAX_BYTES {
            self.problem(
                "events.jsonl_max_bytes",
                format!("expected a size of at least 64KiB, got {jsonl_max_bytes} bytes"),
            );
        }
        let jsonl_max_files = raw.jsonl_max_files.unwrap_or(DEFAULT_JSONL_MAX_FILES);
        if jsonl_max_files > 1000 {
            self.problem(
                "events.jsonl_max_files",
                format!("expected a number between 0 and 1000, got {jsonl_max_files}"),
            );
        }
        let sqlite_max_age = raw.sqlite_max_age.map_or(DEFAULT_SQLITE_MAX_AGE, |d| d.0);
        let sqlite_max_age = self.positive("events.sqlite_max_age", sqlite_max_age);
        let sqlite_max_bytes = raw
            .sqlite_max_bytes
            .map_or(DEFAULT_SQLITE_MAX_BYTES, |b| b.0);
        if sqlite_max_bytes < MIN_SQLITE_MAX_BYTES {
            self.problem(
                "events.sqlite_max_bytes",
                format!("expected a size of at least 1MiB, got {sqlite_max_bytes} bytes"),
            );
        }
        if raw.jsonl.is_none() && (raw.jsonl_max_bytes.is_some() || raw.jsonl_max_files.is_some()) {
            self.warn(
                "events",
                "jsonl_max_bytes and jsonl_max_files have no effect without events.jsonl",
            );
        }
        if raw.sqlite.is_none() && (raw.sqlite_max_age.is_some() || raw.sqlite_max_bytes.is_some())
        {
            self.warn(
                "events",
                "sqlite_max_age and sqlite_max_bytes have no effect without events.sqlite",
            );
        }
        if raw.jsonl.is_none() && raw.sqlite.is_none() {
            for (key, set) in [
                ("min_signal_score", raw.min_signal_score.is_some()),
                ("aggregate_window", raw.aggregate_window.is_some()),
            ] {
                if set {
                    self.warn(
                        format!("events.{key}"),
                        "no effect: neither events.jsonl nor events.sqlite is set, no event is written",
                    );
                }
            }
        }
        EventSettings {
            jsonl: raw.jsonl.map(|p| self.resolve(&p)),
            sqlite: raw.sqlite.map(|p| self.resolve(&p)),
            queue_capacity,
            min_signal_score,
            aggregate_window: raw
                .aggregate_window
                .map_or(DEFAULT_AGGREGATE_WINDOW, |d| d.0),
            jsonl_max_bytes,
            jsonl_max_files,
            sqlite_max_age,
            sqlite_max_bytes,
        }
    }
}
