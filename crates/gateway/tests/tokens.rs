//! Bearer JWTs through a real gateway (`[identity.jwt]`): a verified token
//! reaches the upstream; forgeries are refused with 401 and an event naming
//! the check; a token signed with a weak secret is reported once.
//! Tokens are signed for real with the test keys in `crates/behave/testdata/tokens`.

mod support;

use rampart_behave::tokens::sign::{self, Signer};
use rampart_behave::tokens::Algorithm;
use rampart_gateway::config::GatewayConfig;
use serde_json::{json, Value};
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
