//! Behaviour over a window on a driven clock: scraping judged against the
//! endpoint's normal clients, declared rates and purposes held against
//! what agents do, and refusals a client ignores.

use super::tests::{ip, sources, Scenario, BROWSER, CHROME};
use super::*;
use std::time::Duration;

const GPTBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const SEARCHBOT: &str =
    "Mozilla/5.0 (compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot)";

/// `GET /products?{query}` of the list endpoint `/products`.
fn list(scenario: &mut Scenario, user_agent: &str, address: IpAddr, query: &str) -> Judgement {
    scenario.clock.advance(Duration::from_millis(700));
    scenario.detector.judge(&Request {
        user_agent: Some(user_agent),
        address,
        client: &address.to_string(),
        path: "/products",
        query: Some(query),
        endpoint: Some("/products"),
        function: Some("list"),
        headers: BROWSER,
        message: None,
    })
}

/// `GET /products?page=n` for each of `pages`, from one client.
fn walk(
    scenario: &mut Scenario,
    user_agent: &str,
    address: IpAddr,
    pages: std::ops::RangeInclusive<usize>,
) -> Vec<Judgement> {
    pages
        .map(|page| list(scenario, user_agent, address, &format!("page={page}")))
        .collect()
}

/// 30 browsers each read 5 to 15 pages of `/products` in one window, then
/// come back once after it, which closes the window they are learned from.
fn learned_products(config: BotsConfig) -> Scenario {
    let window = config.window;
    let mut scenario = Scenario::new(config);
    for client in 0..30u8 {
        let pages = 1..=5 + usize::from(client % 11);
        for judged in walk(&mut scenario, CHROME, ip(192, 0, 2, client), pages) {
            assert!(judged.signals.is_empty(), "{:?}", judged.signals);
        }
    }
    scenario.clock.advance(window);
    for client in 0..30u8 {
        list(&mut scenario, CHROME, ip(192, 0, 2, client), "page=1");
    }
    scenario
}

/// The page index at which `source` first fired, and its evidence.
fn first(seen: &[Judgement], source: &str) -> Option<(usize, String)> {
    seen.iter().enumerate().find_map(|(i, judged)| {
        let signal = judged.signals.iter().find(|s| s.source == source)?;
        Some((i, signal.evidence.clone()))
    })
}

#[test]
fn scraping_is_judged_against_what_the_endpoints_normal_clients_reach() {
    let mut scenario = learned_products(BotsConfig::default());
    assert_eq!(scenario.detector.stats().endpoints, 1);
    let normal = walk(&mut scenario, CHROME, ip(192, 0, 2, 200), 1..=15);
    assert_eq!(
        first(&normal, SCRAPING),
        None,
        "a normal client at 15 pages"
    );
    let walk = walk(&mut scenario, CHROME, ip(203, 0, 113, 9), 1..=300);
    let (at, evidence) = first(&walk, SCRAPING).expect("the walk is scraping");
    assert!(
        (20..60).contains(&at),
        "far under the fixed 200 pages, at page {}: {evidence}",
        at + 1
    );
    assert!(
        evidence.contains("times what its normal clients reach"),
        "{evidence}"
    );
    assert!(evidence.contains("learned over 30 windows"), "{evidence}");
    assert!(evidence.contains("`page` rose through"), "{evidence}");
}

#[test]
fn an_endpoint_is_judged_by_the_fixed_threshold_until_it_learned_enough() {
    let config = BotsConfig {
        scrape_warmup: 31,
        ..BotsConfig::default()
    };
    let pages = config.scrape_pages;
    let mut scenario = learned_products(config);
    let walk = walk(&mut scenario, CHROME, ip(203, 0, 113, 9), 1..=pages);
    let (at, evidence) = first(&walk, SCRAPING).expect("the walk is scraping");
    assert_eq!(at + 1, pages, "{evidence}");
    assert!(evidence.contains("the fixed threshold"), "{evidence}");
}

#[test]
fn flagged_clients_do_not_teach_what_is_normal() {
    let config = BotsConfig::default();
    let window = config.window;
    let mut scenario = Scenario::new(config);
    for client in 0..40u8 {
        walk(
            &mut scenario,
            "curl/8.5.0",
            ip(198, 51, 100, client),
            1..=100,
        );
    }
    scenario.clock.advance(window);
    for client in 0..40u8 {
        list(
            &mut scenario,
            "curl/8.5.0",
            ip(198, 51, 100, client),
            "page=1",
        );
    }
    let walk = walk(&mut scenario, CHROME, ip(203, 0, 113, 9), 1..=150);
    assert_eq!(
        first(&walk, SCRAPING),
        None,
        "nothing was learned from marked clients"
    );
}

#[test]
fn page_numbers_are_read_within_bounds() {
    let number = |query| page_number(query).map(|n| (n.parameter, n.value));
    assert_eq!(number("sort=asc&page=12"), Some(("page", 12)));
    assert_eq!(number("OFFSET=40&limit=20"), Some(("offset", 40)));
    assert_eq!(number("cursor=eyJpZCI6NH0"), None, "an opaque cursor");
    assert_eq!(number("page=+3"), None);
    assert_eq!(number("page=99999999999999999999"), None, "20 digits");
    assert_eq!(number("pages=3&p=4"), Some(("p", 4)));
    let long = format!("{}&page=2", "x".repeat(MAX_QUERY_BYTES));
    assert_eq!(number(&long), None, "past the bytes read");
    assert_eq!(
        number(&format!("page=1{}", "é".repeat(MAX_QUERY_BYTES))),
        None,
        "cut inside a character"
    );
}

#[test]
fn an_agent_beyond_its_declared_rate_is_a_mismatch() {
    let config = BotsConfig {
        declared: vec![DeclaredRate {
            agents: vec!["gptbot".into()],
            requests: 1,
            per: Duration::from_secs(1),
        }],
        ..BotsConfig::default()
    };
    let mut scenario = Scenario::new(config);
    let mut at = |every: u64, count: usize, client: &str| {
        (0..count).find_map(|i| {
            scenario.clock.advance(Duration::from_millis(every));
            let judged = scenario.request(GPTBOT, ip(192, 0, 2, 1), client, &format!("/docs/{i}"));
            let signal = judged
                .signals
                .into_iter()
                .find(|s| s.source == RATE_MISMATCH)?;
            Some((i + 1, signal.evidence))
        })
    };
    assert_eq!(at(1000, 60, "polite"), None, "one a second, as declared");
    let (requests, evidence) = at(100, 10, "hasty").expect("ten a second");
    assert_eq!(requests, 3, "{evidence}");
    assert!(
        evidence.contains("GPTBot declares at most 1 request per 1s but sent 3 requests"),
        "{evidence}"
    );
}

#[test]
fn an_ai_search_agent_with_a_scrapers_coverage_is_a_purpose_mismatch() {
    let mut scenario = learned_products(BotsConfig::default());
    let walk = walk(&mut scenario, SEARCHBOT, ip(192, 0, 2, 99), 1..=100);
    let (scraping, _) = first(&walk, SCRAPING).expect("scraping");
    let (mismatch, evidence) = first(&walk, PURPOSE_MISMATCH).expect("purpose mismatch");
    assert_eq!(mismatch, scraping);
    assert!(
        evidence.contains("OAI-SearchBot declares itself ai_search"),
        "{evidence}"
    );
}

#[test]
fn a_client_refused_again_and_again_ignores_refusals_until_its_window_ends() {
    let config = BotsConfig::default();
    let (after, window) = (config.persist_after_refusals, config.window);
    let mut scenario = Scenario::new(config);
    let address = ip(192, 0, 2, 60);
    for i in 0..after {
        let judged = scenario.request(GPTBOT, address, "gptbot", &format!("/docs/{i}"));
        assert!(
            !sources(&judged).contains(&IGNORES_REFUSAL),
            "after {i} refusals"
        );
        scenario.detector.refused(judged.client);
    }
    let judged = scenario.request(GPTBOT, address, "gptbot", "/docs/again");
    let signal = judged.signals.iter().find(|s| s.source == IGNORES_REFUSAL);
    let evidence = &signal.expect("ignores refusals").evidence;
    assert!(
        evidence.contains(&format!("refused {after} times")),
        "{evidence}"
    );
    scenario.clock.advance(window);
    let judged = scenario.request(GPTBOT, address, "gptbot", "/docs/later");
    assert!(!sources(&judged).contains(&IGNORES_REFUSAL));
}

#[test]
fn a_person_retrying_after_refusals_is_not_said_to_ignore_them() {
    let config = BotsConfig::default();
    let after = config.persist_after_refusals;
    let mut scenario = Scenario::new(config);
    for i in 0..=after {
        let judged = scenario.request(CHROME, ip(192, 0, 2, 61), "person", &format!("/docs/{i}"));
        assert!(judged.signals.is_empty(), "{:?}", judged.signals);
        scenario.detector.refused(judged.client);
    }
}
