//! Memory an inventory holds per endpoint: the bound that lets an estate of
//! 100,000 endpoints fit in 1 GB (at most 10 KB each).
//!
//! A counting global allocator gives the heap bytes live after ingestion
//! (records already freed, so only what the inventory keeps). Two inputs:
//! a generated estate of many distinct endpoints (literal paths under
//! distinct resource names, JSON bodies of 10 to 30 fields, each endpoint
//! seen a few times), where the per-endpoint state dominates; and the
//! discovery corpora, replayed several times, which must not grow with
//! traffic. `cargo bench -p rampart-discover --bench memory [-- PATHS]
//! [FILE.jsonl...]`: PATHS sets the generated estate's size, and exchange
//! files given are measured too.

use rampart_core::{ExchangeRecord, RecordReader};
use rampart_discover::Inventory;
use rampart_testkit::heap::{self, Counting};
use std::path::Path;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const WORDS: [&str; 24] = [
    "alpha", "bravo", "cedar", "delta", "ember", "fern", "grove", "heron", "iris", "jade", "kelp",
    "lotus", "maple", "nectar", "olive", "pine", "quartz", "reed", "sage", "thyme", "umber",
    "violet", "willow", "yarrow",
];

/// Two words joined in snake case: API vocabulary, never folded into a parameter.
fn name(i: usize, salt: usize) -> String {
    let n = WORDS.len();
    format!("{}_{}", WORDS[i % n], WORDS[(i / n + salt) % n])
}

/// The records of endpoint `e` of the generated estate: two reads and a
/// write of one resource, with JSON bodies of 10 to 30 fields of every kind.
fn estate_records(e: usize) -> Vec<ExchangeRecord> {
    let path = format!(
        "/api/{}_svc/{}_items",
        name(e / 200, 3),
        name(e % 200, e / 200)
    );
    let fields = 10 + e % 21;
    (0..3)
        .map(|r| {
            let mut body = String::from("{");
            for f in 0..fields {
                let key = format!("{}_{f}", name(e + f, 7));
                let seed = e * 31 + f * 7 + r;
                let value = match f % 6 {
                    0 => format!("{seed}"),
                    1 => format!("\"user{seed}@example.com\""),
                    2 => format!("\"{}\"", ["open", "closed", "pending"][seed % 3]),
                    3 => format!("\"a note about {} and {seed}\"", WORDS[seed % WORDS.len()]),
                    4 => format!("{{\"x\": {}.5, \"tags\": [\"a\", \"b\"]}}", seed % 100),
                    _ => format!("{}", seed.is_multiple_of(2)),
                };
                if f > 0 {
                    body.push(',');
                }
                body.push_str(&format!("\"{key}\": {value}"));
            }
            body.push('}');
            let write = r == 2;
            ExchangeRecord {
                ts: Some(format!("2024-05-01T12:00:{:02}.{r:03}Z", e % 60)),
                host: Some("api.example.com".into()),
                method: if write { "POST" } else { "GET" }.into(),
                path: path.clone(),
                query: format!("page={r}&limit=20"),
                request_headers: vec![
                    ("authorization".into(), format!("Bearer tok{e}")),
                    ("content-type".into(), "application/json".into()),
                    ("x-tenant".into(), format!("{}", e % 97)),
                ],
                request_body: write.then(|| body.clone().into_bytes()),
                status: Some(if write { 201 } else { 200 }),
                response_headers: vec![("content-type".into(), "application/json".into())],
                response_body: Some(body.into_bytes()),
                ..Default::default()
            }
        })
        .collect()
}

/// The records of an exchange file (none if it cannot be read).
fn read(path: &Path) -> impl Iterator<Item = ExchangeRecord> {
    std::fs::File::open(path)
        .ok()
        .into_iter()
        .flat_map(|file| RecordReader::new(std::io::BufReader::new(file)))
        .filter_map(Result::ok)
        .map(|(_, r)| r)
}

fn corpora() -> Vec<ExchangeRecord> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/discovery");
    let mut records = Vec::new();
    for api in std::fs::read_dir(root).into_iter().flatten().flatten() {
        records.extend(read(&api.path().join("traffic.jsonl")));
    }
    records
}

/// What an inventory costs: heap bytes held after `feed`, the most the
/// report written then needs on top, and the endpoints reported.
struct Cost {
    held: usize,
    report_peak: usize,
    endpoints: usize,
}

fn measure(feed: impl FnOnce(&mut Inventory)) -> Cost {
    let before = heap::live();
    let mut inventory = Inventory::new();
    feed(&mut inventory);
    let after = heap::live();
    heap::reset_peak();
    let summary = inventory.write_report(std::io::sink());
    Cost {
        held: after.saturating_sub(before),
        report_peak: heap::peak().saturating_sub(after),
        endpoints: summary.map_or(0, |s| s.endpoints),
    }
}

fn print(what: &str, cost: Cost) {
    let per_endpoint = |bytes: usize| bytes / cost.endpoints.max(1);
    println!(
        "{what}: {} endpoints, {:.1} MB held, {} bytes per endpoint \
         (writing the report: {} more at most)",
        cost.endpoints,
        cost.held as f64 / 1e6,
        per_endpoint(cost.held),
        per_endpoint(cost.report_peak),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a number sets the estate's paths.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let paths: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(20_000);
    for file in args.iter().filter(|a| a.ends_with(".jsonl")) {
        print(
            file,
            measure(|inventory| {
                for record in read(Path::new(file)) {
                    inventory.observe(&record);
                }
            }),
        );
    }
    print(
        &format!("generated estate, {paths} paths x (GET, POST)"),
        measure(|inventory| {
            for e in 0..paths {
                for record in estate_records(e) {
                    inventory.observe(&record);
                }
            }
        }),
    );
    let records = corpora();
    if records.is_empty() {
        println!("discovery corpora not found: skipped");
        return;
    }
    for passes in [1, 6] {
        print(
            &format!("discovery corpora, {} records", records.len() * passes),
            measure(|inventory| {
                for _ in 0..passes {
                    for record in &records {
                        inventory.observe(record);
                    }
                }
            }),
        );
    }
}
