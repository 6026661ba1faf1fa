//! Attacks in every placement, decoded the way the application decodes them,
//! and the opaque values real clients send, which decoding must leave benign.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rampart_detect::{DetectConfig, Engine, RequestView, Verdict};

fn engine() -> Engine {
    Engine::new(DetectConfig::default()).expect("default config")
}

fn get(e: &Engine, path: &str, headers: &[(&str, &str)]) -> Verdict {
    let mut all: Vec<(&str, &[u8])> = vec![("Host", b"api.test"), ("User-Agent", b"client/1.0")];
    all.extend(headers.iter().map(|(n, v)| (*n, v.as_bytes())));
    e.inspect(&RequestView::new("GET", path, "", all, None))
}

/// The location of the first detection of `category` (`sqli`, `xss`...).
fn located<'v>(v: &'v Verdict, category: &str) -> Option<&'v str> {
    v.detections
        .iter()
        .find(|d| d.rule.starts_with(category))
        .map(|d| d.location.as_str())
}

const SQLI: &str = "1' UNION SELECT username, password FROM users--";
const XSS: &str = "<img src=x onerror=alert(document.cookie)>";

#[test]
fn a_cookie_of_base64_json_names_the_chain() {
    let e = engine();
    let cookie = format!("prefs={}", STANDARD.encode(format!(r#"{{"q":"{SQLI}"}}"#)));
    let v = get(&e, "/api/account", &[("Cookie", &cookie)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(located(&v, "sqli"), Some("cookie.prefs→base64→json$.q"));
}

#[test]
fn signed_session_cookies_are_read_by_their_payload() {
    let e = engine();
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"cart":"{XSS}"}}"#));
    let flask = format!("session={payload}.Z3xQ2A.{}", "s".repeat(27));
    let v = get(&e, "/api/cart", &[("Cookie", &flask)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(
        located(&v, "xss"),
        Some("cookie.session→itsdangerous→json$.cart")
    );
    let express = format!(
        "sid=s%3A{}.{}",
        "j%3A%7B%22q%22%3A%22%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%7D",
        "A".repeat(43)
    );
    let v = get(&e, "/api/cart", &[("Cookie", &express)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(located(&v, "xss"), Some("cookie.sid→signed→json$.q"));
}

#[test]
fn authorization_credentials_and_claims_are_values() {
    let e = engine();
    let basic = format!("Basic {}", STANDARD.encode(format!("{SQLI}:secret")));
    let v = get(&e, "/api/me", &[("Authorization", &basic)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(located(&v, "sqli"), Some("header.authorization→basic.user"));
    let d = v
        .detections
        .iter()
        .find(|d| d.rule.starts_with("sqli"))
        .unwrap();
    assert!(d.evidence.contains("***"), "credentials stay masked: {d:?}");

    let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{SQLI}"}}"#));
    let bearer = format!("Bearer eyJhbGciOiJIUzI1NiJ9.{claims}.c2lnbmF0dXJl");
    let v = get(&e, "/api/me", &[("Authorization", &bearer)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(
        located(&v, "sqli"),
        Some("header.authorization→bearer→jwt.claims→json$.sub")
    );
}

#[test]
fn custom_headers_carrying_encoded_json_are_read() {
    let e = engine();
    let url_json = "%7B%22filter%22%3A%22%3Csvg%2Fonload%3Dalert(1)%3E%22%7D";
    let v = get(&e, "/api/search", &[("X-Filter", url_json)]);
    assert!(v.blocked, "{v:?}");
    assert_eq!(located(&v, "xss"), Some("header.x-filter→json$.filter"));
    let forwarded = "203.0.113.7, ' or 1=1 union select 1,2--";
    let v = get(&e, "/api/search", &[("X-Forwarded-For", forwarded)]);
    assert!(v.blocked, "{v:?}");
}

#[test]
fn path_segments_and_matrix_parameters_are_read_as_the_router_reads_them() {
    let e = engine();
    let v = get(
        &e,
        "/api/items;filter=%3Cscript%3Ealert(1)%3C%2Fscript%3E/5",
        &[],
    );
    assert!(v.blocked, "{v:?}");
    assert_eq!(located(&v, "xss"), Some("path[2]→;filter"));
    let v = get(
        &e,
        "/api/items/1%2527%2520UNION%2520SELECT%2520password%2520FROM%2520users--",
        &[],
    );
    assert!(v.blocked, "{v:?}");
}

#[test]
fn a_payload_seen_in_several_decoded_forms_counts_once() {
    let e = engine();
    let v = get(
        &e,
        "/api/items/1%27%20UNION%20SELECT%20password%20FROM%20users--",
        &[],
    );
    let in_path = |d: &&rampart_detect::Detection| d.location.starts_with("path");
    let locations: std::collections::HashSet<&str> = v
        .detections
        .iter()
        .filter(|d| d.rule.starts_with("sqli"))
        .map(|d| d.location.as_str())
        .collect();
    assert!(
        locations.contains("path") && locations.contains("path[3]"),
        "the whole path and its segment both show the payload: {v:?}"
    );
    // Each rule counts once for the path, however many readings of it fired.
    let mut seen = std::collections::HashSet::new();
    let expected: f64 = v
        .detections
        .iter()
        .filter(|d| {
            let placement = if in_path(d) {
                "path"
            } else {
                d.location.as_str()
            };
            seen.insert((d.rule.clone(), placement.to_owned()))
        })
        .map(|d| d.score)
        .sum();
    let all: f64 = v.detections.iter().map(|d| d.score).sum();
    assert!((v.score - expected).abs() < 1e-9, "{v:?}");
    assert!(v.score < all, "duplicates were not added: {v:?}");
}

#[test]
fn opaque_client_values_stay_benign() {
    let e = engine();
    let claims = URL_SAFE_NO_PAD.encode(
        r#"{"sub":"auth0|5f7c8ec7c33c6c004bbafe82","iss":"https://auth.example.test/","scope":"read:orders write:orders","name":"Ann O'Neil"}"#,
    );
    let jwt = format!("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{claims}.c2lnbmF0dXJlLXNpZ25hdHVyZQ");
    let session = URL_SAFE_NO_PAD.encode(r#"{"_fresh":true,"cart":["sku-1"],"user_id":7}"#);
    let cases: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            "/api/orders".into(),
            vec![("Authorization", format!("Bearer {jwt}"))],
        ),
        (
            "/api/orders".into(),
            vec![("Cookie", format!("token={jwt}; theme=dark"))],
        ),
        (
            "/api/cart".into(),
            vec![(
                "Cookie",
                format!("session={session}.Z3xQ2A.{}", "x".repeat(27)),
            )],
        ),
        (
            "/api/orders/550e8400-e29b-41d4-a716-446655440000;v=2".into(),
            vec![],
        ),
        (
            "/api/me".into(),
            vec![(
                "Authorization",
                format!("Basic {}", STANDARD.encode("ann:c0rrect-h0rse!")),
            )],
        ),
        (
            "/api/me".into(),
            vec![(
                "Forwarded",
                r#"for=192.0.2.60;proto=https;by="[2001:db8::1]""#.into(),
            )],
        ),
        (
            "/api/me".into(),
            vec![(
                "X-Request-Id",
                "9b2f1c1e-0f1d-4a8e-9a51-3d1e2f4b5c6d".into(),
            )],
        ),
        ("/v2/domains/example.com/records".into(), vec![]),
    ];
    for (path, headers) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let v = get(&e, &path, &headers);
        assert!(!v.blocked && v.score < 3.0, "{path} {headers:?}: {v:?}");
    }
}

#[test]
fn urls_in_segments_and_custom_headers_are_read_as_requests_to_fetch() {
    let e = engine();
    let v = get(
        &e,
        "/api/fetch/gopher%3A%2F%2F127.0.0.1%3A6379%2F_INFO",
        &[],
    );
    assert!(v.blocked, "{v:?}");
    assert!(
        located(&v, "ssrf").is_some_and(|l| l.starts_with("path[")),
        "{v:?}"
    );
    let v = get(
        &e,
        "/api/hook",
        &[("X-Callback-Url", "http://169.254.169.254/latest/meta-data/")],
    );
    assert!(v.blocked, "{v:?}");
    // Addresses where addresses belong are not requests to fetch anything.
    let headers = [
        ("X-Forwarded-For", "10.0.0.7, 192.168.1.20"),
        ("Referer", "http://localhost:3000/dashboard"),
        ("Origin", "http://127.0.0.1:8080"),
        ("X-Real-IP", "10.1.2.3"),
    ];
    let v = get(&e, "/v2/ips/10.0.0.1", &headers);
    assert!(!v.blocked && v.score < 3.0, "{v:?}");
}
