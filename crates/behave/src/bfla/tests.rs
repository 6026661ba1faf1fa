//! Scenarios on a driven clock: a user reaching for admin endpoints must
//! be reported; an administrator doing admin work must not.

use super::*;
use rampart_core::ManualClock;
use std::time::Duration;

struct Scenario {
    clock: Arc<ManualClock>,
    detector: BflaDetector,
}

impl Scenario {
    fn new(config: BflaConfig) -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = BflaDetector::new(config, clock.clone());
        Scenario { clock, detector }
    }

    /// A call judged, then answered `status` a second later.
    fn call(&mut self, who: &str, template: &str, function: &str, status: u16) -> Verdict {
        let call = Call {
            principal: Principal::User(who),
            template,
            function: Some(function),
        };
        let verdict = self.detector.judge(&call);
        self.clock.advance(Duration::from_secs(1));
        self.detector.learn(&call, status, verdict.escalated);
        verdict
    }

    fn user_work(&mut self, who: &str, requests: usize) {
        for n in 0..requests {
            let (template, function) = if n % 2 == 0 {
                ("/orders", "list")
            } else {
                ("/me", "profile")
            };
            assert!(self.call(who, template, function, 200).signals.is_empty());
        }
    }
}

fn sources(verdict: &Verdict) -> Vec<&'static str> {
    verdict.signals.iter().map(|s| s.source).collect()
}

#[test]
fn an_established_user_calling_an_admin_endpoint_is_reported_strongly() {
    let mut s = Scenario::new(BflaConfig::default());
    s.user_work("mallory", 20);
    let verdict = s.call("mallory", "/admin/users", "admin", 200);
    assert!(verdict.escalated);
    assert_eq!(sources(&verdict), [ESCALATION]);
    let signal = &verdict.signals[0];
    assert_eq!(signal.score, 5.0);
    assert_eq!(signal.confidence, 0.85);
    assert!(
        signal.evidence.contains(
            "user \"mallory\" called /admin/users (admin) and never did admin work, after 20 requests of other functions (list, profile)"
        ),
        "{}",
        signal.evidence
    );
    let again = s.call("mallory", "/admin/reset", "destructive", 200);
    assert!(
        again.escalated,
        "an escalated call that succeeded taught nothing"
    );
}

#[test]
fn an_administrator_doing_admin_work_is_quiet_once_known() {
    let mut s = Scenario::new(BflaConfig::default());
    let first = s.call("root", "/admin/users", "admin", 200);
    assert!(!first.escalated);
    assert_eq!(first.signals.len(), 1, "a new principal: weak");
    assert_eq!(first.signals[0].score, 2.0);
    assert_eq!(first.signals[0].confidence, 0.4);
    for _ in 0..30 {
        assert!(s
            .call("root", "/admin/users", "admin", 200)
            .signals
            .is_empty());
        assert!(s.call("root", "/orders", "list", 200).signals.is_empty());
    }
    let mut s = Scenario::new(BflaConfig {
        admin_users: vec!["ops".into()],
        ..BflaConfig::default()
    });
    s.user_work("ops", 25);
    assert!(s
        .call("ops", "/admin/purge", "destructive", 200)
        .signals
        .is_empty());
}

#[test]
fn a_mobile_app_paging_its_own_orders_and_many_users_are_quiet() {
    let mut s = Scenario::new(BflaConfig::default());
    for user in 0..200 {
        let who = format!("customer{user}");
        for page in 0..5 {
            let path_function = if page == 4 { "checkout" } else { "list" };
            assert!(s
                .call(&who, "/orders", path_function, 200)
                .signals
                .is_empty());
        }
    }
    assert_eq!(s.detector.stats().principals, 200);
}

#[test]
fn repeated_refusals_on_admin_endpoints_are_reported() {
    let mut s = Scenario::new(BflaConfig::default());
    for n in 0..3 {
        let verdict = s.call("eve", "/admin/users", "admin", 403);
        assert!(!sources(&verdict).contains(&DENIED), "{n}");
    }
    let verdict = s.call("eve", "/admin/config", "admin", 403);
    assert!(sources(&verdict).contains(&DENIED), "{verdict:?}");
    let denied = verdict.signals.iter().find(|s| s.source == DENIED).unwrap();
    assert!(denied
        .evidence
        .starts_with("user \"eve\" was refused 3 admin calls within 900s"));
    s.clock.advance(Duration::from_secs(900));
    assert!(!sources(&s.call("eve", "/admin/users", "admin", 200)).contains(&DENIED));
}

#[test]
fn calls_without_a_function_count_as_history_only() {
    let mut s = Scenario::new(BflaConfig::default());
    let call = Call {
        principal: Principal::ApiKey("k-123456"),
        template: "/things",
        function: None,
    };
    for _ in 0..20 {
        assert!(s.detector.judge(&call).signals.is_empty());
    }
    let verdict = s.call_key("k-123456");
    assert!(verdict.escalated);
    assert!(verdict.signals[0].evidence.contains("API key k-12..."));
}

impl Scenario {
    fn call_key(&mut self, key: &str) -> Verdict {
        self.detector.judge(&Call {
            principal: Principal::ApiKey(key),
            template: "/admin",
            function: Some("admin"),
        })
    }
}

#[test]
fn principals_are_bounded_and_what_the_bound_removed_is_counted() {
    let mut s = Scenario::new(BflaConfig {
        max_principals: 8,
        ..BflaConfig::default()
    });
    for n in 0..20 {
        s.call(&format!("u{n}"), "/orders", "list", 200);
    }
    let stats = s.detector.stats();
    assert!(stats.principals <= 8);
    assert!(stats.principals_removed.evicted > 0);
    s.clock.advance(Duration::from_secs(24 * 3600));
    s.call("late", "/orders", "list", 200);
    assert!(s.detector.stats().principals_removed.expired > 0);
}
