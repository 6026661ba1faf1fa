//! RFC 9421's Ed25519 example, RFC 8037's thumbprint, and Web Bot Auth
//! requests signed here: valid, forged, expired, incomplete.

use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// RFC 9421 appendix B.1.4, `test-key-ed25519`.
const SEED: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
pub(crate) const X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
const AGENT: &str = "https://agent.example";
pub(crate) const NOW: i64 = 1_750_000_000;

pub(crate) struct TestMessage {
    method: &'static str,
    pub(crate) authority: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
}

impl Message for TestMessage {
    fn method(&self) -> &str {
        self.method
    }
    fn authority(&self) -> &str {
        self.authority
    }
    fn path(&self) -> &str {
        self.path
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn header(&self, name: &str) -> Option<String> {
        field_value(&self.headers, name)
    }
}

fn input(text: &str) -> (Vec<(fields::Bare, fields::Params)>, fields::Params) {
    match fields::dictionary(text).unwrap().remove(0).1 {
        fields::Member::InnerList(items, params) => (items, params),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_rfc_9421_ed25519_example_builds_and_verifies() {
    let message = TestMessage {
        method: "POST",
        authority: "example.com",
        path: "/foo",
        headers: vec![
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT".into()),
            ("content-type", "application/json".into()),
            ("content-length", "18".into()),
        ],
    };
    let (components, params) = input(
        r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
    );
    let base = signature_base(&message, &components, &params).unwrap();
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
    );
    let signature = STANDARD
        .decode("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==")
        .unwrap();
    let key = URL_SAFE_NO_PAD.decode(X).unwrap();
    UnparsedPublicKey::new(&ED25519, key)
        .verify(base.as_bytes(), &signature)
        .expect("the RFC's signature");
}

#[test]
fn the_keyid_is_the_rfc_8037_thumbprint() {
    assert_eq!(
        thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

pub(crate) fn directory() -> KeyDirectory {
    let jwks = format!(
        r#"{{"keys": [{{"kty": "RSA", "n": "x", "e": "AQAB"}}, {{"kty": "OKP", "crv": "Ed25519", "x": "{X}"}}]}}"#
    );
    KeyDirectory::parse(AGENT, &jwks).unwrap()
}

/// A request signed as a Web Bot Auth agent with the RFC's key.
pub(crate) fn signed(created: i64, expires: i64, components: &str) -> TestMessage {
    signed_with(created, expires, components, "")
}

/// The same with more signature parameters (`;nonce="..."`).
pub(crate) fn signed_with(
    created: i64,
    expires: i64,
    components: &str,
    more_params: &str,
) -> TestMessage {
    let seed = URL_SAFE_NO_PAD.decode(SEED).unwrap();
    let public = URL_SAFE_NO_PAD.decode(X).unwrap();
    let mut message = TestMessage {
        method: "GET",
        authority: "api.example.com",
        path: "/articles",
        headers: vec![("signature-agent", format!("\"{AGENT}\""))],
    };
    let input = format!(
        r#"({components});created={created};expires={expires};keyid="{}";alg="ed25519";tag="web-bot-auth"{more_params}"#,
        thumbprint(X)
    );
    let (signature_input, signature) = sign(&message, &input, &seed, &public).unwrap();
    message.headers.push(("signature-input", signature_input));
    message.headers.push(("signature", signature));
    message
}

pub(crate) const COVERED: &str = r#""@authority" "signature-agent""#;

#[test]
fn a_signed_agent_is_verified_and_a_forged_signature_is_not() {
    let owned = directory();
    let directories = [&owned];
    let valid = signed(NOW - 10, NOW + 300, COVERED);
    assert_eq!(
        check(&valid, &directories, NOW),
        Some(SignatureCheck::Verified {
            directory: 0,
            keyid: thumbprint(X),
            nonce: None,
            expires: NOW + 300,
        })
    );
    let with_nonce = signed_with(NOW - 10, NOW + 300, COVERED, r#";nonce="n-1""#);
    assert!(matches!(
        check(&with_nonce, &directories, NOW),
        Some(SignatureCheck::Verified { nonce: Some(n), .. }) if n == "n-1"
    ));
    let mut forged = signed(NOW - 10, NOW + 300, COVERED);
    forged.authority = "other.example.com";
    let Some(SignatureCheck::Failed(why)) = check(&forged, &directories, NOW) else {
        panic!("a signature replayed to another host verified");
    };
    assert!(why.contains("does not verify"), "{why}");
    let mut tampered = signed(NOW - 10, NOW + 300, COVERED);
    tampered.headers[2].1 = format!("sig1=:{}:", STANDARD.encode([7u8; 64]));
    assert!(matches!(
        check(&tampered, &directories, NOW),
        Some(SignatureCheck::Failed(_))
    ));
    assert_eq!(
        check(
            &TestMessage {
                headers: Vec::new(),
                ..valid
            },
            &directories,
            NOW
        ),
        None
    );
}

#[test]
fn signatures_are_held_to_time_coverage_and_the_directory() {
    let owned = directory();
    let directories = [&owned];
    for (message, expected) in [
        (signed(NOW - 600, NOW - 1, COVERED), "expired"),
        (signed(NOW + 3600, NOW + 7200, COVERED), "in the future"),
        (
            signed(NOW - 10, NOW + 2 * MAX_VALIDITY_SECONDS, COVERED),
            "more than",
        ),
        (
            signed(NOW - 10, NOW + 300, r#""signature-agent""#),
            "@authority is not covered",
        ),
        (
            signed(NOW - 10, NOW + 300, r#""@authority""#),
            "signature-agent is sent but not covered",
        ),
    ] {
        let Some(SignatureCheck::Failed(why)) = check(&message, &directories, NOW) else {
            panic!("{expected}: verified");
        };
        assert!(why.contains(expected), "{expected}: {why}");
    }
    let mut other = directory();
    other.agent = "https://other.example".into();
    let elsewhere = [&other];
    assert_eq!(
        check(&signed(NOW - 10, NOW + 300, COVERED), &elsewhere, NOW),
        Some(SignatureCheck::UnknownAgent),
        "an agent without a configured directory is neither believed nor held to it"
    );
    assert_eq!(
        check(&signed(NOW - 10, NOW + 300, COVERED), &[], NOW),
        Some(SignatureCheck::UnknownAgent)
    );
}

#[test]
fn hostile_directories_are_refused() {
    assert_eq!(
        KeyDirectory::parse(AGENT, r#"{"keys": []}"#),
        Err(DirectoryError::NoKey)
    );
    assert!(matches!(
        KeyDirectory::parse(AGENT, "[]"),
        Err(DirectoryError::Json(_))
    ));
    let many = format!(
        r#"{{"keys": [{}]}}"#,
        vec![r#"{"kty":"OKP"}"#; MAX_KEYS + 1].join(",")
    );
    assert_eq!(
        KeyDirectory::parse(AGENT, &many),
        Err(DirectoryError::TooMany)
    );
    assert_eq!(
        KeyDirectory::parse(AGENT, &" ".repeat(MAX_DIRECTORY_BYTES + 1)),
        Err(DirectoryError::TooLarge)
    );
}

#[test]
fn an_unknown_keyid_names_the_directories_of_the_agent_to_fetch_again() {
    let empty = KeyDirectory::empty(AGENT);
    let mut other = directory();
    other.agent = "https://other.example".into();
    let directories = [&other, &empty];
    let Some(SignatureCheck::UnknownKey { directories, why }) =
        check(&signed(NOW - 10, NOW + 300, COVERED), &directories, NOW)
    else {
        panic!("not an unknown key");
    };
    assert_eq!(directories, [1], "only the directory of the agent named");
    assert!(why.contains("in no configured directory"), "{why}");
}

const OTHER_SEED: [u8; 32] = [9; 32];

/// A directory response from `authority` signed by these keys (seed,
/// public), each over `components`.
fn directory_response(
    authority: &'static str,
    signers: &[([u8; 32], Vec<u8>)],
    components: &str,
    headers: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let body = b"{}";
    let mut inputs = Vec::new();
    let mut signatures = Vec::new();
    for (i, (seed, public)) in signers.iter().enumerate() {
        let x = URL_SAFE_NO_PAD.encode(public);
        let response = response::DirectoryResponse {
            authority,
            headers: &headers,
            body,
        };
        let input = format!(
            r#"({components});created={};expires={};keyid="{}";alg="ed25519";tag="{}""#,
            NOW - 10,
            NOW + 300,
            thumbprint(&x),
            response::DIRECTORY_TAG
        );
        let (signature_input, signature) = sign(&response, &input, seed, public).unwrap();
        inputs.push(signature_input.replacen("sig1", &format!("sig{i}"), 1));
        signatures.push(signature.replacen("sig1", &format!("sig{i}"), 1));
    }
    let mut headers = headers;
    headers.push(("signature-input".into(), inputs.join(", ")));
    headers.push(("signature".into(), signatures.join(", ")));
    headers
}

fn rfc_key() -> ([u8; 32], Vec<u8>) {
    let seed: [u8; 32] = URL_SAFE_NO_PAD.decode(SEED).unwrap().try_into().unwrap();
    (seed, URL_SAFE_NO_PAD.decode(X).unwrap())
}

fn other_key() -> ([u8; 32], Vec<u8>) {
    use ring::signature::KeyPair as _;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&OTHER_SEED).unwrap();
    (OTHER_SEED, pair.public_key().as_ref().to_vec())
}

fn checked(headers: &[(String, String)], body: &[u8]) -> Result<KeyDirectory, String> {
    let response = response::DirectoryResponse {
        authority: "agent.example",
        headers,
        body,
    };
    response::signed_keys(directory(), &response, NOW)
}

#[test]
fn a_directory_signed_by_its_key_for_its_authority_keeps_the_key() {
    let headers = directory_response("agent.example", &[rfc_key()], r#""@authority";req"#, vec![]);
    let kept = checked(&headers, b"{}").unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept.key(&thumbprint(X)).is_some());
}

#[test]
fn a_directory_signed_by_another_key_elsewhere_or_not_at_all_keeps_none() {
    let forged = directory_response(
        "agent.example",
        &[other_key()],
        r#""@authority";req"#,
        vec![],
    );
    let why = checked(&forged, b"{}").unwrap_err();
    assert!(why.contains("is no key of the directory"), "{why}");
    let moved = directory_response(
        "mirror.example",
        &[rfc_key()],
        r#""@authority";req"#,
        vec![],
    );
    let why = checked(&moved, b"{}").unwrap_err();
    assert!(why.contains("does not verify"), "{why}");
    let why = checked(&[], b"{}").unwrap_err();
    assert!(why.contains("not signed"), "{why}");
    let mut unbound =
        directory_response("agent.example", &[rfc_key()], r#""@authority";req"#, vec![]);
    unbound[0].1 = unbound[0]
        .1
        .replace(r#""@authority";req"#, r#""@authority""#);
    let why = checked(&unbound, b"{}").unwrap_err();
    assert!(why.contains(r#""@authority";req is not covered"#), "{why}");
    let response = response::DirectoryResponse {
        authority: "agent.example",
        headers: &[],
        body: b"",
    };
    let (items, params) = input(r#"sig1=("@path");created=1"#);
    let why = signature_base(&response, &items, &params).unwrap_err();
    assert!(why.contains("a response may cover only"), "{why}");
}

#[test]
fn a_covered_content_digest_must_be_the_body_s() {
    use ring::digest::{digest, SHA256};
    let digest_of = |body: &[u8]| {
        vec![(
            "content-digest".to_string(),
            format!("sha-256=:{}:", STANDARD.encode(digest(&SHA256, body))),
        )]
    };
    let components = r#""@authority";req "content-digest""#;
    let headers = directory_response("agent.example", &[rfc_key()], components, digest_of(b"{}"));
    assert!(checked(&headers, b"{}").is_ok());
    let why = checked(&headers, b"{\"keys\": []}").unwrap_err();
    assert!(why.contains("is not the body's"), "{why}");
}
