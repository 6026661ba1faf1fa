//! The `bots` stage with the `govern-bots` preset in a real gateway in
//! front of a real upstream: a search crawler from its published range
//! passes, the same user-agent from elsewhere is deceived, a training
//! crawler is refused by purpose, a monitoring probe and a browser pass,
//! and a headless scraper rotating addresses is refused. A Web Bot Auth
//! agent is named by its key directory when its signature holds, and a
//! signature made for another host fails its user-agent's claim.

mod support;

use http::Request;
use rampart_behave::bots::signature::{sign, thumbprint, Message};
use support::*;

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const GPTBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const UPTIME: &str = "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

struct Setup {
    gateway: TestGateway,
    upstream: TestUpstream,
    _ranges: tempfile::TempDir,
}

async fn setup() -> Setup {
    let upstream = TestUpstream::start().await;
    let ranges = tempfile::tempdir().unwrap();
    let google = ranges.path().join("googlebot.json");
    std::fs::write(
        &google,
        r#"{"creationTime": "2026-12-01", "prefixes": [{"ipv4Prefix": "66.249.64.0/27"}]}"#,
    )
    .unwrap();
    let sections = format!(
        r#"
[bots]
block_score = 6.0

[[bots.verify]]
agents = ["Googlebot"]
ranges = {:?}

[prevent]
presets = ["govern-bots"]
"#,
        google.display().to_string()
    );
    let text = with_stages(
        &config(&[upstream.addr], ""),
        &["bots", "prevent"],
        &sections,
    )
    .replace(
        "[server]\n",
        "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n",
    );
    Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        _ranges: ranges,
    }
}

/// The status of a request from `address` (as the trusted proxy says), and
/// whether the upstream saw it.
async fn call(setup: &Setup, user_agent: &str, address: &str, browser: bool) -> (u16, bool) {
    let before = setup.upstream.request_count();
    let mut request = Request::builder()
        .uri("/articles")
        .header("host", "api.test")
        .header("user-agent", user_agent)
        .header("x-forwarded-for", address);
    if browser {
        request = request
            .header("accept-language", "fr-FR,fr;q=0.9")
            .header("sec-ch-ua", "\"Chromium\";v=\"131\"")
            .header("sec-fetch-mode", "navigate");
    }
    let response = send(setup.gateway.addr(), request.body(full("")).unwrap()).await;
    let status = response.status().as_u16();
    (status, setup.upstream.request_count() > before)
}

#[tokio::test]
async fn bots_are_governed_by_verified_class() {
    let setup = setup().await;
    assert_eq!(
        call(&setup, GOOGLEBOT, "66.249.64.5", false).await,
        (200, true),
        "verified crawler"
    );
    assert_eq!(
        call(&setup, UPTIME, "192.0.2.40", false).await,
        (200, true),
        "monitoring probe"
    );
    assert_eq!(
        call(&setup, CHROME, "192.0.2.41", true).await,
        (200, true),
        "browser"
    );

    let (status, reached) = call(&setup, GOOGLEBOT, "203.0.113.9", false).await;
    assert!(
        !reached,
        "a false claim never reaches the upstream (status {status})"
    );
    assert_eq!(status, 200, "it is answered with decoy content");
    assert_eq!(
        call(&setup, GPTBOT, "192.0.2.50", false).await,
        (403, false),
        "training crawler"
    );

    let headless = CHROME.replace("Chrome/", "HeadlessChrome/");
    let mut statuses = Vec::new();
    for last in 1..=8 {
        statuses.push(
            call(&setup, &headless, &format!("198.51.100.{last}"), true)
                .await
                .0,
        );
    }
    assert_eq!(statuses[..7], [200; 7], "{statuses:?}");
    assert_eq!(
        statuses[7], 403,
        "the eighth address of one fingerprint: {statuses:?}"
    );

    let wanted = [
        "bots.claim_unverified",
        "rule:govern-bots-training",
        "bots.address_rotation",
    ];
    let mut events = Vec::new();
    for _ in 0..60 {
        events = setup.gateway.events(3).await;
        let written = |source: &&str| events.iter().any(|e| reason_sources(e).contains(source));
        if wanted.iter().all(written) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let with = |source: &str| {
        events
            .iter()
            .find(|e| reason_sources(e).contains(&source))
            .unwrap_or_else(|| panic!("no event with {source}: {events:#?}"))
    };
    let claim = with("bots.claim_unverified");
    assert!(
        reason_sources(claim).contains(&"rule:govern-bots-unverified"),
        "{claim}"
    );
    assert!(claim.to_string().contains("203.0.113.9"), "{claim}");
    assert!(reason_sources(with("rule:govern-bots-training")).len() == 1);
    assert_eq!(with("bots.address_rotation")["action"], "block");
    assert!(
        !events.iter().any(|e| e.to_string().contains("192.0.2.41")),
        "the browser is not an event"
    );
}

#[test]
fn bad_bots_settings_name_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    std::fs::write(&keys, r#"{"keys": [{"kty": "RSA"}]}"#).unwrap();
    let sections = format!(
        r#"
[bots]
regular_variation = 2.0

[[bots.verify]]
agents = ["Googlebot"]
ranges = "missing.txt"

[[bots.signed]]
agent = "https://agent.example"
name = "Agent"
class = "friendly_robot"
keys = {keys:?}

[[bots.signed]]
agent = "https://agent.example"
name = "Agent"
class = "ai_agent"
keys = {keys:?}
"#,
        keys = keys.display().to_string()
    );
    let message = match load_config(dir.path(), &["bots"], &sections) {
        Ok(_) => panic!("bad [bots] settings were accepted"),
        Err(e) => e,
    };
    for key in [
        "bots.regular_variation",
        "bots.verify[0].ranges",
        "bots.signed[0].class",
        "bots.signed[1].keys",
    ] {
        assert!(message.contains(key), "{key} not in: {message}");
    }
}

/// RFC 9421 appendix B.1.4's Ed25519 key, as seed and public key (base64url).
const SEED: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
const X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
const FETCHER: &str = "Mozilla/5.0 (compatible; ChatGPT-User/1.0; +https://openai.com/bot)";

/// What the agent signs: the request as the gateway will see it.
struct Signing {
    authority: &'static str,
}

impl Message for Signing {
    fn method(&self) -> &str {
        "GET"
    }
    fn authority(&self) -> &str {
        self.authority
    }
    fn path(&self) -> &str {
        "/articles"
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn header(&self, name: &str) -> Option<String> {
        (name == "signature-agent").then(|| "\"https://agent.example\"".to_string())
    }
}

/// A request signed for `authority`, sent to the gateway as `api.test`.
async fn signed_call(setup: &Setup, authority: &'static str) -> (u16, bool, serde_json::Value) {
    use base64::Engine as _;
    let decode = |text| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .unwrap()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let input = format!(
        r#"("@authority" "signature-agent");created={};expires={};keyid="{}";tag="web-bot-auth""#,
        now - 5,
        now + 60,
        thumbprint(X)
    );
    let (signature_input, signature) =
        sign(&Signing { authority }, &input, &decode(SEED), &decode(X)).unwrap();
    let before = setup.upstream.request_count();
    let request = Request::builder()
        .uri("/articles")
        .header("host", "api.test")
        .header("user-agent", FETCHER)
        .header("signature-agent", "\"https://agent.example\"")
        .header("signature-input", signature_input)
        .header("signature", signature)
        .body(full(""))
        .unwrap();
    let response = send(setup.gateway.addr(), request).await;
    let status = response.status().as_u16();
    let body = body_json(response).await;
    (status, setup.upstream.request_count() > before, body)
}

#[tokio::test]
async fn a_signed_agent_is_believed_only_with_a_valid_signature() {
    let upstream = TestUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("agent-keys.json");
    std::fs::write(
        &keys,
        format!(r#"{{"keys": [{{"kty": "OKP", "crv": "Ed25519", "x": "{X}"}}]}}"#),
    )
    .unwrap();
    let sections = signed_agent_sections(&format!("keys = {:?}", keys.display().to_string()));
    let text = with_stages(
        &config(&[upstream.addr], ""),
        &["bots", "prevent"],
        &sections,
    );
    let setup = Setup {
        gateway: TestGateway::start(&text).await,
        upstream,
        _ranges: dir,
    };
    let (status, reached, echo) = signed_call(&setup, "api.test").await;
    assert_eq!((status, reached), (200, true));
    assert_eq!(
        echoed_header(&echo, "x-signed-agent").as_deref(),
        Some("verified"),
        "the policy saw the directory's agent, verified: {echo}"
    );
    let (status, reached, _) = signed_call(&setup, "elsewhere.test").await;
    assert_eq!(
        (status, reached),
        (200, false),
        "a signature made for another host: the user-agent's claim fails and is deceived"
    );
}
