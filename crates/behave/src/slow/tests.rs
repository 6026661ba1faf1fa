//! Scenarios on a driven clock: a client holding the upstream with heavy
//! requests must be reported and then refused; an endpoint that is always
//! slow, and many clients behind one address, must not be.

use super::*;
use rampart_core::ManualClock;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: SlowDetector,
}

impl Scenario {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = SlowDetector::new(SlowConfig::default(), clock.clone());
        Scenario { clock, detector }
    }

    fn answer(&mut self, template: &str, client: &str, millis: u64) -> Option<Signal> {
        self.clock.advance(Duration::from_millis(500));
        self.detector.observe(&Answer {
            method: "GET",
            template,
            client,
            took: Duration::from_millis(millis),
        })
    }

    /// `n` ordinary answers of 20 to 29 ms from many clients.
    fn warm(&mut self, template: &str, n: u64) {
        for i in 0..n {
            let client = format!("user{}", i % 7);
            assert!(self.answer(template, &client, 20 + i % 10).is_none());
        }
    }
}

#[test]
fn a_redos_request_is_reported_and_repeated_ones_refuse_the_client() {
    let mut s = Scenario::new();
    s.warm("/search", 40);
    let signal = s
        .answer("/search", "user \"mallory\"", 3_000)
        .expect("slow");
    assert_eq!(signal.source, REQUEST);
    assert_eq!(signal.score, 1.0);
    assert!(
        signal
            .evidence
            .starts_with("GET /search took 3000ms for user \"mallory\", "),
        "{}",
        signal.evidence
    );
    assert!(signal.evidence.contains("slow answer 1 for this client"));
    assert!(s.detector.judge("user \"mallory\"").is_none());
    s.warm("/search", 5);
    s.answer("/search", "user \"mallory\"", 2_500)
        .expect("slow");
    s.warm("/search", 5);
    s.answer("/search", "user \"mallory\"", 4_000)
        .expect("slow");
    let repeated = s.detector.judge("user \"mallory\"").expect("repeated");
    assert_eq!(repeated.source, REPEATED);
    assert_eq!(repeated.score, 5.0);
    assert!(s.detector.judge("user \"alice\"").is_none());
    s.clock.advance(Duration::from_secs(600));
    assert!(
        s.detector.judge("user \"mallory\"").is_none(),
        "out of the window"
    );
}

#[test]
fn an_endpoint_that_is_always_slow_is_its_own_baseline() {
    let mut s = Scenario::new();
    for i in 0..100u64 {
        let millis = 2_000 + (i * 37) % 600;
        assert!(
            s.answer("/reports/yearly", "user \"cfo\"", millis)
                .is_none(),
            "{i}"
        );
    }
    assert!(s.answer("/reports/yearly", "user \"cfo\"", 2_900).is_none());
    assert!(s.detector.judge("user \"cfo\"").is_none());
}

#[test]
fn nothing_is_judged_while_an_endpoint_warms_up_or_below_the_floor() {
    let mut s = Scenario::new();
    assert!(s.answer("/new", "c", 5).is_none());
    assert!(s.answer("/new", "c", 9_000).is_none(), "warming up");
    let mut s = Scenario::new();
    for _ in 0..40 {
        s.answer("/fast", "c", 1);
    }
    assert!(
        s.answer("/fast", "c", 200).is_none(),
        "200x, but under 250ms"
    );
}

#[test]
fn an_upstream_slow_for_everyone_strikes_nobody_and_nat_users_stay_quiet() {
    let mut s = Scenario::new();
    s.warm("/orders", 40);
    let mut flagged = 0;
    for n in 0..200 {
        let client = format!("address 203.0.113.1 fp{}", n % 3);
        if s.answer("/orders", &client, 1_500).is_some() {
            flagged += 1;
        }
    }
    assert!(
        flagged <= 5,
        "the baseline followed the slow upstream: {flagged}"
    );
    for n in 0..3 {
        let client = format!("address 203.0.113.1 fp{n}");
        assert!(s.detector.judge(&client).is_none(), "{client}");
    }
    let stats = s.detector.stats();
    assert_eq!(stats.endpoints, 1);
}

#[test]
fn endpoints_and_clients_are_bounded() {
    let clock = Arc::new(ManualClock::at(0));
    let mut detector = SlowDetector::new(
        SlowConfig {
            max_endpoints: 4,
            max_clients: 4,
            warmup_answers: 1,
            ..SlowConfig::default()
        },
        clock.clone(),
    );
    for n in 0..10 {
        let template = format!("/e{n}");
        for (millis, client) in [(10, "a".to_string()), (5_000, format!("c{n}"))] {
            clock.advance(Duration::from_millis(1));
            detector.observe(&Answer {
                method: "GET",
                template: &template,
                client: &client,
                took: Duration::from_millis(millis),
            });
        }
    }
    let stats = detector.stats();
    assert!(stats.endpoints <= 4 && stats.clients <= 4, "{stats:?}");
    assert!(stats.endpoints_removed.evicted > 0 && stats.clients_removed.evicted > 0);
}
