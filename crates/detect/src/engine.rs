//! The engine: one request in, one verdict out.
//!
//! It resolves the endpoint's policy and contract, decomposes the request
//! once (path and its segments, query, headers by kind, cookies, body by
//! content type, GraphQL read as GraphQL; every value's encodings peeled), runs the value detectors each value can wake and the request
//! detectors, checks the contract, and adds the evidence up against the
//! endpoint's threshold at its paranoia level. The engine is immutable and
//! shared across threads; `inspect` allocates only per request.
//!
//! A body is read as a stream ([`BodyScan`], in `scan`): [`Engine::begin`]
//! judges the head, [`Engine::feed`] reads the body chunk by chunk, judging
//! each value as soon as it is complete, and [`Engine::finish`] adds it all
//! up. [`Engine::inspect`] is the three in a row over a body already in
//! memory, so a request judged whole and one judged while it streams through
//! the gateway get the same verdict.

mod graphql_documents;
mod scan;

pub use scan::{BodyScan, Progress};

use crate::config::{template_matches, ConfigError, DetectConfig, GraphqlPolicy, Mode};
use crate::contract::{breach_hit, EndpointContract, FieldKind};
use crate::contract_index::ContractIndex;
use crate::detectors::protocol::{self, Finding};
use crate::detectors::{scanner, ValueDetectors};
use crate::learned::LearnedContracts;
use crate::location::Location;
use crate::parse::content_type::{self, BodyKind};
use crate::parse::query::Origin;
use crate::parse::{cookie, header, path, query, user_agent, Collector, Value};
use crate::verdict::Verdict;
use rampart_core::exchange::RequestView;
use serde_json::Value as Json;

/// Headers checked by the protocol detector or parsed elsewhere, not read as values.
const NOT_VALUES: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "cookie",
    "connection",
    "transfer-encoding",
];

/// The detection engine.
#[derive(Debug)]
pub struct Engine {
    config: DetectConfig,
    contracts: ContractIndex,
    detectors: ValueDetectors,
}

/// The endpoint policy and contract of a request, by index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyKey {
    endpoint: Option<usize>,
    contract: Option<usize>,
}

/// The settings in force for one request.
struct Policy<'c> {
    paranoia: u8,
    threshold: f64,
    mode: Mode,
    disabled: Vec<&'c str>,
    graphql: &'c GraphqlPolicy,
    contract: Option<&'c EndpointContract>,
}

impl<'c> Policy<'c> {
    fn rule_enabled(&self, rule: &str) -> bool {
        !self
            .disabled
            .iter()
            .any(|d| rule == *d || rule.split('.').next() == Some(d))
    }
}

impl Engine {
    pub fn new(config: DetectConfig) -> Result<Engine, ConfigError> {
        config.validate()?;
        Ok(Engine {
            contracts: ContractIndex::new(&config.contracts),
            config,
            detectors: ValueDetectors::new(),
        })
    }

    pub fn config(&self) -> &DetectConfig {
        &self.config
    }

    /// Which endpoint policy and contract apply to a request, as indices:
    /// a streamed body's scan keeps them without borrowing the engine.
    fn policy_key(&self, req: &RequestView<'_>) -> PolicyKey {
        let c = &self.config;
        let endpoint = c.endpoints.iter().position(|e| {
            e.method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(req.method))
                && template_matches(&e.path, req.path)
        });
        let contract = self
            .contracts
            .find(&c.contracts, req.method, req.path)
            .and_then(|found| c.contracts.iter().position(|x| std::ptr::eq(x, found)));
        PolicyKey { endpoint, contract }
    }

    fn policy_of(&self, key: PolicyKey) -> Policy<'_> {
        let c = &self.config;
        let endpoint = key.endpoint.and_then(|i| c.endpoints.get(i));
        let mut disabled: Vec<&str> = c.disabled_rules.iter().map(String::as_str).collect();
        if let Some(e) = endpoint {
            disabled.extend(e.disabled_rules.iter().map(String::as_str));
        }
        Policy {
            paranoia: endpoint.and_then(|e| e.paranoia).unwrap_or(c.paranoia),
            threshold: endpoint.and_then(|e| e.threshold).unwrap_or(c.threshold),
            mode: endpoint.and_then(|e| e.mode).unwrap_or(c.mode),
            disabled,
            graphql: endpoint
                .and_then(|e| e.graphql.as_ref())
                .unwrap_or(&c.graphql),
            contract: key.contract.and_then(|i| c.contracts.get(i)),
        }
    }

    /// Inspects one request with the body the view holds: the streaming
    /// scan of [`BodyScan`] fed once. A truncated body (a prefix) is judged
    /// on what it holds, without the end of the document being expected.
    pub fn inspect(&self, req: &RequestView<'_>) -> Verdict {
        let mut scan = self.begin(req);
        let Some(body) = req.body else {
            return self.finish(scan);
        };
        self.feed(&mut scan, body.bytes);
        if body.truncated {
            self.stop(scan)
        } else {
            self.finish(scan)
        }
    }

    /// Judges the request's head (path, query, headers, cookies, the
    /// content type) and sets up the reading of its body, which arrives
    /// through [`Engine::feed`]: the view's body is not read here. When the
    /// view holds the whole body, the contract checks read its parsed
    /// document; a streamed body's is never built.
    pub fn begin(&self, req: &RequestView<'_>) -> BodyScan {
        self.begin_with(req, None)
    }

    /// [`Engine::begin`], with the contracts the live inventory learned:
    /// a request no configured contract covers is checked against its
    /// learned one, or, when the inventory knows no such endpoint and is
    /// settled, reported as a new endpoint.
    pub fn begin_with(
        &self,
        req: &RequestView<'_>,
        learned: Option<&LearnedContracts>,
    ) -> BodyScan {
        let key = self.policy_key(req);
        let policy = self.policy_of(key);
        let contract = match policy.contract {
            Some(own) => Some(own),
            None => learned.and_then(|l| l.find(req.method, req.path)),
        };
        let limits = &self.config.limits;
        let mut sink = Collector::new(limits);
        let mut findings: Vec<Finding> = Vec::new();

        path::parse(req.path, &mut sink);
        query::parse(req.query.as_bytes(), Origin::Query, &mut sink);
        for &(name, value) in &req.headers {
            if name.eq_ignore_ascii_case("cookie") {
                cookie::parse(value, &mut sink);
            } else if !NOT_VALUES.iter().any(|n| name.eq_ignore_ascii_case(n)) {
                header::parse(&name.to_ascii_lowercase(), value, &mut sink);
            }
        }

        let raw_ct = req
            .header("content-type")
            .map(|v| String::from_utf8_lossy(v).into_owned());
        let ct = raw_ct.as_deref().map(content_type::parse);
        let has_body = req.body.is_some();
        protocol::inspect_content_type(
            ct.as_ref(),
            raw_ct.as_deref(),
            has_body,
            policy.contract,
            &mut findings,
        );
        protocol::inspect_request(req, &self.config, policy.contract, &mut findings);
        scanner::inspect(req, &mut findings);

        let body_kind = |bytes: &[u8]| ct.as_ref().map_or_else(|| sniff(bytes), |c| c.kind);
        let whole_json = req
            .body
            .filter(|b| !b.truncated && body_kind(b.bytes) == BodyKind::Json)
            .and(contract)
            .and_then(|_| req.json())
            .and_then(Result::ok);
        let mut breaches: Vec<Finding> = Vec::new();
        let checked = CheckedContract { contract, learned };
        self.check_contract(req, checked, &sink.values, whole_json, &mut breaches);

        let graphql_path = req.path.to_ascii_lowercase().contains("graphql");
        let coding = req
            .header("content-encoding")
            .map(|v| String::from_utf8_lossy(v).into_owned());
        let mut scan = BodyScan::new(key, ct, coding.as_deref(), graphql_path, &self.config);
        if graphql_path {
            scan.hold_query_document(&mut sink.values);
        }
        let mut judge = scan.judge(self, &policy);
        judge.values(&mut sink.values);
        judge.anomalies(&mut sink.anomalies);
        judge.findings(findings, None);
        let label = contract.map(EndpointContract::label);
        judge.findings(breaches, label.as_deref());
        scan
    }

    fn check_contract(
        &self,
        req: &RequestView<'_>,
        checked: CheckedContract<'_>,
        values: &[Value],
        doc: Option<&Json>,
        out: &mut Vec<Finding>,
    ) {
        match checked.contract {
            Some(contract) => {
                let query: Vec<(String, String)> = values
                    .iter()
                    .filter_map(|v| match &v.location {
                        Location::Query(n) => Some((n.clone(), v.decoded.text.clone())),
                        _ => None,
                    })
                    .collect();
                contract.check(req.path, &query, doc, out);
            }
            None => {
                let configured = self
                    .config
                    .unknown_endpoint
                    .filter(|_| !self.config.contracts.is_empty());
                let (enforcement, why) = match configured {
                    Some(e) => (Some(e), ""),
                    None => (
                        checked.learned.and_then(LearnedContracts::new_endpoints),
                        " (not in the learned inventory)",
                    ),
                };
                if let Some(hit) =
                    enforcement.and_then(|e| breach_hit("contract.unknown_endpoint", e, 0.7))
                {
                    out.push((
                        hit,
                        Location::Path(None),
                        format!("{} {}{why}", req.method, req.path),
                    ));
                }
            }
        }
    }
}

/// The contract a request is checked against (configured, else learned)
/// and the learned set it may have come from.
#[derive(Clone, Copy)]
struct CheckedContract<'c> {
    contract: Option<&'c EndpointContract>,
    learned: Option<&'c LearnedContracts>,
}

/// Headers whose values are URLs by definition, and User-Agents that are
/// what a client library writes (a product list) rather than typed text.
pub(crate) fn header_kind(location: &Location, value: &str) -> Option<FieldKind> {
    match location {
        Location::Header(n) if matches!(n.as_str(), "referer" | "origin" | "location") => {
            Some(FieldKind::Url)
        }
        Location::Header(n) if n == "user-agent" && user_agent::is_product_list(value) => {
            Some(FieldKind::FreeText)
        }
        _ => None,
    }
}

/// Guesses the kind of a body sent without a content type.
pub(crate) fn sniff(bytes: &[u8]) -> BodyKind {
    match bytes.trim_ascii_start().first() {
        Some(b'{' | b'[') => BodyKind::Json,
        Some(b'<') => BodyKind::Xml,
        _ => BodyKind::Other,
    }
}
