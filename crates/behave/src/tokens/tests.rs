//! The verifier against tokens signed for real (fixtures in
//! `testdata/tokens`, see its README), on a manual clock.

use super::der::{subject_public_key_info, PublicKey};
use super::sign::{self, Signer};
use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use rampart_core::ManualClock;
use serde_json::json;

const RSA_PRIVATE: &[u8] = include_bytes!("../../testdata/tokens/rsa.pk8");
const RSA_PUBLIC: &[u8] = include_bytes!("../../testdata/tokens/rsa.pub.pem");
const P256_PRIVATE: &[u8] = include_bytes!("../../testdata/tokens/p256.pk8");
const P256_PUBLIC: &[u8] = include_bytes!("../../testdata/tokens/p256.pub.pem");
const P384_PRIVATE: &[u8] = include_bytes!("../../testdata/tokens/p384.pk8");
const P384_PUBLIC: &[u8] = include_bytes!("../../testdata/tokens/p384.pub.pem");
const ED25519_PRIVATE: &[u8] = include_bytes!("../../testdata/tokens/ed25519.pk8");
const ED25519_PUBLIC: &[u8] = include_bytes!("../../testdata/tokens/ed25519.pub.pem");
const SECRET: &[u8] = b"a-long-random-secret-0f9e8d7c6b5a4938271605f4e3d2c1b0";
/// 2024-06-01T00:00:00Z, in seconds.
const NOW: u64 = 1_717_200_000;

fn claims() -> Value {
    json!({"sub": "alice", "iss": "https://id.example", "aud": "orders", "exp": NOW + 600})
}

fn pem(pem: &[u8], kid: &str) -> VerificationKey {
    VerificationKey::from_pem(pem, Some(kid.into()), None).unwrap()
}

fn verifier(keys: Vec<VerificationKey>) -> TokenVerifier {
    let rules = ClaimRules {
        issuers: vec!["https://id.example".into()],
        audiences: vec!["orders".into()],
        leeway_seconds: 30,
        required: vec!["exp".into()],
    };
    TokenVerifier::new(keys, rules, Arc::new(ManualClock::at(NOW * 1000))).unwrap()
}

fn all_keys() -> Vec<VerificationKey> {
    vec![
        VerificationKey::secret(SECRET, Some("hmac".into()), None).unwrap(),
        pem(RSA_PUBLIC, "rsa"),
        pem(P256_PUBLIC, "p256"),
        pem(P384_PUBLIC, "p384"),
        pem(ED25519_PUBLIC, "ed"),
    ]
}

fn failed(verifier: &TokenVerifier, token: &str) -> Check {
    verifier.verify(token).unwrap_err().check
}

#[test]
fn every_algorithm_verifies_with_its_key() {
    let verifier = verifier(all_keys());
    let cases: [(Algorithm, Signer<'_>, &str); 12] = [
        (Algorithm::HS256, Signer::Secret(SECRET), "hmac"),
        (Algorithm::HS384, Signer::Secret(SECRET), "hmac"),
        (Algorithm::HS512, Signer::Secret(SECRET), "hmac"),
        (Algorithm::RS256, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::RS384, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::RS512, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::PS256, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::PS384, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::PS512, Signer::Pkcs8(RSA_PRIVATE), "rsa"),
        (Algorithm::ES256, Signer::Pkcs8(P256_PRIVATE), "p256"),
        (Algorithm::ES384, Signer::Pkcs8(P384_PRIVATE), "p384"),
        (Algorithm::EdDSA, Signer::Pkcs8(ED25519_PRIVATE), "ed"),
    ];
    for (alg, signer, kid) in cases {
        let token = sign::token(alg, signer, json!({"kid": kid}), &claims());
        let verified = verifier
            .verify(&token)
            .unwrap_or_else(|f| panic!("{alg}: {f:?}"));
        assert_eq!(verified.alg, alg);
        assert_eq!(verified.claims["sub"], "alice");
        // Without a kid, every key of the right kind is tried.
        let anonymous = sign::token(alg, signer_again(alg), json!({}), &claims());
        assert!(verifier.verify(&anonymous).is_ok(), "{alg} without kid");
    }
}

fn signer_again(alg: Algorithm) -> Signer<'static> {
    match alg.key_kind() {
        KeyKind::Hmac => Signer::Secret(SECRET),
        KeyKind::Rsa => Signer::Pkcs8(RSA_PRIVATE),
        KeyKind::EcP256 => Signer::Pkcs8(P256_PRIVATE),
        KeyKind::EcP384 => Signer::Pkcs8(P384_PRIVATE),
        KeyKind::Ed25519 => Signer::Pkcs8(ED25519_PRIVATE),
    }
}

#[test]
fn a_forged_or_tampered_signature_fails_the_signature_check() {
    let verifier = verifier(all_keys());
    let other_secret = sign::token(
        Algorithm::HS256,
        Signer::Secret(b"not-the-configured-secret-but-long-enough"),
        json!({"kid": "hmac"}),
        &claims(),
    );
    assert_eq!(failed(&verifier, &other_secret), Check::Signature);
    let good = sign::token(
        Algorithm::RS256,
        Signer::Pkcs8(RSA_PRIVATE),
        json!({"kid": "rsa"}),
        &claims(),
    );
    let mut parts: Vec<&str> = good.split('.').collect();
    let admin = B64.encode(
        json!({"sub": "admin", "iss": "https://id.example", "aud": "orders", "exp": NOW + 600})
            .to_string(),
    );
    parts[1] = &admin;
    let failure = verifier.verify(&parts.join(".")).unwrap_err();
    assert_eq!(failure.check, Check::Signature);
    assert_eq!(
        failure.detail,
        "RS256 token (kid \"rsa\"): the signature does not verify"
    );
}

#[test]
fn alg_none_in_any_case_is_refused() {
    let verifier = verifier(all_keys());
    for none in ["none", "None", "NONE", "nOnE"] {
        let token = sign::forged(&json!({"alg": none}), &claims(), b"");
        assert_eq!(failed(&verifier, &token), Check::AlgNone, "{none}");
    }
}

#[test]
fn an_hmac_token_made_with_the_public_key_is_named_as_confusion() {
    let verifier = verifier(vec![pem(RSA_PUBLIC, "rsa")]);
    let header = json!({"alg": "HS256", "kid": "rsa"});
    let input = sign::signing_input(&header, &claims());
    let signature = sign::sign(
        Algorithm::HS256,
        Signer::Secret(RSA_PUBLIC),
        input.as_bytes(),
    );
    let failure = verifier
        .verify(&sign::forged(&header, &claims(), &signature))
        .unwrap_err();
    assert_eq!(failure.check, Check::AlgorithmConfusion);
    assert!(
        failure.detail.contains("public key as the HMAC secret"),
        "{}",
        failure.detail
    );
    // Any other HMAC token against a public key is confusion too.
    let other = sign::token(Algorithm::HS256, Signer::Secret(b"x"), json!({}), &claims());
    let failure = verifier.verify(&other).unwrap_err();
    assert_eq!(failure.check, Check::AlgorithmConfusion);
    assert_eq!(
        failure.detail,
        "HS256 token, but its key is an RSA public key"
    );
}

#[test]
fn a_key_pinned_to_an_algorithm_refuses_the_others_of_its_kind() {
    let pinned =
        VerificationKey::from_pem(RSA_PUBLIC, Some("rsa".into()), Some(Algorithm::PS256)).unwrap();
    let verifier = verifier(vec![pinned]);
    let rs256 = sign::token(
        Algorithm::RS256,
        Signer::Pkcs8(RSA_PRIVATE),
        json!({"kid": "rsa"}),
        &claims(),
    );
    assert_eq!(failed(&verifier, &rs256), Check::AlgorithmConfusion);
    let ps256 = sign::token(
        Algorithm::PS256,
        Signer::Pkcs8(RSA_PRIVATE),
        json!({"kid": "rsa"}),
        &claims(),
    );
    assert!(verifier.verify(&ps256).is_ok());
    let mismatched = VerificationKey::from_pem(P256_PUBLIC, None, Some(Algorithm::RS256));
    assert!(mismatched
        .unwrap_err()
        .0
        .contains("needs an RSA public key"));
}

#[test]
fn unknown_kid_unsupported_alg_and_garbage() {
    let verifier = verifier(all_keys());
    let stranger = sign::token(
        Algorithm::HS256,
        Signer::Secret(SECRET),
        json!({"kid": "gone"}),
        &claims(),
    );
    assert_eq!(failed(&verifier, &stranger), Check::UnknownKey);
    let exotic = sign::forged(&json!({"alg": "HS1"}), &claims(), b"s");
    assert_eq!(failed(&verifier, &exotic), Check::UnsupportedAlgorithm);
    for garbage in ["", "a.b", "not.a.jwt", "....", "e30.e30.e30"] {
        assert_eq!(failed(&verifier, garbage), Check::Malformed, "{garbage}");
    }
}

#[test]
fn claims_are_checked_on_the_injected_clock_after_the_signature() {
    let clock = Arc::new(ManualClock::at(NOW * 1000));
    let rules = ClaimRules {
        audiences: vec!["orders".into()],
        leeway_seconds: 30,
        ..ClaimRules::default()
    };
    let key = VerificationKey::secret(SECRET, None, None).unwrap();
    let verifier = TokenVerifier::new(vec![key], rules, clock.clone()).unwrap();
    let token = sign::token(
        Algorithm::HS256,
        Signer::Secret(SECRET),
        json!({}),
        &claims(),
    );
    assert!(verifier.verify(&token).is_ok());
    clock.move_to((NOW + 629) * 1000);
    assert!(verifier.verify(&token).is_ok(), "within the leeway");
    clock.move_to((NOW + 630) * 1000);
    assert_eq!(failed(&verifier, &token), Check::Expired);
    let elsewhere = json!({"aud": "billing", "exp": NOW + 6000});
    let token = sign::token(
        Algorithm::HS256,
        Signer::Secret(SECRET),
        json!({}),
        &elsewhere,
    );
    assert_eq!(failed(&verifier, &token), Check::Audience);
}

#[test]
fn failures_never_carry_the_token_or_a_key() {
    let verifier = verifier(all_keys());
    let token = sign::token(
        Algorithm::HS256,
        Signer::Secret(b"wrong"),
        json!({"kid": "hmac"}),
        &claims(),
    );
    let failure = verifier.verify(&token).unwrap_err();
    for part in token.split('.') {
        assert!(!failure.detail.contains(part), "{}", failure.detail);
    }
    let debug = format!("{:?}", all_keys());
    assert!(!debug.contains("a-long-random-secret"), "{debug}");
}

#[test]
fn a_jwks_gives_keys_of_every_type_pinned_to_their_alg() {
    let rsa = subject_public_key_info(&pem_der(RSA_PUBLIC)).unwrap();
    let PublicKey::Rsa { n, e } = rsa else {
        panic!("RSA")
    };
    let point = |pem: &[u8]| match subject_public_key_info(&pem_der(pem)).unwrap() {
        PublicKey::Point { bytes, .. } => bytes,
        PublicKey::Rsa { .. } => panic!("a point"),
    };
    let p256 = point(P256_PUBLIC);
    let ed = point(ED25519_PUBLIC);
    let document = json!({"keys": [
        {"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256", "n": B64.encode(&n), "e": B64.encode(&e)},
        {"kty": "EC", "kid": "e1", "crv": "P-256", "x": B64.encode(&p256[1..33]), "y": B64.encode(&p256[33..])},
        {"kty": "OKP", "kid": "d1", "crv": "Ed25519", "x": B64.encode(&ed)},
        {"kty": "oct", "kid": "h1", "k": B64.encode(SECRET)},
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": B64.encode(&n), "e": B64.encode(&e)},
        {"kty": "EC", "kid": "k1", "crv": "secp256k1", "x": "AA", "y": "AA"}
    ]});
    let set = jwks::parse(document.to_string().as_bytes()).unwrap();
    assert_eq!(set.keys.len(), 4);
    assert_eq!(set.skipped.len(), 2, "{:?}", set.skipped);
    let verifier = verifier(set.keys);
    for (alg, kid) in [
        (Algorithm::RS256, "r1"),
        (Algorithm::ES256, "e1"),
        (Algorithm::EdDSA, "d1"),
        (Algorithm::HS256, "h1"),
    ] {
        let token = sign::token(alg, signer_again(alg), json!({"kid": kid}), &claims());
        assert!(verifier.verify(&token).is_ok(), "{alg}");
    }
    let pss = sign::token(
        Algorithm::PS256,
        Signer::Pkcs8(RSA_PRIVATE),
        json!({"kid": "r1"}),
        &claims(),
    );
    assert_eq!(
        failed(&verifier, &pss),
        Check::AlgorithmConfusion,
        "the JWK's alg is RS256"
    );
    let encryption_key = sign::token(
        Algorithm::RS256,
        Signer::Pkcs8(RSA_PRIVATE),
        json!({"kid": "enc"}),
        &claims(),
    );
    assert_eq!(failed(&verifier, &encryption_key), Check::UnknownKey);
}

#[test]
fn hostile_key_material_is_refused_with_a_reason() {
    let too_many =
        json!({"keys": vec![json!({"kty": "oct", "k": "c2VjcmV0"}); jwks::MAX_JWKS_KEYS + 1]});
    assert!(jwks::parse(too_many.to_string().as_bytes())
        .unwrap_err()
        .0
        .contains("more than"));
    assert!(jwks::parse(b"[1]")
        .unwrap_err()
        .0
        .contains("expected a JWKS document"));
    let short_point = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]});
    assert!(jwks::parse(short_point.to_string().as_bytes())
        .unwrap_err()
        .0
        .contains("32 bytes"));
    let small_rsa = json!({"keys": [{"kty": "RSA", "n": B64.encode([0xffu8; 128]), "e": "AQAB"}]});
    assert!(jwks::parse(small_rsa.to_string().as_bytes())
        .unwrap_err()
        .0
        .contains("1024 bits"));
    assert!(VerificationKey::from_pem(
        b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----",
        None,
        None
    )
    .is_err());
    assert!(VerificationKey::from_pem(
        b"-----BEGIN PUBLIC KEY-----\n%%%\n-----END PUBLIC KEY-----",
        None,
        None
    )
    .is_err());
    assert!(VerificationKey::secret(b"", None, None).is_err());
}

fn pem_der(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}
