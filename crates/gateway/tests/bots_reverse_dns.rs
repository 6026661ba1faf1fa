//! Crawler claims checked by forward-confirmed reverse DNS, in a real
//! gateway asking a real (table-driven) DNS server on 127.0.0.1: the first
//! request of a new crawler address is `pending` and later ones are
//! `verified` or `failed` once the background lookup is known; a PTR in
//! the domain whose forward lookup is elsewhere, a PTR in a look-alike
//! domain and no PTR all fail, with the evidence; a resolver that does not
//! answer fails nobody.

mod support;

use http::Request;
use rampart_testkit::dns::TestDns;
use std::net::{IpAddr, UdpSocket};
use std::time::Duration;
use support::*;

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// A gateway whose policy tags each request with `bot.verification`.
async fn gateway(upstream: &TestUpstream, resolver: &str, timeout: &str) -> TestGateway {
    let sections = format!(
        r#"
[[bots.verify]]
agents = ["Googlebot"]
domains = ["googlebot.com", "google.com"]

[bots.dns]
resolver = "{resolver}"
timeout = "{timeout}"

[[prevent.policy.rules]]
name = "tag-verified"
when = 'bot.verification == "verified" && bot.verified'
action = {{ type = "tag", headers = {{ x-bot-verification = "verified" }} }}

[[prevent.policy.rules]]
name = "tag-pending"
when = 'bot.verification == "pending" && !bot.verified'
action = {{ type = "tag", headers = {{ x-bot-verification = "pending" }} }}

[[prevent.policy.rules]]
name = "tag-failed"
when = 'bot.verification == "failed"'
action = {{ type = "tag", headers = {{ x-bot-verification = "failed" }} }}
"#
    );
    let stages = ["bots", "prevent"];
    let text = with_stages(&config(&[upstream.addr], ""), &stages, &sections);
    TestGateway::start(&behind_loopback_proxy(&text)).await
}

/// `bot.verification` of a Googlebot request from `address`, as the
/// upstream saw it tagged.
async fn verification(gateway: &TestGateway, address: &str) -> String {
    let request = Request::builder()
        .uri("/articles")
        .header("host", "api.test")
        .header("user-agent", GOOGLEBOT)
        .header("x-forwarded-for", address)
        .body(full(""))
        .unwrap();
    let response = send(gateway.addr(), request).await;
    assert_eq!(response.status(), 200);
    let echo = body_json(response).await;
    echoed_header(&echo, "x-bot-verification").unwrap_or_else(|| panic!("untagged: {echo}"))
}

/// The first verification of `address` other than `pending`, asking
/// every 20 ms for at most 5 s.
async fn settled(gateway: &TestGateway, address: &str) -> String {
    for _ in 0..250 {
        let found = verification(gateway, address).await;
        if found != "pending" {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{address} was still pending after 5 s");
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_crawler_is_pending_then_verified_and_false_claims_fail_with_their_evidence() {
    let dns = TestDns::start(|table| {
        table
            .ptr(ip("66.249.66.1"), "crawl-66-249-66-1.googlebot.com")
            .address("crawl-66-249-66-1.googlebot.com", ip("66.249.66.1"))
            .ptr(ip("2001:4860:4801:10::1"), "crawl-v6.googlebot.com")
            .address("crawl-v6.googlebot.com", ip("2001:4860:4801:10::1"))
            .ptr(ip("66.249.66.2"), "crawl-66-249-66-2.googlebot.com")
            .address("crawl-66-249-66-2.googlebot.com", ip("203.0.113.50"))
            .ptr(ip("192.0.2.10"), "evilgooglebot.com")
            .address("evilgooglebot.com", ip("192.0.2.10"));
    });
    let upstream = TestUpstream::start().await;
    let gateway = gateway(&upstream, &dns.addr().to_string(), "2s").await;

    assert_eq!(
        verification(&gateway, "66.249.66.1").await,
        "pending",
        "the first request never waits on the lookup"
    );
    assert_eq!(settled(&gateway, "66.249.66.1").await, "verified");
    let queries = dns.queries();
    assert_eq!(
        queries, 2,
        "one PTR and one A query, however many requests polled"
    );
    assert_eq!(verification(&gateway, "66.249.66.1").await, "verified");
    assert_eq!(dns.queries(), queries, "kept: asked once");

    assert_eq!(
        settled(&gateway, "2001:4860:4801:10::1").await,
        "verified",
        "IPv6: the AAAA records confirm"
    );
    for address in ["66.249.66.2", "192.0.2.10", "192.0.2.11"] {
        assert_eq!(settled(&gateway, address).await, "failed", "{address}");
    }

    let events = gateway.events(3).await;
    let evidence = |address: &str| -> String {
        events
            .iter()
            .flat_map(|e| e["reasons"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["source"] == "bots.claim_unverified")
            .filter_map(|r| r["evidence"].as_str().map(str::to_owned))
            .find(|text| text.contains(address))
            .unwrap_or_else(|| panic!("no bots.claim_unverified for {address}: {events:#?}"))
    };
    assert_eq!(
        evidence("66.249.66.2"),
        "claims to be Googlebot but the PTR of 66.249.66.2 is crawl-66-249-66-2.googlebot.com, whose forward lookup does not contain 66.249.66.2"
    );
    assert_eq!(
        evidence("192.0.2.10"),
        "claims to be Googlebot but the PTR of 192.0.2.10 is evilgooglebot.com, not in googlebot.com, google.com"
    );
    assert_eq!(
        evidence("192.0.2.11"),
        "claims to be Googlebot but 192.0.2.11 has no PTR record"
    );
}

#[tokio::test]
async fn a_resolver_that_does_not_answer_fails_nobody() {
    // A port nothing listens on: the queries go unanswered.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let resolver = silent.local_addr().unwrap().to_string();
    drop(silent);
    let upstream = TestUpstream::start().await;
    let gateway = gateway(&upstream, &resolver, "200ms").await;

    let metrics = || async {
        let request = Request::get("/metrics")
            .header("host", "admin")
            .body(full(""))
            .unwrap();
        body_text(send(gateway.gateway.admin_addr, request).await).await
    };
    let timeouts = |text: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("rampart_bots_dns_lookups_total{result=\"timeout\"} "))
            .map_or(0, |n| n.parse().unwrap())
    };
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen.push(verification(&gateway, "66.249.66.1").await);
        if timeouts(&metrics().await) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(timeouts(&metrics().await), 1, "the lookup timed out");
    for _ in 0..3 {
        seen.push(verification(&gateway, "66.249.66.1").await);
    }
    assert!(
        seen.iter().all(|v| v == "pending"),
        "never verified, never failed: {seen:?}"
    );
}
