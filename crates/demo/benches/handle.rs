//! How long the demo API takes to answer its common requests, without sockets.

use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, Method};
use rampart_core::SystemClock;
use rampart_demo::{ApiRequest, DemoApi};
use std::hint::black_box;
use std::sync::Arc;

fn answer(api: &DemoApi, headers: &HeaderMap, path: &str, query: Option<&str>) -> Vec<u8> {
    api.handle(black_box(&ApiRequest {
        method: &Method::GET,
        path,
        query,
        headers,
        body: b"",
    }))
    .body_bytes()
}

fn handle(c: &mut Criterion) {
    let api = DemoApi::new(1, Arc::new(SystemClock));
    let headers = HeaderMap::new();
    let cases = [
        ("get_user_profile", "/api/users/7", None),
        (
            "search_products",
            "/api/products",
            Some("q=wireless&page=2"),
        ),
        ("unknown_path", "/api/nothing/here", None),
    ];
    for (name, path, query) in cases {
        c.bench_function(name, |b| b.iter(|| answer(&api, &headers, path, query)));
    }
}

criterion_group!(benches, handle);
criterion_main!(benches);
