//! The model on a driven clock: nothing is judged while a profile warms
//! up; each kind of anomaly is found with its evidence; one client, or an
//! attack run from a few, cannot make odd values normal; a lasting change
//! from many clients is learned again; every bound holds and is counted.

use super::*;
use rampart_core::ManualClock;
use serde_json::json;
use std::time::Duration;

struct Model {
    clock: Arc<ManualClock>,
    detector: AnomalyDetector,
}

/// A search request's parameters: `?page=..&q=..`.
fn search(page: &str, q: &str) -> Vec<Param> {
    parameters(&Sources {
        query: &format!("page={page}&q={q}"),
        ..Sources::default()
    })
}

/// An order's JSON body `{"qty": ..}`.
fn order(qty: serde_json::Value) -> Vec<Param> {
    let document = json!({ "qty": qty });
    parameters(&Sources {
        json: Some(&document),
        ..Sources::default()
    })
}

const WORDS: [&str; 8] = [
    "red+shoes",
    "blue+hat",
    "garden+chair",
    "lamp",
    "usb+cable",
    "desk",
    "green+tea",
    "socks",
];

impl Model {
    fn new(config: AnomalyConfig) -> Model {
        let clock = Arc::new(ManualClock::at(1_000_000_000));
        let detector = AnomalyDetector::new(config, clock.clone());
        Model { clock, detector }
    }

    fn request<'a>(
        method: &'a str,
        template: &'a str,
        client: &'a str,
        params: &'a [Param],
    ) -> Request<'a> {
        Request {
            method,
            template,
            client,
            params,
        }
    }

    /// Judges a request, learning nothing.
    fn judge(&mut self, template: &str, client: &str, params: &[Param]) -> Vec<Finding> {
        self.clock.advance(Duration::from_millis(10));
        self.detector
            .judge(&Model::request("GET", template, client, params))
    }

    /// Judges a request, then learns it as a passed exchange.
    fn send(&mut self, template: &str, client: &str, params: &[Param]) -> Vec<Finding> {
        self.clock.advance(Duration::from_millis(10));
        let request = Model::request("GET", template, client, params);
        let found = self.detector.judge(&request);
        self.detector.learn(&request);
        found
    }

    /// `n` normal searches and orders from 20 clients.
    fn warm(&mut self, n: usize) {
        for i in 0..n {
            let client = format!("user{}", i % 20);
            let page = (i % 50 + 1).to_string();
            assert!(
                self.send("/search", &client, &search(&page, WORDS[i % 8]))
                    .is_empty(),
                "search {i}"
            );
            assert!(
                self.send("/orders", &client, &order(json!(i % 5 + 1)))
                    .is_empty(),
                "order {i}"
            );
        }
    }
}

fn sources(found: &[Finding]) -> Vec<&'static str> {
    found.iter().map(|f| f.signal.source).collect()
}

#[test]
fn nothing_is_judged_until_enough_values_from_enough_clients_were_learned() {
    let mut model = Model::new(AnomalyConfig::default());
    for i in 0..200 {
        let found = model.send("/orders", "user0", &order(json!(i % 5 + 1)));
        assert!(found.is_empty());
    }
    let huge = order(json!(999_999_999));
    assert!(
        model.judge("/orders", "user0", &huge).is_empty(),
        "one client: never warm"
    );
    for i in 0..4 {
        model.send("/orders", &format!("user{}", i + 1), &order(json!(2)));
    }
    assert!(
        model.judge("/orders", "user9", &huge).is_empty(),
        "16 + 4 values: not warm"
    );
    for i in 0..40 {
        model.send(
            "/orders",
            &format!("user{}", i % 5),
            &order(json!(i % 5 + 1)),
        );
    }
    assert_eq!(sources(&model.judge("/orders", "user9", &huge)), [RANGE]);
    let stats = model.detector.stats();
    assert_eq!(
        (stats.values_learned, stats.values_capped),
        (52, 184 + 8),
        "{stats:?}"
    );
}

#[test]
fn a_huge_number_a_long_text_and_an_injection_are_each_found_with_evidence() {
    let mut model = Model::new(AnomalyConfig::default());
    model.warm(200);
    let found = model.send("/orders", "mallory", &order(json!(999_999_999)));
    let range = found
        .iter()
        .find(|f| f.signal.source == RANGE)
        .expect("range");
    assert_eq!(range.location, "json.qty");
    assert!(
        range.signal.evidence.starts_with("GET /orders json.qty \"999999999\" from mallory: 999999999 outside -3..10 (learned 1..5;"),
        "{}",
        range.signal.evidence
    );
    assert_eq!(
        range.signal.score, 3.0,
        "many orders of magnitude off: three times the score"
    );

    let long = "a".repeat(3000);
    let found = model.send("/search", "mallory", &search("2", &long));
    assert_eq!(sources(&found), [LENGTH]);
    let evidence = &found[0].signal.evidence;
    assert!(evidence.contains("query.q \"aaaa"), "{evidence}");
    assert!(evidence.contains(": 3000 characters, "), "{evidence}");
    assert!(
        found[0].signal.score > 2.0 && found[0].signal.score < 3.0,
        "{}",
        found[0].signal.score
    );

    let found = model.send("/search", "mallory", &search("-1'--", "lamp"));
    assert_eq!(sources(&found), [CLASSES, RANGE], "{found:?}");
    assert!(
        found[0].signal.evidence.contains(
            "unusual characters: punctuation (in 0.0% of values), quotes, brackets or shell symbols (in 0.0% of values), not hex-only (where 100.0% were)"
        ),
        "{}",
        found[0].signal.evidence
    );
    assert!(found[1]
        .signal
        .evidence
        .contains("not a number where 100.0% of values were"));
    assert!(found.iter().all(|f| f.location == "query.page"));
    assert_eq!(
        (found[0].signal.score * 100.0).round(),
        148.0,
        "three ways off"
    );
    assert_eq!(found[1].signal.score, 1.0);

    let found = model.send("/search", "mallory", &search("3", "caf%C3%A9%00"));
    assert_eq!(sources(&found), [CLASSES]);
    assert!(found[0].signal.evidence.contains("control or non-ASCII"));
}

#[test]
fn normal_values_from_a_new_client_are_not_flagged() {
    let mut model = Model::new(AnomalyConfig::default());
    model.warm(200);
    for i in 0..100 {
        let page = (i % 50 + 1).to_string();
        assert!(model
            .send("/search", "newcomer", &search(&page, WORDS[(i + 3) % 8]))
            .is_empty());
        assert!(model
            .send("/orders", "newcomer", &order(json!(i % 5 + 1)))
            .is_empty());
    }
}

#[test]
fn one_client_sending_ten_thousand_odd_values_cannot_make_them_normal() {
    let mut model = Model::new(AnomalyConfig::default());
    model.warm(200);
    let mut flagged = 0;
    for _ in 0..10_000 {
        flagged += usize::from(
            !model
                .send("/orders", "mallory", &order(json!(999_999_999)))
                .is_empty(),
        );
    }
    assert_eq!(flagged, 10_000);
    let stats = model.detector.stats();
    assert!(stats.values_capped >= 10_000 - 16, "{stats:?}");
    assert_eq!(stats.relearned, 0);
    assert!(!model
        .send("/orders", "user3", &order(json!(999_999_999)))
        .is_empty());
}

#[test]
fn a_run_of_odd_values_from_a_few_clients_amid_normal_traffic_does_not_widen_the_profile() {
    let mut model = Model::new(AnomalyConfig::default());
    model.warm(200);
    let just_past = |model: &mut Model| {
        let long = "b".repeat(81);
        (
            model.judge("/orders", "judge", &order(json!(11))),
            model.judge("/search", "judge", &search("1", &long)),
            model.judge("/search", "judge", &search("1", "semi;colon")),
        )
    };
    let (range, length, classes) = just_past(&mut model);
    assert_eq!(
        (sources(&range), sources(&length), sources(&classes)),
        (vec![RANGE], vec![LENGTH], vec![CLASSES])
    );
    for round in 0..300 {
        let attacker = format!("attacker{}", round % 4);
        model.send("/orders", &attacker, &order(json!(10_000 + round)));
        model.send(
            "/search",
            &attacker,
            &search("1", &"x".repeat(2000 + round)),
        );
        model.send("/search", &attacker, &search("1", "'+or+1=1;--"));
        model.warm(1);
    }
    let (range, length, classes) = just_past(&mut model);
    assert_eq!(
        (sources(&range), sources(&length), sources(&classes)),
        (vec![RANGE], vec![LENGTH], vec![CLASSES])
    );
    let stats = model.detector.stats();
    assert_eq!(stats.relearned, 0, "four clients are not a quorum of five");
}

#[test]
fn a_lasting_change_sent_by_many_clients_is_learned_again() {
    let mut model = Model::new(AnomalyConfig::default());
    model.warm(200);
    let mut flagged = 0;
    for i in 0..40 {
        let client = format!("user{}", i % 20);
        flagged += usize::from(
            !model
                .send("/orders", &client, &order(json!(100 + i % 50)))
                .is_empty(),
        );
    }
    assert_eq!(
        (flagged, model.detector.stats().relearned),
        (40, 0),
        "forty in a row are not yet most"
    );
    for i in 40..200 {
        let client = format!("user{}", i % 20);
        model.send("/orders", &client, &order(json!(100 + i % 50)));
    }
    assert_eq!(model.detector.stats().relearned, 1, "started over once");
    for i in 0..100 {
        let client = format!("user{}", i % 20);
        let found = model.send("/orders", &client, &order(json!(100 + i % 50)));
        assert!(found.is_empty(), "{found:?}");
    }
    assert_eq!(
        sources(&model.judge("/orders", "user1", &order(json!(999_999_999)))),
        [RANGE]
    );
}

#[test]
fn the_rate_of_an_endpoint_and_of_a_client_are_judged_against_their_baselines() {
    let mut model = Model::new(AnomalyConfig::default());
    model.clock.move_to(1_000_020_000); // a minute starts
    let params = search("1", "lamp");
    // 12 minutes of 40 requests from 10 clients (4 each).
    for _ in 0..12 {
        for i in 0..40 {
            let client = format!("user{}", i % 10);
            assert!(model
                .detector
                .judge(&Model::request("GET", "/search", &client, &params))
                .is_empty());
            model.clock.advance(Duration::from_millis(1_000));
        }
        model.clock.advance(Duration::from_secs(20));
    }
    let mut endpoint = Vec::new();
    let mut client = Vec::new();
    for i in 0..400 {
        let who = if i % 4 == 0 {
            "mallory".to_string()
        } else {
            format!("user{}", i % 100)
        };
        for found in model
            .detector
            .judge(&Model::request("GET", "/search", &who, &params))
        {
            match found.signal.source {
                ENDPOINT_RATE => endpoint.push(found),
                CLIENT_RATE => client.push(found),
                other => panic!("{other}"),
            }
        }
    }
    assert_eq!(endpoint.len(), 1, "once a minute");
    assert!(
        endpoint[0].signal.evidence.starts_with(
            "GET /search had 161 requests this minute, past the threshold 160 (usual 40.0/min"
        ),
        "{}",
        endpoint[0].signal.evidence
    );
    assert_eq!(
        client.len(),
        100 - 30,
        "mallory's requests past 30 this minute"
    );
    assert!(client
        .iter()
        .all(|f| f.signal.evidence.starts_with("mallory sent ")));
    assert!(
        client[0]
            .signal
            .evidence
            .contains("past the threshold 30 (its clients usually send 4.0/min"),
        "{}",
        client[0].signal.evidence
    );
    assert_eq!(client[0].location, "client");
    // The flood is not learned: the next minute is judged against 40 a minute.
    model.clock.advance(Duration::from_secs(60));
    let mut crossed = 0;
    for i in 0..300 {
        let who = format!("user{}", i % 10);
        crossed += model
            .detector
            .judge(&Model::request("GET", "/search", &who, &params))
            .len();
    }
    assert_eq!(crossed, 1);
    assert!(model.detector.stats().unusual_minutes >= 2);
}

#[test]
fn every_bound_holds_and_what_it_removed_is_counted() {
    let config = AnomalyConfig {
        max_endpoints: 8,
        max_parameters: 4,
        max_clients: 3,
        ..AnomalyConfig::default()
    };
    let mut model = Model::new(config);
    for n in 0..20 {
        model.send(&format!("/e{n}"), "user0", &search("1", "a"));
    }
    let many: Vec<Param> = (0..10)
        .flat_map(|n| {
            parameters(&Sources {
                query: &format!("p{n}=1"),
                ..Sources::default()
            })
        })
        .collect();
    for n in 0..5 {
        model.send("/wide", &format!("user{n}"), &many);
    }
    let stats = model.detector.stats();
    assert!(stats.endpoints <= 8, "{stats:?}");
    assert!(stats.endpoints_removed.evicted >= 12);
    assert!(stats.parameters <= 8 * 4);
    assert!(stats.parameters_removed.evicted > 0);
    assert_eq!(stats.clients_dropped, 2, "user3 and user4 on /wide");
    model.detector.skip();
    assert_eq!(model.detector.stats().exchanges_skipped, 1);
    assert!(
        ValueProfile::max_bytes(5) <= 800,
        "{}",
        ValueProfile::max_bytes(5)
    );
}
