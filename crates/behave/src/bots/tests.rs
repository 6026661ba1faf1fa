//! Scenarios on a driven clock: the bots that must be named, verified or
//! reported, and the clients that must pass.

use super::*;
use rampart_core::ManualClock;
use std::net::Ipv4Addr;
use std::sync::OnceLock;
use std::time::Duration;

pub(super) const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
pub(super) const BROWSER: BrowserHeaders = BrowserHeaders {
    accept_language: true,
    sec_ch_ua: true,
    sec_fetch: true,
};

pub(super) fn catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    Arc::clone(CATALOG.get_or_init(|| Arc::new(Catalog::embedded().expect("embedded lists"))))
}

pub(super) fn ip(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

pub(super) struct Scenario {
    pub(super) clock: Arc<ManualClock>,
    pub(super) detector: BotsDetector,
}

impl Scenario {
    pub(super) fn new(config: BotsConfig) -> Self {
        let clock = Arc::new(ManualClock::at(1_000_000));
        let detector = BotsDetector::new(config, catalog(), clock.clone());
        Scenario { clock, detector }
    }

    pub(super) fn request(
        &mut self,
        user_agent: &str,
        address: IpAddr,
        client: &str,
        path: &str,
    ) -> Judgement {
        self.detector.judge(&Request {
            user_agent: Some(user_agent),
            address,
            client,
            path,
            query: None,
            endpoint: None,
            function: Some("list"),
            headers: BROWSER,
            message: None,
        })
    }
}

pub(super) fn sources(judgement: &Judgement) -> Vec<&'static str> {
    judgement.signals.iter().map(|s| s.source).collect()
}

fn class_of(user_agent: &str) -> Option<(&'static str, String)> {
    catalog()
        .classify(user_agent)
        .map(|a| (a.class.name(), a.name.to_string()))
}

#[test]
fn the_embedded_lists_parse_and_every_expression_has_a_prefilter() {
    let catalog = catalog();
    assert!(catalog.len() > 1500, "{}", catalog.len());
    assert_eq!(catalog.unfiltered(), 0);
}

#[test]
fn declared_identities_have_their_class() {
    for (user_agent, class, name) in [
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "training_crawler", "GPTBot"),
        ("Mozilla/5.0 (compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot)", "ai_search", "OAI-SearchBot"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", "user_fetcher", "ChatGPT-User"),
        ("Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "training_crawler", "ClaudeBot"),
        (GOOGLEBOT, "search_engine", "Googlebot"),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "search_engine", "bingbot"),
        ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "monitoring", "[pP]ingdom"),
        ("python-requests/2.32.3", "http_library", "python-requests"),
        ("curl/8.5.0", "http_library", "curl"),
    ] {
        let (found, named) = class_of(user_agent).unwrap_or_else(|| panic!("{user_agent}: none"));
        assert_eq!((found, named.as_str()), (class, name), "{user_agent}");
    }
    assert_eq!(class_of(CHROME), None, "a browser is no bot");
    assert_eq!(
        class_of("Claude-Code/1.0").map(|c| c.1),
        Some("Claude-Code".into()),
        "whole words: not `Code`"
    );
}

#[test]
fn operators_are_read_from_both_lists() {
    let gpt = catalog().classify("GPTBot/1.2").cloned().unwrap();
    assert_eq!(&*gpt.operator, "OpenAI");
    let google = catalog().classify(GOOGLEBOT).cloned().unwrap();
    assert_eq!(&*google.operator, "google.com");
}

#[test]
fn hostile_user_agents_are_read_within_bounds() {
    let long = format!("{}GPTBot", "é".repeat(MAX_USER_AGENT_BYTES));
    assert_eq!(class_of(&long), None, "past the bound");
    assert_eq!(bounded_text(&long).len(), MAX_USER_AGENT_BYTES);
    assert_eq!(class_of(""), None);
}

fn google_ranges() -> BotsConfig {
    BotsConfig {
        verify: vec![VerifiedRanges {
            agents: vec!["googlebot".into()],
            ranges: AddressRanges::parse("66.249.64.0/27\n").unwrap(),
        }],
        ..BotsConfig::default()
    }
}

#[test]
fn a_search_crawler_from_its_published_range_is_verified() {
    let mut scenario = Scenario::new(google_ranges());
    let judged = scenario.request(GOOGLEBOT, ip(66, 249, 64, 3), "g", "/api/items");
    let identity = judged.identity.clone().unwrap();
    assert_eq!(identity.verification, Verification::Verified);
    assert_eq!(identity.agent.class, BotClass::SearchEngine);
    assert!(judged.signals.is_empty(), "{:?}", judged.signals);
}

#[test]
fn the_same_user_agent_from_a_wrong_address_is_a_signal() {
    let mut scenario = Scenario::new(google_ranges());
    let judged = scenario.request(GOOGLEBOT, ip(203, 0, 113, 9), "g", "/api/items");
    assert_eq!(judged.identity.unwrap().verification, Verification::Failed);
    let signal = &judged.signals[0];
    assert_eq!(signal.source, CLAIM_UNVERIFIED);
    assert!(
        signal.evidence.contains("203.0.113.9"),
        "{}",
        signal.evidence
    );
}

#[test]
fn a_claim_without_a_configured_list_is_unverifiable() {
    let mut scenario = Scenario::new(google_ranges());
    let judged = scenario.request("GPTBot/1.2", ip(203, 0, 113, 9), "o", "/");
    assert_eq!(
        judged.identity.unwrap().verification,
        Verification::Unverifiable
    );
    assert!(judged.signals.is_empty());
}

#[test]
fn a_normal_browser_and_a_monitoring_probe_are_not_flagged() {
    let mut scenario = Scenario::new(BotsConfig::default());
    for i in 0..40u64 {
        // Irregular, human-paced.
        scenario
            .clock
            .advance(Duration::from_millis(700 + (i * 7919) % 5000));
        let judged = scenario.request(
            CHROME,
            ip(192, 0, 2, 10),
            "browser",
            &format!("/api/items?page={}", i % 5),
        );
        assert!(judged.signals.is_empty(), "{i}: {:?}", judged.signals);
        assert!(judged.identity.is_none());
    }
    let probe = "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
    let judged = scenario.request(probe, ip(192, 0, 2, 11), "probe", "/health");
    assert_eq!(judged.identity.unwrap().agent.class, BotClass::Monitoring);
    assert!(judged.signals.is_empty());
}

#[test]
fn automation_headless_and_bare_browser_claims_are_signals() {
    let mut scenario = Scenario::new(BotsConfig::default());
    let judged = scenario.request("python-requests/2.32.3", ip(192, 0, 2, 1), "a", "/");
    assert_eq!(sources(&judged), [AUTOMATION]);
    let headless = CHROME.replace("Chrome/", "HeadlessChrome/");
    let judged = scenario.request(&headless, ip(192, 0, 2, 2), "b", "/");
    assert!(sources(&judged).contains(&HEADLESS), "{judged:?}");
    let judged = scenario.detector.judge(&Request {
        user_agent: Some(CHROME),
        address: ip(192, 0, 2, 3),
        client: "c",
        path: "/",
        query: None,
        endpoint: None,
        function: None,
        headers: BrowserHeaders::default(),
        message: None,
    });
    assert_eq!(sources(&judged), [BROWSER_HEADERS_MISSING]);
    assert!(judged.signals[0]
        .evidence
        .contains("accept-language, sec-ch-ua"));
}

#[test]
fn a_headless_scraper_rotating_addresses_is_seen_by_its_fingerprint() {
    let config = BotsConfig::default();
    let (rotation, pages) = (config.rotation_addresses, config.scrape_pages);
    let headless = CHROME.replace("Chrome/", "HeadlessChrome/");
    let mut scenario = Scenario::new(config);
    let mut seen = Vec::new();
    for page in 0..=pages {
        scenario.clock.advance(Duration::from_millis(250));
        let address = ip(198, 51, 100, (page % 50) as u8);
        let judged = scenario.request(
            &headless,
            address,
            "ja4-scraper",
            &format!("/api/items?page={page}"),
        );
        seen.push((page, sources(&judged)));
    }
    let first = |source| {
        seen.iter()
            .find(|(_, s)| s.contains(&source))
            .map(|(p, _)| *p)
    };
    assert_eq!(first(ADDRESS_ROTATION), Some(rotation - 1));
    assert_eq!(first(REGULAR_TIMING), Some(clients::INTERVALS));
    assert_eq!(first(SCRAPING), Some(pages - 1));
}

#[test]
fn a_user_fetcher_crawling_is_held_to_its_purpose() {
    let config = BotsConfig::default();
    let paths = config.fetcher_paths;
    let mut scenario = Scenario::new(config);
    let agent = "Mozilla/5.0 (compatible; ChatGPT-User/1.0; +https://openai.com/bot)";
    let mut flagged = None;
    for i in 0..paths {
        scenario
            .clock
            .advance(Duration::from_millis(500 + (i as u64 * 7919) % 3000));
        let judged = scenario.request(agent, ip(192, 0, 2, 7), "fetcher", &format!("/docs/{i}"));
        if flagged.is_none() && sources(&judged).contains(&PURPOSE_MISMATCH) {
            flagged = Some(i);
        }
    }
    assert_eq!(flagged, Some(paths - 1));
}

#[test]
fn scanning_counts_unknown_paths_answered_4xx_within_the_window() {
    let config = BotsConfig::default();
    let (scan, window) = (config.scan_paths, config.window);
    let mut scenario = Scenario::new(config);
    for i in 0..scan {
        scenario
            .clock
            .advance(Duration::from_millis(100 + (i as u64 * 37) % 400));
        let path = format!("/.env{i}");
        let judged = scenario.request(CHROME, ip(192, 0, 2, 8), "scanner", &path);
        assert!(!sources(&judged).contains(&SCANNING), "{i}");
        scenario.detector.learn(judged.client, &path, 404, false);
        scenario
            .detector
            .learn(judged.client, "/api/known", 404, true);
    }
    let judged = scenario.request(CHROME, ip(192, 0, 2, 8), "scanner", "/next");
    assert!(sources(&judged).contains(&SCANNING), "{judged:?}");
    scenario.clock.advance(window);
    let judged = scenario.request(CHROME, ip(192, 0, 2, 8), "scanner", "/later");
    assert!(!sources(&judged).contains(&SCANNING), "a new window");
}

#[test]
fn browsers_behind_one_fingerprint_are_told_apart_by_address() {
    let mut scenario = Scenario::new(BotsConfig::default());
    for i in 0..60u8 {
        scenario
            .clock
            .advance(Duration::from_millis(900 + u64::from(i) * 13));
        let judged = scenario.request(CHROME, ip(192, 0, 2, i), "same-browser-build", "/api/items");
        assert!(judged.signals.is_empty(), "{i}: {:?}", judged.signals);
    }
}

#[test]
fn clients_are_bounded_and_removals_counted() {
    let mut scenario = Scenario::new(BotsConfig {
        max_clients: 8,
        ..BotsConfig::default()
    });
    for i in 0..20 {
        scenario.clock.advance(Duration::from_millis(10));
        scenario.request("curl/8.5.0", ip(192, 0, 2, 9), &format!("client-{i}"), "/");
    }
    let stats = scenario.detector.stats();
    assert!(stats.clients <= 8);
    assert!(stats.clients_removed.evicted >= 12);
}

#[test]
fn a_signed_agent_is_named_by_its_directory_and_a_forged_one_is_a_signal() {
    use super::signature::tests::{directory, signed, COVERED, NOW};
    let agent = Agent {
        name: "ChatGPT-Agent".into(),
        class: BotClass::AiAgent,
        operator: "OpenAI".into(),
    };
    let mut scenario = Scenario::new(BotsConfig {
        signed: vec![SignedAgent {
            agent: agent.clone(),
            directory: directory(),
        }],
        ..BotsConfig::default()
    });
    scenario.clock.move_to(u64::try_from(NOW).unwrap() * 1000);
    let judge = |scenario: &mut Scenario, message: &dyn signature::Message, user_agent| {
        scenario.detector.judge(&Request {
            user_agent: Some(user_agent),
            address: ip(192, 0, 2, 20),
            client: "agent",
            path: "/articles",
            query: None,
            endpoint: None,
            function: None,
            headers: BROWSER,
            message: Some(message),
        })
    };
    let valid = signed(NOW - 5, NOW + 60, COVERED);
    let judged = judge(&mut scenario, &valid, CHROME);
    assert_eq!(
        judged.identity,
        Some(Identity {
            agent,
            verification: Verification::Verified
        })
    );
    assert!(judged.signals.is_empty(), "{:?}", judged.signals);
    let mut forged = signed(NOW - 5, NOW + 60, COVERED);
    forged.authority = "elsewhere.example";
    let judged = judge(&mut scenario, &forged, "GPTBot/1.2");
    assert_eq!(sources(&judged), [SIGNATURE_INVALID]);
    assert_eq!(judged.identity.unwrap().verification, Verification::Failed);
}
