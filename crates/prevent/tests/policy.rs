//! Policy compiled from TOML and evaluated against requests: load-time
//! checks, CEL semantics, actions and the documented precedence.

use rampart_prevent::policy::{BanOn, Deception, Mode, PolicyError, Verdict};
use rampart_prevent::ratelimit::LimitConfig;
use rampart_prevent::{Policy, PolicyConfig, RequestFacts, Signal};

fn limits() -> Vec<LimitConfig> {
    vec![toml::from_str(
        r#"
        name = "login-failures"
        key = { parts = ["user"] }
        quota = { requests = 5, per_seconds = 60 }
        count_only_status = [401]
        "#,
    )
    .unwrap()]
}

fn compile(text: &str) -> Result<Policy, PolicyError> {
    let config: PolicyConfig = toml::from_str(text).expect("valid TOML");
    Policy::compile(&config, &limits())
}

fn policy(text: &str) -> Policy {
    compile(text).unwrap_or_else(|error| panic!("{error}"))
}

fn rule_error(when: &str) -> String {
    let text =
        format!("[[rules]]\nname = \"r\"\nwhen = '''{when}'''\naction = {{ type = \"block\" }}\n");
    compile(&text)
        .err()
        .expect("the rule is refused")
        .to_string()
}

fn request() -> RequestFacts {
    let mut facts = RequestFacts::new("POST", "/login", "203.0.113.9".parse().unwrap());
    facts.request_id = "req-1".into();
    facts.route = "api".into();
    facts.client.country = Some("KP".into());
    facts.client.asn = Some(64_500);
    facts.endpoint.template = Some("/login".into());
    facts.endpoint.function = Some("login".into());
    facts.endpoint.risk = 0.8;
    facts
}

fn signal(class: &str, source: &str, score: f64) -> Signal {
    Signal {
        class: class.into(),
        source: source.into(),
        location: "body.password".into(),
        score,
        confidence: 1.0,
    }
}

fn is_block(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Block(_))
}

#[test]
fn rules_read_request_client_endpoint_and_signals() {
    let conditions = [
        r#"request.method == "POST" && request.path.startsWith("/log")"#,
        r#"client.country in ["KP", "IR"] && client.asn == 64500"#,
        r#"client.ip.startsWith("203.0.113.") && client.user == """#,
        r#"endpoint.function == "login" && endpoint.risk >= 0.75"#,
        r#""credential_stuffing" in signals.classes && signals.score > 2.0"#,
        r#"signals.sources.exists(s, s.startsWith("ato.")) && signals.count == 1"#,
        r#"request.path.matches("^/log[a-z]+$") && size(request.route) == 3"#,
        r#"matches(request.path, "in$") && !request.path.matches("^/admin")"#,
        r#"endpoint.risk > 0 && signals.score >= 1 && client.asn > 1.5"#,
    ];
    let facts = request();
    let signals = [signal("credential_stuffing", "ato.velocity", 3.0)];
    for condition in conditions {
        let text = format!("[[rules]]\nname = \"r\"\nwhen = '''{condition}'''\naction = {{ type = \"monitor\" }}\n");
        let decision = policy(&text).evaluate(&facts, &signals);
        assert!(
            decision.failed_rules.is_empty(),
            "{condition}: {:?}",
            decision.failed_rules
        );
        assert_eq!(decision.reasons.len(), 1, "{condition} did not match");
        assert!(decision.record, "a monitor rule asks to record");
        let mut other = facts.clone();
        other.method = "GET".into();
        other.client.country = Some("FR".into());
        other.client.ip = "192.0.2.1".parse().unwrap();
        other.endpoint.risk = 0.1;
        other.path = "/x".into();
        let decision = policy(&text).evaluate(&other, &[]);
        assert!(
            decision.failed_rules.is_empty(),
            "{condition}: {:?}",
            decision.failed_rules
        );
        assert!(
            decision.reasons.is_empty(),
            "{condition} matched the other request"
        );
    }
}

#[test]
fn load_errors_name_the_rule_and_the_position() {
    assert_eq!(
        rule_error("client.contry == \"FR\""),
        "rule `r` at 1:7: no field `contry` here; the fields are ip, country, asn, api_key, user, fingerprint, ja4, credentials"
    );
    assert_eq!(
        rule_error("request.path == \"/\" &&\n  client.asn == \"13335\""),
        "rule `r` at 2:14: `_==_` cannot take (int, string)"
    );
    let syntax = rule_error("client.ip ==");
    assert!(syntax.starts_with("rule `r` at 1:"), "{syntax}");
    assert!(rule_error("clinet.ip == \"1\"").contains("unknown variable `clinet`"));
    assert!(rule_error("request.path").contains("a rule must be a bool, this is string"));
    assert!(rule_error("lower(request.path) == \"x\"").contains("unknown function `lower`"));
    assert!(rule_error("request.path > 3").contains("cannot take (string, int)"));
    assert!(rule_error("1 in signals.classes").contains("`in` cannot take"));
    assert!(rule_error("request.path.size").contains("a string has no field `size`"));
    let pattern = rule_error("request.method == \"GET\" && request.path.matches(\"(unclosed\")");
    assert!(
        pattern.starts_with("rule `r` at 1:49: invalid pattern"),
        "{pattern}"
    );
    assert!(rule_error("request.path.matches(request.host)").contains("needs a literal pattern"));
    assert!(rule_error("size(client) > 0")
        .contains("`client` must be followed by a field, e.g. `client.ip`"));
    assert!(rule_error("has(client.user)").contains("has() is not needed"));
}

#[test]
fn action_and_scope_errors_are_reported_at_load() {
    let error = compile(
        "[[rules]]\nname = \"limit\"\nwhen = \"true\"\naction = { type = \"rate_limit\", limit = \"nope\" }\n",
    )
    .err()
    .unwrap();
    assert_eq!(
        error.to_string(),
        "rule `limit` at 0:0: no limit named `nope` in [[prevent.limits]]"
    );
    let twice = "[[rules]]\nname = \"a\"\nwhen = \"true\"\naction = { type = \"mask\" }\n";
    assert_eq!(
        compile(&format!("{twice}{twice}")).err().unwrap(),
        PolicyError::DuplicateRule("a".into())
    );
    let error = compile("[[scopes]]\nmatch = { function = \"login\" }\n[[scopes]]\nmatch = { function = \"login\" }\n");
    assert_eq!(
        error.err().unwrap().to_string(),
        "scope function = \"login\": is declared twice"
    );
    let error = compile("[[scopes]]\nmode = \"monitor\"\n").err().unwrap();
    assert!(error.to_string().contains("needs a `match`"));
    let error = compile("[defaults]\nblock_score = -1.0\n").err().unwrap();
    assert!(error
        .to_string()
        .contains("block_score must be a number above 0"));
    let error = compile("[defaults.signals]\nbot = { type = \"block\", status = 302 }\n");
    assert!(error
        .err()
        .unwrap()
        .to_string()
        .contains("signal class `bot`"));
    assert!(toml::from_str::<PolicyConfig>("[defaults]\nmod = \"monitor\"\n").is_err());
}

#[test]
fn the_first_matching_terminal_rule_wins_and_non_terminal_actions_add_up() {
    let policy = policy(
        r#"
        [[rules]]
        name = "tag-risky"
        when = "endpoint.risk > 0.5"
        action = { type = "tag", headers = { "x-rampart-risk" = "high" } }

        [[rules]]
        name = "deceive-kp"
        when = 'client.country == "KP"'
        action = { type = "deceive", with = "fake_login" }

        [[rules]]
        name = "ban-kp"
        when = 'client.country == "KP"'
        action = { type = "ban", on = "ip" }

        [[rules]]
        name = "limit-logins"
        when = 'endpoint.function == "login"'
        action = { type = "rate_limit", limit = "login-failures" }

        [[rules]]
        name = "mask"
        when = "true"
        action = { type = "mask" }
        "#,
    );
    let decision = policy.evaluate(&request(), &[]);
    assert_eq!(decision.mode, Mode::Enforce);
    assert_eq!(decision.verdict, Verdict::Deceive(Deception::FakeLogin));
    assert_eq!(
        decision.upstream_headers,
        [("x-rampart-risk".to_string(), "high".to_string())]
    );
    assert_eq!(decision.limits.len(), 1);
    assert_eq!(&*decision.limits[0].name, "login-failures");
    assert_eq!(decision.limits[0].named_by.source, "rule:limit-logins");
    assert!(decision.mask_response);
    let sources: Vec<&str> = decision.reasons.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(
        sources,
        [
            "rule:tag-risky",
            "rule:deceive-kp",
            "rule:ban-kp",
            "rule:mask"
        ],
        "a limit is a reason only when it refuses"
    );
    assert!(!decision.record);
}

#[test]
fn a_rule_verdict_beats_signal_classes_which_beat_the_score() {
    let policy = policy(
        r#"
        [defaults]
        block_score = 5.0
        [defaults.signals]
        injection = { type = "block" }
        ato = { type = "ban", on = "user" }
        bot = { type = "deceive", with = "tarpit" }
        scraping = { type = "tag", headers = { "x-rampart-signal" = "scraping" } }

        [[rules]]
        name = "deceive-bots-from-kp"
        when = '"bot" in signals.classes && client.country == "KP"'
        action = { type = "deceive", with = "fake_success" }
        "#,
    );
    let facts = request();
    // Rule first: deceive despite the ban-worthy ATO signal.
    let signals = [
        signal("bot", "bot.headless", 1.0),
        signal("ato", "ato.velocity", 1.0),
    ];
    let decision = policy.evaluate(&facts, &signals);
    assert_eq!(decision.verdict, Verdict::Deceive(Deception::FakeSuccess));
    // No rule: the most severe signal class wins (ban > block > deceive).
    let mut elsewhere = facts.clone();
    elsewhere.client.country = Some("FR".into());
    let signals = [
        signal("bot", "bot.headless", 1.0),
        signal("injection", "sqli.union", 1.0),
        signal("ato", "ato.velocity", 1.0),
    ];
    let decision = policy.evaluate(&elsewhere, &signals);
    assert!(matches!(
        decision.verdict,
        Verdict::Ban {
            on: BanOn::User,
            ..
        }
    ));
    // Non-terminal classes never decide; the score does.
    let signals = [
        signal("scraping", "scrape.rate", 3.0),
        signal("unknown", "x", 2.5),
    ];
    let decision = policy.evaluate(&elsewhere, &signals);
    assert!(is_block(&decision.verdict));
    assert_eq!(decision.upstream_headers.len(), 1);
    assert_eq!(
        decision.reasons.last().unwrap().source,
        "policy.block_score"
    );
    // Below the score, nothing happens.
    let decision = policy.evaluate(&elsewhere, &[signal("unknown", "x", 4.9)]);
    assert_eq!(decision.verdict, Verdict::Allow);
    assert!(decision.reasons.is_empty());
}

#[test]
fn signals_combine_into_one_verdict_with_a_confidence() {
    let policy = policy(
        r#"
        [defaults]
        block_score = 5.0

        [[rules]]
        name = "sure-bola"
        when = '"bola" in signals.classes && signals.confidence >= 0.9'
        action = { type = "block" }
        "#,
    );
    let facts = request();
    let weak = |source: &str| Signal {
        confidence: 0.6,
        ..signal("bfla", source, 2.0)
    };
    // One weak signal alone does not act; three together reach the score.
    let decision = policy.evaluate(&facts, &[weak("behave.bfla.new_principal")]);
    assert_eq!(decision.verdict, Verdict::Allow);
    let decision = policy.evaluate(&facts, &[weak("a"), weak("b"), weak("c")]);
    assert!(is_block(&decision.verdict));
    assert_eq!(decision.reasons.last().unwrap().evidence, "score 6 >= 5");
    // Confidences combine as independent witnesses: 1 - 0.4 x 0.4 = 0.84,
    // not sure enough for the rule; a third makes 0.936.
    let unsure = |source: &str| Signal {
        confidence: 0.6,
        ..signal("bola", source, 1.0)
    };
    let two = [
        unsure("behave.bola.walk"),
        unsure("behave.bola.foreign_object"),
    ];
    assert_eq!(policy.evaluate(&facts, &two).verdict, Verdict::Allow);
    let three = [unsure("a"), unsure("b"), unsure("c")];
    assert!(is_block(&policy.evaluate(&facts, &three).verdict));
}

#[test]
fn the_most_specific_scope_sets_each_setting() {
    let policy = policy(
        r#"
        [defaults]
        mode = "enforce"
        block_score = 10.0
        [defaults.signals]
        injection = { type = "block" }

        [[scopes]]
        match = { route = "api" }
        mode = "monitor"
        block_score = 3.0

        [[scopes]]
        match = { function = "login" }
        signals = { injection = { type = "deceive", with = "fake_login" } }

        [[scopes]]
        match = { endpoint = "/login" }
        mode = "enforce"
        "#,
    );
    let injection = [signal("injection", "sqli.tautology", 1.0)];
    // Endpoint says enforce, function picks deceive, route's score applies.
    let decision = policy.evaluate(&request(), &injection);
    assert_eq!(decision.mode, Mode::Enforce);
    assert_eq!(decision.verdict, Verdict::Deceive(Deception::FakeLogin));
    // Another endpoint of the same route and function: the route's monitor.
    let mut other = request();
    other.endpoint.template = Some("/login/mfa".into());
    assert_eq!(policy.evaluate(&other, &injection).mode, Mode::Monitor);
    assert_eq!(
        policy.mode(&other),
        Mode::Monitor,
        "the mode is known before evaluating"
    );
    assert_eq!(policy.mode(&request()), Mode::Enforce);
    // Another function on the route: the default block, the route's score.
    other.endpoint.function = Some("search".into());
    let decision = policy.evaluate(&other, &[signal("odd", "x", 3.0)]);
    assert!(is_block(&decision.verdict));
    assert_eq!(
        decision.mode,
        Mode::Monitor,
        "monitor: recorded, not applied"
    );
    // No route: the defaults.
    other.route.clear();
    let decision = policy.evaluate(&other, &[signal("odd", "x", 3.0)]);
    assert_eq!(
        (decision.mode, decision.verdict),
        (Mode::Enforce, Verdict::Allow)
    );
}

#[test]
fn blocks_carry_the_request_id_and_configured_responses() {
    let policy = policy(
        r#"
        [[rules]]
        name = "geo"
        when = 'client.country == "KP"'
        action = { type = "block", status = 451, body = '{"error":"unavailable"}', content_type = "application/json" }

        [[rules]]
        name = "fallback"
        when = "true"
        action = { type = "block" }
        "#,
    );
    let Verdict::Block(response) = policy.evaluate(&request(), &[]).verdict else {
        panic!("expected a block")
    };
    assert_eq!(response.status, 451);
    assert_eq!(response.body, br#"{"error":"unavailable"}"#);
    assert!(response
        .headers
        .contains(&("content-type".into(), "application/json".into())));
    assert!(response
        .headers
        .contains(&("x-request-id".into(), "req-1".into())));
    let mut other = request();
    other.client.country = None;
    let Verdict::Block(response) = policy.evaluate(&other, &[]).verdict else {
        panic!("expected a block")
    };
    let problem: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(problem["status"], 403);
    assert_eq!(problem["request_id"], "req-1");
    assert_eq!(problem["detail"], "Refused by rule:fallback.");
}

#[test]
fn a_rule_failing_at_run_time_does_not_match_and_is_reported() {
    let policy = policy(
        r#"
        [[rules]]
        name = "numeric-path"
        when = "int(request.path) > 3"
        action = { type = "block" }
        "#,
    );
    let decision = policy.evaluate(&request(), &[]);
    assert_eq!(decision.verdict, Verdict::Allow);
    assert_eq!(decision.failed_rules.len(), 1);
    assert_eq!(&*decision.failed_rules[0].0, "numeric-path");
}

#[test]
fn the_shared_state_can_cross_worker_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Policy>();
    shareable::<rampart_prevent::RateLimiter>();
    shareable::<rampart_prevent::BanList>();
}

#[test]
fn tags_carry_the_score_signals_and_risk_upstream() {
    let policy = policy(
        r#"
        [[rules]]
        name = "tell-the-app"
        when = "signals.count > 0"
        action = { type = "tag", headers = { "x-rampart-score" = "{score}", "x-rampart-signals" = "{signals}", "x-rampart-risk" = "{risk}", "x-rampart-seen" = "yes" } }
        "#,
    );
    let mut facts = request();
    facts.endpoint.risk = 0.5;
    let signals = [
        signal("sqli", "detect.sqli.tautology", 5.0),
        signal("xss", "detect.xss.tag", 3.0),
        signal("sqli", "detect.sqli.union", 2.5),
    ];
    let decision = policy.evaluate(&facts, &signals);
    let header = |name: &str| {
        decision
            .upstream_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-rampart-score"), Some("10.5"));
    assert_eq!(header("x-rampart-signals"), Some("sqli,xss"));
    assert_eq!(header("x-rampart-risk"), Some("0.5"));
    assert_eq!(header("x-rampart-seen"), Some("yes"));
}

#[test]
fn a_rule_in_monitor_mode_is_recorded_and_never_decides() {
    let policy = policy(
        r#"
        [defaults]
        signals = { injection = { type = "deceive", with = "tarpit" } }

        [[rules]]
        name = "ban-kp"
        when = 'client.country == "KP"'
        action = { type = "ban", on = "ip" }
        mode = "monitor"

        [[rules]]
        name = "tag-kp"
        when = 'client.country == "KP"'
        action = { type = "tag", headers = { "x-kp" = "1" } }
        mode = "monitor"

        [[rules]]
        name = "watch-logins"
        when = 'endpoint.function == "login"'
        action = { type = "rate_limit", limit = "login-failures" }
        mode = "monitor"
        "#,
    );
    let decision = policy.evaluate(&request(), &[]);
    assert_eq!(decision.mode, Mode::Enforce, "the scope still enforces");
    assert_eq!(
        decision.verdict,
        Verdict::Allow,
        "the monitored ban decides nothing"
    );
    assert!(matches!(
        decision.held_back,
        Some(Verdict::Ban { on: BanOn::Ip, .. })
    ));
    assert!(decision.record);
    assert!(
        decision.upstream_headers.is_empty(),
        "a monitored tag is not applied"
    );
    assert_eq!(decision.limits.len(), 1);
    assert_eq!(decision.limits[0].mode, Mode::Monitor);
    let described: Vec<(&str, &str)> = decision
        .reasons
        .iter()
        .map(|r| (r.source.as_str(), r.evidence.as_str()))
        .collect();
    assert_eq!(
        described,
        [
            ("rule:ban-kp", "ban (rule in monitor mode)"),
            ("rule:tag-kp", "tag (rule in monitor mode)"),
        ]
    );

    // What decides after a monitored rule is what would decide without it.
    let injection = [signal("injection", "detect.sqli.tautology", 5.0)];
    let decision = policy.evaluate(&request(), &injection);
    assert_eq!(decision.verdict, Verdict::Deceive(Deception::Tarpit));
    assert!(decision.held_back.is_some());
}

#[test]
fn an_enforcing_rule_makes_a_monitored_limit_enforced_and_enforce_is_the_default() {
    let policy = policy(
        r#"
        [[rules]]
        name = "watch"
        when = "true"
        action = { type = "rate_limit", limit = "login-failures" }
        mode = "monitor"

        [[rules]]
        name = "limit"
        when = 'endpoint.function == "login"'
        action = { type = "rate_limit", limit = "login-failures" }
        mode = "enforce"

        [[rules]]
        name = "block-kp"
        when = 'client.country == "KP"'
        action = { type = "block" }
        "#,
    );
    let decision = policy.evaluate(&request(), &[]);
    assert_eq!(decision.limits.len(), 1);
    assert_eq!(decision.limits[0].mode, Mode::Enforce);
    assert_eq!(decision.limits[0].named_by.source, "rule:limit");
    assert!(is_block(&decision.verdict));
    assert_eq!(decision.held_back, None);
}
