//! Credential stuffing spread over one provider, in a real gateway with an
//! ASN database: a campaign that sends every attempt from a fresh address in
//! its own /24 with its own user-agent (so neither the address, the network
//! nor the fingerprint repeats) is refused once enough usernames failed from
//! its autonomous system, while the customers of a big provider logging in,
//! mostly successfully, are not.

mod support;

use http::Request;
use rampart_testkit::mmdb::{self, Value};
use support::*;

/// `10.0.0.0/8` is AS64500 (the campaign's provider), `172.16.0.0/12`
/// AS64501 (a big provider of genuine customers).
fn asn_database(dir: &std::path::Path) -> std::path::PathBuf {
    let record = |asn, name| {
        Value::Map(vec![
            ("autonomous_system_number", Value::Uint32(asn)),
            ("autonomous_system_organization", Value::Text(name)),
        ])
    };
    let (campaign, campaign_len) = mmdb::v4(10, 0, 0, 0, 8);
    let (crowd, crowd_len) = mmdb::v4(172, 16, 0, 0, 12);
    let bytes = mmdb::build(
        "GeoLite2-ASN",
        &[
            (campaign, campaign_len, record(64_500, "Rented Net")),
            (crowd, crowd_len, record(64_501, "Big Access Net")),
        ],
    );
    let path = dir.join("asn.mmdb");
    std::fs::write(&path, bytes).unwrap();
    path
}

const SPEC: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/login": {"post": {"responses": {"200": {"description": "ok"}, "401": {"description": "no"}}}}}}"#;

/// A login as `username` from `address` (forwarded by the trusted
/// loopback proxy) with its own user-agent; the upstream accepts it when
/// `ok`.
async fn login(gw: &TestGateway, address: &str, username: &str, ok: bool) -> u16 {
    let request = Request::post(if ok { "/login?ok" } else { "/login" })
        .header("host", "api.test")
        .header("x-forwarded-for", address)
        .header("user-agent", format!("client/{address}"))
        .header("content-type", "application/json")
        .body(full(format!(
            r#"{{"username": "{username}", "password": "guess"}}"#
        )))
        .unwrap();
    let response = send(gw.addr(), request).await;
    let status = response.status().as_u16();
    body_text(response).await;
    status
}

/// The `n`th address of `first_octet`'s provider, each in its own /24.
fn spread(first_octet: u8, n: usize) -> String {
    format!("{first_octet}.{}.{}.9", 16 + n / 200, n % 200)
}

async fn gateway(dir: &std::path::Path) -> (TestGateway, TestUpstream, tempfile::TempDir) {
    let upstream = TestUpstream::start().await;
    let sections = format!(
        "[behave.ato]\nstuffing_usernames_per_asn = 12\n\n[prevent.geo]\nasn_database = {:?}\n",
        asn_database(dir).display().to_string()
    );
    let (text, spec_dir) = spec_config(
        upstream.addr,
        SPEC,
        &["discover", "behave", "prevent"],
        "",
        &sections,
    );
    let text = text.replace(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n",
    );
    (TestGateway::start(&text).await, upstream, spec_dir)
}

#[tokio::test]
async fn stuffing_spread_over_one_provider_is_refused_and_its_busy_neighbour_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (gw, _upstream, _spec) = gateway(dir.path()).await;
    // The spec names /login; discovery infers its function from traffic.
    assert_eq!(login(&gw, "192.0.2.1", "carol", false).await, 401);
    wait_for_functions(&gw, &[("/login", "login")]).await;

    // 240 genuine customers of AS64501, one in five mistyping: 48 distinct
    // usernames fail, far above the threshold, but 80% of logins succeed.
    for n in 0..240 {
        let ok = n % 5 != 0;
        let status = login(&gw, &spread(172, n), &format!("customer{n}"), ok).await;
        assert_eq!(status, if ok { 200 } else { 401 }, "customer {n}");
    }

    // The campaign: a fresh address, network and user-agent per attempt.
    // Each answer is learned when its exchange ends, so the refusal comes
    // at the threshold or an attempt or two after.
    let mut statuses = Vec::new();
    for n in 0..16 {
        statuses.push(login(&gw, &spread(10, n), &format!("victim{n}"), false).await);
    }
    let first = statuses.iter().position(|s| *s == 403);
    assert!(
        first.is_some_and(|f| (12..=14).contains(&f)),
        "{statuses:?}"
    );

    let events = gw.events(1).await;
    let stuffing: Vec<_> = events
        .iter()
        .filter(|e| reason_sources(e).contains(&"behave.ato.credential_stuffing"))
        .collect();
    assert!(!stuffing.is_empty(), "{events:?}");
    for event in stuffing {
        let evidence = event["reasons"][0]["evidence"].as_str().unwrap();
        assert!(
            evidence.starts_with("AS64500 failed logins for"),
            "{evidence}"
        );
        assert!(
            event["client_ip"].as_str().unwrap().starts_with("10."),
            "{event}"
        );
    }
}
