//! Scenarios on a driven clock: a debug endpoint handing out credentials
//! and a list that suddenly returns everyone's records must be reported; a
//! login answering a token and a mobile app paging its own orders must not.

use super::*;
use rampart_core::ManualClock;
use std::time::Duration;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: ExposureDetector,
}

impl Scenario {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let config = ExposureConfig {
            exempt_functions: vec!["login".into()],
            ..ExposureConfig::default()
        };
        let detector = ExposureDetector::new(config, clock.clone());
        Scenario { clock, detector }
    }

    fn answer(
        &mut self,
        template: &str,
        function: Option<&str>,
        client: &str,
        hits: &[Hit<'_>],
    ) -> Vec<&'static str> {
        self.clock.advance(Duration::from_secs(1));
        self.detector
            .observe(&Response {
                template,
                function,
                client,
                hits,
            })
            .iter()
            .map(|s| s.source)
            .collect()
    }
}

const EMAIL: Hit<'static> = Hit {
    path: "$.data[*].email",
    kind: "EMAIL",
    secret: false,
};
const PASSWORD: Hit<'static> = Hit {
    path: "$.users[*].password",
    kind: "PASSWORD",
    secret: true,
};
const JWT: Hit<'static> = Hit {
    path: "$.token",
    kind: "JWT",
    secret: true,
};

#[test]
fn a_debug_endpoint_listing_credentials_is_reported_and_repeats_refuse_the_client() {
    let mut s = Scenario::new();
    let hits = [PASSWORD, PASSWORD, EMAIL];
    let signals = s.detector.observe(&Response {
        template: "/debug/users",
        function: Some("admin"),
        client: "address 192.0.2.9",
        hits: &hits,
    });
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].source, SECRETS);
    assert_eq!(
        signals[0].evidence,
        "/debug/users answered address 192.0.2.9 with 2 secret value(s): PASSWORD at $.users[*].password, PASSWORD at $.users[*].password; exposure 1 for this client within 600s"
    );
    assert!(s.detector.judge("address 192.0.2.9").is_none());
    s.answer("/debug/users", Some("admin"), "address 192.0.2.9", &hits);
    s.answer("/debug/users", Some("admin"), "address 192.0.2.9", &hits);
    let repeated = s.detector.judge("address 192.0.2.9").expect("repeated");
    assert_eq!(repeated.source, REPEATED);
    assert_eq!(repeated.score, 5.0);
    assert!(s.detector.judge("address 192.0.2.10").is_none());
}

#[test]
fn a_login_answering_a_token_and_an_exempt_template_are_quiet() {
    let mut s = Scenario::new();
    for _ in 0..10 {
        assert!(s.answer("/login", Some("login"), "c", &[JWT]).is_empty());
    }
    let mut s = Scenario {
        detector: ExposureDetector::new(
            ExposureConfig {
                exempt_templates: vec!["/me/api-keys".into()],
                ..ExposureConfig::default()
            },
            Arc::new(ManualClock::at(0)),
        ),
        clock: Arc::new(ManualClock::at(0)),
    };
    let key = Hit {
        path: "$.keys[*].secret",
        kind: "API_KEY",
        secret: true,
    };
    assert!(s
        .answer("/me/api-keys", Some("profile"), "c", &[key])
        .is_empty());
}

#[test]
fn a_list_suddenly_returning_everyone_is_reported_and_paging_is_not() {
    let mut s = Scenario::new();
    let page = [EMAIL; 5];
    for n in 0..100 {
        let client = format!("user app{}", n % 10);
        assert!(s.answer("/orders", Some("list"), &client, &page).is_empty());
    }
    let dump = [EMAIL; 500];
    let signals = s.detector.observe(&Response {
        template: "/orders",
        function: Some("list"),
        client: "user mallory",
        hits: &dump,
    });
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].source, EXCESS);
    assert!(signals[0].evidence.starts_with(
        "/orders answered user mallory with 500 sensitive values, 100.0x its usual 5.0"
    ));
    let small = [EMAIL; 9];
    let mut s = Scenario::new();
    for _ in 0..30 {
        s.answer("/orders", Some("list"), "u", &[]);
    }
    assert!(
        s.answer("/orders", Some("list"), "u", &small).is_empty(),
        "fewer than min_excess above the usual"
    );
}

#[test]
fn endpoints_and_clients_are_bounded() {
    let clock = Arc::new(ManualClock::at(0));
    let mut detector = ExposureDetector::new(
        ExposureConfig {
            max_endpoints: 4,
            max_clients: 4,
            ..ExposureConfig::default()
        },
        clock.clone(),
    );
    for n in 0..10 {
        clock.advance(Duration::from_millis(1));
        detector.observe(&Response {
            template: &format!("/e{n}"),
            function: None,
            client: &format!("c{n}"),
            hits: &[PASSWORD],
        });
    }
    let stats = detector.stats();
    assert!(stats.endpoints <= 4 && stats.clients <= 4, "{stats:?}");
    assert!(stats.endpoints_removed.evicted > 0 && stats.clients_removed.evicted > 0);
}
