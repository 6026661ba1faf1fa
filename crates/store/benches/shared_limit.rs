//! One Redis-backed limit check on loopback, the way a gateway runtime makes
//! it (awaited from a current-thread runtime, the connection driven by the
//! client's own thread), against a `redis-server` the bench starts itself:
//! criterion for the mean, and a histogram of single checks for p50/p99.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hdrhistogram::Histogram;
use rampart_prevent::ratelimit::{KeyPart, KeySpec, Quota};
use rampart_prevent::{LimitConfig, RateDecision};
use rampart_store::shared::{Health, OnRedisError, RedisConfig, SharedLimit};
use std::time::Instant;
use support::server::RedisServer;

/// Distinct keys the checks rotate through, as many clients would.
const KEYS: u128 = 10_000;
const SAMPLES: usize = 20_000;

fn limit(count_only_status: Option<Vec<u16>>) -> SharedLimit {
    let config = LimitConfig {
        name: "bench".to_string(),
        key: KeySpec::of(&[KeyPart::Ip]),
        // Generous enough that every check is admitted and charged: the
        // path that writes.
        quota: Quota {
            requests: 1_000_000,
            per_seconds: 1,
            burst: None,
        },
        count_only_status,
        max_keys: 100_000,
    };
    SharedLimit::new(&config, OnRedisError::Local).expect("a valid limit")
}

fn bench_shared_limit(c: &mut Criterion) {
    let Some(server) = RedisServer::start() else {
        return;
    };
    // The production call timeout: a check slower than that is counted.
    let config = RedisConfig {
        url: server.url(),
        ..RedisConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (state, mut reports) = support::start(&config);
    assert_eq!(runtime.block_on(reports.next_health()), Health::Up);

    for (name, limit) in [("charge", limit(None)), ("peek", limit(Some(vec![401])))] {
        let mut histogram = Histogram::<u64>::new(3).expect("histogram");
        runtime.block_on(async {
            for n in 0..SAMPLES {
                let fingerprint = n as u128 % KEYS;
                let start = Instant::now();
                let decision = state.check(&limit, fingerprint).await;
                histogram
                    .record(start.elapsed().as_nanos() as u64)
                    .expect("in range");
                // A timeout is a result to report (below), not a bench failure.
                if let Ok(decision) = decision {
                    assert_eq!(decision, RateDecision::Allow);
                }
            }
        });
        println!(
            "shared_limit/{name} single checks: p50 {:.1} us, p99 {:.1} us, max {:.1} us ({} samples)",
            histogram.value_at_quantile(0.50) as f64 / 1_000.0,
            histogram.value_at_quantile(0.99) as f64 / 1_000.0,
            histogram.max() as f64 / 1_000.0,
            histogram.len()
        );
        let mut n = 0u128;
        c.bench_function(&format!("shared_limit/redis_check/{name}"), |b| {
            b.iter(|| {
                n = (n + 1) % KEYS;
                runtime.block_on(state.check(&limit, black_box(n))).is_ok()
            })
        });
    }
    let stats = state.stats();
    println!(
        "shared_limit: {} errors, {} of them timeouts (over {} ms)",
        stats.errors, stats.timeouts, config.timeout_ms
    );
}

criterion_group!(benches, bench_shared_limit);
criterion_main!(benches);
