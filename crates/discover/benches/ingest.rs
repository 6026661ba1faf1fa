//! Offline ingestion speed: exchange records per second on one core, over
//! the eight discovery corpora.
//!
//! `read_and_observe` is what `rampart discover` does before its report:
//! JSON lines read into records (rampart-core's `RecordReader`) and
//! observed by a new inventory. The others take it apart:
//! `read_records` is the reading alone; `observe_all_corpora` observes
//! decoded records into an empty inventory (every endpoint, property and
//! sensitive field is new); `observe_warm_inventory` feeds an inventory
//! that has seen the corpora before, as a long-lived gateway worker does;
//! `observe_and_report` adds the report.
//!
//! Each benchmark runs twice: in wall-clock time (criterion's default) and
//! in the CPU time of the benchmark thread (`/proc/thread-self/schedstat`),
//! which is the "one core" figure even when the machine is shared.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mimalloc::MiMalloc;
use rampart_core::{ExchangeRecord, RecordReader};
use rampart_discover::Inventory;
use std::path::Path;
use std::time::Duration;

/// The rampart binary's allocator: ingestion allocates and frees small
/// buffers for every record, and the figure wanted is the binary's.
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

const CORPORA: [&str; 8] = [
    "petstore3",
    "crapi",
    "slack_web",
    "twilio_verify_v2",
    "asana",
    "digitalocean",
    "harbor",
    "argo_workflows",
];

/// CPU time of the calling thread, in nanoseconds, from the scheduler.
fn thread_cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Criterion measurement in thread CPU time (shown like wall time).
struct ThreadCpuTime {
    wall: WallTime,
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }

    fn end(&self, started: u64) -> Duration {
        Duration::from_nanos(thread_cpu_nanos().saturating_sub(started))
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

/// The corpora's JSON lines, one buffer.
fn load() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/discovery");
    let mut lines = Vec::new();
    for name in CORPORA {
        if let Ok(text) = std::fs::read(root.join(name).join("traffic.jsonl")) {
            lines.extend_from_slice(&text);
            if !lines.ends_with(b"\n") {
                lines.push(b'\n');
            }
        }
    }
    lines
}

fn read(lines: &[u8]) -> impl Iterator<Item = ExchangeRecord> + '_ {
    RecordReader::new(lines)
        .filter_map(Result::ok)
        .map(|(_, r)| r)
}

fn ingest<M: Measurement>(c: &mut Criterion<M>, clock: &str) {
    let lines = load();
    let records: Vec<ExchangeRecord> = read(&lines).collect();
    assert!(
        !records.is_empty(),
        "the discovery corpora are needed for this benchmark"
    );
    let mut group = c.benchmark_group(format!("discover_{clock}"));
    group.throughput(Throughput::Elements(records.len() as u64));
    // The inventories built are dropped outside the measure: freeing them
    // is not ingestion (the gateway's lives on, the CLI's ends with it).
    group.bench_function("read_and_observe", |b| {
        b.iter_with_large_drop(|| {
            let mut inventory = Inventory::new();
            for record in read(&lines) {
                inventory.observe(&record);
            }
            inventory
        })
    });
    group.bench_function("read_records", |b| b.iter(|| read(&lines).count()));
    group.bench_function("observe_all_corpora", |b| {
        b.iter_with_large_drop(|| {
            let mut inventory = Inventory::new();
            for record in &records {
                inventory.observe(record);
            }
            inventory
        })
    });
    // Steady state: the inventory is long-lived and has seen these
    // endpoints before (what the gateway's worker does all day).
    let mut warm = Inventory::new();
    for record in &records {
        warm.observe(record);
    }
    group.bench_function("observe_warm_inventory", |b| {
        b.iter(|| {
            for record in &records {
                warm.observe(record);
            }
        })
    });
    group.bench_function("observe_and_report", |b| {
        b.iter(|| {
            let mut inventory = Inventory::new();
            for record in &records {
                inventory.observe(record);
            }
            inventory.report()
        })
    });
    group.finish();
}

fn wall(c: &mut Criterion) {
    ingest(c, "wall");
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    ingest(c, "cpu");
}

criterion_group!(wall_clock, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime { wall: WallTime });
    targets = cpu
}
criterion_main!(wall_clock, cpu_time);
