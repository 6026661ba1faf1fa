//! Throughput of the event path: `EventSender::send` on the request path,
//! `Store::insert_events` in batches, and the whole sink from send to both
//! files (events/s).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{sample_events, sample_events_from};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rampart_store::{EventSink, SinkConfig, Store};
use std::path::Path;
use std::time::{Duration, Instant};

/// Events sent per sink in the send benchmark: the queue is sized to hold
/// them all, so every timed send is an accepted one.
const SEND_CHUNK: usize = 16_384;
const DEADLINE: Duration = Duration::from_secs(120);

fn sink_config(dir: &Path, capacity: usize, with_store: bool) -> SinkConfig {
    SinkConfig {
        jsonl_path: Some(dir.join("events.jsonl")),
        store_path: with_store.then(|| dir.join("rampart.db")),
        capacity,
        ..SinkConfig::default()
    }
}

fn send(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("sender");
    group.throughput(Throughput::Elements(1));
    group.bench_function("send_accepted", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            let mut left = iters as usize;
            while left > 0 {
                let chunk = left.min(SEND_CHUNK);
                let events = sample_events(chunk);
                let (sink, sender) =
                    EventSink::start(sink_config(dir.path(), chunk, false)).expect("sink");
                let start = Instant::now();
                for event in events {
                    sender.send(event);
                }
                timed += start.elapsed();
                let report = sink.shutdown(DEADLINE);
                assert_eq!(
                    report.stats.dropped, 0,
                    "the bench must time accepted sends"
                );
                left -= chunk;
            }
            timed
        });
    });
    group.finish();
}

fn insert(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("rampart.db")).expect("store");
    let mut group = c.benchmark_group("store");
    // Times grow from batch to batch, as in live traffic: the time index is
    // appended to rather than filled in at random.
    let mut next_event = 0;
    for batch_size in [1, 256] {
        group.throughput(Throughput::Elements(batch_size as u64));
        group.bench_function(format!("insert_events/{batch_size}"), |b| {
            b.iter_batched(
                || {
                    next_event += batch_size;
                    sample_events_from(next_event - batch_size, batch_size)
                },
                |batch| store.insert_events(&batch).expect("insert"),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    const EVENTS: usize = 4_096;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("sink");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(20);
    let mut next_event = 0;
    group.bench_function("send_to_jsonl_and_sqlite", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let events = sample_events_from(next_event, EVENTS);
                next_event += EVENTS;
                let (sink, sender) =
                    EventSink::start(sink_config(dir.path(), EVENTS, true)).expect("sink");
                let start = Instant::now();
                for event in events {
                    sender.send(event);
                }
                drop(sender);
                let report = sink.shutdown(DEADLINE);
                timed += start.elapsed();
                assert!(report.drained);
                assert_eq!(report.stats.written, EVENTS as u64);
            }
            timed
        });
    });
    group.finish();
}

criterion_group!(benches, send, insert, end_to_end);
criterion_main!(benches);
