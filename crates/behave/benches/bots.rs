//! The per-request cost of the bots catalogue: classifying a browser (no
//! match: the common case), a declared AI crawler and an HTTP library, and
//! a whole judgement with its client state.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_behave::bots::{BotsConfig, BotsDetector, BrowserHeaders, Catalog, Request};
use rampart_core::SystemClock;
use std::sync::Arc;

const USER_AGENTS: [(&str, &str); 3] = [
    ("browser", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("gptbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"),
    ("curl", "curl/8.5.0"),
];

fn classify(c: &mut Criterion) {
    let catalog = Arc::new(Catalog::embedded().expect("embedded lists"));
    let mut group = c.benchmark_group("bots_classify");
    for (name, user_agent) in USER_AGENTS {
        group.bench_function(name, |b| b.iter(|| catalog.classify(black_box(user_agent))));
    }
    group.finish();
    let mut detector = BotsDetector::new(BotsConfig::default(), catalog, Arc::new(SystemClock));
    c.bench_function("bots_judge_browser", |b| {
        b.iter(|| {
            detector.judge(&Request {
                user_agent: Some(USER_AGENTS[0].1),
                address: "192.0.2.1".parse().expect("address"),
                client: "fingerprint",
                path: "/api/items",
                query: Some("page=2"),
                endpoint: Some("/api/items"),
                function: Some("list"),
                headers: BrowserHeaders {
                    accept_language: true,
                    sec_ch_ua: true,
                    sec_fetch: true,
                },
                message: None,
            })
        })
    });
}

criterion_group!(benches, classify);
criterion_main!(benches);
