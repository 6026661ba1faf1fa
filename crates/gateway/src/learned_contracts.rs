//! The live inventory as the detect stage's contracts (`[detect.learned]`).
//!
//! Discovery learns each endpoint's query parameters and JSON body schema
//! from traffic; this module turns what it learned with enough evidence
//! into `rampart_detect::EndpointContract`s, as `spec_contracts` does for a
//! declared spec, so that a sign-up never seen with `is_admin` is checked
//! for one without a hand-written rule. It lives in the gateway, the one
//! crate that sees both discovery and detection.
//!
//! The inventory worker calls [`Learning::rebuild`] when it publishes a
//! changed inventory, never per request. Evidence is judged per endpoint
//! (enough requests from enough distinct clients) and per property (seen
//! in at least `min_share` of the requests to count as optional, in all of
//! them to count as required). Requests to endpoints the inventory does not
//! know are breaches only once its set of endpoints has stayed the same for
//! the learning period, and only once some endpoint has enough evidence.

use rampart_core::Reason;
use rampart_detect::contract::{
    LearnedCounts, LearnedFrom, ParamIn, TrafficContext, LEARNED_RULE_PREFIX,
};
use rampart_detect::{
    BodySchema, EndpointContract, LearnedConfig, LearnedContracts, Mode, ParamSpec, ValueType,
};
use rampart_discover::report::{EndpointReport, InventoryReport};
use rampart_discover::schema::Schema;
use std::time::{Duration, Instant};

/// Whether an exchange broke a learned contract (the detect stage's reasons
/// say so): discovery must not learn from it, or monitored breaches would
/// teach the contract they break. A request to an endpoint the inventory
/// does not know is learned: finding new endpoints is discovery's job.
pub fn breaks_learned_contract(reasons: &[Reason]) -> bool {
    reasons.iter().any(|reason| {
        reason
            .source
            .strip_prefix("detect.")
            .is_some_and(|rule| rule.starts_with(LEARNED_RULE_PREFIX))
    })
}

/// Samples a location must have shown before its type is checked: a type
/// seen a handful of times is an anecdote.
pub const MIN_TYPED_SAMPLES: u64 = 10;

/// Deepest body schema turned into a contract (the inventory learns 16).
const MAX_DEPTH: usize = 16;

/// The learned contracts' state across publications: the endpoints last
/// seen and since when they have not changed.
#[derive(Debug)]
pub struct Learning {
    config: LearnedConfig,
    endpoints: Vec<(String, String)>,
    stable_since: Instant,
    /// Whether some endpoint had enough evidence at the last rebuild.
    evidenced: bool,
    /// Whether the last rebuild reported new endpoints.
    settled: bool,
}

impl Learning {
    pub fn new(config: LearnedConfig, now: Instant) -> Learning {
        Learning {
            config,
            endpoints: Vec::new(),
            stable_since: now,
            evidenced: false,
            settled: false,
        }
    }

    /// The contracts `report` supports; its endpoints, compared with the
    /// last report's, tell whether the inventory is still changing.
    pub fn rebuild(&mut self, report: &InventoryReport, now: Instant) -> LearnedContracts {
        let mut endpoints: Vec<(String, String)> = report
            .endpoints
            .iter()
            .map(|e| (e.method.to_ascii_uppercase(), e.template.clone()))
            .collect();
        endpoints.sort();
        if endpoints != self.endpoints {
            self.endpoints = endpoints;
            self.stable_since = now;
        }
        let contracts = contracts_of(report, &self.config);
        self.evidenced = contracts.iter().any(|c| c.traffic.learned_from.is_some());
        self.settled = self.evidenced && self.learning_period_over(now);
        let new_endpoints = self.settled.then_some(self.config.new_endpoints);
        LearnedContracts::new(contracts, new_endpoints)
    }

    /// Whether a rebuild now would report new endpoints where the last
    /// did not: the learning period ran out without a change.
    pub fn settles(&self, now: Instant) -> bool {
        self.evidenced && !self.settled && self.learning_period_over(now)
    }

    fn learning_period_over(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.stable_since)
            >= Duration::from_secs(self.config.learning_period_seconds)
    }
}

/// One contract per endpoint, literal paths first (`/users/me` before
/// `/users/{id}`: the first match wins).
pub fn contracts_of(report: &InventoryReport, config: &LearnedConfig) -> Vec<EndpointContract> {
    let mut contracts: Vec<EndpointContract> = report
        .endpoints
        .iter()
        .map(|e| contract_of(e, config))
        .collect();
    contracts.sort_by_cached_key(|c| {
        c.path
            .split('/')
            .map(|segment| segment.contains('{'))
            .collect::<Vec<bool>>()
    });
    contracts
}

/// The endpoint's contract: what it learned with enough evidence, or,
/// without, one that checks nothing and only says the endpoint is known.
pub fn contract_of(endpoint: &EndpointReport, config: &LearnedConfig) -> EndpointContract {
    let evidence = &endpoint.evidence;
    let enough = endpoint.requests >= config.min_samples && evidence.clients >= config.min_clients;
    let mut contract = EndpointContract {
        method: endpoint.method.clone(),
        path: endpoint.template.clone(),
        mode: Mode::Monitor,
        params: Vec::new(),
        body: None,
        breaches: Some(config.breaches()),
        traffic: TrafficContext::default(),
    };
    if !enough {
        return contract;
    }
    contract.params = query_params(&evidence.query, config);
    contract.body = evidence
        .request_body
        .as_ref()
        .filter(|body| body.samples >= config.min_samples)
        .map(|body| body_schema(body, config, 0));
    contract.traffic.learned_from = Some(LearnedFrom {
        requests: endpoint.requests,
        clients: evidence.clients,
    });
    contract
}

/// The query parameters seen often enough, typed when they always had
/// one type.
fn query_params(query: &Schema, config: &LearnedConfig) -> Vec<ParamSpec> {
    let requests = query.object_samples;
    query
        .properties
        .iter()
        .filter(|(_, seen)| common(seen.samples, requests, config))
        .map(|(name, seen)| ParamSpec {
            name: name.to_string(),
            location: ParamIn::Query,
            value_type: value_type(seen),
            required: seen.required_in(requests),
            max_length: None,
            minimum: None,
            maximum: None,
            kind: None,
            shape: None,
        })
        .collect()
}

/// A learned schema as a contract: an object seen often enough takes only
/// the properties seen often enough (the others are unknown) and requires
/// those seen every time.
fn body_schema(learned: &Schema, config: &LearnedConfig, depth: usize) -> BodySchema {
    let objects = learned.object_samples;
    let closed = learned.is_object()
        && learned.additional.is_none()
        && objects >= config.min_samples
        && depth < MAX_DEPTH;
    let mut schema = BodySchema {
        value_type: value_type(learned),
        learned: Some(LearnedCounts {
            samples: if learned.is_object() {
                objects
            } else {
                learned.samples
            },
            rare: Vec::new(),
        }),
        ..BodySchema::default()
    };
    if depth >= MAX_DEPTH {
        return schema;
    }
    for (name, child) in learned.properties.iter() {
        if closed && !common(child.samples, objects, config) {
            if let Some(counts) = &mut schema.learned {
                counts.rare.push((name.to_string(), child.samples));
            }
            continue;
        }
        if closed && child.required_in(objects) {
            schema.required.push(name.to_string());
        }
        schema
            .properties
            .insert(name.to_string(), body_schema(child, config, depth + 1));
    }
    if closed {
        schema.additional_properties = Some(false);
    }
    schema.items = learned
        .items
        .as_deref()
        .map(|items| Box::new(body_schema(items, config, depth + 1)));
    schema
}

/// Whether something seen `seen` times in `of` samples is common enough
/// to be learned.
fn common(seen: u64, of: u64, config: &LearnedConfig) -> bool {
    of > 0 && seen as f64 >= config.min_share * of as f64
}

/// The one type every sample showed, once there are enough of them; any
/// mix (`null` included) admits anything.
fn value_type(learned: &Schema) -> ValueType {
    if learned.samples < MIN_TYPED_SAMPLES {
        return ValueType::Any;
    }
    match learned.types.names().as_slice() {
        ["string"] => ValueType::String,
        ["integer"] => ValueType::Integer,
        ["number"] => ValueType::Number,
        ["boolean"] => ValueType::Boolean,
        ["object"] => ValueType::Object,
        ["array"] => ValueType::Array,
        _ => ValueType::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::ExchangeRecord;
    use rampart_detect::Enforcement;
    use rampart_discover::Inventory;

    fn signup(client: usize, body: &str) -> ExchangeRecord {
        ExchangeRecord {
            client_ip: Some(format!("10.0.0.{client}")),
            method: "POST".into(),
            path: "/signup".into(),
            request_headers: vec![("content-type".into(), "application/json".into())],
            request_body: Some(body.as_bytes().to_vec()),
            status: Some(201),
            ..ExchangeRecord::default()
        }
    }

    /// 200 sign-ups from `clients` clients; every tenth carries a referral.
    fn taught(clients: usize) -> InventoryReport {
        let mut inventory = Inventory::new();
        for i in 0..200 {
            let body = if i % 10 == 0 {
                r#"{"email":"a@b.c","age":30,"prefs":{"news":true},"referral":"x"}"#
            } else {
                r#"{"email":"a@b.c","age":30,"prefs":{"news":true}}"#
            };
            inventory.observe(&signup(i % clients, body));
        }
        inventory.report()
    }

    fn config() -> LearnedConfig {
        LearnedConfig {
            enabled: true,
            ..LearnedConfig::default()
        }
    }

    fn breaches(contract: &EndpointContract, body: serde_json::Value) -> Vec<String> {
        let mut out = Vec::new();
        contract.check("/signup", &[], Some(&body), &mut out);
        out.iter()
            .map(|(hit, location, text)| format!("{} {location} {text}", hit.rule))
            .collect()
    }

    #[test]
    fn a_well_taught_body_becomes_a_closed_typed_schema() {
        let contracts = contracts_of(&taught(8), &config());
        let contract = &contracts[0];
        assert_eq!(
            contract.label(),
            "POST /signup (learned from 200 requests by 8 clients)"
        );
        let body = contract.body.as_ref().unwrap();
        assert_eq!(body.required, ["age", "email", "prefs"]);
        assert_eq!(body.additional_properties, Some(false));
        assert_eq!(body.properties["age"].value_type, ValueType::Integer);
        assert_eq!(
            breaches(
                contract,
                serde_json::json!({"email": "a@b.c", "age": "old", "prefs": {"news": false}, "is_admin": true})
            ),
            [
                "contract.learned.wrong_type body$.age learned integer: \"old\"",
                "contract.learned.unexpected_property body$.is_admin seen in 0 of 200: is_admin=true",
            ]
        );
        assert!(
            breaches(
                contract,
                serde_json::json!({"email": "a@b.c", "age": 1, "prefs": {"news": false}, "referral": "y"})
            )
            .is_empty(),
            "a property seen in a tenth of the requests is optional"
        );
    }

    #[test]
    fn rare_properties_are_unknown_and_quoted_with_their_count() {
        let strict = LearnedConfig {
            min_share: 0.2,
            ..config()
        };
        let contract = &contracts_of(&taught(8), &strict)[0];
        assert_eq!(
            breaches(
                contract,
                serde_json::json!({"email": "a@b.c", "age": 1, "prefs": {"news": false}, "referral": "y"})
            ),
            ["contract.learned.unexpected_property body$.referral seen in 20 of 200: referral=\"y\""]
        );
    }

    #[test]
    fn too_little_evidence_checks_nothing() {
        let one_client = contracts_of(&taught(1), &config());
        let few = contracts_of(
            &taught(8),
            &LearnedConfig {
                min_samples: 201,
                ..config()
            },
        );
        for contract in [&one_client[0], &few[0]] {
            assert!(contract.body.is_none() && contract.traffic.learned_from.is_none());
            assert!(breaches(contract, serde_json::json!({"is_admin": true})).is_empty());
        }
    }

    #[test]
    fn new_endpoints_count_once_the_inventory_has_settled() {
        let config = LearnedConfig {
            learning_period_seconds: 60,
            ..config()
        };
        let start = Instant::now();
        let mut learning = Learning::new(config, start);
        let report = taught(8);
        let first = learning.rebuild(&report, start);
        assert_eq!(first.new_endpoints(), None);
        let later = start + Duration::from_secs(61);
        assert!(learning.settles(later));
        let settled = learning.rebuild(&report, later);
        assert_eq!(settled.new_endpoints(), Some(Enforcement::Monitor));
        assert!(settled.find("POST", "/signup").is_some());
        assert!(settled.find("POST", "/admin").is_none());
        assert!(!learning.settles(later));

        let mut grown = report.clone();
        let mut other = grown.endpoints[0].clone();
        other.template = "/orders".into();
        grown.endpoints.push(other);
        assert_eq!(learning.rebuild(&grown, later).new_endpoints(), None);
    }

    #[test]
    fn literal_paths_are_tried_first() {
        let mut report = taught(8);
        let mut templated = report.endpoints[0].clone();
        templated.template = "/{page}".into();
        report.endpoints.insert(0, templated);
        let contracts = contracts_of(&report, &config());
        assert_eq!(contracts[0].path, "/signup");
    }
}
