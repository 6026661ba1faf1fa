//! Rate limits proposed from an endpoint's observed baseline, for
//! `rampart discover --propose-limits`: how many requests each client made
//! to each endpoint in each minute it was active, and a per-client limit at
//! the 99th percentile of those rates times a margin
//! (`rampart_prevent::ratelimit::propose_limit`).
//!
//! The output is TOML the operator can read, edit and paste: one
//! `[[prevent.limits]]` per endpoint keyed by client address and endpoint,
//! and the rule that applies it. `rampart replay` then shows what it would
//! have refused in the same traffic before it is deployed.

use rampart_core::event::parse_rfc3339_millis;
use rampart_core::ExchangeRecord;
use rampart_discover::EndpointMatcher;
use rampart_prevent::ratelimit::propose_limit;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Endpoints with fewer clients than this get no proposal: a percentile of
/// a handful of clients says nothing about the next one.
const MIN_CLIENTS: usize = 5;
/// Clients tracked per endpoint; beyond it new clients are not counted
/// (memory stays bounded under a flood of addresses).
const MAX_CLIENTS_PER_ENDPOINT: usize = 100_000;

/// Requests per client per minute, per endpoint.
#[derive(Default)]
pub struct Baseline {
    /// (method, template) -> client -> minute -> requests.
    counts: BTreeMap<(String, String), HashMap<String, HashMap<u64, u32>>>,
    /// Records that could not be placed in time or on an endpoint.
    pub skipped: u64,
}

impl Baseline {
    /// Counts one record, if it has a time, a client and a known endpoint.
    pub fn observe(&mut self, matcher: &EndpointMatcher, record: &ExchangeRecord) {
        let placed = (|| {
            let minute = parse_rfc3339_millis(record.ts.as_deref()?)? / 60_000;
            let client = record.client_ip.as_deref()?;
            let found = matcher.find(&record.method, record.host.as_deref(), &record.path)?;
            let key = (
                record.method.to_ascii_uppercase(),
                found.template.to_string(),
            );
            let clients = self.counts.entry(key).or_default();
            if !clients.contains_key(client) && clients.len() >= MAX_CLIENTS_PER_ENDPOINT {
                return None;
            }
            let minutes = clients.entry(client.to_string()).or_default();
            *minutes.entry(minute).or_default() += 1;
            Some(())
        })();
        if placed.is_none() {
            self.skipped += 1;
        }
    }

    /// The proposals as TOML: limits and the rules that apply them.
    pub fn proposals_toml(&self, margin: f64) -> String {
        let mut out = format!(
            "# Rate limits proposed by `rampart discover --propose-limits` from the observed\n\
             # baseline: per client address and endpoint, the 99th percentile of the\n\
             # requests a client made in a minute it was active, times {margin}.\n\
             # Review them, then try them on recorded traffic with `rampart replay`.\n"
        );
        for ((method, template), clients) in &self.counts {
            let rates: Vec<f64> = clients
                .values()
                .flat_map(|minutes| minutes.values().map(|n| f64::from(*n)))
                .collect();
            let name = format!("{method} {template}");
            let proposal = (clients.len() >= MIN_CLIENTS)
                .then(|| propose_limit(&rates, margin))
                .flatten();
            let Some(proposal) = proposal else {
                let _ = writeln!(
                    out,
                    "\n# {name}: {} client(s), too few to propose a limit",
                    clients.len()
                );
                continue;
            };
            let _ = write!(
                out,
                "\n# {name}: p99 {:.1} requests/minute over {} client(s)\n\
                 [[prevent.limits]]\n\
                 name = {name:?}\n\
                 key = {{ parts = [\"ip\", \"endpoint\"] }}\n\
                 quota = {{ requests = {}, per_seconds = {} }}\n\
                 \n\
                 [[prevent.policy.rules]]\n\
                 name = \"limit {name}\"\n\
                 when = 'request.method == {method:?} && endpoint.template == {template:?}'\n\
                 action = {{ type = \"rate_limit\", limit = {name:?} }}\n",
                proposal.p99_per_minute,
                clients.len(),
                proposal.quota.requests,
                proposal.quota.per_seconds,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_discover::PathTemplate;

    fn record(ip: &str, minute: u32, second: u32, path: &str) -> ExchangeRecord {
        ExchangeRecord {
            ts: Some(format!("2026-11-01T10:{minute:02}:{second:02}Z")),
            client_ip: Some(ip.to_string()),
            method: "GET".into(),
            path: path.into(),
            ..ExchangeRecord::default()
        }
    }

    #[test]
    fn proposes_a_limit_per_endpoint_from_per_client_minutes() {
        let template = PathTemplate::parse("/users/{id}").unwrap();
        let matcher = EndpointMatcher::new([("GET", &template)]);
        let mut baseline = Baseline::default();
        // Ten clients, each 3 requests in one minute and 6 in another.
        for client in 0..10 {
            let ip = format!("192.0.2.{client}");
            for i in 0..3 {
                baseline.observe(&matcher, &record(&ip, 1, i, &format!("/users/{i}")));
            }
            for i in 0..6 {
                baseline.observe(&matcher, &record(&ip, 2, i, "/users/7"));
            }
        }
        baseline.observe(&matcher, &record("192.0.2.1", 3, 0, "/unknown"));
        let mut no_time = record("192.0.2.1", 3, 0, "/users/1");
        no_time.ts = None;
        baseline.observe(&matcher, &no_time);
        assert_eq!(baseline.skipped, 2);

        let toml_text = baseline.proposals_toml(2.0);
        assert!(
            toml_text.contains("quota = { requests = 12, per_seconds = 60 }"),
            "{toml_text}"
        );
        // What it writes is a valid `[prevent]` section the gateway accepts.
        let parsed: toml::Value = toml::from_str(&toml_text).unwrap();
        let prevent = parsed["prevent"]
            .clone()
            .try_into::<rampart_prevent::PreventConfig>();
        let prevent = prevent.unwrap();
        assert_eq!(prevent.limits[0].name, "GET /users/{id}");
        prevent.compile_policy().unwrap();
    }

    #[test]
    fn too_few_clients_get_a_note_not_a_limit() {
        let template = PathTemplate::parse("/a").unwrap();
        let matcher = EndpointMatcher::new([("GET", &template)]);
        let mut baseline = Baseline::default();
        baseline.observe(&matcher, &record("192.0.2.1", 1, 0, "/a"));
        let text = baseline.proposals_toml(2.0);
        assert!(text.contains("too few to propose"), "{text}");
        assert!(!text.contains("[[prevent.limits]]"));
    }
}
