//! From a scenario file to the exchanges it stands for, in arrival order:
//! each step's repetitions at their times, from the actor's addresses, with
//! `{i}`/`{n}` counters filled in. Everything a file could make grow is
//! capped ([`MAX_EXCHANGES`]), and every mistake names its key.

use super::format::{ActorSpec, ExpectSpec, RequestSpec, ResponseSpec, ScenarioFile, StepSpec};
use base64::Engine as _;
use rampart_core::event::rfc3339_millis;
use rampart_core::ExchangeRecord;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

/// Exchanges one scenario may expand to.
pub const MAX_EXCHANGES: u64 = 10_000;
/// When a scenario starts: 2026-01-05T09:00:00Z, a Monday morning.
pub const START_MILLIS: u64 = 1_767_603_600_000;
/// Between two repetitions when a step does not say.
const DEFAULT_EVERY: Duration = Duration::from_secs(1);
/// Where a step's request goes when it names no `host` header.
pub const DEFAULT_HOST: &str = "api.test";

/// What `expect` and `never` entries may ask an exchange's action to be.
const DECISIONS: &[&str] = &[
    "allow",
    "monitor",
    "block",
    "rate_limit",
    "ban",
    "deceive",
    "would_block",
    "would_ban",
    "would_rate_limit",
    "would_deceive",
    "refused",
];

/// A mistake in a scenario file: the key at fault and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub key: String,
    pub message: String,
}

fn fault(key: impl Into<String>, message: impl Into<String>) -> Fault {
    Fault {
        key: key.into(),
        message: message.into(),
    }
}

/// One exchange of the scenario, as the offline gateway is fed it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub actor: String,
    /// The actor's attempt: 1 for its first exchange in time.
    pub attempt: u64,
    pub record: ExchangeRecord,
    pub upstream_took: Option<Duration>,
    /// Milliseconds after the start of the scenario.
    pub at: u64,
}

#[cfg(test)]
impl Planned {
    /// An exchange of `actor`'s, for tests of what is made of them.
    pub fn for_test(actor: &str, attempt: u64) -> Planned {
        Planned {
            actor: actor.into(),
            attempt,
            record: ExchangeRecord::from_json_line(br#"{"method":"GET","path":"/"}"#)
                .expect("a literal record"),
            upstream_took: None,
            at: 0,
        }
    }
}

/// Checks what the file's shape cannot say and expands its steps.
pub fn expand(file: &ScenarioFile) -> Result<Vec<Planned>, Fault> {
    match (&file.config, &file.config_inline) {
        (Some(_), Some(_)) => return Err(fault("config", "give `config` or `config_inline`, not both")),
        (None, None) => {
            return Err(fault(
                "config",
                "missing: the gateway configuration to run (`config = \"path.toml\"` or `config_inline`)",
            ))
        }
        _ => {}
    }
    if file.steps.is_empty() {
        return Err(fault("steps", "missing: at least one `[[steps]]`"));
    }
    if file.expect.is_empty() && file.never.is_empty() {
        return Err(fault(
            "expect",
            "missing: at least one `[[expect]]` or `[[never]]`, what the scenario shows",
        ));
    }
    let actors = file
        .actors
        .iter()
        .map(|(name, spec)| Ok((name.as_str(), Actor::new(name, spec)?)))
        .collect::<Result<BTreeMap<&str, Actor>, Fault>>()?;
    check_expectations(&file.expect, "expect", &actors, true)?;
    check_expectations(&file.never, "never", &actors, false)?;
    for name in actors.keys() {
        if !file.steps.iter().any(|s| s.actor == *name) {
            return Err(fault(
                format!("actors.{name}"),
                "sends nothing: no step names this actor",
            ));
        }
    }

    let mut planned = Vec::new();
    // The previous step's last exchange.
    let mut previous: Option<u64> = None;
    for (index, step) in file.steps.iter().enumerate() {
        let key = format!("steps[{index}]");
        let actor = actors.get(step.actor.as_str()).ok_or_else(|| {
            fault(
                format!("{key}.actor"),
                format!("unknown actor {:?} (known: {})", step.actor, known(&actors)),
            )
        })?;
        check_step(step, &key, planned.len() as u64)?;
        let every = millis(step.every.map_or(DEFAULT_EVERY, |d| d.0));
        let after_previous = previous.map_or(0, |last| last.saturating_add(every));
        let start = step.at.map_or(after_previous, |d| millis(d.0));
        for i in 0..step.repeat {
            let at = start.saturating_add(every.saturating_mul(i));
            planned.push(Planned {
                actor: step.actor.clone(),
                attempt: 0,
                record: request_record(&step.request, actor, i, at),
                upstream_took: step.response.as_ref().and_then(|r| r.latency).map(|d| d.0),
                at,
            });
            if let Some(response) = &step.response {
                let last = planned.len() - 1;
                add_response(&mut planned[last].record, response, i);
            }
        }
        previous = Some(start.saturating_add(every.saturating_mul(step.repeat - 1)));
    }
    // Stable: exchanges at the same time keep the order of their steps.
    planned.sort_by_key(|p| p.at);
    let mut attempts: BTreeMap<String, u64> = BTreeMap::new();
    for exchange in &mut planned {
        let attempt = attempts.entry(exchange.actor.clone()).or_default();
        *attempt += 1;
        exchange.attempt = *attempt;
        let actor = &actors[exchange.actor.as_str()];
        exchange.record.client_ip = Some(actor.address(*attempt - 1).to_string());
        exchange.record.id = Some(format!("{}#{}", exchange.actor, attempt));
    }
    Ok(planned)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn known(actors: &BTreeMap<&str, Actor>) -> String {
    match actors.is_empty() {
        true => "none, add an `[actors.NAME]` table".into(),
        false => actors.keys().copied().collect::<Vec<_>>().join(", "),
    }
}

fn check_step(step: &StepSpec, key: &str, before: u64) -> Result<(), Fault> {
    if step.repeat == 0 {
        return Err(fault(format!("{key}.repeat"), "expected at least 1"));
    }
    let total = before.saturating_add(step.repeat);
    if total > MAX_EXCHANGES {
        return Err(fault(
            format!("{key}.repeat"),
            format!(
                "{} repetitions make {total} exchanges, more than the {MAX_EXCHANGES} a scenario may have",
                step.repeat
            ),
        ));
    }
    if http::Method::from_bytes(step.request.method.as_bytes()).is_err() {
        return Err(fault(
            format!("{key}.request.method"),
            format!(
                "expected an HTTP method such as \"GET\", got {:?}",
                step.request.method
            ),
        ));
    }
    if !step.request.path.starts_with('/') {
        return Err(fault(
            format!("{key}.request.path"),
            format!(
                "expected a path starting with '/', got {:?}",
                step.request.path
            ),
        ));
    }
    if let Some(response) = &step.response {
        if !(100..=999).contains(&response.status) {
            return Err(fault(
                format!("{key}.response.status"),
                format!("expected a status from 100 to 999, got {}", response.status),
            ));
        }
    }
    Ok(())
}

fn check_expectations(
    entries: &[ExpectSpec],
    table: &str,
    actors: &BTreeMap<&str, Actor>,
    may_have_attempt: bool,
) -> Result<(), Fault> {
    for (index, entry) in entries.iter().enumerate() {
        let key = format!("{table}[{index}]");
        if !actors.contains_key(entry.actor.as_str()) {
            return Err(fault(
                format!("{key}.actor"),
                format!("unknown actor {:?} (known: {})", entry.actor, known(actors)),
            ));
        }
        if entry.signal.is_none() && entry.decision.is_none() {
            return Err(fault(key, "expected a `signal`, a `decision` or both"));
        }
        if let Some(decision) = entry.decision.as_deref() {
            if !DECISIONS.contains(&decision) {
                return Err(fault(
                    format!("{key}.decision"),
                    format!("expected one of {}, got {decision:?}", DECISIONS.join(", ")),
                ));
            }
        }
        match (entry.by_attempt, may_have_attempt) {
            (Some(_), false) => {
                return Err(fault(
                    format!("{key}.by_attempt"),
                    "only an `expect` entry has an attempt to be caught by",
                ))
            }
            (Some(0), true) => {
                return Err(fault(
                    format!("{key}.by_attempt"),
                    "expected at least 1 (attempts count from 1)",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// An actor's addresses and what every request of theirs carries.
struct Actor {
    addresses: Vec<IpAddr>,
    headers: Vec<(String, String)>,
}

impl Actor {
    fn new(name: &str, spec: &ActorSpec) -> Result<Actor, Fault> {
        let key = format!("actors.{name}");
        let addresses = match (&spec.address, &spec.network, spec.addresses) {
            (Some(address), None, None) => vec![address.parse().map_err(|_| {
                fault(
                    format!("{key}.address"),
                    format!("expected an IPv4 or IPv6 address, got {address:?}"),
                )
            })?],
            (None, Some(network), count) => network_addresses(network, count, &key)?,
            (Some(_), Some(_), _) => {
                return Err(fault(key, "give `address` or `network`, not both"))
            }
            (Some(_), None, Some(_)) => {
                return Err(fault(
                    format!("{key}.addresses"),
                    "only with `network`: how many of its addresses are used",
                ))
            }
            (None, None, _) => {
                return Err(fault(
                    key,
                    "missing: an `address` or a `network` to send from",
                ))
            }
        };
        let mut headers: Vec<(String, String)> = spec
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect();
        if let Some(user) = &spec.user {
            headers.push(("authorization".into(), unsigned_bearer(user)));
        }
        Ok(Actor { addresses, headers })
    }

    /// The address of the actor's `n`-th exchange (from 0).
    fn address(&self, n: u64) -> IpAddr {
        let len = self.addresses.len() as u64;
        self.addresses[(n % len) as usize]
    }
}

fn network_addresses(network: &str, count: Option<u64>, key: &str) -> Result<Vec<IpAddr>, Fault> {
    let net: ipnet::IpNet = network.parse().map_err(|_| {
        fault(
            format!("{key}.network"),
            format!(
                "expected a network in CIDR notation such as \"198.51.100.0/24\", got {network:?}"
            ),
        )
    })?;
    let wanted = match count {
        Some(0) => return Err(fault(format!("{key}.addresses"), "expected at least 1")),
        Some(n) if n > MAX_EXCHANGES => {
            return Err(fault(
                format!("{key}.addresses"),
                format!("expected at most {MAX_EXCHANGES}, the exchanges a scenario may have"),
            ))
        }
        Some(n) => n,
        None => MAX_EXCHANGES,
    };
    let addresses: Vec<IpAddr> = net.hosts().take(wanted as usize).collect();
    if count.is_some_and(|n| addresses.len() as u64 != n) {
        return Err(fault(
            format!("{key}.addresses"),
            format!("{network} has only {} host addresses", addresses.len()),
        ));
    }
    Ok(addresses)
}

/// A bearer JWT naming `user` (`alg` HS256, a placeholder signature): what
/// the gateway reads a user from when it verifies no tokens.
fn unsigned_bearer(user: &str) -> String {
    let encode = |json: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
    };
    let header = encode(&serde_json::json!({"alg": "HS256", "typ": "JWT"}));
    let claims = encode(&serde_json::json!({"sub": user}));
    format!("Bearer {header}.{claims}.c2NlbmFyaW8")
}

fn request_record(request: &RequestSpec, actor: &Actor, i: u64, at: u64) -> ExchangeRecord {
    let mut headers: Vec<(String, String)> = actor
        .headers
        .iter()
        .filter(|(name, _)| !request.headers.keys().any(|n| n.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.clone(), fill(value, i)))
        .collect();
    headers.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), fill(value, i))),
    );
    let body = body_of(request.body.as_deref(), &mut headers, i);
    let host = headers
        .iter()
        .find(|(name, _)| name == "host")
        .map_or_else(|| DEFAULT_HOST.to_string(), |(_, value)| value.clone());
    ExchangeRecord {
        id: None,
        ts: Some(rfc3339_millis(START_MILLIS.saturating_add(at))),
        client_ip: None,
        host: Some(host),
        method: request.method.clone(),
        path: fill(&request.path, i),
        query: fill(&request.query, i),
        request_headers: headers,
        request_body: body,
        status: None,
        response_headers: Vec::new(),
        response_body: None,
    }
}

fn add_response(record: &mut ExchangeRecord, response: &ResponseSpec, i: u64) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), fill(value, i)))
        .collect();
    let body = body_of(response.body.as_deref(), &mut headers, i);
    record.status = Some(response.status);
    record.response_headers = headers;
    record.response_body = body;
}

/// A step's body for repetition `i`, typed as JSON unless its headers say
/// otherwise.
fn body_of(template: Option<&str>, headers: &mut Vec<(String, String)>, i: u64) -> Option<Vec<u8>> {
    let body = template.map(|body| fill(body, i).into_bytes());
    if body.is_some() && !headers.iter().any(|(name, _)| name == "content-type") {
        headers.push(("content-type".into(), "application/json".into()));
    }
    body
}

/// `template` with its counters filled in for repetition `i` (from 0):
/// `{i}` is `i`, `{n}` is `i + 1`, `{i+K}` and `{n+K}` add `K`. Any other
/// brace is text, so JSON bodies need no escaping.
pub fn fill(template: &str, i: u64) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match counter(after, i) {
            Some((value, used)) => {
                out.push_str(&value.to_string());
                rest = &after[used..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The counter `text` starts with (`{i}`, `{n+3}`...): its value and length.
fn counter(text: &str, i: u64) -> Option<(u64, usize)> {
    let close = text.find('}')?;
    let inner = &text[1..close];
    let (name, offset) = match inner.split_once('+') {
        Some((name, offset))
            if !offset.is_empty() && offset.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (name, offset.parse::<u64>().ok()?)
        }
        Some(_) => return None,
        None => (inner, 0),
    };
    let base = match name {
        "i" => i,
        "n" => i.saturating_add(1),
        _ => return None,
    };
    Some((base.saturating_add(offset), close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ScenarioFile {
        toml::from_str(text).unwrap()
    }

    const BASE: &str = r#"
name = "t"
config = "c.toml"
[actors.a]
address = "192.0.2.1"
[actors.nat]
network = "198.51.100.0/24"
addresses = 3
"#;

    #[test]
    fn counters_are_filled_and_other_braces_kept() {
        assert_eq!(fill("/orders/{i}?p={n}", 4), "/orders/4?p=5");
        assert_eq!(fill("/o/{i+1000}/{n+9}", 0), "/o/1000/10");
        assert_eq!(
            fill(r#"{"user": "u{i}", "x": {}}"#, 2),
            r#"{"user": "u2", "x": {}}"#
        );
        assert_eq!(fill("{j} {i+} {i+x} {n", 1), "{j} {i+} {i+x} {n");
        assert_eq!(fill("{i+18446744073709551615}", 5), "18446744073709551615");
    }

    #[test]
    fn steps_interleave_by_time_and_attempts_count_per_actor() {
        let file = parse(&format!(
            r#"{BASE}
[[steps]]
actor = "a"
repeat = 3
every = "10s"
request = {{ path = "/a/{{i}}" }}
[[steps]]
actor = "nat"
repeat = 4
every = "4s"
at = "5s"
request = {{ method = "POST", path = "/login", body = '{{"u": "p{{n}}"}}' }}
response = {{ status = 401, latency = "2s" }}
[[expect]]
actor = "a"
decision = "allow"
"#
        ));
        let plan = expand(&file).unwrap();
        let order: Vec<(&str, u64, &str)> = plan
            .iter()
            .map(|p| (p.actor.as_str(), p.attempt, p.record.path.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("a", 1, "/a/0"),
                ("nat", 1, "/login"),
                ("nat", 2, "/login"),
                ("a", 2, "/a/1"),
                ("nat", 3, "/login"),
                ("nat", 4, "/login"),
                ("a", 3, "/a/2"),
            ]
        );
        let nat: Vec<&ExchangeRecord> = plan
            .iter()
            .filter(|p| p.actor == "nat")
            .map(|p| &p.record)
            .collect();
        let addresses: Vec<&str> = nat.iter().filter_map(|r| r.client_ip.as_deref()).collect();
        assert_eq!(
            addresses,
            [
                "198.51.100.1",
                "198.51.100.2",
                "198.51.100.3",
                "198.51.100.1"
            ]
        );
        assert_eq!(nat[0].ts.as_deref(), Some("2026-01-05T09:00:05.000Z"));
        assert_eq!(nat[3].ts.as_deref(), Some("2026-01-05T09:00:17.000Z"));
        assert_eq!(nat[1].request_body.as_deref(), Some(&br#"{"u": "p2"}"#[..]));
        assert_eq!(
            nat[1].request_header("content-type"),
            Some("application/json")
        );
        assert_eq!(nat[1].status, Some(401));
        assert_eq!(plan[1].upstream_took, Some(Duration::from_secs(2)));
        assert_eq!(plan[0].record.status, None, "a step without a response");
        assert_eq!(plan[0].record.host.as_deref(), Some(DEFAULT_HOST));
        assert_eq!(plan[0].record.id.as_deref(), Some("a#1"));
    }

    #[test]
    fn a_step_without_a_time_follows_the_previous_one() {
        let file = parse(&format!(
            r#"{BASE}
[[steps]]
actor = "a"
repeat = 2
every = "1m"
request = {{ path = "/x" }}
[[steps]]
actor = "nat"
request = {{ path = "/y" }}
[[never]]
actor = "nat"
signal = "behave"
"#
        ));
        let plan = expand(&file).unwrap();
        let times: Vec<&str> = plan.iter().filter_map(|p| p.record.ts.as_deref()).collect();
        assert_eq!(
            times,
            [
                "2026-01-05T09:00:00.000Z",
                "2026-01-05T09:01:00.000Z",
                "2026-01-05T09:01:01.000Z"
            ]
        );
    }

    #[test]
    fn a_user_is_sent_as_a_bearer_token_and_request_headers_win() {
        let file = parse(
            r#"
name = "t"
config = "c.toml"
[actors.u]
address = "2001:db8::7"
user = "ada"
headers = { User-Agent = "app/1.0", accept = "text/html" }
[[steps]]
actor = "u"
request = { path = "/me", headers = { Accept = "application/json" } }
[[expect]]
actor = "u"
signal = "behave"
"#,
        );
        let plan = expand(&file).unwrap();
        let record = &plan[0].record;
        assert_eq!(record.client_ip.as_deref(), Some("2001:db8::7"));
        assert_eq!(record.request_header("user-agent"), Some("app/1.0"));
        assert_eq!(record.request_header("accept"), Some("application/json"));
        let token = record.request_header("authorization").unwrap();
        let claims = token.split('.').nth(1).unwrap();
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap();
        assert_eq!(claims, br#"{"sub":"ada"}"#);
    }

    fn fault_of(extra: &str) -> Fault {
        let file = parse(&format!("{BASE}\n{extra}"));
        expand(&file).unwrap_err()
    }

    const STEP: &str = "[[steps]]\nactor = \"a\"\nrequest = { path = \"/x\" }\n[[steps]]\nactor = \"nat\"\nrequest = { path = \"/x\" }\n";
    const EXPECT: &str = "[[expect]]\nactor = \"a\"\nsignal = \"behave\"\n";

    #[test]
    fn mistakes_name_their_key() {
        let cases = [
            (STEP.to_string(), "expect", "missing"),
            (EXPECT.to_string(), "steps", "missing"),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"b\"\nrequest = {{ path = \"/x\" }}\n"),
                "steps[2].actor",
                "unknown actor \"b\" (known: a, nat)",
            ),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"a\"\nrepeat = 9999\nrequest = {{ path = \"/x\" }}\n"),
                "steps[2].repeat",
                "9999 repetitions make 10001 exchanges, more than the 10000",
            ),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"a\"\nrepeat = 0\nrequest = {{ path = \"/x\" }}\n"),
                "steps[2].repeat",
                "at least 1",
            ),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"a\"\nrequest = {{ path = \"x\" }}\n"),
                "steps[2].request.path",
                "starting with '/'",
            ),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"a\"\nrequest = {{ method = \"GE T\", path = \"/x\" }}\n"),
                "steps[2].request.method",
                "HTTP method",
            ),
            (
                format!("{STEP}{EXPECT}[[steps]]\nactor = \"a\"\nrequest = {{ path = \"/x\" }}\nresponse = {{ status = 42 }}\n"),
                "steps[2].response.status",
                "from 100 to 999",
            ),
            (
                format!("{STEP}[[expect]]\nactor = \"a\"\n"),
                "expect[0]",
                "a `signal`, a `decision` or both",
            ),
            (
                format!("{STEP}[[expect]]\nactor = \"a\"\ndecision = \"blocked\"\n"),
                "expect[0].decision",
                "expected one of allow, monitor, block",
            ),
            (
                format!("{STEP}[[never]]\nactor = \"a\"\nsignal = \"x\"\nby_attempt = 3\n"),
                "never[0].by_attempt",
                "only an `expect` entry",
            ),
            (
                format!("{STEP}[[never]]\nactor = \"z\"\nsignal = \"x\"\n"),
                "never[0].actor",
                "unknown actor \"z\"",
            ),
            (
                format!("[[steps]]\nactor = \"a\"\nrequest = {{ path = \"/x\" }}\n{EXPECT}"),
                "actors.nat",
                "sends nothing",
            ),
        ];
        for (extra, key, message) in cases {
            let found = fault_of(&extra);
            assert_eq!(found.key, key, "{extra}");
            assert!(found.message.contains(message), "{found:?}");
        }
    }

    #[test]
    fn a_scenario_runs_one_configuration() {
        let rest = "[actors.a]\naddress = \"192.0.2.1\"\n[[steps]]\nactor = \"a\"\nrequest = { path = \"/\" }\n[[never]]\nactor = \"a\"\ndecision = \"block\"\n";
        let both = parse(&format!(
            "name = \"t\"\nconfig = \"c\"\nconfig_inline = \"\"\n{rest}"
        ));
        assert_eq!(
            expand(&both).unwrap_err(),
            fault("config", "give `config` or `config_inline`, not both")
        );
        let neither = parse(&format!("name = \"t\"\n{rest}"));
        let found = expand(&neither).unwrap_err();
        assert_eq!(found.key, "config");
        assert!(
            found
                .message
                .starts_with("missing: the gateway configuration"),
            "{found:?}"
        );
    }

    #[test]
    fn actors_need_one_good_place_to_send_from() {
        let cases = [
            (
                "address = \"300.1.1.1\"",
                "actors.x.address",
                "IPv4 or IPv6",
            ),
            ("network = \"10.0.0.0/33\"", "actors.x.network", "CIDR"),
            (
                "network = \"10.0.0.0/30\"\naddresses = 3",
                "actors.x.addresses",
                "only 2 host",
            ),
            (
                "network = \"10.0.0.0/8\"\naddresses = 0",
                "actors.x.addresses",
                "at least 1",
            ),
            (
                "network = \"10.0.0.0/8\"\naddresses = 10001",
                "actors.x.addresses",
                "at most 10000",
            ),
            (
                "address = \"10.0.0.1\"\naddresses = 2",
                "actors.x.addresses",
                "only with `network`",
            ),
            (
                "address = \"10.0.0.1\"\nnetwork = \"10.0.0.0/8\"",
                "actors.x",
                "not both",
            ),
            ("user = \"u\"", "actors.x", "missing"),
        ];
        for (actor, key, message) in cases {
            let file = parse(&format!(
                "name = \"t\"\nconfig = \"c\"\n[actors.x]\n{actor}\n[[steps]]\nactor = \"x\"\nrequest = {{ path = \"/\" }}\n[[never]]\nactor = \"x\"\ndecision = \"block\"\n"
            ));
            let found = expand(&file).unwrap_err();
            assert_eq!(found.key, key, "{actor}");
            assert!(found.message.contains(message), "{found:?}");
        }
    }

    #[test]
    fn a_network_is_used_whole_up_to_the_cap() {
        let actor = Actor::new(
            "x",
            &ActorSpec {
                address: None,
                network: Some("10.0.0.0/8".into()),
                addresses: None,
                headers: BTreeMap::new(),
                user: None,
                sign: None,
            },
        )
        .unwrap();
        assert_eq!(actor.addresses.len() as u64, MAX_EXCHANGES);
        assert_eq!(actor.address(MAX_EXCHANGES).to_string(), "10.0.0.1");
    }
}
