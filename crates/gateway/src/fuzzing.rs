//! The bodies of the gateway's fuzz targets (`crates/gateway/fuzz`), as
//! plain functions: `cargo fuzz` drives them with coverage on nightly, and
//! `tests/fuzz_smoke.rs` runs them on stable over each target's seeds and
//! deterministic mutations of them, so every CI run smokes every target
//! without extra toolchains. Each body feeds the bytes to one parser a client,
//! an operator or another gateway controls, and panics only when the parser
//! panics or breaks a property stated here.

use crate::admin::{bans, ingest};
use crate::config::{HostPattern, RouteLimits, RouteSpec};
use crate::forwarding::{connection_lists, strip_hop_by_hop, wants_upgrade};
use crate::router::Router;
use crate::tls::pem;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::Version;
use rampart_prevent::ban::BanKind;
use rampart_prevent::BanTarget;
use rampart_store::shared::{read_announcement, News};
use std::time::Duration;

/// A target's body: the bytes libFuzzer (or the smoke test) chose.
pub type Body = fn(&[u8]);

/// Every target, by the name of its file in `fuzz/fuzz_targets` and of its
/// seed directory in `fuzz/seeds`.
pub const TARGETS: &[(&str, Body)] = &[
    ("framing", framing),
    ("upgrade", upgrade),
    ("router", router),
    ("ingest", ingest_body),
    ("admin_bodies", admin_bodies),
    ("ban_announcement", ban_announcement),
    ("pem", pem_files),
    ("client_hello", client_hello),
    ("jwt", jwt),
    ("jwks_url", jwks_url),
    ("bots", bots),
    ("anomaly", anomaly),
    ("scenario", scenario),
];

/// Headers from `name: value` lines; a line that is no valid header is
/// skipped, as hyper would have refused it before the gateway saw it.
fn headers(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    headers
}

/// The request-framing check: a version byte, then header lines. Whatever
/// else it decides, it never lets through a request two parsers could frame
/// or route differently.
pub fn framing(data: &[u8]) {
    let Some((&version, rest)) = data.split_first() else {
        return;
    };
    let version = [
        Version::HTTP_09,
        Version::HTTP_10,
        Version::HTTP_11,
        Version::HTTP_2,
    ][usize::from(version % 4)];
    let headers = headers(rest);
    // HTTP/2 carries the host in the target's authority as well.
    let target = match version {
        Version::HTTP_2 => http::Uri::from_static("https://fuzz.test/"),
        _ => http::Uri::from_static("/"),
    };
    let verdict = crate::framing::ambiguity(version, &target, &headers);
    let hosts = headers.get_all(header::HOST).iter().count();
    let other_host = headers
        .get(header::HOST)
        .is_some_and(|host| !host.as_bytes().eq_ignore_ascii_case(b"fuzz.test"));
    if version == Version::HTTP_2 && other_host {
        assert!(
            verdict.is_some(),
            "HTTP/2 with a Host unlike :authority passed"
        );
    }
    if version == Version::HTTP_11 && hosts != 1 {
        assert!(
            verdict.is_some(),
            "HTTP/1.1 with {hosts} Host headers passed"
        );
    }
    if version == Version::HTTP_10 && hosts > 1 {
        assert!(
            verdict.is_some(),
            "HTTP/1.0 with {hosts} Host headers passed"
        );
    }
    if headers.contains_key(header::TRANSFER_ENCODING)
        && headers.contains_key(header::CONTENT_LENGTH)
    {
        assert!(verdict.is_some(), "both lengths passed");
    }
    for lookalike in ["transfer_encoding", "content_length"] {
        if headers.contains_key(lookalike) {
            assert!(verdict.is_some(), "{lookalike} passed");
        }
    }
}

/// `Upgrade`/`Connection` handling: after stripping, no hop-by-hop header
/// and nothing `Connection` named reaches the upstream, except the upgrade
/// pair when the request asked to switch protocols; stripping twice changes
/// nothing more.
pub fn upgrade(data: &[u8]) {
    let original = headers(data);
    let keep_upgrade = wants_upgrade(&original);
    let mut stripped = original.clone();
    strip_hop_by_hop(&mut stripped, keep_upgrade);
    for name in ["keep-alive", "proxy-connection", "te", "transfer-encoding"] {
        assert!(!stripped.contains_key(name), "{name} survived");
    }
    if keep_upgrade {
        assert!(stripped.contains_key(header::UPGRADE));
        assert_eq!(
            stripped
                .get_all(header::CONNECTION)
                .iter()
                .collect::<Vec<_>>(),
            [HeaderValue::from_static("upgrade")]
        );
    } else {
        assert!(!stripped.contains_key(header::UPGRADE));
        assert!(!stripped.contains_key(header::CONNECTION));
    }
    for name in original.keys() {
        let named = connection_lists(&original, name.as_str());
        if named && !(keep_upgrade && (name == header::UPGRADE || name == header::CONNECTION)) {
            assert!(
                !stripped.contains_key(name),
                "{name} named by Connection survived"
            );
        }
    }
    let mut again = stripped.clone();
    strip_hop_by_hop(&mut again, keep_upgrade);
    assert_eq!(again, stripped);
}

/// Routing: lines `host`, `path`, then one route a line (`pattern prefix`,
/// pattern `-` for any host, `*.suffix` or a name). The route chosen
/// matches the path on whole segments, and neither the host's case nor a
/// port added to a bare name changes the choice.
pub fn router(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let (Some(host), Some(path)) = (lines.next(), lines.next()) else {
        return;
    };
    let routes: Vec<RouteSpec> = lines.take(64).map(route_spec).collect();
    let router = Router::new(&routes);
    let chosen = router.route(host, path);
    if let Some(index) = chosen {
        let prefix = &routes[index].path_prefix;
        assert!(
            path.starts_with(prefix.as_str()),
            "{prefix:?} taken for {path:?}"
        );
        assert!(
            prefix.ends_with('/')
                || path.len() == prefix.len()
                || path.as_bytes()[prefix.len()] == b'/',
            "{prefix:?} matched {path:?} inside a segment"
        );
    }
    assert_eq!(router.route(&host.to_ascii_uppercase(), path), chosen);
    if !host.contains([':', '[']) {
        assert_eq!(router.route(&format!("{host}:8443"), path), chosen);
    }
}

fn route_spec(line: &str) -> RouteSpec {
    let (pattern, prefix) = line.split_once(' ').unwrap_or(("-", line));
    let pattern = pattern.to_ascii_lowercase();
    let host = match pattern.strip_prefix('*') {
        _ if pattern == "-" => None,
        Some(suffix) => Some(HostPattern::Suffix(suffix.to_string())),
        None => Some(HostPattern::Exact(pattern)),
    };
    RouteSpec {
        name: line.to_string(),
        host,
        path_prefix: prefix.to_string(),
        upstream: 0,
        limits: RouteLimits {
            max_header_bytes: 0,
            max_body_bytes: 0,
            inspect_body_bytes: 0,
            connect_timeout: Duration::ZERO,
            response_timeout: Duration::ZERO,
        },
        ip_allow: Default::default(),
        ip_deny: Default::default(),
    }
}

/// The `/api/ingest` body: every record is offered once (here every other one
/// is refused, as a full queue would), bad lines are counted in order, the
/// answer is JSON with the same counts and a bounded error list.
pub fn ingest_body(data: &[u8]) {
    let mut offered = 0u64;
    let summary = ingest::ingest(data, |_| {
        offered += 1;
        offered % 2 == 1
    });
    assert_eq!(summary.accepted + summary.dropped, offered);
    assert_eq!(summary.accepted, offered.div_ceil(2));
    assert!(summary.errors.len() <= ingest::MAX_REPORTED_ERRORS);
    assert!(summary.errors.len() as u64 <= summary.bad_lines);
    assert!(summary.errors.windows(2).all(|w| w[0].line < w[1].line));
    let answer: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    assert_eq!(answer["accepted"], summary.accepted);
    assert_eq!(answer["bad_lines"], summary.bad_lines);
    assert_eq!(
        summary.status() == http::StatusCode::BAD_REQUEST,
        summary.bad_lines > 0 && summary.accepted == 0
    );
}

/// The admin request bodies: a first byte picks `/api/bans` or
/// `/api/inventory/decisions`. A network ban never keeps host bits; a valid
/// decision reads back the same after writing it out.
pub fn admin_bodies(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        if let Ok((BanTarget::Network(net), _)) = bans::parse_ban_request(body) {
            assert_eq!(net, net.trunc());
        }
        return;
    }
    if let Ok(decision) = ingest::parse_decision(body) {
        if decision.validate().is_ok() {
            let written = serde_json::to_vec(&decision).unwrap();
            assert_eq!(ingest::parse_decision(&written), Ok(decision));
        }
    }
}

/// A message on the Redis ban channel, from any publisher: read or
/// refused, never a ban whose kind differs from its target's.
pub fn ban_announcement(data: &[u8]) {
    if let Some((_, News::Banned(shared))) = read_announcement(data) {
        let kind = match shared.target {
            BanTarget::Network(_) => BanKind::Network,
            BanTarget::ApiKey(_) => BanKind::ApiKey,
            BanTarget::User(_) => BanKind::User,
            BanTarget::Fingerprint(_) => BanKind::Fingerprint,
        };
        assert_eq!(shared.ban.kind, kind);
    }
}

/// A certificate or key file: read or refused with a short message, and
/// what reads as a chain holds at least one certificate.
pub fn pem_files(data: &[u8]) {
    match pem::certificates(data) {
        Ok(certs) => assert!(!certs.is_empty()),
        Err(error) => assert!(error.to_string().len() < 512, "{error}"),
    }
    if let Err(error) = pem::private_key(data) {
        assert!(error.to_string().len() < 512, "{error}");
    }
}

/// The first bytes of a TLS connection: reassembled whole and one byte at a
/// time, which must agree, then read as a ClientHello, whose JA4 always has
/// the fingerprint's shape (`t`, 10 characters, `_`, 12 hex digits, `_`,
/// 12 hex digits).
pub fn client_hello(data: &[u8]) {
    use crate::tls::client_hello::{parse, Progress, Reassembler};
    let whole = Reassembler::default().feed(data);
    let mut stepwise = Reassembler::default();
    let mut byte_by_byte = Ok(Progress::NeedMore);
    for end in 1..=data.len() {
        byte_by_byte = stepwise.feed(&data[..end]);
        if !matches!(byte_by_byte, Ok(Progress::NeedMore)) {
            break;
        }
    }
    assert_eq!(whole, byte_by_byte);
    let Ok(Progress::Complete(body)) = whole else {
        return;
    };
    let Ok(hello) = parse(&body) else {
        return;
    };
    let ja4 = crate::tls::ja4::ja4(&hello);
    let parts: Vec<&str> = ja4.split('_').collect();
    assert_eq!(parts.len(), 3, "{ja4}");
    assert!(parts[0].starts_with('t') && parts[0].len() == 10, "{ja4}");
    for hash in &parts[1..] {
        assert!(
            hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{ja4}"
        );
    }
}

/// A bearer token, then the same bytes as a JWKS document and as a PEM
/// public key: decoded and verified (against an HMAC secret and the RSA
/// test key) or refused with a short explanation that never repeats the
/// token's signature; the weak-secret watch never panics either.
pub fn jwt(data: &[u8]) {
    use rampart_behave::tokens::{jwks, weak_secrets, Algorithm, ClaimRules};
    use rampart_behave::tokens::{TokenVerifier, VerificationKey};
    use std::sync::OnceLock;
    static VERIFIER: OnceLock<TokenVerifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| {
        let keys = vec![
            VerificationKey::secret(b"fuzzing-secret-of-32-bytes-or-so", None, None)
                .expect("a secret"),
        ];
        let clock = std::sync::Arc::new(rampart_core::SystemClock);
        TokenVerifier::new(keys, ClaimRules::default(), clock).expect("a verifier")
    });
    let token = String::from_utf8_lossy(data);
    if let Err(failure) = verifier.verify(&token) {
        assert!(failure.detail.len() < 512, "{}", failure.detail);
        let signature = token.rsplit('.').next().unwrap_or("");
        assert!(signature.len() < 16 || !failure.detail.contains(signature));
    }
    if let Ok(decoded) = rampart_behave::tokens::decode(&token) {
        weak_secrets::signed_with(
            Algorithm::HS256,
            decoded.signing_input.as_bytes(),
            &decoded.signature,
        );
    }
    if let Err(error) = jwks::parse(data) {
        assert!(error.0.len() < 1024, "{error}");
    }
    let _ = VerificationKey::from_pem(data, None, None);
}

/// A `jwks_url` as configured (the first line) and the `Cache-Control`
/// values an identity provider answered with (the other lines): the URL is
/// accepted only as https or loopback http, or refused with a short reason;
/// the freshness read is a `max-age` only when the values carry one.
pub fn jwks_url(data: &[u8]) {
    use crate::key_set::cache_control::{freshness, Freshness};
    use crate::key_set::fetch::KeySetUrl;
    let mut lines = data.split(|&b| b == b'\n');
    let url = String::from_utf8_lossy(lines.next().unwrap_or_default());
    match KeySetUrl::parse(&url) {
        Ok(parsed) => {
            let scheme = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
            assert!(
                scheme.starts_with("https://") || scheme.starts_with("http://"),
                "accepted {parsed}"
            )
        }
        Err(reason) => assert!(reason.len() < 4096, "{reason}"),
    }
    let values: Vec<&[u8]> = lines.collect();
    if let Freshness::MaxAge(_) = freshness(values.iter().copied()) {
        let mentions = values
            .iter()
            .any(|v| v.windows(7).any(|w| w.eq_ignore_ascii_case(b"max-age")));
        assert!(mentions, "a max-age read from values without one");
    }
}

/// The request a signature is checked over: the fuzzer's first lines are
/// the `signature-input`, `signature` and `signature-agent` headers.
struct FuzzedMessage<'a> {
    lines: Vec<&'a str>,
}

impl rampart_behave::bots::signature::Message for FuzzedMessage<'_> {
    fn method(&self) -> &str {
        "GET"
    }
    fn authority(&self) -> &str {
        "api.test"
    }
    fn path(&self) -> &str {
        "/"
    }
    fn query(&self) -> Option<&str> {
        self.lines.get(3).copied()
    }
    fn header(&self, name: &str) -> Option<String> {
        let at = ["signature-input", "signature", "signature-agent"]
            .iter()
            .position(|n| *n == name)?;
        self.lines.get(at).map(|line| line.to_string())
    }
}

/// The bots stage's parsers on the same bytes: the user-agent catalogue,
/// a published range list, a key directory, the structured fields of a Web
/// Bot Auth signature and its check against a directory, and the page
/// number of a query (found only in the part of it that is read). None
/// panics, and none answers with an explanation longer than a few hundred
/// bytes.
pub fn bots(data: &[u8]) {
    use rampart_behave::bots::signature::{self, fields, KeyDirectory};
    use rampart_behave::bots::{page_number, AddressRanges, Catalog, MAX_QUERY_BYTES};
    use std::sync::OnceLock;
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    let catalog = CATALOG.get_or_init(|| Catalog::embedded().expect("the embedded lists"));
    let text = String::from_utf8_lossy(data);
    let _ = catalog.classify(&text);
    let _ = catalog.headless_marker(&text);
    if let Some(number) = page_number(&text) {
        let read = text.as_bytes()[..text.len().min(MAX_QUERY_BYTES)].to_ascii_lowercase();
        let within = |part: String| read.windows(part.len()).any(|w| w == part.as_bytes());
        assert!(
            within(format!("{}=", number.parameter)) && within(number.value.to_string()),
            "{number:?} is not in the query's first {MAX_QUERY_BYTES} bytes"
        );
    }
    if let Err(error) = AddressRanges::parse(&text) {
        assert!(error.to_string().len() < 512, "{error}");
    }
    let _ = fields::dictionary(&text);
    let directory = KeyDirectory::parse(
        "https://agent.test",
        r#"{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}]}"#,
    )
    .expect("a directory");
    let _ = KeyDirectory::parse("https://agent.test", &text);
    let message = FuzzedMessage {
        lines: text.lines().collect(),
    };
    if let Some(signature::SignatureCheck::Failed(why)) =
        signature::check(&message, &[&directory], 1_700_000_000)
    {
        assert!(why.len() < 8192, "{why}");
    }
}

/// The anomaly model's parameter reader and model: the first line is a
/// query string, the rest a body read as a form and as JSON. The reader
/// stays within its bounds (values, name length, excerpt length), and the
/// model, warmed on the same parameters by five clients, judges and learns
/// them without panicking, with evidence of bounded length.
pub fn anomaly(data: &[u8]) {
    use rampart_behave::anomaly::{
        parameters,
        params::{MAX_NAME, MAX_PARAMS},
        AnomalyConfig, AnomalyDetector, Request, Sources,
    };
    use rampart_core::ManualClock;
    use std::sync::Arc;
    let (query, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let query = String::from_utf8_lossy(query);
    let document = serde_json::from_slice::<serde_json::Value>(body).ok();
    let params = parameters(&Sources {
        query: &query,
        form: Some(body),
        json: document.as_ref(),
    });
    assert!(params.len() <= MAX_PARAMS);
    for param in &params {
        assert!(param.name.len() <= MAX_NAME, "{}", param.name);
        // 48 characters, each at most a 4-character escape, and the cut mark.
        assert!(
            param.excerpt.chars().count() <= 4 * 48 + 1,
            "{}",
            param.excerpt
        );
    }
    let clock = Arc::new(ManualClock::at(1_000_000));
    let config = AnomalyConfig {
        warmup_values: 5,
        ..AnomalyConfig::default()
    };
    let mut model = AnomalyDetector::new(config, clock.clone());
    for client in ["a", "b", "c", "d", "e", "f"] {
        clock.advance(Duration::from_secs(7));
        let request = Request {
            method: "POST",
            template: "/fuzz",
            client,
            params: &params,
        };
        for finding in model.judge(&request) {
            assert!(
                finding.signal.evidence.len() < 2048,
                "{}",
                finding.signal.evidence
            );
        }
        model.learn(&request);
    }
}

/// A scenario file (`crate::scenario`), parsed and expanded: accepted or
/// refused with the file named; an expansion stays within the cap, comes in
/// time order, and counts each actor's attempts from 1 without gaps.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plan = match crate::scenario::plan(std::path::Path::new("fuzz.toml"), text) {
        Ok(plan) => plan,
        Err(error) => {
            assert!(error.to_string().starts_with("fuzz.toml: "), "{error:#}");
            return;
        }
    };
    assert!(plan.len() as u64 <= crate::scenario::MAX_EXCHANGES);
    assert!(plan.windows(2).all(|pair| pair[0].at <= pair[1].at));
    let mut attempts = std::collections::HashMap::new();
    for exchange in &plan {
        let last = attempts.entry(exchange.actor.as_str()).or_insert(0u64);
        assert_eq!(exchange.attempt, *last + 1, "{}", exchange.actor);
        *last = exchange.attempt;
    }
}
