//! A keyed rate-limit check: key derivation plus the GCRA update.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_core::SystemClock;
use rampart_prevent::ratelimit::{KeyPart, KeySpec, LimitConfig, Quota, RateLimiter};
use rampart_prevent::RequestFacts;
use std::net::Ipv4Addr;
use std::sync::Arc;

fn bench_check(c: &mut Criterion) {
    let config = LimitConfig {
        name: "per-ip-endpoint".into(),
        key: KeySpec::of(&[KeyPart::Ip, KeyPart::Endpoint]),
        quota: Quota {
            requests: 1_000,
            per_seconds: 1,
            burst: None,
        },
        count_only_status: None,
        max_keys: 100_000,
    };
    let limiter = RateLimiter::new(&config, Arc::new(SystemClock)).expect("valid limit");
    let clients: Vec<RequestFacts> = (0..50_000u32)
        .map(|n| RequestFacts::new("GET", "/api/items", Ipv4Addr::from(0x0a00_0000 + n).into()))
        .collect();
    let mut next = 0;
    c.bench_function("ratelimit/key_and_check_50k_clients", |b| {
        b.iter(|| {
            next = (next + 1) % clients.len();
            let key = limiter.key_for(black_box(&clients[next]));
            key.map(|key| limiter.check(key))
        })
    });
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
