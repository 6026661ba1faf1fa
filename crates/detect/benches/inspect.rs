//! Per-request inspection cost over the benign development corpus.
//!
//! Criterion measures the mean cost of one request (cycling through the
//! corpus); a warm pass also times every request once and prints p50, p99
//! and max, which is what the inline budget is about. Set
//! `RAMPART_BENCH_CORPUS` to use another exchange-record file.

use criterion::{criterion_group, criterion_main, Criterion};
use rampart_core::{ExchangeRecord, RecordReader};
use rampart_detect::{DetectConfig, Engine, RequestView};
use std::hint::black_box;
use std::time::Instant;

fn corpus() -> Vec<ExchangeRecord> {
    let path = std::env::var("RAMPART_BENCH_CORPUS").unwrap_or_else(|_| {
        format!(
            "{}/../../../shared/bench/detection/benign-dev.jsonl",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let file =
        std::fs::File::open(&path).unwrap_or_else(|e| panic!("cannot open corpus {path}: {e}"));
    RecordReader::new(std::io::BufReader::new(file))
        .filter_map(Result::ok)
        .map(|(_, r)| r)
        .collect()
}

fn inspect(engine: &Engine, r: &ExchangeRecord) -> bool {
    engine.inspect(&RequestView::from_record(r)).blocked
}

fn percentiles(engine: &Engine, records: &[ExchangeRecord]) {
    let mut times: Vec<u128> = records
        .iter()
        .map(|r| {
            let start = Instant::now();
            black_box(inspect(engine, r));
            start.elapsed().as_nanos()
        })
        .collect();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "per request over {} records: p50 {:.1} us, p99 {:.1} us, max {:.1} us",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    );
}

fn bench(c: &mut Criterion) {
    let records = corpus();
    let engine = Engine::new(DetectConfig::default()).expect("default config is valid");
    percentiles(&engine, &records);
    let mut i = 0;
    c.bench_function("inspect/benign_request", |b| {
        b.iter(|| {
            i = (i + 1) % records.len();
            black_box(inspect(&engine, &records[i]))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
