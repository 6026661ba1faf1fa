//! Deception costs on the hot path: a fake success from a learned schema, a
//! fake login (one decoy minted), recognising a decoy, and scanning the
//! headers of an ordinary request (with a real-looking JWT) for one.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue};
use rampart_core::SystemClock;
use rampart_prevent::deception::{Deceiver, DeceptionConfig, DeceptionSecret};
use rampart_prevent::RequestFacts;
use serde_json::json;
use std::sync::Arc;

fn deceiver() -> Deceiver {
    let config = DeceptionConfig {
        secret: Some(DeceptionSecret(
            "bench-secret-bench-secret-bench-secret".into(),
        )),
        ..DeceptionConfig::default()
    };
    Deceiver::new(&config, Arc::new(SystemClock)).unwrap()
}

fn facts() -> RequestFacts {
    let mut facts = RequestFacts::new("GET", "/users/42", "192.0.2.7".parse().unwrap());
    facts.endpoint.template = Some("/users/{id}".into());
    facts
}

fn user_schema() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string", "format": "email"},
            "name": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["active", "suspended"]},
            "address": {"type": "object", "properties": {
                "street": {"type": "string"}, "city": {"type": "string"}, "zip": {"type": "string"}}},
            "orders": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"}, "total": {"type": "number"}}}},
        },
        "required": ["id", "email", "name", "created_at"],
    })
}

fn wide_schema() -> serde_json::Value {
    let properties: serde_json::Map<String, serde_json::Value> = (0..10_000)
        .map(|i| (format!("field_{i}"), json!({"type": "string"})))
        .collect();
    json!({"type": "object", "properties": properties})
}

fn ordinary_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "api.example.com"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"),
        ("accept", "application/json"),
        ("authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
        ("cookie", "session=abc123; theme=dark; _ga=GA1.2.123456789.1700000000"),
        ("x-request-id", "3b1f0c2e-8d4a-4c1b-9f7e-2a6d5c4b3a21"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}

fn bench_deception(c: &mut Criterion) {
    let deceiver = deceiver();
    let facts = facts();
    let user = user_schema();
    let wide = wide_schema();
    let mut group = c.benchmark_group("deception");
    group.bench_function("fake_success_user_schema", |b| {
        b.iter(|| deceiver.fake_success(black_box(&facts), Some(&user)))
    });
    group.bench_function("fake_success_10k_property_schema", |b| {
        b.iter(|| deceiver.fake_success(black_box(&facts), Some(&wide)))
    });
    group.bench_function("fake_login", |b| {
        b.iter(|| deceiver.fake_login(black_box(&facts), None))
    });
    let login = deceiver.fake_login(&facts, None);
    let body: serde_json::Value = serde_json::from_slice(&login.body).unwrap();
    let token = body["access_token"].as_str().unwrap().to_string();
    group.bench_function("recognise_decoy", |b| {
        b.iter(|| deceiver.recognise(black_box(&token)))
    });
    let ordinary = ordinary_headers();
    group.bench_function("find_decoy_in_ordinary_headers", |b| {
        b.iter(|| deceiver.find_decoy(black_box(&ordinary)))
    });
    let mut marked = ordinary_headers();
    marked.insert(
        "cookie",
        HeaderValue::from_str(&format!("theme=dark; session={token}")).unwrap(),
    );
    group.bench_function("find_decoy_in_cookie", |b| {
        b.iter(|| deceiver.find_decoy(black_box(&marked)))
    });
    group.finish();
}

criterion_group!(benches, bench_deception);
criterion_main!(benches);
