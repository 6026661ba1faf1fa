//! The per-request cost of the anomaly model: reading a request's
//! parameters (a query of three, a JSON order of four values), judging
//! them and its rate against warm profiles, and learning them, as the
//! `behave` stage does for every request on a known endpoint.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_behave::anomaly::{
    parameters, AnomalyConfig, AnomalyDetector, Param, Request, Sources,
};
use rampart_core::ManualClock;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const QUERY: &str = "page=7&q=red+running+shoes&sort=price";

fn order() -> serde_json::Value {
    json!({"sku": "SKU-0042", "qty": 2, "coupon": "SAVE10OFF", "note": "Gift wrap, please!"})
}

/// A model warmed with 2,000 searches and orders from 50 clients.
fn warm_model(clock: &Arc<ManualClock>, search: &[Param], orders: &[Param]) -> AnomalyDetector {
    let mut model = AnomalyDetector::new(AnomalyConfig::default(), clock.clone());
    for n in 0..2_000 {
        clock.advance(Duration::from_millis(20));
        let client = format!("client{}", n % 50);
        for (template, params) in [("/search", search), ("/orders", orders)] {
            let request = Request {
                method: "GET",
                template,
                client: &client,
                params,
            };
            model.judge(&request);
            model.learn(&request);
        }
    }
    model
}

fn anomaly(c: &mut Criterion) {
    let document = order();
    let query = Sources {
        query: QUERY,
        ..Sources::default()
    };
    let json = Sources {
        json: Some(&document),
        ..Sources::default()
    };
    let mut group = c.benchmark_group("anomaly_parameters");
    group.bench_function("query", |b| b.iter(|| parameters(black_box(&query))));
    group.bench_function("json", |b| b.iter(|| parameters(black_box(&json))));
    group.finish();

    let (search, orders) = (parameters(&query), parameters(&json));
    let clock = Arc::new(ManualClock::at(1_000_000_000));
    let mut model = warm_model(&clock, &search, &orders);
    let client = "client7";
    let request = Request {
        method: "GET",
        template: "/orders",
        client,
        params: &orders,
    };
    c.bench_function("anomaly_judge_json_order", |b| {
        b.iter(|| {
            clock.advance(Duration::from_millis(1));
            model.judge(black_box(&request))
        })
    });
    c.bench_function("anomaly_learn_json_order", |b| {
        b.iter(|| {
            clock.advance(Duration::from_millis(1));
            model.learn(black_box(&request))
        })
    });
    c.bench_function("anomaly_read_judge_learn_query", |b| {
        b.iter(|| {
            clock.advance(Duration::from_millis(1));
            let params = parameters(black_box(&query));
            let request = Request {
                method: "GET",
                template: "/search",
                client,
                params: &params,
            };
            let found = model.judge(&request);
            model.learn(&request);
            found
        })
    });
}

criterion_group!(benches, anomaly);
criterion_main!(benches);
