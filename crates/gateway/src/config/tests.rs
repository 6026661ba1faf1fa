use super::*;

pub(super) const MINIMAL: &str = r#"
[[listeners]]
listen = "127.0.0.1:8080"

[[upstreams]]
name = "api"
addresses = ["127.0.0.1:3000"]

[[routes]]
name = "all"
upstream = "api"
"#;

pub(super) fn parse(text: &str) -> Result<GatewayConfig, ConfigError> {
    GatewayConfig::parse(Path::new("/etc/rampart/rampart.toml"), text)
}

fn problems(text: &str) -> Vec<String> {
    parse(text)
        .unwrap_err()
        .to_string()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn minimal_file_gets_documented_defaults() {
    let config = parse(MINIMAL).unwrap();
    assert_eq!(config.admin_listen, "127.0.0.1:9090".parse().unwrap());
    assert_eq!(config.stages, vec![StageKind::IpLists]);
    let route = &config.routes[0];
    assert_eq!(route.path_prefix, "/");
    assert_eq!(route.limits.max_body_bytes, 100 * 1024 * 1024);
    assert_eq!(route.limits.inspect_body_bytes, 64 * 1024);
    assert_eq!(route.limits.max_header_bytes, 64 * 1024);
    assert_eq!(config.server.request_id_header.as_str(), "x-request-id");
    assert_eq!(config.events.queue_capacity, 10_000);
}

#[test]
fn slow_client_timeouts_have_defaults_are_checked_and_a_disabled_rate_is_warned_about() {
    let config = parse(MINIMAL).unwrap();
    let server = &config.server;
    assert_eq!(server.idle_timeout, Duration::from_secs(60));
    assert_eq!(server.body_pace.read_timeout, Duration::from_secs(30));
    assert_eq!(server.body_pace.min_bytes_per_second, 1024);
    assert!(config.warnings.is_empty());

    let zero = format!("[server]\nidle_timeout = \"0s\"\nbody_read_timeout = \"0ms\"\n{MINIMAL}");
    assert_eq!(
        problems(&zero),
        [
            "/etc/rampart/rampart.toml: server.body_read_timeout: expected a duration greater than zero",
            "/etc/rampart/rampart.toml: server.idle_timeout: expected a duration greater than zero",
        ]
    );
    let bad_rate = format!("[server]\nmin_body_rate = \"fast\"\n{MINIMAL}");
    assert!(problems(&bad_rate)[0].contains("server.min_body_rate"));

    let off = parse(&format!("[server]\nmin_body_rate = 0\n{MINIMAL}")).unwrap();
    assert_eq!(off.server.body_pace.min_bytes_per_second, 0);
    assert_eq!(off.warnings.len(), 1);
    assert!(off.warning_lines()[0]
        .starts_with("/etc/rampart/rampart.toml: server.min_body_rate: 0 turns"));
}

#[test]
fn relative_paths_resolve_against_the_config_directory() {
    let text = format!(
        "{MINIMAL}\n[events]\njsonl = \"events.jsonl\"\nsqlite = \"/var/lib/rampart.db\"\n"
    );
    let config = parse(&text).unwrap();
    assert_eq!(
        config.events.jsonl,
        Some(PathBuf::from("/etc/rampart/events.jsonl"))
    );
    assert_eq!(
        config.events.sqlite,
        Some(PathBuf::from("/var/lib/rampart.db"))
    );
}

#[test]
fn unknown_keys_name_the_key_path_and_line() {
    let text = MINIMAL.replace(
        "upstream = \"api\"",
        "upstream = \"api\"\nmax_bdy_bytes = 10",
    );
    let errors = problems(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "/etc/rampart/rampart.toml: routes[0].max_bdy_bytes: unknown field `max_bdy_bytes`"
        ),
        "{errors:?}"
    );
    assert!(errors[0].contains("line 12"), "{errors:?}");
}

#[test]
fn bad_units_say_what_was_expected() {
    let text = MINIMAL.replace(
        "upstream = \"api\"",
        "upstream = \"api\"\nconnect_timeout = \"5\"",
    );
    let errors = problems(&text);
    assert!(
        errors[0].contains("routes[0].connect_timeout: expected a duration with a unit"),
        "{errors:?}"
    );
    let text = MINIMAL.replace(
        "upstream = \"api\"",
        "upstream = \"api\"\nmax_body_bytes = \"10 furlongs\"",
    );
    assert!(problems(&text)[0].contains("routes[0].max_body_bytes: expected a size unit"));
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let text = r#"
[pipeline]
stages = ["ip_lists", "telepathy"]

[[listeners]]
listen = "localhost:80"

[[upstreams]]
name = "api"
addresses = []

[[routes]]
name = "a"
upstream = "apii"

[[routes]]
name = "b"
upstream = "api"
path_prefix = "v1"
ip_deny = ["10.0.0.0/8", "300.1.1.1"]
"#;
    let errors = problems(text);
    let expect = [
        "pipeline.stages[1]: expected one of \"ip_lists\", \"detect\", \"discover\", \"prevent\", \"behave\", \"bots\", got \"telepathy\"",
        "listeners[0].listen: expected an IP address and port",
        "upstreams[0].addresses: expected at least one",
        "routes[0].upstream: expected the name of an [[upstreams]] entry, got \"apii\" (known: \"api\")",
        "routes[1].path_prefix: expected a path starting with \"/\", got \"v1\"",
        "routes[1].ip_deny[1]: expected an IP address or CIDR network",
    ];
    for fragment in expect {
        assert!(
            errors.iter().any(|e| e.contains(fragment)),
            "missing {fragment:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
}

#[test]
fn tls_files_are_checked_at_load() {
    let text = MINIMAL.replace(
        "listen = \"127.0.0.1:8080\"",
        "listen = \"127.0.0.1:8443\"\ntls = { cert = \"missing-cert.pem\", key = \"missing-key.pem\" }",
    );
    let errors = problems(&text);
    assert!(
        errors[0].contains("listeners[0].tls: cannot read /etc/rampart/missing-cert.pem"),
        "{errors:?}"
    );
}

#[test]
fn listeners_may_not_overlap_on_one_port() {
    let with_second = |listen: &str| {
        MINIMAL.replace(
            "listen = \"127.0.0.1:8080\"",
            &format!("name = \"a\"\nlisten = \"0.0.0.0:8080\"\n[[listeners]]\nname = \"b\"\nlisten = \"{listen}\""),
        )
    };
    for overlapping in ["127.0.0.1:8080", "0.0.0.0:8080"] {
        let errors = problems(&with_second(overlapping));
        assert_eq!(
            errors,
            [format!("/etc/rampart/rampart.toml: listeners[1].listen: address {overlapping} overlaps listener \"a\" on 0.0.0.0:8080 (same port, the same IP or a wildcard)")],
        );
    }
    for apart in ["127.0.0.1:8081", "[::]:8080"] {
        assert!(parse(&with_second(apart)).is_ok(), "{apart}");
    }
}

#[test]
fn wildcard_hosts_and_duplicate_routes() {
    let text = format!("{MINIMAL}\n[[routes]]\nname = \"w\"\nhost = \"*.Example.com\"\nupstream = \"api\"\n[[routes]]\nname = \"dup\"\nupstream = \"api\"\n");
    let errors = problems(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("routes[2].path_prefix: another route already has the same host"));
    let ok = format!(
        "{MINIMAL}\n[[routes]]\nname = \"w\"\nhost = \"*.Example.com\"\nupstream = \"api\"\n"
    );
    let config = parse(&ok).unwrap();
    assert_eq!(
        config.routes[1].host,
        Some(HostPattern::Suffix(".example.com".into()))
    );
}

#[test]
fn syntax_errors_point_at_the_line() {
    let errors = problems("[[listeners]\nlisten = 1");
    assert!(
        errors[0].starts_with("/etc/rampart/rampart.toml: "),
        "{errors:?}"
    );
    assert!(errors[0].contains("line 1"), "{errors:?}");
}

#[test]
fn redis_identity_and_deception_problems_name_their_keys() {
    let text = format!(
        "{MINIMAL}\n[redis]\nurl = \"http://nope\"\n[redis.on_error_by_limit]\nmissing = \"open\"\n[identity]\nuser_claim = \"\"\napi_key_headers = [\"bad header\"]\n[prevent.deception.tarpit]\nmax_held = 0\n"
    );
    let found = problems(&text).join("\n");
    for key in [
        "redis.url: expected redis://",
        "identity.user_claim: expected a JWT claim name",
        "identity.api_key_headers[0]: expected an HTTP header name",
        "prevent.deception.tarpit.max_held: expected",
    ] {
        assert!(found.contains(key), "{key} missing from:\n{found}");
    }
    let unknown_limit = format!(
        "{MINIMAL}\n[redis.on_error_by_limit]\nmissing = \"open\"\n[[prevent.limits]]\nname = \"login\"\nkey = {{ parts = [\"ip\"] }}\nquota = {{ requests = 1, per_seconds = 1 }}\n"
    );
    let found = problems(&unknown_limit).join("\n");
    assert!(
        found.contains("redis.on_error_by_limit.missing: expected the name of a [[prevent.limits]] entry (known: \"login\")"),
        "{found}"
    );
}

#[test]
fn behave_settings_are_checked_by_key_and_useless_ones_warned_about() {
    let config = parse(MINIMAL).unwrap();
    assert_eq!(config.behave, BehaveSettings::default());
    let bad = format!(
        "[pipeline]\nstages = [\"discover\", \"behave\"]\n[behave]\nblock_score = 0\n[behave.bola]\nwalk_ids = 1\nmax_objects = 0\nwindow = \"0s\"\nexempt_functions = [\"admn\"]\n{MINIMAL}"
    );
    let found = problems(&bad);
    for expected in [
        "behave.block_score: expected a number above 0, got 0",
        "behave.bola.walk_ids: expected a number between 2 and 1000, got 1",
        "behave.bola.max_objects: expected a number between 1 and 10000000, got 0",
        "behave.bola.window: expected a duration greater than zero",
        "behave.bola.exempt_functions[0]: expected one of",
    ] {
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("/etc/rampart/rampart.toml: ") && p.contains(expected)),
            "{expected} in {found:?}"
        );
    }
    let unknown = format!("[behave.bola]\nwalk = 3\n{MINIMAL}");
    assert!(
        problems(&unknown)[0].contains("walk"),
        "{:?}",
        problems(&unknown)
    );

    let warned = |text: &str| -> Vec<String> {
        parse(text)
            .unwrap()
            .warnings
            .iter()
            .map(|w| w.key.clone())
            .collect()
    };
    assert_eq!(
        warned(&format!("[behave]\nmode = \"monitor\"\n{MINIMAL}")),
        ["behave"]
    );
    assert_eq!(
        warned(&format!(
            "[pipeline]\nstages = [\"behave\", \"discover\"]\n{MINIMAL}"
        )),
        ["pipeline.stages"]
    );
    assert_eq!(
        warned(&format!("[pipeline]\nstages = [\"behave\"]\n{MINIMAL}")),
        ["pipeline.stages"]
    );
    assert_eq!(
        warned(&format!("[pipeline]\nstages = [\"discover\", \"behave\"]\n[behave.bola]\nshared_owners = 1\nwalk_score = 0\n{MINIMAL}")),
        ["behave.bola.walk_score", "behave.bola.shared_owners", "behave.block_score"]
    );
    assert_eq!(
        warned(&format!("[pipeline]\nstages = [\"discover\", \"behave\"]\n[behave]\nblock_score = 20\n[behave.bola]\nwalk_score = 10\n{MINIMAL}")),
        ["behave.block_score"],
        "walks can still reach 20, no login attack can"
    );
    let bad_ato = format!(
        "[behave.ato]\nstuffing_usernames = 1\nstuffing_failure_ratio = 1.5\nmax_sources = 0\nwindow = \"0s\"\nusername_fields = []\n{MINIMAL}"
    );
    let found = problems(&bad_ato);
    for expected in [
        "behave.ato.stuffing_usernames: expected a number between 2 and 10000, got 1",
        "behave.ato.stuffing_failure_ratio: expected a number between 0 and 1, got 1.5",
        "behave.ato.max_sources: expected a number between 1 and 10000000, got 0",
        "behave.ato.window: expected a duration greater than zero",
        "behave.ato.username_fields: expected at least one field name",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} in {found:?}"
        );
    }
    assert_eq!(
        warned(&format!("[pipeline]\nstages = [\"discover\", \"behave\"]\n[behave.ato]\nmax_attempts_per_key = 5\nstuffing_failure_ratio = 0\ndistributed_score = 0\n{MINIMAL}")),
        ["behave.ato.max_attempts_per_key", "behave.ato.stuffing_failure_ratio", "behave.ato.distributed_score"]
    );
    let fine = format!("[pipeline]\nstages = [\"discover\", \"behave\"]\n{MINIMAL}");
    assert!(warned(&fine).is_empty());
}

#[test]
fn the_ato_secret_is_long_enough_and_comes_with_redis() {
    let stages = "[pipeline]\nstages = [\"discover\", \"behave\"]\n";
    let secret = "[behave.ato]\nsecret = \"one secret for every gateway\"\n";
    let redis = "[redis]\nurl = \"redis://127.0.0.1:6379/0\"\n";
    let short = format!("{stages}[behave.ato]\nsecret = \"short\"\n{MINIMAL}");
    assert!(
        problems(&short).iter().any(|p| p.ends_with(
            "behave.ato.secret: expected at least 16 characters, the same on every gateway, got 5"
        )),
        "{:?}",
        problems(&short)
    );
    let warned = |text: String| -> Vec<(String, String)> {
        let config = parse(&text).unwrap();
        config
            .warnings
            .iter()
            .map(|w| (w.key.clone(), w.message.clone()))
            .collect()
    };
    let alone = warned(format!("{stages}{secret}{MINIMAL}"));
    assert_eq!(alone.len(), 1, "{alone:?}");
    assert_eq!(alone[0].0, "behave.ato.secret");
    assert!(
        alone[0].1.starts_with("does nothing without [redis]"),
        "{alone:?}"
    );
    let unshared = warned(format!("{stages}{redis}{MINIMAL}"));
    assert_eq!(unshared.len(), 1, "{unshared:?}");
    assert!(
        unshared[0].1.starts_with("not set while [redis] is"),
        "{unshared:?}"
    );
    let both = parse(&format!("{stages}{secret}{redis}{MINIMAL}")).unwrap();
    assert!(both.warnings.is_empty(), "{:?}", both.warnings);
    assert!(both.behave.ato_secret.is_some());
    assert!(
        !format!("{:?}", both.behave).contains("one secret"),
        "never shown"
    );
    assert!(
        warned(format!("{redis}{MINIMAL}")).is_empty(),
        "no behave stage: nothing to share"
    );
}

#[test]
fn the_newer_behave_detectors_are_checked_by_key() {
    let config = parse(MINIMAL).unwrap();
    assert_eq!(
        config.behave.exposure.exempt_functions,
        ["token_refresh", "otp", "sign_up", "login"].map(String::from),
        "discovery's functions that hand out credentials, in its order"
    );
    let bad = format!(
        "[behave.bfla]\nadmin_functions = [\"admn\"]\nestablished_requests = 0\ndenied_window = \"0s\"\n\
         [behave.slow]\nfactor = 0.5\ndeviations = -1\nmin_slow = \"0s\"\nmax_clients = 0\n\
         [behave.exposure]\nexcess_score = -1\nmin_excess = 0\nexempt_functions = [\"logon\"]\n\
         [behave.enumeration]\nusernames = 1\nfailure_ratio = 2\nfunctions = [\"reset\"]\n\
         [behave.signup]\nper_source = 1\nwindow = \"0s\"\naccount_fields = []\n\
         [behave.otp]\nvictim_score = -2\nmax_subjects = 0\nrecipient_fields = [\"\"]\n{MINIMAL}"
    );
    let found = problems(&bad);
    for expected in [
        "behave.bfla.admin_functions[0]: expected one of",
        "behave.bfla.established_requests: expected a number between 1 and 1000000, got 0",
        "behave.bfla.denied_window: expected a duration greater than zero",
        "behave.slow.factor: expected a number of 1 or more, got 0.5",
        "behave.slow.deviations: expected a number of 0 or more, got -1",
        "behave.slow.min_slow: expected a duration greater than zero",
        "behave.slow.max_clients: expected a number between 1 and 10000000, got 0",
        "behave.exposure.excess_score: expected a number of 0 or more, got -1",
        "behave.exposure.min_excess: expected a number between 1 and 100000, got 0",
        "behave.exposure.exempt_functions[0]: expected one of",
        "behave.enumeration.usernames: expected a number between 2 and 10000, got 1",
        "behave.enumeration.failure_ratio: expected a number between 0 and 1, got 2",
        "behave.enumeration.functions[0]: expected one of",
        "behave.signup.per_source: expected a number between 2 and 100000, got 1",
        "behave.signup.window: expected a duration greater than zero",
        "behave.signup.account_fields: expected a list of non-empty field names",
        "behave.otp.victim_score: expected a number of 0 or more, got -2",
        "behave.otp.max_subjects: expected a number between 1 and 10000000, got 0",
        "behave.otp.recipient_fields: expected a list of non-empty field names",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} in {found:?}"
        );
    }
    let unknown = format!("[behave.slow]\nfactr = 3\n{MINIMAL}");
    assert!(problems(&unknown)[0].contains("factr"));

    let warnings = |text: &str| parse(text).unwrap().warning_lines();
    let stages = "[pipeline]\nstages = [\"discover\", \"behave\"]\n";
    let quiet = warnings(&format!(
        "{stages}[behave.bfla]\nadmin_functions = []\nnew_principal_score = 9\n\
         [behave.enumeration]\nmax_answers_per_source = 5\n\
         [behave.otp]\nmax_entries_per_key = 4\n\
         [behave.ato]\nstuffing_usernames_per_asn = 5\n{MINIMAL}"
    ));
    for expected in [
        "behave.ato.stuffing_usernames_per_asn: below stuffing_usernames (10)",
        "behave.bfla.admin_functions: empty",
        "behave.bfla.new_principal_score: above escalation_score",
        "behave.enumeration.max_answers_per_source: below usernames (10)",
        "behave.otp.max_entries_per_key: below a threshold (10): that signal can never be raised",
    ] {
        assert!(
            quiet.iter().any(|w| w.contains(expected)),
            "{expected} in {quiet:?}"
        );
    }
    let high = warnings(&format!(
        "{stages}[behave]\nblock_score = 11\n[behave.bola]\nwalk_score = 6\n[behave.slow]\nrepeated_score = 6\n{MINIMAL}"
    ));
    assert_eq!(high.len(), 1, "{high:?}");
    assert!(
        high[0].contains("behave.block_score: no signal of account takeover (at most 10), function-level authorisation (at most 10), data exposure (at most 10), account enumeration (at most 10), fake accounts (at most 10), one-time codes (at most 10) reaches 11"),
        "slow upstream reaches 12: {high:?}"
    );
}

#[test]
fn a_limit_no_rule_applies_is_warned_about_and_a_used_one_is_not() {
    let limits = "[[prevent.limits]]\nname = \"per-ip\"\nkey = { parts = [\"ip\"] }\nquota = { requests = 5, per_seconds = 60 }\n\
                  [[prevent.limits]]\nname = \"logins\"\nkey = { parts = [\"ip\"] }\nquota = { requests = 5, per_seconds = 60 }\n";
    let rule = "[[prevent.policy.rules]]\nname = \"limit-logins\"\nwhen = 'endpoint.function == \"login\"'\naction = { type = \"rate_limit\", limit = \"logins\" }\n";
    let config = parse(&format!("{MINIMAL}\n{limits}{rule}")).unwrap();
    assert_eq!(
        config.warning_lines(),
        ["/etc/rampart/rampart.toml: prevent.limits[0]: no rule applies this limit, so `per-ip` does nothing: name it in a rule, e.g. action = { type = \"rate_limit\", limit = \"per-ip\" }"]
    );
    let both = rule
        .replace("limit-logins", "limit-all")
        .replace("\"logins\"", "\"per-ip\"");
    let config = parse(&format!("{MINIMAL}\n{limits}{rule}{both}")).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warning_lines());
}

#[test]
fn presets_are_named_and_an_unknown_one_is_refused() {
    let config = parse(&format!(
        "[prevent]\npresets = [\"protect-admin-endpoints\"]\n{MINIMAL}"
    ))
    .unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warning_lines());
    let found = problems(&format!(
        "[prevent]\npresets = [\"protect-everything\"]\n{MINIMAL}"
    ));
    assert!(
        found[0].starts_with("/etc/rampart/rampart.toml: prevent.presets[0]: unknown variant `protect-everything`, expected `protect-admin-endpoints`"),
        "{found:?}"
    );
}

#[test]
fn the_recorder_has_bounded_defaults_and_bad_values_name_their_key() {
    assert_eq!(
        parse(MINIMAL).unwrap().record,
        None,
        "off unless [record] is set"
    );
    let on = parse(&format!("[record]\npath = \"records.jsonl\"\n{MINIMAL}")).unwrap();
    assert_eq!(
        on.record,
        Some(RecordSettings {
            path: PathBuf::from("/etc/rampart/records.jsonl"),
            sample: 0.1,
            max_body_bytes: 16 * 1024,
            max_bytes: 64 << 20,
            max_files: 4,
            queue_capacity: 4096,
        })
    );
    let bad = format!(
        "[record]\npath = \"r.jsonl\"\nsample = 1.5\nmax_body_bytes = \"2MiB\"\n\
         max_bytes = \"1KiB\"\nmax_files = 5000\nqueue_capacity = 0\n{MINIMAL}"
    );
    let found = problems(&bad);
    for key in [
        "record.sample",
        "record.max_body_bytes",
        "record.max_bytes",
        "record.max_files",
        "record.queue_capacity",
    ] {
        assert!(
            found
                .iter()
                .any(|p| p.contains(&format!(": {key}: expected"))),
            "{key}: {found:?}"
        );
    }
    assert_eq!(
        problems(&format!("[record]\nsample = 0.5\n{MINIMAL}")),
        ["/etc/rampart/rampart.toml: record.path: expected the file recorded exchanges are written to, e.g. \"records.jsonl\""]
    );
    assert!(
        problems(&format!("[record]\npath = \"r\"\nrate = 1\n{MINIMAL}"))[0].contains("record")
    );
    let silent = parse(&format!("[record]\npath = \"r\"\nsample = 0.0\n{MINIMAL}")).unwrap();
    assert_eq!(silent.warnings[0].key, "record.sample");
}

#[test]
fn admin_tokens_come_from_the_file_and_the_environment_each_named() {
    let text = format!(
        "[admin]\ntoken = \"0123456789abcdef\"\n\n[[admin.tokens]]\nname = \"ci\"\ntoken = \"fedcba9876543210\"\n{MINIMAL}"
    );
    let config = GatewayConfig::parse_with_env_token(
        Path::new("/etc/rampart/rampart.toml"),
        &text,
        Some("from-the-environment".into()),
    )
    .unwrap();
    let names: Vec<&str> = config
        .admin_tokens
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["admin", "ci", "env"]);
    assert!(
        !format!("{:?}", config.admin_tokens).contains("0123456789abcdef"),
        "tokens stay out of debug output"
    );
    assert!(parse(MINIMAL).unwrap().admin_tokens.is_empty());
}

#[test]
fn admin_tokens_must_be_long_and_named_once() {
    let text = format!(
        "[admin]\ntoken = \"short\"\n\n[[admin.tokens]]\nname = \"admin\"\ntoken = \"fedcba9876543210\"\n{MINIMAL}"
    );
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|p| p.contains("admin.token: expected a token of at least 16 characters")),
        "{found:?}"
    );
    let text = format!(
        "[admin]\ntoken = \"0123456789abcdef\"\n\n[[admin.tokens]]\nname = \"admin\"\ntoken = \"fedcba9876543210\"\n{MINIMAL}"
    );
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|p| p.contains("admin.tokens[0]: expected a token name used once")),
        "{found:?}"
    );
}

#[test]
fn an_admin_listener_off_loopback_needs_a_token() {
    let open = format!("[admin]\nlisten = \"0.0.0.0:9090\"\n{MINIMAL}");
    let found = problems(&open);
    assert!(
        found[0]
            .starts_with("/etc/rampart/rampart.toml: admin.listen: expected a loopback address"),
        "{found:?}"
    );
    let guarded =
        format!("[admin]\nlisten = \"0.0.0.0:9090\"\ntoken = \"0123456789abcdef\"\n{MINIMAL}");
    assert!(parse(&guarded).is_ok());
    let loopback = format!("[admin]\nlisten = \"[::1]:9090\"\n{MINIMAL}");
    assert!(parse(&loopback).is_ok());
}

#[test]
fn learned_contracts_are_checked_by_key_and_reach_discovery_when_enabled() {
    let config = parse(MINIMAL).unwrap();
    assert!(config.discovery.is_none() && config.warnings.is_empty());

    let enabled = format!(
        "[pipeline]\nstages = [\"discover\", \"detect\"]\n[detect.learned]\nenabled = true\nmin_clients = 8\n{MINIMAL}"
    );
    let config = parse(&enabled).unwrap();
    let learned = config.discovery.unwrap().learned.unwrap();
    assert_eq!((learned.min_clients, learned.min_samples), (8, 100));

    let bad = format!(
        "[detect.learned]\nenabled = true\nmin_samples = 0\nmin_clients = 65\nmin_share = 1.5\n{MINIMAL}"
    );
    let found = problems(&bad).join("\n");
    let unsaid: Vec<&str> = [
        "detect.learned.enabled: expected discovery to be running",
        "detect.learned.min_samples: expected at least 1 request, got 0",
        "detect.learned.min_clients: expected at most 64",
        "detect.learned.min_share: expected a share above 0 and at most 1 (0.01 is 1%), got 1.5",
    ]
    .into_iter()
    .filter(|problem| !found.contains(&format!("/etc/rampart/rampart.toml: {problem}")))
    .collect();
    assert!(unsaid.is_empty(), "{unsaid:?} not in {found}");

    let warnings = |text: &str| parse(text).unwrap().warning_lines();
    let idle = format!("[detect.learned]\nmin_clients = 2\n{MINIMAL}");
    assert_eq!(
        warnings(&idle),
        ["/etc/rampart/rampart.toml: detect.learned: does nothing unless enabled = true: the settings are ignored"]
    );
    let one_client = format!(
        "[pipeline]\nstages = [\"discover\", \"detect\"]\n[detect.learned]\nenabled = true\nmin_clients = 1\n{MINIMAL}"
    );
    assert!(
        warnings(&one_client)[0].contains("detect.learned.min_clients: 1 lets a single client"),
        "{:?}",
        warnings(&one_client)
    );
}
