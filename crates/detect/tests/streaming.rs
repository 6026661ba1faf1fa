//! Bodies read as a stream: the verdict does not depend on how the body is
//! cut into chunks, whole bodies are read to the end, and structural limits
//! hold however large the body.

use rampart_core::{ExchangeRecord, RecordReader};
use rampart_detect::{Body, DetectConfig, Engine, Progress, RequestView, Verdict};

fn engine(toml: &str) -> Engine {
    Engine::new(DetectConfig::from_toml(toml).expect("valid config")).expect("valid engine")
}

fn post<'a>(path: &'a str, content_type: &'a str, body: &'a [u8]) -> RequestView<'a> {
    RequestView::new(
        "POST",
        path,
        "",
        vec![
            ("Host", b"api.test"),
            ("Content-Type", content_type.as_bytes()),
        ],
        Some(Body {
            bytes: body,
            truncated: false,
        }),
    )
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Cuts(u64);

impl Cuts {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }
}

/// The body fed in random chunks (some of one byte) to a scan begun on a
/// view holding the first chunk, as the gateway does with a body it streams.
fn chunked(engine: &Engine, view: &RequestView<'_>, seed: u64) -> Verdict {
    let body = view.body.map_or(&[][..], |b| b.bytes);
    let mut cuts = Cuts(seed | 1);
    let mut next = |rest: &[u8]| match cuts.next(4) {
        0 => 1,
        _ => 1 + cuts.next(rest.len().min(4096)),
    };
    let first = next(body).min(body.len());
    let head = RequestView::new(
        view.method,
        view.path,
        view.query,
        view.headers.clone(),
        view.body.map(|_| Body {
            bytes: &body[..first],
            truncated: first < body.len(),
        }),
    );
    let mut scan = engine.begin(&head);
    let mut rest = body;
    let mut take = first;
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(take.min(rest.len()));
        engine.feed(&mut scan, chunk);
        rest = after;
        take = next(rest);
    }
    engine.finish(scan)
}

fn records(name: &str) -> Vec<ExchangeRecord> {
    let path = format!(
        "{}/../../bench/detection/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("the generated corpus {path} is part of the repository: {e}"));
    RecordReader::new(std::io::BufReader::new(file))
        .filter_map(Result::ok)
        .map(|(_, r)| r)
        .filter(|r| r.request_body.as_ref().is_some_and(|b| !b.is_empty()))
        .collect()
}

#[test]
fn every_chunking_of_a_corpus_body_gets_the_verdict_of_the_whole_body() {
    let engine = engine("");
    let mut checked = 0;
    let mut blocked = 0;
    // The generated corpora kept in the repository (`bench/detection`):
    // attacks and their twins in every body placement and encoding (gzip
    // included), prose, and API traffic with 300 KB documents.
    for name in [
        "attacks.jsonl",
        "attacks-crs.jsonl",
        "twins.jsonl",
        "prose.jsonl",
        "api.jsonl",
    ] {
        for (i, record) in records(name).iter().enumerate() {
            let view = RequestView::from_record(record);
            let whole = engine.inspect(&view);
            {
                let seed = i as u64 * 7919 + 1;
                let streamed = chunked(&engine, &view, seed);
                assert_eq!(
                    streamed,
                    whole,
                    "{name} record {i} ({:?}), seed {seed}",
                    record.request_body.as_deref().map(String::from_utf8_lossy)
                );
            }
            checked += 1;
            blocked += usize::from(whole.blocked);
        }
    }
    assert!(
        checked > 5000 && blocked > 1000,
        "{checked} bodies, {blocked} blocked"
    );
}

/// Attack bodies built past any buffer a proxy keeps.
fn padded_sqli() -> Vec<u8> {
    let pad = vec![format!("\"{}\"", "x".repeat(68)); 1024].join(",");
    format!(r#"{{"pad":[{pad}],"name":"1' UNION SELECT password FROM users--"}}"#).into_bytes()
}

/// The padded injection is blocked (403) for what `$.name` holds, whole
/// and in any chunking.
fn blocked_as_sqli_in_name(engine: &Engine, view: &RequestView<'_>) {
    let whole = engine.inspect(view);
    assert!(whole.blocked && whole.status == 403, "{whole:?}");
    assert!(whole
        .detections
        .iter()
        .any(|d| d.rule.starts_with("sqli.") && d.location == "body$.name"));
    for seed in 1..12 {
        assert_eq!(chunked(engine, view, seed), whole);
    }
}

#[test]
fn attacks_past_any_prefix_are_found_in_any_chunking() {
    let engine = engine("");
    let body = padded_sqli();
    blocked_as_sqli_in_name(&engine, &post("/api/users", "application/json", &body));
}

#[test]
fn a_stream_is_blocked_as_soon_as_the_payload_is_read() {
    let engine = engine("");
    let body = padded_sqli();
    let head = RequestView::new(
        "POST",
        "/api",
        "",
        vec![
            ("Host", &b"api.test"[..]),
            ("Content-Type", b"application/json"),
        ],
        None,
    );
    let mut scan = engine.begin(&head);
    // Up to the payload's closing quote: the value is complete there.
    let at = body.len() - 1;
    let first = engine.feed(&mut scan, &body[..at - 60]);
    assert_eq!(first, Progress::Continue, "{:?}", engine.stop(scan));
    assert_eq!(engine.feed(&mut scan, &body[at - 60..at]), Progress::Block);
    let verdict = engine.stop(scan);
    assert!(verdict.blocked && verdict.detections[0].rule.starts_with("sqli."));
}

#[test]
fn structural_limits_hold_however_large_the_body() {
    let engine = engine("");
    let rule_of = |body: &[u8], ct: &str, path: &str| {
        let v = engine.inspect(&post(path, ct, body));
        assert!(v.blocked, "{v:?}");
        v.detections
            .iter()
            .map(|d| format!("{} {}", d.rule, d.evidence))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let why = rule_of(deep.as_bytes(), "application/json", "/api");
    assert!(
        why.contains("protocol.nesting_too_deep limits.max_depth = 32"),
        "{why}"
    );

    let array = format!("[{}0]", "0,".repeat(1_000_000));
    let why = rule_of(array.as_bytes(), "application/json", "/api");
    assert!(
        why.contains("protocol.too_many_elements limits.max_elements = 100000 reached at $[99999]"),
        "{why}"
    );

    // Aliases are counted as the document is read; a document too long
    // to read whole is itself refused, naming the bound.
    let aliases = |n: usize| -> String {
        let fields: String = (0..n).map(|i| format!("a{i}: me {{ id }} ")).collect();
        format!(r#"{{"query":"query {{ {fields} }}","variables":{{}}}}"#)
    };
    let why = rule_of(aliases(1_000).as_bytes(), "application/json", "/graphql");
    assert!(why.contains("graphql.aliases 1000 aliases > 30"), "{why}");
    let why = rule_of(aliases(10_000).as_bytes(), "application/json", "/graphql");
    assert!(
        why.contains(
            "protocol.value_too_long limits.max_value_bytes = 65536 exceeded at body$.query"
        ),
        "{why}"
    );

    let batch: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"query":"query Q{i} {{ me {{ id }} }}"}}"#))
        .collect();
    let batch = format!("[{}]", batch.join(","));
    let why = rule_of(batch.as_bytes(), "application/json", "/graphql");
    assert!(
        why.contains("graphql.batching 10000 operations > 10"),
        "{why}"
    );

    let long_key = format!(r#"{{"{}":1}}"#, "k".repeat(70_000));
    let why = rule_of(long_key.as_bytes(), "application/json", "/api");
    assert!(
        why.contains(
            "protocol.value_too_long limits.max_value_bytes = 65536 exceeded at body$(key)"
        ),
        "{why}"
    );
}

#[test]
fn a_large_benign_document_passes_whole() {
    let engine = engine("");
    let items: Vec<String> = (0..6000)
        .map(|i| {
            format!(
                r#"{{"id":{i},"name":"Item number {i}","tags":["blue","small"],"price":{i}.5}}"#
            )
        })
        .collect();
    let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
    assert!(body.len() > 300_000);
    let view = post("/api/items", "application/json", body.as_bytes());
    let v = engine.inspect(&view);
    assert!(!v.blocked && v.detections.is_empty(), "{v:?}");
    assert_eq!(chunked(&engine, &view, 42), v);
}

#[test]
fn uninspectable_bodies_get_the_configured_decision() {
    let refuse = engine("[detect.limits]\nmax_body_bytes = 1000\n");
    let xml = format!("<a>{}</a>", "b".repeat(2000));
    let v = refuse.inspect(&post("/api", "application/xml", xml.as_bytes()));
    let why = v.uninspected.as_ref().expect("recorded");
    assert!(v.blocked && why.refused, "{v:?}");
    assert!(
        why.reason.contains("detect.limits.max_body_bytes"),
        "{why:?}"
    );

    let binary = refuse.inspect(&post("/upload", "application/octet-stream", &[0u8; 10]));
    let why = binary.uninspected.as_ref().expect("recorded");
    assert!(!binary.blocked && !why.refused, "{binary:?}");

    let allow = engine(
        "[detect.limits]\nmax_body_bytes = 1000\n[detect.uninspectable]\nstructured = \"allow\"\nother = \"refuse\"\n",
    );
    let v = allow.inspect(&post("/api", "application/xml", xml.as_bytes()));
    assert!(!v.blocked && v.uninspected.is_some(), "{v:?}");
    let v = allow.inspect(&post("/upload", "application/octet-stream", &[0u8; 10]));
    assert!(v.blocked, "{v:?}");
    assert!(DetectConfig::from_toml("[detect.uninspectable]\nstructured = \"maybe\"\n").is_err());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn encoded<'a>(coding: &'a str, body: &'a [u8]) -> RequestView<'a> {
    RequestView::new(
        "POST",
        "/api/orders",
        "",
        vec![
            ("Host", b"api.test"),
            ("Content-Type", b"application/json"),
            ("Content-Encoding", coding.as_bytes()),
        ],
        Some(Body {
            bytes: body,
            truncated: false,
        }),
    )
}

#[test]
fn encoded_bodies_are_read_decoded_and_bombs_refused() {
    let engine = engine("");
    let benign = gzip(br#"{"sku":"A-1","note":"leave it at the door"}"#);
    let v = engine.inspect(&encoded("gzip", &benign));
    assert!(v.detections.is_empty() && v.uninspected.is_none(), "{v:?}");

    let attack = gzip(&padded_sqli());
    blocked_as_sqli_in_name(&engine, &encoded("gzip", &attack));

    let bomb = gzip(&vec![b' '; 8 * 1024 * 1024]);
    let v = engine.inspect(&encoded("gzip", &bomb));
    let why = v.uninspected.as_ref().expect("recorded");
    assert!(v.blocked && v.status == 413 && why.refused, "{v:?}");
    assert!(why.reason.contains("max_inflate"), "{why:?}");

    let v = engine.inspect(&encoded("compress", b"\x1f\x9d\x90"));
    let why = v.uninspected.as_ref().expect("recorded");
    assert!(v.blocked && v.status == 413, "{v:?}");
    assert!(why.reason.contains("`compress`"), "{why:?}");

    let v = engine.inspect(&encoded("gzip", b"not gzip at all"));
    assert!(
        v.detections
            .iter()
            .any(|d| d.rule == "protocol.malformed_body"),
        "{v:?}"
    );
    // A request without a body is not judged by its coding.
    let head = RequestView::new(
        "GET",
        "/",
        "",
        vec![("Host", &b"a"[..]), ("Content-Encoding", b"compress")],
        None,
    );
    assert!(engine.inspect(&head).uninspected.is_none());
}
