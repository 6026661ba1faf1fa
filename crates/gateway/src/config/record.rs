//! `[record]`: the gateway records a sample of the exchanges it serves,
//! masked, as exchange records (JSON lines) that `rampart replay` and the
//! console's policy replay read. Disk is bounded by rotation
//! (`max_bytes` per file, `max_files` kept), memory by the queue and the
//! per-body cut. Read at start only.

use super::raw::RawRecord;
use super::Validator;
use std::path::PathBuf;

const DEFAULT_SAMPLE: f64 = 0.1;
const DEFAULT_MAX_BODY_BYTES: u64 = 16 << 10;
const MAX_MAX_BODY_BYTES: u64 = 1 << 20;
const DEFAULT_MAX_BYTES: u64 = 64 << 20;
/// Below this a file would rotate every few records.
const MIN_MAX_BYTES: u64 = 64 << 10;
const DEFAULT_MAX_FILES: usize = 4;
const DEFAULT_QUEUE_CAPACITY: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub struct RecordSettings {
    /// The JSON-lines file; rotated files are `PATH.1` (newest) to `PATH.N`.
    pub path: PathBuf,
    /// The share of exchanges recorded, 0 to 1.
    pub sample: f64,
    /// Each request and response body is cut to this many bytes.
    pub max_body_bytes: usize,
    /// The file is rotated before it grows past this.
    pub max_bytes: u64,
    /// Rotated files kept beside the live one.
    pub max_files: usize,
    /// Records waiting for the writer; one more is dropped and counted.
    pub queue_capacity: usize,
}

impl Validator<'_> {
    pub(super) fn record(&mut self, raw: RawRecord) -> Option<RecordSettings> {
        let Some(path) = raw.path else {
            self.problem(
                "record.path",
                "expected the file recorded exchanges are written to, e.g. \"records.jsonl\"",
            );
            return None;
        };
        let sample = raw.sample.unwrap_or(DEFAULT_SAMPLE);
        if !(0.0..=1.0).contains(&sample) {
            self.problem(
                "record.sample",
                format!("expected a share between 0 and 1, got {sample}"),
            );
        } else if sample == 0.0 {
            self.warn("record.sample", "0 records nothing");
        }
        let max_body_bytes = raw.max_body_bytes.map_or(DEFAULT_MAX_BODY_BYTES, |b| b.0);
        if max_body_bytes > MAX_MAX_BODY_BYTES {
            self.problem(
                "record.max_body_bytes",
                format!("expected at most 1MiB, got {max_body_bytes} bytes"),
            );
        }
        let max_bytes = raw.max_bytes.map_or(DEFAULT_MAX_BYTES, |b| b.0);
        if max_bytes < MIN_MAX_BYTES {
            self.problem(
                "record.max_bytes",
                format!("expected a size of at least 64KiB, got {max_bytes} bytes"),
            );
        }
        let max_files = raw.max_files.unwrap_or(DEFAULT_MAX_FILES);
        if max_files > 1000 {
            self.problem(
                "record.max_files",
                format!("expected a number between 0 and 1000, got {max_files}"),
            );
        }
        let queue_capacity = raw.queue_capacity.unwrap_or(DEFAULT_QUEUE_CAPACITY);
        if queue_capacity == 0 || queue_capacity > 1_000_000 {
            self.problem(
                "record.queue_capacity",
                format!("expected a number between 1 and 1000000, got {queue_capacity}"),
            );
        }
        Some(RecordSettings {
            path: self.resolve(&path),
            sample,
            max_body_bytes: max_body_bytes as usize,
            max_bytes,
            max_files,
            queue_capacity,
        })
    }
}
