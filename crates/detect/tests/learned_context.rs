//! Endpoint context learned from traffic, end to end: requests are learned
//! from as the offline learner does (values the engine flags left out),
//! and the engine then reads prose fields as prose and identifier fields
//! by their shape.

use rampart_detect::contract::add_learned;
use rampart_detect::field_profile::{learnable_values, FieldProfiles, LearnLimits};
use rampart_detect::{Body, DetectConfig, Engine, RequestView, Verdict};

fn view<'a>(
    method: &'a str,
    path: &'a str,
    query: &'a str,
    body: Option<&'a str>,
) -> RequestView<'a> {
    let mut headers: Vec<(&str, &[u8])> = vec![("Host", b"api.test"), ("User-Agent", b"app/1.0")];
    if body.is_some() {
        headers.push(("Content-Type", b"application/json"));
    }
    RequestView::new(
        method,
        path,
        query,
        headers,
        body.map(|b| Body {
            bytes: b.as_bytes(),
            truncated: false,
        }),
    )
}

const NOTES: [&str; 8] = [
    "Please leave it at the back door, the bell is broken.",
    "Arrived late, but the box was intact and the bread was fresh.",
    "Could you drop it by the bakery on the corner instead?",
    "Gift wrap it please, it is for my mother's birthday.",
    "No onions this time, my kid will not eat them.",
    "Ring twice and wait, the stairs take me a while.",
    "Same as last week but with two extra loaves.",
    "Call me when you are outside, the gate is locked.",
];

const ORDER_IDS: [&str; 6] = [
    "c74803e3-1ba1-4215-8228-3d15a9ec0806",
    "3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b",
    "a1b2c3d4-e5f6-4789-8abc-def012345678",
    "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b",
    "deadbeef-cafe-4bad-8f00-0123456789ab",
    "9b8a7c6d-5e4f-4321-8fed-cba987654321",
];

/// An engine whose context was learned from one request per client to
/// `POST /orders/{id}` (a JSON note) and `GET /orders` (an order id).
fn learned_engine(clients: u64) -> Engine {
    let judge = Engine::new(DetectConfig::default()).unwrap();
    let limits = judge.config().limits.clone();
    let mut profiles = FieldProfiles::new(LearnLimits::default());
    for client in 0..clients {
        let note = NOTES[client as usize % NOTES.len()];
        let body = format!(r#"{{"note":"{note}","qty":2}}"#);
        let query = format!("order={}", ORDER_IDS[client as usize % ORDER_IDS.len()]);
        for (method, path, template, query, body) in [
            (
                "POST",
                "/orders/17",
                "/orders/{id}",
                "",
                Some(body.as_str()),
            ),
            ("GET", "/orders", "/orders", query.as_str(), None),
        ] {
            let req = view(method, path, query, body);
            let verdict = judge.inspect(&req);
            assert!(!verdict.blocked, "{verdict:?}");
            let flagged: Vec<&str> = verdict
                .detections
                .iter()
                .map(|d| d.location.as_str())
                .collect();
            let values = learnable_values(&req, &limits);
            profiles.observe_values(method, template, &values, &flagged, client);
        }
    }
    let mut config = DetectConfig::default();
    add_learned(&mut config.contracts, profiles.contracts());
    Engine::new(config).unwrap()
}

fn note(engine: &Engine, text: &str) -> Verdict {
    let body = serde_json::json!({ "note": text, "qty": 1 }).to_string();
    engine.inspect(&view("POST", "/orders/99", "", Some(&body)))
}

fn score_in(v: &Verdict, location: &str) -> f64 {
    v.detections
        .iter()
        .filter(|d| d.location == location)
        .map(|d| d.score)
        .sum()
}

#[test]
fn a_learned_prose_field_reads_sql_words_as_words_but_still_blocks_injections() {
    let plain = Engine::new(DetectConfig::default()).unwrap();
    let learned = learned_engine(8);
    let look_alike = "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves";
    let before = score_in(&note(&plain, look_alike), "body$.note");
    let after = score_in(&note(&learned, look_alike), "body$.note");
    assert!(after <= before, "{before} -> {after}");
    assert!(!note(&learned, look_alike).blocked);
    for attack in [
        "1' UNION SELECT password FROM users--",
        "<script>alert(document.cookie)</script>",
        "'; DROP TABLE orders; --",
    ] {
        let v = note(&learned, attack);
        assert!(v.blocked, "{attack}: {v:?}");
    }
}

#[test]
fn an_attack_in_a_learned_identifier_field_stands_out_and_says_which_shape_it_broke() {
    let plain = Engine::new(DetectConfig::default()).unwrap();
    let learned = learned_engine(8);
    let query = "order=1%27%20or%20sleep(5)%23";
    let before = plain.inspect(&view("GET", "/orders", query, None));
    let after = learned.inspect(&view("GET", "/orders", query, None));
    assert!(after.score > before.score, "{before:?} -> {after:?}");
    let broke = after
        .detections
        .iter()
        .find(|d| d.rule == "contract.not_uuid")
        .expect("the broken shape is named");
    assert_eq!(broke.location, "query.order");
    // A well-formed id is not a finding, and a new shape alone is not one.
    for query in [
        "order=c74803e3-1ba1-4215-8228-3d15a9ec0806",
        "order=ORD-2024-000017",
    ] {
        let v = learned.inspect(&view("GET", "/orders", query, None));
        assert!(v.detections.is_empty(), "{query}: {v:?}");
    }
}

#[test]
fn without_a_quorum_of_clients_nothing_is_learned() {
    let learned = learned_engine(4);
    let query = "order=1%27%20or%20sleep(5)%23";
    let v = learned.inspect(&view("GET", "/orders", query, None));
    assert!(
        v.detections.iter().all(|d| d.rule != "contract.not_uuid"),
        "{v:?}"
    );
}

#[test]
fn values_the_engine_flags_are_not_learned() {
    let judge = Engine::new(DetectConfig::default()).unwrap();
    let limits = judge.config().limits.clone();
    let mut profiles = FieldProfiles::new(LearnLimits::default());
    // Ten clients send a comment field; every value is an injection the
    // engine flags, so the field must not become prose.
    for client in 0..10 {
        let body =
            r#"{"comment":"please select the cheapest item' UNION SELECT password FROM users--"}"#;
        let req = view("POST", "/comments", "", Some(body));
        let verdict = judge.inspect(&req);
        let flagged: Vec<&str> = verdict
            .detections
            .iter()
            .map(|d| d.location.as_str())
            .collect();
        assert!(flagged.contains(&"body$.comment"), "{verdict:?}");
        profiles.observe_values(
            "POST",
            "/comments",
            &learnable_values(&req, &limits),
            &flagged,
            client,
        );
    }
    let decided = profiles.decisions();
    assert!(decided.is_empty(), "{decided:?}");
}

#[test]
fn a_suffix_the_endpoint_carries_is_a_value_and_other_extensions_are_not() {
    let strict = || DetectConfig::from_toml("[detect]\nparanoia = 2\n").unwrap();
    let rules = |engine: &Engine, path: &str| -> Vec<String> {
        let v = engine.inspect(&view("GET", path, "", None));
        v.detections.into_iter().map(|d| d.rule).collect()
    };
    let plain = Engine::new(strict()).unwrap();
    let ext = "protocol.restricted_extension".to_string();
    assert!(rules(&plain, "/v2/domains/example.com").contains(&ext));
    assert!(!rules(&plain, "/users/ann%40example.com").contains(&ext));
    let mut profiles = FieldProfiles::new(LearnLimits::default());
    for client in 0..5 {
        let path = format!("/v2/domains/shop{client}.com");
        profiles.observe_endpoint("GET", "/v2/domains/{name}", &path, None, client);
    }
    let mut config = strict();
    add_learned(&mut config.contracts, profiles.contracts());
    let learned = Engine::new(config).unwrap();
    assert!(!rules(&learned, "/v2/domains/example.com").contains(&ext));
    assert!(rules(&learned, "/v2/domains/backup.bak").contains(&ext));
}
