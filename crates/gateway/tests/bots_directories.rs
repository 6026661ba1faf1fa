//! `[[bots.signed]] keys_url` in a real gateway: a Web Bot Auth agent's key
//! directory served by a loopback server that signs its responses, rotates
//! its key and goes down. A request signed with the served key is believed;
//! after a rotation, the first request with the new keyid asks for one
//! refetch (and no more within 30 s) and the next ones verify; the last good
//! directory outlives its server; a directory whose response signature is
//! forged is refused; the same signed request twice is a replay.

mod support;

use http::Request;
use rampart_behave::bots::signature::response::{DirectoryResponse, DIRECTORY_TAG};
use rampart_behave::bots::signature::{sign, thumbprint, Message};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use support::key_server::{eventually, Answer, KeyServer};
use support::*;

const AGENT: &str = "https://agent.example";
const FETCHER: &str = "Mozilla/5.0 (compatible; ChatGPT-User/1.0; +https://openai.com/bot)";

/// An agent's Ed25519 key.
struct Key {
    seed: [u8; 32],
    public: Vec<u8>,
}

impl Key {
    fn new(byte: u8) -> Key {
        let seed = [byte; 32];
        let public = Ed25519KeyPair::from_seed_unchecked(&seed)
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
        Key { seed, public }
    }

    fn x(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.public)
    }

    fn keyid(&self) -> String {
        thumbprint(&self.x())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The directory listing `listed`, its response signed for `authority`
/// once per `(claimed, signer)`: the keyid of `claimed`, the signature of
/// `signer` (the same key unless forged).
fn directory(listed: &[&Key], signatures: &[(&Key, &Key)], authority: &str) -> Answer {
    let keys: Vec<String> = listed
        .iter()
        .map(|k| format!(r#"{{"kty": "OKP", "crv": "Ed25519", "x": "{}"}}"#, k.x()))
        .collect();
    let body = format!(r#"{{"keys": [{}]}}"#, keys.join(", ")).into_bytes();
    let (mut inputs, mut values) = (Vec::new(), Vec::new());
    for (i, (claimed, signer)) in signatures.iter().enumerate() {
        let response = DirectoryResponse {
            authority,
            headers: &[],
            body: &body,
        };
        let input = format!(
            r#"("@authority";req);created={};expires={};keyid="{}";alg="ed25519";tag="{DIRECTORY_TAG}""#,
            now() - 5,
            now() + 300,
            claimed.keyid()
        );
        let (input, value) = sign(&response, &input, &signer.seed, &signer.public).unwrap();
        inputs.push(input.replacen("sig1", &format!("dir{i}"), 1));
        values.push(value.replacen("sig1", &format!("dir{i}"), 1));
    }
    Answer {
        status: 200,
        body,
        cache_control: "max-age=3600",
        chunked: false,
        headers: vec![
            ("signature-input".into(), inputs.join(", ")),
            ("signature".into(), values.join(", ")),
        ],
    }
}

/// What the agent signs: the request as the gateway sees it.
struct AgentRequest;

impl Message for AgentRequest {
    fn method(&self) -> &str {
        "GET"
    }
    fn authority(&self) -> &str {
        "api.test"
    }
    fn path(&self) -> &str {
        "/articles"
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn header(&self, name: &str) -> Option<String> {
        (name == "signature-agent").then(|| format!("\"{AGENT}\""))
    }
}

/// The `Signature-Input` and `Signature` of a request signed with `key`
/// and this nonce.
fn signed_by(key: &Key, nonce: &str) -> (String, String) {
    let input = format!(
        r#"("@authority" "signature-agent");created={};expires={};keyid="{}";nonce="{nonce}";tag="web-bot-auth""#,
        now() - 5,
        now() + 60,
        key.keyid()
    );
    sign(&AgentRequest, &input, &key.seed, &key.public).unwrap()
}

struct Setup {
    gateway: TestGateway,
    upstream: TestUpstream,
    directory: KeyServer,
}

/// What the gateway did with one signed request: whether the upstream saw
/// it, and whether the policy saw the agent verified.
async fn call(setup: &Setup, (input, signature): &(String, String)) -> (bool, bool) {
    let before = setup.upstream.request_count();
    let request = Request::builder()
        .uri("/articles")
        .header("host", "api.test")
        .header("user-agent", FETCHER)
        .header("signature-agent", format!("\"{AGENT}\""))
        .header("signature-input", input)
        .header("signature", signature)
        .body(full(""))
        .unwrap();
    let response = send(setup.gateway.addr(), request).await;
    assert_eq!(response.status(), 200);
    let echo = body_json(response).await;
    let reached = setup.upstream.request_count() > before;
    let verified = echoed_header(&echo, "x-signed-agent").as_deref() == Some("verified");
    (reached, verified)
}

fn gateway_config(upstream: std::net::SocketAddr, url: &str, extra: &str) -> String {
    let sections = signed_agent_sections(&format!("keys_url = \"{url}\"\n{extra}"));
    with_stages(&config(&[upstream], ""), &["bots", "prevent"], &sections)
}

/// A gateway whose agent directory is served, signed, with `first`.
async fn setup(first: &Key) -> Setup {
    setup_with(first, "").await
}

async fn setup_with(first: &Key, extra: &str) -> Setup {
    let upstream = TestUpstream::start().await;
    let directory = KeyServer::start(directory(&[], &[], ""), None).await;
    let authority = directory.addr.to_string();
    directory.serve(self::directory(&[first], &[(first, first)], &authority));
    let url = format!(
        "http://{}/.well-known/http-message-signatures-directory",
        directory.addr
    );
    let gateway = TestGateway::start(&gateway_config(upstream.addr, &url, extra)).await;
    Setup {
        gateway,
        upstream,
        directory,
    }
}

const UNSIGNED: &str =
    r#"rampart_bots_directory_fetch_total{agent="Example-Agent",result="unsigned"}"#;
const LIMITED: &str =
    r#"rampart_bots_directory_unknown_key_total{agent="Example-Agent",refetch="limited"}"#;

#[tokio::test]
async fn a_rotated_key_verifies_after_one_refetch_and_the_last_directory_outlives_its_server() {
    let (a, b, c) = (Key::new(1), Key::new(2), Key::new(3));
    let setup = setup(&a).await;
    assert_eq!(setup.directory.hits(), 1, "fetched once at start");
    assert_eq!(
        call(&setup, &signed_by(&a, "a-1")).await,
        (true, true),
        "the served key verifies from the first request"
    );

    let authority = setup.directory.addr.to_string();
    setup
        .directory
        .serve(directory(&[&b], &[(&b, &b)], &authority));
    let (_, verified) = call(&setup, &signed_by(&b, "b-1")).await;
    assert!(!verified, "the new keyid is unknown until the refetch");
    eventually("the refetch asked by the unknown keyid", || async {
        setup.directory.hits() == 2
    })
    .await;
    eventually("the rotated key verifying", || async {
        call(&setup, &signed_by(&b, &format!("b-{}", now_nanos()))).await == (true, true)
    })
    .await;

    for i in 0..20 {
        let (_, verified) = call(&setup, &signed_by(&c, &format!("c-{i}"))).await;
        assert!(!verified, "a key the directory does not list");
    }
    assert!(metric(&setup.gateway, LIMITED).await >= 20);
    assert_eq!(
        setup.directory.hits(),
        2,
        "unknown keyids within 30 s of a refetch ask for no other"
    );

    setup.directory.stop();
    assert_eq!(
        call(&setup, &signed_by(&b, "b-after")).await,
        (true, true),
        "the last good directory stays when its server is down"
    );
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test]
async fn a_directory_with_a_forged_response_signature_is_refused_and_the_last_good_stays() {
    let (a, b) = (Key::new(1), Key::new(2));
    let setup = setup(&a).await;
    let authority = setup.directory.addr.to_string();
    // Key B listed, its signature made with key A: whoever served this does
    // not hold key B.
    setup
        .directory
        .serve(directory(&[&b], &[(&b, &a)], &authority));
    let (_, verified) = call(&setup, &signed_by(&b, "b-1")).await;
    assert!(!verified);
    eventually("the forged directory refused as unsigned", || async {
        metric(&setup.gateway, UNSIGNED).await >= 1
    })
    .await;
    assert_eq!(setup.directory.hits(), 2);
    assert!(
        !call(&setup, &signed_by(&b, "b-2")).await.1,
        "key B of the refused directory is not trusted"
    );
    assert_eq!(
        call(&setup, &signed_by(&a, "a-1")).await,
        (true, true),
        "the last good directory (key A) stays"
    );
}

#[tokio::test]
async fn a_directory_signed_for_another_authority_is_refused_unless_signatures_are_not_required() {
    let a = Key::new(1);
    let upstream = TestUpstream::start().await;
    let server = KeyServer::start(directory(&[&a], &[(&a, &a)], "mirror.example"), None).await;
    let url = format!("http://{}/d", server.addr);
    let refusing = Setup {
        gateway: TestGateway::start(&gateway_config(upstream.addr, &url, "")).await,
        upstream,
        directory: server,
    };
    // Refused at start; a slow run may already have retried (with backoff)
    // and refused it again, so the count is at least one.
    assert!(metric(&refusing.gateway, UNSIGNED).await >= 1);
    assert!(!call(&refusing, &signed_by(&a, "a-1")).await.1);

    let upstream = TestUpstream::start().await;
    let trusting = Setup {
        gateway: TestGateway::start(&gateway_config(
            upstream.addr,
            &url,
            "require_signed_directory = false",
        ))
        .await,
        upstream,
        directory: refusing.directory,
    };
    assert_eq!(call(&trusting, &signed_by(&a, "a-1")).await, (true, true));
}

#[tokio::test]
async fn the_same_signed_request_twice_is_a_replay() {
    let a = Key::new(1);
    let setup = setup(&a).await;
    let request = signed_by(&a, "once");
    assert_eq!(call(&setup, &request).await, (true, true));
    assert_eq!(
        call(&setup, &request).await,
        (false, false),
        "replayed: the agent's claim fails and is deceived"
    );
    let events = setup.gateway.events(1).await;
    let replayed = events
        .iter()
        .flat_map(|e| e["reasons"].as_array().cloned().unwrap_or_default())
        .find(|r| r["source"] == "bots.signature_replayed")
        .expect("a bots.signature_replayed reason");
    let evidence = replayed["evidence"].as_str().unwrap_or_default();
    assert!(evidence.contains(&a.keyid()), "{evidence}");
    assert!(evidence.contains("first seen at"), "{evidence}");
    assert_eq!(
        call(&setup, &signed_by(&a, "another")).await,
        (true, true),
        "another nonce is another request"
    );
}

#[test]
fn a_signed_agent_needs_exactly_one_of_keys_and_keys_url() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    std::fs::write(
        &keys,
        format!(
            r#"{{"keys": [{{"kty": "OKP", "crv": "Ed25519", "x": "{}"}}]}}"#,
            Key::new(1).x()
        ),
    )
    .unwrap();
    let entry = |i: usize, fields: &str| {
        format!("\n[[bots.signed]]\nagent = \"{AGENT}/{i}\"\nname = \"A{i}\"\nclass = \"ai_agent\"\n{fields}\n")
    };
    let load = |sections: String| load_config(dir.path(), &["bots"], &sections);
    let both = format!(
        "keys = {:?}\nkeys_url = \"https://agent.example/d\"",
        keys.display().to_string()
    );
    let refused = [
        entry(0, &both),
        entry(1, ""),
        entry(2, "keys_url = \"http://agent.example/d\""),
        entry(3, "keys_url = \"ftp://agent.example/d\""),
    ]
    .concat();
    let message = match load(refused) {
        Ok(_) => panic!("bad [[bots.signed]] entries were accepted"),
        Err(e) => e,
    };
    for expected in [
        "bots.signed[0]: expected exactly one of keys (a directory file) or keys_url (a URL to fetch it from), got both",
        "bots.signed[1]: expected exactly one of keys",
        "got neither",
        "bots.signed[2].keys_url: expected https://",
        "loopback",
        "bots.signed[3].keys_url",
        "rampart.toml",
    ] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
    let warned = load(entry(
        0,
        &format!(
            "keys = {:?}\nrequire_signed_directory = false",
            keys.display().to_string()
        ),
    ))
    .unwrap();
    let lines = warned.warning_lines().join("\n");
    assert!(
        lines.contains("bots.signed[0].require_signed_directory: only applies to keys_url"),
        "{lines}"
    );
    assert!(load(entry(
        0,
        "keys_url = \"http://127.0.0.1:9/d\"\nrequire_signed_directory = true"
    ))
    .is_ok());
}
