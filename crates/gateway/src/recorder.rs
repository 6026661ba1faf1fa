//! The exchange recorder: a sample of the exchanges the gateway serves,
//! masked and written as exchange records (JSON lines), so that
//! `rampart replay` and the console's policy replay have the gateway's own
//! traffic as input.
//!
//! Off the hot path: the `record` stage decides per exchange whether it is
//! sampled (a per-thread accumulator: no random draw, no shared counter),
//! and the logging phase does one non-blocking `try_send` on a bounded
//! queue; a full queue drops the record and counts it
//! (`rampart_record_dropped_total`). The writer thread is never parked on
//! the queue: it drains it every [`DRAIN_INTERVAL`], masks each record
//! ([`RecordMasker`]: no credential reaches the disk) and appends the batch
//! with one write to a file rotated by size ([`JsonlFile`]), so disk use is
//! bounded by `max_bytes * (max_files + 1)`.

use crate::config::RecordSettings;
use crate::sync::{hand_off, lock};
use rampart_core::ExchangeRecord;
use rampart_prevent::record_mask::RecordMasker;
use rampart_store::jsonl::{JsonlFile, Rotation};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the writer rests when the queue is empty.
const DRAIN_INTERVAL: Duration = Duration::from_millis(50);
/// Most records masked and written per write.
const BATCH: usize = 256;

/// Counters the admin listener exports.
#[derive(Debug, Default)]
pub struct RecorderStats {
    /// Records written to the file.
    pub written: AtomicU64,
    /// Records dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Records lost to failed writes (each failure is logged).
    pub write_errors: AtomicU64,
}

/// The gateway's handle on the writer thread.
pub struct Recorder {
    sender: SyncSender<ExchangeRecord>,
    /// Cleared by `shutdown`: the writer drains what is queued and stops.
    open: Arc<AtomicBool>,
    pub stats: Arc<RecorderStats>,
    pub settings: RecordSettings,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// Opens the file (failing with its path) and starts the writer.
    /// `api_key_headers` are masked beside the built-in credential headers.
    pub fn start(
        settings: RecordSettings,
        api_key_headers: &[String],
    ) -> anyhow::Result<Arc<Recorder>> {
        use anyhow::Context as _;
        let rotation = Rotation {
            max_bytes: settings.max_bytes,
            max_files: settings.max_files,
        };
        let file = JsonlFile::open(&settings.path, Some(rotation))
            .with_context(|| format!("record: opening {}", settings.path.display()))?;
        let masker = RecordMasker::new(api_key_headers)?;
        let (sender, queue) = mpsc::sync_channel(settings.queue_capacity);
        let open = Arc::new(AtomicBool::new(true));
        let stats = Arc::new(RecorderStats::default());
        let writer = Writer {
            queue,
            file,
            masker,
            open: Arc::clone(&open),
            stats: Arc::clone(&stats),
            buffer: Vec::new(),
        };
        let handle = std::thread::Builder::new()
            .name("rampart-recorder".into())
            .spawn(move || writer.run())?;
        Ok(Arc::new(Recorder {
            sender,
            open,
            stats,
            settings,
            worker: Mutex::new(Some(handle)),
        }))
    }

    /// Whether this exchange is one of the sample: every `1 / sample`-th
    /// exchange of the calling worker thread.
    pub fn sampled(&self) -> bool {
        thread_local! {
            static OWED: Cell<f64> = const { Cell::new(0.0) };
        }
        OWED.with(|owed| {
            let due = owed.get() + self.settings.sample;
            let take = due >= 1.0;
            owed.set(if take { due - 1.0 } else { due });
            take
        })
    }

    /// Queues one exchange for writing; never waits. False when dropped.
    pub fn record(&self, record: ExchangeRecord) -> bool {
        hand_off(&self.sender, &self.open, record, &self.stats.dropped)
    }

    /// The recorded files that exist, oldest first (`PATH.N` ... `PATH.1`,
    /// `PATH`): the records in the order they were written.
    pub fn files(&self) -> Vec<PathBuf> {
        let path = &self.settings.path;
        (1..=self.settings.max_files)
            .rev()
            .map(|n| JsonlFile::rotated(path, n))
            .chain(std::iter::once(path.clone()))
            .filter(|file| file.exists())
            .collect()
    }

    /// Stops the writer after it has written what is queued.
    pub fn shutdown(&self) {
        self.open.store(false, Ordering::Relaxed);
        if let Some(worker) = lock(&self.worker).take() {
            let _ = worker.join();
        }
    }
}

struct Writer {
    queue: Receiver<ExchangeRecord>,
    file: JsonlFile,
    masker: RecordMasker,
    open: Arc<AtomicBool>,
    stats: Arc<RecorderStats>,
    /// Reused between batches.
    buffer: Vec<u8>,
}

impl Writer {
    fn run(mut self) {
        loop {
            let mut taken = 0;
            let mut finished = false;
            self.buffer.clear();
            while taken < BATCH {
                match self.queue.try_recv() {
                    Ok(mut record) => {
                        self.masker.mask(&mut record);
                        if let Err(error) = record.write_json_line(&mut self.buffer) {
                            tracing::warn!(%error, "a recorded exchange could not be encoded");
                            self.stats.write_errors.fetch_add(1, Ordering::Relaxed);
                        } else {
                            taken += 1;
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        finished = true;
                        break;
                    }
                }
            }
            if taken > 0 {
                let counter = match self.file.append(&self.buffer) {
                    Ok(_) => &self.stats.written,
                    Err(error) => {
                        tracing::error!(%error, file = %self.file.path().display(), records = taken, "recorded exchanges not written");
                        &self.stats.write_errors
                    }
                };
                counter.fetch_add(taken as u64, Ordering::Relaxed);
            }
            if taken == BATCH {
                continue;
            }
            if finished || !self.open.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(DRAIN_INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &std::path::Path, sample: f64) -> RecordSettings {
        RecordSettings {
            path: dir.join("records.jsonl"),
            sample,
            max_body_bytes: 1024,
            max_bytes: 64 << 10,
            max_files: 2,
            queue_capacity: 8,
        }
    }

    #[test]
    fn a_share_of_each_threads_exchanges_is_sampled_without_drawing() {
        let dir = tempfile::tempdir().unwrap();
        let quarter = Recorder::start(settings(dir.path(), 0.25), &[]).unwrap();
        let sampled = std::thread::spawn(move || (0..100).filter(|_| quarter.sampled()).count());
        assert_eq!(sampled.join().unwrap(), 25);
        let all = Recorder::start(settings(dir.path(), 1.0), &[]).unwrap();
        assert!((0..10).all(|_| all.sampled()));
        let none = Recorder::start(settings(dir.path(), 0.0), &[]).unwrap();
        assert!(!(0..10).any(|_| none.sampled()));
    }

    #[test]
    fn records_are_masked_written_rotated_and_drops_counted() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::start(settings(dir.path(), 1.0), &[]).unwrap();
        let record = |n: usize| ExchangeRecord {
            id: Some(format!("r{n}")),
            method: "GET".into(),
            path: "/items".into(),
            request_headers: vec![("authorization".into(), "Bearer s3cr3t-t0ken".into())],
            response_body: Some(vec![b'x'; 1000]),
            ..ExchangeRecord::default()
        };
        let mut sent = 0;
        for n in 0..200 {
            // A full queue drops; the writer drains it every few milliseconds.
            let accepted = (0..1000).any(|_| {
                recorder.record(record(n)) || {
                    std::thread::sleep(Duration::from_millis(5));
                    false
                }
            });
            assert!(accepted, "the writer drains the queue");
            sent += 1;
        }
        recorder.shutdown();
        assert!(!recorder.record(record(0)), "refused once shut down");
        let stats = &recorder.stats;
        assert_eq!(stats.written.load(Ordering::Relaxed), sent);
        assert!(stats.dropped.load(Ordering::Relaxed) >= 1);
        let files = recorder.files();
        assert_eq!(files.len(), 3, "the live file and two rotated: {files:?}");
        let mut read = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(!text.contains("s3cr3t"));
            assert!(text.len() as u64 <= 64 << 10);
            read.extend(
                rampart_core::RecordReader::new(text.as_bytes()).map(|item| item.unwrap().1.id),
            );
        }
        let ids: Vec<u64> = read
            .iter()
            .map(|id| id.as_deref().unwrap()[1..].parse().unwrap())
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] + 1 == w[1]),
            "oldest first: {ids:?}"
        );
        assert_eq!(ids.last(), Some(&199));
    }
}
