//! Bearer JWTs through a real gateway (`[identity.jwt]`): a verified token
//! reaches the upstream; forgeries are refused with 401 and an event naming
//! the check; a token signed with a weak secret is reported once.
//! Tokens are signed for real with the test keys in `crates/behave/testdata/tokens`.

mod support;

use rampart_behave::tokens::sign::{self, Signer};
use rampart_behave::tokens::Algorithm;
use rampart_gateway::config::GatewayConfig;
use serde_json::{json, Value};
use std::sync::Arc;
use support::key_server::{eventually, Answer, KeyServer};
use support::*;

const SECRET: &str = "a-long-random-secret-0f9e8d7c6b5a4938271605f4e3d2c1b0";

fn fixture(name: &str) -> String {
    format!(
        "{}/../behave/testdata/tokens/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn rsa_private() -> Vec<u8> {
    std::fs::read(fixture("rsa.pk8")).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims(audience: &str, expires_in: i64) -> Value {
    json!({
        "sub": "alice",
        "iss": "https://id.example",
        "aud": audience,
        "exp": now() as i64 + expires_in,
    })
}

fn jwt_config(upstream: std::net::SocketAddr, mode: &str) -> String {
    let section = format!(
        r#"[identity.jwt]
mode = "{mode}"
issuers = ["https://id.example"]
audiences = ["orders"]
leeway = "5s"

[[identity.jwt.keys]]
kid = "rsa-1"
public_key = "{}"

[[identity.jwt.keys]]
kid = "hmac-1"
secret = "{SECRET}"
"#,
        fixture("rsa.pub.pem")
    );
    with_stages(&config(&[upstream], ""), &["prevent"], &section)
}

async fn with_token(addr: std::net::SocketAddr, path: &str, token: &str) -> (u16, Value) {
    let request = hyper::Request::get(path)
        .header("host", "api.test")
        .header("authorization", format!("Bearer {token}"))
        .body(full(""))
        .unwrap();
    let response = send(addr, request).await;
    let status = response.status().as_u16();
    let text = body_text(response).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_verified_token_reaches_the_upstream_and_forgeries_are_refused_with_their_check() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&jwt_config(upstream.addr, "enforce")).await;
    let key = rsa_private();
    let rs256 = |header: Value, claims: &Value| {
        sign::token(Algorithm::RS256, Signer::Pkcs8(&key), header, claims)
    };

    let valid = rs256(json!({"kid": "rsa-1"}), &claims("orders", 600));
    let (status, _) = with_token(gw.addr(), "/orders/1", &valid).await;
    assert_eq!(status, 200);
    assert_eq!(upstream.request_count(), 1);

    let mut tampered: Vec<String> = valid.split('.').map(str::to_string).collect();
    tampered[1] = sign::signing_input(
        &json!({}),
        &json!({"sub": "admin", "iss": "https://id.example", "aud": "orders", "exp": now() + 600}),
    )
    .split('.')
    .nth(1)
    .unwrap()
    .to_string();
    let alg_none = sign::forged(&json!({"alg": "none"}), &claims("orders", 600), b"");
    let confusion_header = json!({"alg": "HS256", "kid": "rsa-1"});
    let public_pem = std::fs::read(fixture("rsa.pub.pem")).unwrap();
    let confusion_input = sign::signing_input(&confusion_header, &claims("orders", 600));
    let confusion = sign::forged(
        &confusion_header,
        &claims("orders", 600),
        &sign::sign(
            Algorithm::HS256,
            Signer::Secret(&public_pem),
            confusion_input.as_bytes(),
        ),
    );
    let expired = rs256(json!({"kid": "rsa-1"}), &claims("orders", -60));
    let elsewhere = rs256(json!({"kid": "rsa-1"}), &claims("billing", 600));
    let forgeries = [
        ("signature", tampered.join(".")),
        ("alg_none", alg_none),
        ("algorithm_confusion", confusion),
        ("expired", expired),
        ("audience", elsewhere),
    ];
    let mut refused = Vec::new();
    for (check, token) in &forgeries {
        let (status, problem) = with_token(gw.addr(), "/orders/1", token).await;
        assert_eq!(status, 401, "{check}");
        refused.push((*check, problem["request_id"].as_str().unwrap().to_string()));
    }
    assert_eq!(
        upstream.request_count(),
        1,
        "no forgery reached the upstream"
    );

    let events = gw.events(forgeries.len()).await;
    for (check, request_id) in refused {
        let event = events
            .iter()
            .find(|e| e["request_id"] == request_id.as_str())
            .unwrap_or_else(|| panic!("no event for {check}"));
        assert_eq!(event["action"], "block", "{event}");
        assert_eq!(event["status"], 401, "{event}");
        let reason = &event["reasons"][0];
        assert_eq!(reason["source"], format!("identity.jwt.{check}"), "{event}");
        assert_eq!(reason["location"], "header.authorization");
        assert!(reason["score"].as_f64().unwrap() > 0.0, "{event}");
        for (_, token) in &forgeries {
            let signature = token.rsplit('.').next().unwrap();
            let text = event.to_string();
            assert!(
                signature.len() < 8 || !text.contains(signature),
                "a token leaked: {text}"
            );
        }
    }
    let confusion = events
        .iter()
        .find(|e| reason_sources(e) == ["identity.jwt.algorithm_confusion"])
        .unwrap();
    assert!(
        confusion["reasons"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("public key as the HMAC secret"),
        "{confusion}"
    );
}

#[tokio::test]
async fn monitor_mode_lets_a_forgery_through_and_records_what_it_would_have_done() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&jwt_config(upstream.addr, "monitor")).await;
    let alg_none = sign::forged(&json!({"alg": "none"}), &claims("orders", 600), b"");
    let (status, _) = with_token(gw.addr(), "/orders/1", &alg_none).await;
    assert_eq!(status, 200);
    let events = gw.events(1).await;
    assert_eq!(events[0]["action"], "would_block", "{}", events[0]);
    assert_eq!(reason_sources(&events[0]), ["identity.jwt.alg_none"]);
}

#[tokio::test]
async fn a_token_signed_with_a_weak_secret_is_reported_once_per_issuer_even_unconfigured() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&with_stages(
        &config(&[upstream.addr], ""),
        &["prevent"],
        "",
    ))
    .await;
    let weak = |issuer: &str| {
        let claims = json!({"sub": "bob", "iss": issuer, "exp": now() + 600});
        sign::token(
            Algorithm::HS256,
            Signer::Secret(b"secret"),
            json!({}),
            &claims,
        )
    };
    for (path, issuer) in [("/first", "shop"), ("/again", "shop"), ("/other", "blog")] {
        let (status, _) = with_token(gw.addr(), path, &weak(issuer)).await;
        assert_eq!(
            status, 200,
            "{path}: nothing is verified, so nothing is refused"
        );
    }
    let events = gw.events(2).await;
    let paths: Vec<&str> = events.iter().filter_map(|e| e["path"].as_str()).collect();
    assert_eq!(paths, ["/first", "/other"], "{events:?}");
    for event in &events {
        assert_eq!(event["action"], "monitor");
        assert_eq!(reason_sources(event), ["identity.jwt.weak_secret"]);
        let evidence = event["reasons"][0]["evidence"].as_str().unwrap();
        assert!(
            evidence.contains("weak-secret list (6 characters)"),
            "{evidence}"
        );
    }
}

fn load(section: &str) -> Result<GatewayConfig, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.toml");
    let text = with_stages(
        &config(&["127.0.0.1:1".parse().unwrap()], ""),
        &["prevent"],
        section,
    );
    std::fs::write(&path, text).unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"keys\": 7}").unwrap();
    let good = json!({"keys": [{"kty": "oct", "kid": "file", "k": b64url(SECRET.as_bytes())}]});
    std::fs::write(dir.path().join("good.json"), good.to_string()).unwrap();
    GatewayConfig::load(&path).map_err(|e| e.to_string())
}

#[test]
fn bad_key_configuration_is_refused_naming_the_file_and_key() {
    let error = load("[identity.jwt]\njwks = \"bad.json\"\n").unwrap_err();
    assert!(error.contains("identity.jwt.jwks"), "{error}");
    assert!(error.contains("bad.json"), "{error}");
    let error =
        load("[identity.jwt]\n[[identity.jwt.keys]]\npublic_key = \"missing.pem\"\n").unwrap_err();
    assert!(
        error.contains("identity.jwt.keys[0]") && error.contains("missing.pem"),
        "{error}"
    );
    let error = load("[identity.jwt]\n[[identity.jwt.keys]]\nsecret = \"x\"\nalg = \"RS256\"\n")
        .unwrap_err();
    assert!(error.contains("needs an RSA public key"), "{error}");
    let error = load("[identity.jwt]\n").unwrap_err();
    assert!(error.contains("expected at least one key"), "{error}");
    let warned = load("[identity.jwt]\n[[identity.jwt.keys]]\nsecret = \"changeme\"\n").unwrap();
    let lines = warned.warning_lines().join("\n");
    assert!(
        lines.contains("identity.jwt.keys[0]") && lines.contains("anyone can forge"),
        "{lines}"
    );
}

// `jwks_url`: an identity provider's key set, fetched from a real loopback
// server that counts its hits, rotates its keys and goes down.

/// The DER of a fixture's PEM public key.
fn public_der(name: &str) -> Vec<u8> {
    use base64::Engine as _;
    let pem = std::fs::read_to_string(fixture(name)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Key A (Ed25519) and key B (P-256) as JWKs: the public key is at the end
/// of each SubjectPublicKeyInfo.
fn jwk_a() -> Value {
    let der = public_der("ed25519.pub.pem");
    json!({"kty": "OKP", "crv": "Ed25519", "kid": "A", "x": b64url(&der[der.len() - 32..])})
}

fn jwk_b() -> Value {
    let der = public_der("p256.pub.pem");
    let point = &der[der.len() - 64..];
    json!({"kty": "EC", "crv": "P-256", "kid": "B", "x": b64url(&point[..32]), "y": b64url(&point[32..])})
}

fn key_set(keys: &[Value], cache_control: &'static str) -> Answer {
    Answer {
        status: 200,
        body: json!({ "keys": keys }).to_string().into_bytes(),
        cache_control,
        chunked: false,
        headers: Vec::new(),
    }
}

fn token_a(kid: &str) -> String {
    let key = std::fs::read(fixture("ed25519.pk8")).unwrap();
    sign::token(
        Algorithm::EdDSA,
        Signer::Pkcs8(&key),
        json!({ "kid": kid }),
        &claims("orders", 600),
    )
}

fn token_b() -> String {
    let key = std::fs::read(fixture("p256.pk8")).unwrap();
    sign::token(
        Algorithm::ES256,
        Signer::Pkcs8(&key),
        json!({"kid": "B"}),
        &claims("orders", 600),
    )
}

fn jwks_url_config(upstream: std::net::SocketAddr, url: &str, min_refresh: &str) -> String {
    let section = format!(
        r#"[identity.jwt]
issuers = ["https://id.example"]
audiences = ["orders"]
jwks_url = "{url}"
min_refresh = "{min_refresh}"
"#
    );
    with_stages(&config(&[upstream], ""), &["prevent"], &section)
}

/// A gateway verifying with the key set (key A) of a loopback key server
/// answering `cache_control`, fetched again no sooner than `min_refresh`.
async fn behind_key_server(
    cache_control: &'static str,
    min_refresh: &str,
) -> (TestUpstream, KeyServer, TestGateway) {
    let upstream = TestUpstream::start().await;
    let idp = KeyServer::start(key_set(&[jwk_a()], cache_control), None).await;
    let url = format!("http://{}/jwks.json", idp.addr);
    let gw = TestGateway::start(&jwks_url_config(upstream.addr, &url, min_refresh)).await;
    (upstream, idp, gw)
}

/// `rampart_jwks_fetch_total{result}` as the admin listener exports it.
async fn fetches_counted(gw: &TestGateway, result: &str) -> u64 {
    metric(
        gw,
        &format!("rampart_jwks_fetch_total{{result=\"{result}\"}}"),
    )
    .await
}

async fn status_with(gw: &TestGateway, token: &str) -> u16 {
    with_token(gw.addr(), "/orders/1", token).await.0
}

#[tokio::test]
async fn a_rotated_key_is_fetched_on_its_first_unknown_kid_and_the_last_set_outlives_the_provider()
{
    let (_upstream, idp, gw) = behind_key_server("max-age=3600", "1h").await;
    assert_eq!(idp.hits(), 1, "fetched once at start");
    assert_eq!(
        status_with(&gw, &token_a("A")).await,
        200,
        "key A verifies from the first request"
    );

    idp.serve(key_set(&[jwk_a(), jwk_b()], "max-age=3600"));
    assert_eq!(
        status_with(&gw, &token_b()).await,
        401,
        "kid B is unknown until the refetch it starts"
    );
    eventually("key B verifying", || async {
        status_with(&gw, &token_b()).await == 200
    })
    .await;
    assert_eq!(
        idp.hits(),
        2,
        "one refetch, however many kid B tokens came meanwhile"
    );
    let events = gw.events(1).await;
    assert_eq!(
        reason_sources(&events[0]),
        ["identity.jwt.unknown_kid"],
        "{}",
        events[0]
    );

    idp.stop();
    for _ in 0..3 {
        assert_eq!(
            status_with(&gw, &token_a("A")).await,
            200,
            "the last good set stays"
        );
        assert_eq!(status_with(&gw, &token_b()).await, 200);
    }
    gw.gateway.reload().unwrap();
    assert_eq!(
        status_with(&gw, &token_a("A")).await,
        200,
        "a reload with the provider down keeps the fetched keys"
    );
}

#[tokio::test]
async fn fifty_forged_kids_start_one_refetch() {
    let (upstream, idp, gw) = behind_key_server("max-age=3600", "1h").await;
    assert_eq!(idp.hits(), 1);
    for i in 0..50 {
        let kid = format!("forged-{i}-{}", now());
        assert_eq!(status_with(&gw, &token_a(&kid)).await, 401);
    }
    eventually("the one refetch", || async { idp.hits() == 2 }).await;
    // Nothing can be polled for a fetch that must not happen: give a stray
    // one time to arrive, then count.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(idp.hits(), 2, "the other 49 unknown kids were rate-limited");
    assert_eq!(upstream.request_count(), 0);
}

#[tokio::test]
async fn a_malformed_oversize_or_redirected_key_set_is_refused_and_the_last_good_one_kept() {
    let (_upstream, idp, gw) = behind_key_server("max-age=1", "1s").await;
    assert_eq!(status_with(&gw, &token_a("A")).await, 200);

    let oversize = format!(
        "{{\"keys\": []{}}}",
        " ".repeat(rampart_behave::tokens::jwks::MAX_JWKS_BYTES)
    );
    let redirect = key_set(&[jwk_b()], "max-age=1");
    for (status, broken, chunked, result) in [
        (200, b"{\"keys\": 7}".to_vec(), false, "invalid"),
        (200, oversize.clone().into_bytes(), false, "too_large"),
        (200, oversize.clone().into_bytes(), true, "too_large"),
        (302, redirect.body, false, "status"),
    ] {
        // Each result is counted only by this test's fetches.
        let before = fetches_counted(&gw, result).await;
        idp.serve(Answer {
            status,
            body: broken,
            cache_control: "max-age=1",
            chunked,
            headers: Vec::new(),
        });
        eventually(&format!("a refused fetch counted as {result}"), || async {
            fetches_counted(&gw, result).await > before
        })
        .await;
        assert_eq!(
            status_with(&gw, &token_a("A")).await,
            200,
            "{result}: key A stays"
        );
    }
    assert_eq!(
        status_with(&gw, &token_b()).await,
        401,
        "a redirect's body is not read"
    );
}

#[tokio::test]
async fn an_unreachable_provider_at_start_leaves_tokens_failing_as_unknown_key() {
    let upstream = TestUpstream::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}/jwks.json");
    let gw = TestGateway::start(&jwks_url_config(upstream.addr, &url, "1h")).await;
    assert_eq!(status_with(&gw, &token_a("A")).await, 401);
    let events = gw.events(1).await;
    assert_eq!(reason_sources(&events[0]), ["identity.jwt.unknown_kid"]);
    let evidence = events[0]["reasons"][0]["evidence"].as_str().unwrap();
    assert!(evidence.contains("has not been fetched"), "{evidence}");
    assert_eq!(upstream.request_count(), 0);
}

#[tokio::test]
async fn a_key_set_is_fetched_over_tls_trusting_the_ca_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, certified.cert.pem()).unwrap();
    // The only test here that fetches over TLS: the variable is read when
    // its gateway starts.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let idp = KeyServer::start(key_set(&[jwk_a()], "max-age=3600"), Some(acceptor)).await;
    let upstream = TestUpstream::start().await;
    let url = format!("https://localhost:{}/jwks.json", idp.addr.port());
    let gw = TestGateway::start(&jwks_url_config(upstream.addr, &url, "1h")).await;
    assert_eq!(idp.hits(), 1);
    assert_eq!(status_with(&gw, &token_a("A")).await, 200);
}

#[test]
fn a_jwks_url_must_be_https_or_loopback_with_ordered_refresh_bounds() {
    let error = load("[identity.jwt]\njwks_url = \"http://id.example/jwks.json\"\n").unwrap_err();
    assert!(
        error.contains("rampart.toml")
            && error.contains("identity.jwt.jwks_url")
            && error.contains("loopback"),
        "{error}"
    );
    let error = load("[identity.jwt]\njwks_url = \"id.example/jwks.json\"\n").unwrap_err();
    assert!(error.contains("expected an https:// URL"), "{error}");
    let error = load(
        "[identity.jwt]\njwks_url = \"https://id.example/jwks.json\"\nmin_refresh = \"1h\"\nmax_refresh = \"1m\"\n",
    )
    .unwrap_err();
    assert!(error.contains("identity.jwt.max_refresh"), "{error}");
    let both =
        load("[identity.jwt]\njwks = \"good.json\"\njwks_url = \"https://id.example/jwks.json\"\n");
    assert!(both.is_ok(), "a file and a URL are merged: {both:?}");
    let warned = load("[identity.jwt]\njwks = \"good.json\"\nmax_refresh = \"1h\"\n").unwrap();
    let lines = warned.warning_lines().join("\n");
    assert!(
        lines.contains("identity.jwt.max_refresh") && lines.contains("only applies to jwks_url"),
        "{lines}"
    );
}
