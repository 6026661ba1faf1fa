//! Scenarios on a driven clock: attacks that must be reported, and the
//! look-alikes that must not be.

use super::*;
use rampart_core::ManualClock;
use serde_json::json;
use std::time::Duration;

const ACCOUNT: &str = "/api/accounts/{account_id}";
const ORDER: &str = "/api/orders/{order_id}";
const USER_ORDERS: &str = "/api/users/{user_id}/orders";

struct Scenario {
    clock: Arc<ManualClock>,
    detector: BolaDetector,
}

impl Scenario {
    fn new(config: BolaConfig) -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = BolaDetector::new(config, clock.clone());
        Scenario { clock, detector }
    }

    fn tick(&self, by: Duration) {
        self.clock.advance(by);
    }

    fn get(&mut self, who: Principal<'_>, template: &str, path: &str) -> Vec<BolaSignal> {
        self.detector.judge(&request(who, template, path))
    }

    /// A request judged, then answered 200 with `body`.
    fn exchange(
        &mut self,
        who: Principal<'_>,
        method: &str,
        template: &str,
        path: &str,
        body: Value,
    ) -> Vec<BolaSignal> {
        let req = request(who, template, path);
        let signals = self.detector.judge(&req);
        self.detector.learn(&Response {
            request: req,
            method,
            status: if method == "POST" { 201 } else { 200 },
            location: None,
            body: Some(&body),
            flagged: !signals.is_empty(),
        });
        signals
    }
}

fn request<'a>(who: Principal<'a>, template: &'a str, path: &'a str) -> Request<'a> {
    Request {
        principal: who,
        template,
        path,
        function: None,
    }
}

fn account(id: u64, owner: &str) -> Value {
    json!({"id": id, "owner_id": owner, "iban": "DE00", "holder": {"id": owner, "name": "x"}})
}

fn sources(signals: &[BolaSignal]) -> Vec<&'static str> {
    signals.iter().map(|s| s.source).collect()
}

#[test]
fn a_customer_walking_through_accounts_is_reported_after_a_few_ids() {
    let mut s = Scenario::new(BolaConfig::default());
    let me = Principal::User("17");
    let own = s.exchange(
        me,
        "GET",
        ACCOUNT,
        "/api/accounts/1001",
        account(1001, "17"),
    );
    assert!(own.is_empty());
    let mut first_reported = None;
    for id in 1001..=1030u64 {
        s.tick(Duration::from_millis(300));
        let path = format!("/api/accounts/{id}");
        let signals = s.exchange(me, "GET", ACCOUNT, &path, account(id, "other"));
        if id == 1001 {
            assert!(signals.is_empty(), "its own account is never counted");
        }
        if let Some(walk) = signals.iter().find(|sig| sig.source == WALK) {
            first_reported.get_or_insert(id);
            assert!(walk.score >= 5.0, "{walk:?}");
            assert!(walk.confidence > 0.89, "consecutive ids: {walk:?}");
            assert_eq!(walk.object.id, id.to_string());
            for part in ["user \"17\"", "account ids", ACCOUNT, "density 1.00"] {
                assert!(walk.evidence.contains(part), "{part}: {}", walk.evidence);
            }
        } else {
            assert!(first_reported.is_none(), "a walk stays reported: {id}");
        }
    }
    // 1001 (asked for before its answer showed it) to 1006: six
    // consecutive ids weigh twelve, the default walk_ids.
    assert_eq!(first_reported, Some(1006));
}

#[test]
fn scattered_opaque_ids_need_the_full_count_and_score_grows_with_the_walk() {
    let mut s = Scenario::new(BolaConfig::default());
    let who = Principal::ApiKey("k-scraper-1234");
    let mut scores = Vec::new();
    for n in 0..30 {
        s.tick(Duration::from_secs(1));
        let path = format!("/api/orders/ord_{n:x}z");
        if let Some(walk) = s
            .get(who, ORDER, &path)
            .into_iter()
            .find(|g| g.source == WALK)
        {
            scores.push((n, walk.score, walk.confidence));
            assert!(
                walk.evidence.starts_with("API key k-sc..."),
                "{}",
                walk.evidence
            );
        }
    }
    assert_eq!(
        scores.first().map(|s| s.0),
        Some(11),
        "the 12th distinct id"
    );
    assert!(scores.windows(2).all(|w| w[1].1 >= w[0].1), "{scores:?}");
    assert_eq!(
        scores.last().map(|s| s.1),
        Some(10.0),
        "capped at twice walk_score"
    );
    assert!(
        scores[0].2 < 0.7,
        "no density, lower confidence: {scores:?}"
    );
}

#[test]
fn a_mobile_app_paging_through_its_own_orders_is_not_a_walk() {
    let mut s = Scenario::new(BolaConfig::default());
    let me = Principal::User("42");
    for page in 0..10u64 {
        s.tick(Duration::from_secs(2));
        let orders: Vec<Value> = (0..20)
            .map(|i| json!({"id": 70_000 + page * 20 + i, "product_id": "p-1", "total": "9.99"}))
            .collect();
        let path = format!("/api/users/42/orders?page={page}");
        let signals = s.exchange(me, "GET", USER_ORDERS, &path, json!({"data": orders}));
        assert!(
            signals.is_empty(),
            "its own user id in the path: {signals:?}"
        );
        for i in 0..20 {
            let id = 70_000 + page * 20 + i;
            let signals = s.exchange(
                me,
                "GET",
                ORDER,
                &format!("/api/orders/{id}"),
                json!({"id": id}),
            );
            assert!(
                signals.is_empty(),
                "order {id} came from its own list: {signals:?}"
            );
        }
    }
}

#[test]
fn objects_a_list_returned_are_never_counted_against_the_lister() {
    let mut s = Scenario::new(BolaConfig::default());
    let me = Principal::User("treasurer");
    let accounts: Vec<Value> = (5001..=5040).map(|id| json!({"id": id})).collect();
    s.exchange(me, "GET", "/api/accounts", "/api/accounts", json!(accounts));
    for id in 5001..=5040 {
        let path = format!("/api/accounts/{id}");
        assert!(s.get(me, ACCOUNT, &path).is_empty(), "{id}");
    }
}

#[test]
fn an_administrator_doing_admin_work_is_left_alone() {
    let config = BolaConfig {
        exempt_users: vec!["ops".into()],
        ..BolaConfig::default()
    };
    let mut s = Scenario::new(config);
    let alice = Principal::User("alice");
    let created = json!({"id": 9001});
    s.exchange(alice, "POST", "/api/accounts", "/api/accounts", created);
    for id in 9001..9100u64 {
        let path = format!("/api/accounts/{id}");
        let by_admin = s.exchange(
            Principal::User("ops"),
            "GET",
            ACCOUNT,
            &path,
            account(id, "x"),
        );
        assert!(by_admin.is_empty(), "an exempt principal: {id}");
    }
    let everyone: Vec<Value> = (1..200).map(|id| json!({"id": id})).collect();
    let admin_list = Request {
        function: Some("admin"),
        ..request(
            Principal::User("root"),
            "/api/admin/users",
            "/api/admin/users",
        )
    };
    assert!(s.detector.judge(&admin_list).is_empty());
    s.detector.learn(&Response {
        request: admin_list,
        method: "GET",
        status: 200,
        location: None,
        body: Some(&json!({"users": everyone})),
        flagged: false,
    });
    let admin_work = Request {
        function: Some("admin"),
        ..request(
            Principal::User("root"),
            "/api/admin/users/{user_id}",
            "/api/admin/users/5",
        )
    };
    for _ in 0..50 {
        assert!(s.detector.judge(&admin_work).is_empty());
    }
    assert_eq!(
        s.get(alice, ACCOUNT, "/api/accounts/9001"),
        Vec::new(),
        "the administrator's reads made nobody else an owner"
    );
}

#[test]
fn many_users_behind_one_address_each_with_their_own_token_are_apart() {
    let mut s = Scenario::new(BolaConfig::default());
    for user in 0..200u64 {
        let name = format!("u{user}");
        let me = Principal::User(&name);
        let id = 3000 + user;
        s.exchange(
            me,
            "POST",
            "/api/accounts",
            "/api/accounts",
            json!({"id": id}),
        );
        let path = format!("/api/accounts/{id}");
        for _ in 0..3 {
            s.tick(Duration::from_millis(50));
            let signals = s.exchange(me, "GET", ACCOUNT, &path, account(id, &name));
            assert!(signals.is_empty(), "{name}: {signals:?}");
        }
    }
}

#[test]
fn an_object_another_principal_created_or_listed_is_foreign() {
    let mut s = Scenario::new(BolaConfig::default());
    let (alice, bob, carol) = (
        Principal::User("alice"),
        Principal::User("bob"),
        Principal::User("carol"),
    );
    let created = request(alice, "/api/accounts", "/api/accounts");
    s.detector.learn(&Response {
        request: created,
        method: "POST",
        status: 201,
        location: Some("https://bank.example/api/accounts/77?x=1"),
        body: None,
        flagged: false,
    });
    let signals = s.get(bob, ACCOUNT, "/api/accounts/77");
    assert_eq!(sources(&signals), vec![FOREIGN_OBJECT]);
    let foreign = &signals[0];
    assert_eq!(foreign.score, 3.0);
    assert_eq!(foreign.confidence, 0.9);
    for part in ["user \"bob\"", "account 77", ACCOUNT, "owned by 1 other"] {
        assert!(
            foreign.evidence.contains(part),
            "{part}: {}",
            foreign.evidence
        );
    }
    assert!(
        s.get(alice, ACCOUNT, "/api/accounts/77").is_empty(),
        "its owner"
    );

    // A second principal's list makes the object shared: no longer foreign.
    let listed = json!([{"id": 77}, {"id": 78}]);
    s.exchange(carol, "GET", "/api/accounts", "/api/accounts", listed);
    assert!(s
        .get(Principal::User("dave"), ACCOUNT, "/api/accounts/77")
        .is_empty());
    assert_eq!(
        sources(&s.get(Principal::User("dave"), ACCOUNT, "/api/accounts/78")),
        vec![FOREIGN_OBJECT],
        "78 is carol's alone"
    );
}

#[test]
fn what_a_flagged_request_returned_proves_no_ownership() {
    let mut s = Scenario::new(BolaConfig {
        walk_ids: 2,
        ..BolaConfig::default()
    });
    let mallory = Principal::User("mallory");
    s.exchange(mallory, "GET", ACCOUNT, "/api/accounts/1", json!({"id": 1}));
    let flagged = s.exchange(
        mallory,
        "GET",
        "/api/accounts",
        "/api/accounts?q=2",
        json!([{"id": 500}]),
    );
    assert!(flagged.is_empty(), "a list addresses no object");
    let walked = s.exchange(mallory, "GET", ACCOUNT, "/api/accounts/2", json!({"id": 2}));
    assert_eq!(sources(&walked), vec![WALK]);
    assert_eq!(
        sources(&s.get(Principal::User("victim"), ACCOUNT, "/api/accounts/500")),
        vec![FOREIGN_OBJECT],
        "an unflagged list still proves ownership"
    );
}

#[test]
fn slow_walks_leave_the_window_and_memory_expires() {
    let mut s = Scenario::new(BolaConfig::default());
    let me = Principal::User("slow");
    for id in 1..=40u64 {
        s.tick(Duration::from_secs(120));
        let path = format!("/api/accounts/{id}");
        assert!(
            s.get(me, ACCOUNT, &path).is_empty(),
            "five ids per ten minutes: {id}"
        );
    }
    let mut s = Scenario::new(BolaConfig::default());
    let listed: Vec<Value> = (1..=20).map(|id| json!({"id": id})).collect();
    s.exchange(me, "GET", "/api/accounts", "/api/accounts", json!(listed));
    s.tick(Duration::from_secs(3601));
    let reported = (1..=20)
        .filter(|id| {
            !s.get(me, ACCOUNT, &format!("/api/accounts/{id}"))
                .is_empty()
        })
        .count();
    assert!(reported > 0, "after an hour the list is forgotten");
}

#[test]
fn every_map_is_bounded_and_what_the_bounds_removed_is_counted() {
    let config = BolaConfig {
        max_principals: 8,
        max_ids_per_principal: 16,
        max_walks_per_principal: 2,
        max_objects: 8,
        max_ids_per_response: 10,
        ..BolaConfig::default()
    };
    let mut s = Scenario::new(config);
    for user in 0..50 {
        let name = format!("p{user}");
        s.tick(Duration::from_millis(10));
        let listed: Vec<Value> = (0..100).map(|i| json!({"id": user * 1000 + i})).collect();
        s.exchange(
            Principal::User(&name),
            "GET",
            "/api/things",
            "/api/things",
            json!(listed),
        );
        for template in ["/a/{id}", "/b/{id}", "/c/{id}"] {
            let path = template.replace("{id}", "1");
            s.get(Principal::User(&name), template, &path);
        }
    }
    let stats = s.detector.stats();
    assert!(stats.principals <= 8 && stats.objects <= 8, "{stats:?}");
    assert!(stats.principals_removed.evicted > 0, "{stats:?}");
    assert!(stats.objects_removed.evicted > 0, "{stats:?}");
    assert!(stats.walks_removed.evicted > 0, "{stats:?}");
    assert_eq!(
        stats.shown_ids_removed.evicted, 0,
        "10 ids per response fit 16"
    );
}

#[test]
fn requests_without_an_object_id_or_for_the_principals_own_id_are_not_judged() {
    let mut s = Scenario::new(BolaConfig {
        walk_ids: 1,
        ..BolaConfig::default()
    });
    let me = Principal::User("7");
    assert!(s.get(me, "/api/products", "/api/products").is_empty());
    assert!(s.get(me, "/api/users/{user_id}", "/api/users/7").is_empty());
    assert!(s
        .get(me, "/api/users/{user_id}", "/api/users/7/extra")
        .is_empty());
    assert_eq!(
        sources(&s.get(me, "/api/users/{user_id}", "/api/users/8")),
        vec![WALK]
    );
}
