//! The `bots` stage's window in a real gateway in front of a real
//! upstream: scraping judged against what a list endpoint's normal clients
//! reach, an agent held to the rate it declares, and a refused training
//! crawler that keeps coming answered with decoys by `govern-bots`.

mod support;

use http::Request;
use std::time::Duration;
use support::*;

const GPTBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// A declared endpoint, so its template is known from the first request;
/// its function (`list`) is learned from its answers.
const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/products": {"get": {"parameters": [
      {"name": "page", "in": "query", "schema": {"type": "integer"}},
      {"name": "page_size", "in": "query", "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "ok"}}}}}}"#;

/// The window clients are counted over: long enough for one client's pages
/// on a loaded machine, short enough to wait for once.
const WINDOW: Duration = Duration::from_secs(3);

struct Setup {
    gateway: TestGateway,
    upstream: TestUpstream,
    _spec_dir: tempfile::TempDir,
}

async fn setup(sections: &str) -> Setup {
    let upstream = TestUpstream::start().await;
    let sections = format!("[bots]\nwindow = \"{}s\"\n{sections}", WINDOW.as_secs());
    let (text, spec_dir) = spec_config(
        upstream.addr,
        SPEC,
        &["discover", "bots", "prevent"],
        "publish_interval = \"100ms\"",
        &sections,
    );
    let text = text.replace(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
    );
    let setup = Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        _spec_dir: spec_dir,
    };
    call(&setup, CHROME, "198.51.100.1", "/products").await;
    wait_for_functions(&setup.gateway, &[("/products", "list")]).await;
    setup
}

/// The status of `GET path` from `address` (as the trusted proxy says) with
/// `user_agent` and the headers a browser sends, and whether the upstream saw it.
async fn call(setup: &Setup, user_agent: &str, address: &str, path: &str) -> (u16, bool) {
    let before = setup.upstream.request_count();
    let request = Request::builder()
        .uri(path)
        .header("host", "api.test")
        .header("user-agent", user_agent)
        .header("x-forwarded-for", address)
        .header("accept-language", "en-GB,en;q=0.9")
        .header("sec-ch-ua", "\"Chromium\";v=\"131\"")
        .header("sec-fetch-mode", "navigate")
        .body(full(""))
        .unwrap();
    let response = send(setup.gateway.addr(), request).await;
    let status = response.status().as_u16();
    body_text(response).await;
    (status, setup.upstream.request_count() > before)
}

/// A policy rule answering `status` to exchanges with a reason from `source`.
fn refusing(source: &str, status: u16) -> String {
    format!(
        "[[prevent.policy.rules]]\nname = \"refuse-{}\"\nwhen = '\"{source}\" in signals.sources'\naction = {{ type = \"block\", status = {status} }}\n",
        source.replace('.', "-")
    )
}

/// The first event with a reason from `source` (waits up to 3 s).
async fn event_with(setup: &Setup, source: &str) -> serde_json::Value {
    for _ in 0..60 {
        let events = setup.gateway.events(1).await;
        if let Some(event) = events
            .into_iter()
            .find(|e| reason_sources(e).contains(&source))
        {
            return event;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no event with {source}");
}

/// The evidence of the event's reason from `source`.
fn evidence<'a>(event: &'a serde_json::Value, source: &str) -> &'a str {
    event["reasons"]
        .as_array()
        .and_then(|reasons| reasons.iter().find(|r| r["source"] == source))
        .and_then(|r| r["evidence"].as_str())
        .unwrap_or_else(|| panic!("no {source} evidence in {event}"))
}

#[tokio::test]
async fn a_walk_far_beyond_the_endpoints_normal_clients_is_scraping() {
    let setup = setup(&refusing("bots.scraping", 403)).await;
    for client in 0..30 {
        let address = format!("192.0.2.{client}");
        for page in 1..=5 + client % 11 {
            let path = format!("/products?page={page}");
            assert_eq!(call(&setup, CHROME, &address, &path).await, (200, true));
        }
    }
    // A window closes when its client comes back after it: wait it out once.
    tokio::time::sleep(WINDOW).await;
    for client in 0..30 {
        let address = format!("192.0.2.{client}");
        let back = call(&setup, CHROME, &address, "/products?page=1").await;
        assert_eq!(back, (200, true));
    }

    for page in 1..=15 {
        let path = format!("/products?page={page}");
        let normal = call(&setup, CHROME, "192.0.2.200", &path).await;
        assert_eq!(normal, (200, true), "a normal client at page {page}");
    }
    let mut refused_at = None;
    for page in 1..=300 {
        let path = format!("/products?page={page}");
        if call(&setup, CHROME, "203.0.113.9", &path).await.0 == 403 {
            refused_at = Some(page);
            break;
        }
    }
    let page = refused_at.expect("the walk of 300 pages is refused");
    assert!(
        (20..100).contains(&page),
        "refused at page {page}, by what was learned, not at the fixed 200"
    );
    let event = event_with(&setup, "bots.scraping").await;
    let evidence = evidence(&event, "bots.scraping");
    assert!(
        evidence.contains("times what its normal clients reach")
            && evidence.contains("learned over 30 windows")
            && evidence.contains("`page` rose through"),
        "{evidence}"
    );
    assert!(event.to_string().contains("203.0.113.9"), "{event}");
}

#[tokio::test]
async fn an_agent_beyond_its_declared_rate_is_a_rate_mismatch() {
    let declared =
        "[[bots.declared]]\nagents = [\"GPTBot\"]\nrate = { requests = 1, per_seconds = 1 }\n";
    let setup = setup(&format!(
        "{declared}\n{}",
        refusing("bots.rate_mismatch", 429)
    ))
    .await;
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    let mut statuses = Vec::new();
    for page in 1..=10 {
        ticks.tick().await;
        let path = format!("/products?page={page}");
        statuses.push(call(&setup, GPTBOT, "192.0.2.80", &path).await.0);
    }
    assert_eq!(statuses[..2], [200, 200], "{statuses:?}");
    assert_eq!(statuses[9], 429, "ten a second, declared one: {statuses:?}");
    let event = event_with(&setup, "bots.rate_mismatch").await;
    let evidence = evidence(&event, "bots.rate_mismatch");
    assert!(
        evidence.contains("GPTBot declares at most 1 request per 1s but sent"),
        "{evidence}"
    );
}

#[tokio::test]
async fn a_refused_training_crawler_that_keeps_coming_gets_decoys() {
    let setup = setup("[prevent]\npresets = [\"govern-bots\"]\n").await;
    let mut answers = Vec::new();
    for page in 1..=30 {
        let path = format!("/products?page={page}");
        answers.push(call(&setup, GPTBOT, "192.0.2.90", &path).await);
    }
    assert_eq!(answers[..10], [(403, false); 10], "{answers:?}");
    let decoy = answers.iter().position(|a| *a == (200, false));
    assert!(decoy.is_some(), "decoys after ten refusals: {answers:?}");
    assert!(!answers.iter().any(|(_, reached)| *reached), "{answers:?}");
    let event = event_with(&setup, "rule:govern-bots-ignores-refusal").await;
    let evidence = evidence(&event, "bots.ignores_refusal");
    assert!(
        evidence.starts_with("refused 1") && evidence.ends_with("times within 3s and still asking"),
        "ten refusals, or one more when the tenth was logged after the next request came: {evidence}"
    );
    assert_eq!(event["action"], "deceive", "{event}");
}

/// `sections` (under the stages `bots`) as a configuration file: its
/// problems, or its warnings when it loads.
fn load(sections: &str) -> Result<Vec<String>, String> {
    let dir = tempfile::tempdir().unwrap();
    let text = with_stages(
        &config(&["127.0.0.1:9".parse().unwrap()], ""),
        &["bots"],
        sections,
    );
    let path = dir.path().join("rampart.toml");
    std::fs::write(&path, text).unwrap();
    rampart_gateway::GatewayConfig::load(&path)
        .map(|config| config.warning_lines())
        .map_err(|e| e.to_string())
}

#[test]
fn bad_declared_rates_and_coverage_settings_name_their_keys() {
    let message = load(
        r#"
[bots]
scrape_warmup = 0

[[bots.declared]]
agents = []
rate = { requests = 1, per_seconds = 1 }

[[bots.declared]]
agents = ["GPTBot"]
rate = { requests = 0, per_seconds = 100000 }
"#,
    )
    .expect_err("bad settings were accepted");
    for key in [
        "bots.scrape_warmup",
        "bots.declared[0].agents",
        "bots.declared[1].rate.requests",
        "bots.declared[1].rate.per_seconds",
    ] {
        assert!(message.contains(key), "{key} not in: {message}");
    }
    let warnings = load("[bots]\nscrape_pages = 50\nscrape_floor = 50\n").expect("it loads");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("bots.scrape_floor") && w.contains("change nothing")),
        "{warnings:?}"
    );
}
