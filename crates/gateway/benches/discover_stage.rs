//! Hot-path cost of the `discover` stage, per request.
//!
//! The product asks for the online discover stage to do under 2
//! microseconds of work on the request path (observations leave it in
//! batches, on the inventory worker's thread). This measures exactly what
//! the pipeline calls on that path for one exchange: `request_headers`
//! (the matcher lookup, the profile lookup, the header capture),
//! `request_body`, `response_headers`, `response_body` and `logging` (the
//! move of the capture into an `ExchangeRecord` and the non-blocking
//! `try_send` of `Discovery::observe`).
//!
//! The `Discovery` is the gateway's own: no store, no declared spec, default
//! queue capacity (10,000), body sample (16 KiB) and publication interval
//! (2 s), pre-fed with a generated estate of a few hundred endpoints (60
//! resources under `/api/v1`, each with list, create, read, update and
//! delete, a third with a nested collection) so the matcher walked is not
//! trivial. Two exchanges: a typical GET (8 request headers, status 200,
//! 1 KB JSON response body) and a 1 KB JSON POST (status 201, small JSON
//! answer). Request and response heads, the context's construction and its
//! drop are the proxy's work and stay outside the measure; what the stage
//! leaves in the context (its capture slot, the endpoint and profile) is
//! dropped inside it.
//!
//! The worker keeps running during the measure, as in the gateway: it drains
//! the queue every 20 ms and republishes the matcher every 2 s. A request
//! loop on one core may outrun it; when the queue is full `observe` drops
//! the observation (and counts it), which is the gateway's behaviour too.
//! The numbers of observations folded and dropped are printed at the end so
//! a reader knows which case was measured.
//!
//! `cargo bench -p rampart-gateway --bench discover_stage`

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rampart_core::ExchangeRecord;
use rampart_gateway::discovery::{Discovery, DiscoverySettings};
use rampart_gateway::pipeline::{request_view, BodyView, ExchangeContext, Outcome, Stage};
use rampart_gateway::stages::discover::DiscoverStage;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The rampart binary's allocator: the stage allocates small strings for
/// every request, and the figure wanted is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HOST: &str = "api.example.com";

const WORDS: [&str; 24] = [
    "alpha", "bravo", "cedar", "delta", "ember", "fern", "grove", "heron", "iris", "jade", "kelp",
    "lotus", "maple", "nectar", "olive", "pine", "quartz", "reed", "sage", "thyme", "umber",
    "violet", "willow", "yarrow",
];

/// Resources in the generated estate (each gives 5 or 6 endpoints).
const RESOURCES: usize = 60;

/// Two words joined in snake case: API vocabulary, never folded into a parameter.
fn resource(i: usize) -> String {
    let n = WORDS.len();
    format!("{}_{}", WORDS[i % n], WORDS[(i / n + 5) % n])
}

/// A JSON object of about `size` bytes, the same for the same seed.
fn json_body(seed: usize, size: usize) -> Vec<u8> {
    let mut body = format!(
        "{{\"id\":{seed},\"name\":\"item {seed}\",\"email\":\"user{seed}@example.com\",\"status\":\"open\",\"notes\":["
    );
    let mut i = 0;
    while body.len() + 40 < size {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"n\":{i},\"text\":\"{}\"}}",
            WORDS[(seed + i) % WORDS.len()]
        ));
        i += 1;
    }
    body.push_str("]}");
    body.into_bytes()
}

fn record(method: &str, path: String, status: u16, body: Option<Vec<u8>>) -> ExchangeRecord {
    ExchangeRecord {
        host: Some(HOST.into()),
        method: method.into(),
        path,
        request_headers: vec![
            ("authorization".into(), "Bearer tok".into()),
            ("content-type".into(), "application/json".into()),
        ],
        request_body: body.clone(),
        status: Some(status),
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: Some(json_body(status.into(), 200)),
        ..Default::default()
    }
}

/// The generated estate's exchanges: each templated path is seen with three
/// numeric ids, so it is folded into a parameter.
fn estate() -> Vec<ExchangeRecord> {
    let mut records = Vec::new();
    for r in 0..RESOURCES {
        let base = format!("/api/v1/{}", resource(r));
        records.push(record("GET", base.clone(), 200, None));
        records.push(record("POST", base.clone(), 201, Some(json_body(r, 300))));
        for id in [17 + r, 342 + r, 9051 + r] {
            let item = format!("{base}/{id}");
            records.push(record("GET", item.clone(), 200, None));
            records.push(record("PUT", item.clone(), 200, Some(json_body(id, 300))));
            records.push(record("DELETE", item.clone(), 204, None));
            if r % 3 == 0 {
                records.push(record("GET", format!("{item}/history"), 200, None));
            }
        }
    }
    records
}

/// The gateway's discovery with the estate learned and published.
fn discovery() -> Arc<Discovery> {
    let discovery = Discovery::start(DiscoverySettings {
        spec: None,
        store: None,
        queue_capacity: 10_000,
        sample_body_bytes: 16 * 1024,
        publish_interval: Duration::from_secs(2),
        persist_interval: Duration::from_secs(30),
        learned: None,
    })
    .expect("discovery starts without a store");
    let records = estate();
    let wanted = records.len() as u64;
    for record in records {
        assert!(discovery.observe(record), "the estate fits in the queue");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while discovery.stats.observed.load(Ordering::Relaxed) < wanted
        || discovery.matcher().len() < RESOURCES * 5
    {
        assert!(
            Instant::now() < deadline,
            "the estate was not published within 30 s ({} routes)",
            discovery.matcher().len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    discovery
}

/// One exchange as the proxy hands it to the stage.
struct Exchange {
    method: http::Method,
    path: &'static str,
    request: http::request::Parts,
    request_body: Vec<u8>,
    response: http::response::Parts,
    response_body: Bytes,
}

fn get_exchange() -> Exchange {
    let (request, ()) = http::Request::get("/api/v1/cedar_heron/4217?expand=owner&fields=all")
        .header("host", HOST)
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) rampart-bench/1.0",
        )
        .header("accept", "application/json")
        .header("accept-encoding", "gzip, deflate, br")
        .header("accept-language", "en-US,en;q=0.9")
        .header(
            "authorization",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.sig",
        )
        .header("x-request-id", "0f3c2a9e-7b41-4d2a-9c1e-5a8b6d4e2f10")
        .header("cookie", "session=9b1c7e4f2a; theme=dark")
        .body(())
        .unwrap()
        .into_parts();
    let response_body = json_body(4217, 1024);
    Exchange {
        method: http::Method::GET,
        path: "/api/v1/cedar_heron/4217",
        request,
        request_body: Vec::new(),
        response: response_head(200, response_body.len()),
        response_body: Bytes::from(response_body),
    }
}

fn post_exchange() -> Exchange {
    let request_body = json_body(88, 1024);
    let (request, ()) = http::Request::post("/api/v1/cedar_heron")
        .header("host", HOST)
        .header("user-agent", "rampart-bench/1.0")
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .header("content-length", request_body.len().to_string())
        .header(
            "authorization",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.sig",
        )
        .header("x-request-id", "5d2e8f1a-3c4b-4e6d-8a9f-1b2c3d4e5f60")
        .header("accept-encoding", "gzip")
        .body(())
        .unwrap()
        .into_parts();
    let response_body = br#"{"id":4218,"status":"created"}"#.to_vec();
    Exchange {
        method: http::Method::POST,
        path: "/api/v1/cedar_heron",
        request,
        request_body,
        response: response_head(201, response_body.len()),
        response_body: Bytes::from(response_body),
    }
}

fn response_head(status: u16, length: usize) -> http::response::Parts {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("content-length", length.to_string())
        .header("date", "Wed, 01 May 2024 12:00:00 GMT")
        .header("cache-control", "no-store")
        .header("x-request-id", "0f3c2a9e-7b41-4d2a-9c1e-5a8b6d4e2f10")
        .body(())
        .unwrap()
        .into_parts()
        .0
}

fn context(method: &http::Method, path: &str) -> ExchangeContext {
    let client = IpAddr::from([198, 51, 100, 23]);
    ExchangeContext::new(
        "01HXZ7Q3M5K8N2P4R6T8V0W2Y4".into(),
        client,
        SocketAddr::new(client, 52_114),
        method.clone(),
        HOST.into(),
        path.into(),
    )
}

/// What the pipeline calls on the stage for one exchange. The context is
/// given back so that dropping what the proxy put in it is not measured;
/// what the stage put in it is dropped here.
fn run(
    stage: &DiscoverStage,
    exchange: &mut Exchange,
    mut ctx: ExchangeContext,
) -> ExchangeContext {
    stage.request_headers(&mut ctx, &exchange.request);
    let view = request_view(
        &exchange.request,
        BodyView {
            bytes: &exchange.request_body,
            complete: true,
        },
    );
    stage.request_body(&mut ctx, &exchange.request, &view);
    stage.response_headers(&mut ctx, &mut exchange.response);
    stage.response_body(&mut ctx, &mut exchange.response_body, true);
    stage.logging(
        &ctx,
        &Outcome {
            status: exchange.response.status.as_u16(),
            action: "allow",
            completed: true,
        },
    );
    ctx.extensions.clear();
    ctx.endpoint = None;
    ctx
}

fn discover_stage(c: &mut Criterion) {
    let discovery = discovery();
    let routes = discovery.matcher().len();
    let stage = DiscoverStage::new(Arc::clone(&discovery));

    let mut get = get_exchange();
    let mut post = post_exchange();
    // The exchanges go to learned endpoints, as almost all traffic does.
    for exchange in [&mut get, &mut post] {
        let mut probe = context(&exchange.method, exchange.path);
        stage.request_headers(&mut probe, &exchange.request);
        assert!(probe.endpoint.is_some(), "{} is learned", exchange.path);
    }
    let observed_before = discovery.stats.observed.load(Ordering::Relaxed);

    let mut group = c.benchmark_group("discover_stage");
    group.bench_function("get_8_headers_1k_response", |b| {
        let (method, path) = (get.method.clone(), get.path);
        b.iter_batched(
            || context(&method, path),
            |ctx| run(&stage, &mut get, ctx),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("post_1k_json", |b| {
        let (method, path) = (post.method.clone(), post.path);
        b.iter_batched(
            || context(&method, path),
            |ctx| run(&stage, &mut post, ctx),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let dropped = discovery.stats.dropped.load(Ordering::Relaxed);
    discovery.shutdown();
    let folded = discovery.stats.observed.load(Ordering::Relaxed) - observed_before;
    println!(
        "discover_stage: matcher of {routes} routes; during the bench the worker folded \
         {folded} observations and the full queue dropped {dropped}"
    );
}

criterion_group!(benches, discover_stage);
criterion_main!(benches);
