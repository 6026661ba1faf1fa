//! The engine: one request in, one verdict out.
//!
//! It resolves the endpoint's policy and contract, decomposes the request
//! once (path and its segments, query, headers by kind, cookies, body by
//! content type, GraphQL read as GraphQL; every value's encodings peeled), runs the value detectors each value can wake and the request
//! detectors, checks the contract, and adds the evidence up against the
//! endpoint's threshold at its paranoia level. The engine is immutable and
//! shared across threads; `inspect` allocates only per request.

use crate::config::{template_matches, ConfigError, DetectConfig, GraphqlPolicy, Mode};
use crate::contract::{breach_hit, EndpointContract, FieldKind};
use crate::contract_index::ContractIndex;
use crate::decode::Transport;
use crate::detectors::protocol::{self, Finding};
use crate::detectors::{
    graphql as graphql_abuse, scanner, Detection, FieldContext, Hit, ValueDetectors,
};
use crate::evidence;
use crate::location::Location;
use crate::parse::content_type::{self, BodyKind};
use crate::parse::graphql::{self, GraphqlStats};
use crate::parse::query::Origin;
use crate::parse::{
    cookie, header, json, multipart, path, query, user_agent, xml, Anomaly, Collector,
};
use crate::verdict::Verdict;
use rampart_core::exchange::RequestView;
use serde_json::Value as Json;
use std::borrow::Cow;

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

    fn policy(&self, req: &RequestView<'_>) -> Policy<'_> {
        let c = &self.config;
        let endpoint = c.endpoints.iter().find(|e| {
            e.method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(req.method))
                && template_matches(&e.path, req.path)
        });
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
            contract: self.contracts.find(&c.contracts, req.method, req.path),
        }
    }

    /// Inspects one request.
    pub fn inspect(&self, req: &RequestView<'_>) -> Verdict {
        let policy = self.policy(req);
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
        let body = req.body.filter(|b| !b.bytes.is_empty());
        protocol::inspect_content_type(
            ct.as_ref(),
            raw_ct.as_deref(),
            body.is_some(),
            &mut findings,
        );
        let mut json_doc = None;
        let mut graphql_stats: Option<(GraphqlStats, usize)> = None;
        if let Some(body) = body {
            let truncated = body.truncated || body.bytes.len() > limits.max_body_bytes;
            let bytes = &body.bytes[..body.bytes.len().min(limits.max_body_bytes)];
            let kind = ct.as_ref().map_or_else(|| sniff(bytes), |c| c.kind);
            let declared = ct
                .as_ref()
                .map_or("(none)", |c| c.media_type.as_str())
                .to_owned();
            let malformed = |reason: String| Anomaly::MalformedBody {
                declared: declared.clone(),
                reason,
            };
            match kind {
                BodyKind::Json => match json_document(req, bytes) {
                    Ok(doc) => {
                        json::walk_document(doc.as_ref(), &mut sink);
                        json_doc = Some(doc);
                    }
                    Err(_) if truncated => {}
                    Err(e) => sink.anomaly(malformed(e)),
                },
                BodyKind::Form => query::parse(bytes, Origin::Form, &mut sink),
                BodyKind::Multipart => {
                    let boundary = ct
                        .as_ref()
                        .and_then(|c| c.boundary.as_deref())
                        .unwrap_or("");
                    if let Err(e) = multipart::parse(bytes, boundary, truncated, &mut sink) {
                        sink.anomaly(malformed(e));
                    }
                }
                BodyKind::Xml => {
                    let text = String::from_utf8_lossy(bytes);
                    if let Err(e) = xml::parse(&text, truncated, &mut sink) {
                        sink.anomaly(malformed(e));
                    }
                }
                BodyKind::Graphql => {
                    let text = String::from_utf8_lossy(bytes);
                    match graphql::parse(&text, &mut sink) {
                        Ok(stats) => graphql_stats = Some((stats, 1)),
                        Err((e, stats)) => {
                            sink.anomaly(malformed(e));
                            graphql_stats = Some((stats, 1));
                        }
                    }
                }
                BodyKind::Text | BodyKind::Other => {
                    sink.push(Location::Body, bytes, Transport::Plain);
                }
                BodyKind::Binary => {}
            }
        }
        if graphql_stats.is_none() {
            graphql_stats = self.read_graphql(req, &policy, json_doc.as_deref(), &mut sink);
        }

        let values = std::mem::take(&mut sink.values);
        protocol::inspect_request(req, &self.config, &mut findings);
        protocol::inspect_decomposition(&values, &sink.anomalies, &self.config, &mut findings);
        scanner::inspect(req, &mut findings);
        if let Some((stats, documents)) = &graphql_stats {
            graphql_abuse::inspect(stats, *documents, policy.graphql, &mut findings);
        }
        let mut breaches: Vec<Finding> = Vec::new();
        self.check_contract(req, &policy, &values, json_doc.as_deref(), &mut breaches);
        let label = policy.contract.map(EndpointContract::label);

        let mut detections: Vec<Detection> = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        for value in &values {
            hits.clear();
            let kind = policy.contract.and_then(|c| c.field_kind(&value.location));
            let kind = kind.or_else(|| header_kind(&value.location, &value.decoded.text));
            self.detectors
                .inspect(value, FieldContext { kind }, &mut hits);
            for hit in &hits {
                if hit.paranoia <= policy.paranoia && policy.rule_enabled(hit.rule) {
                    let excerpt = evidence::excerpt(&value.location, &value.decoded.text);
                    detections.push(Detection::new(hit, &value.location, excerpt));
                }
            }
        }
        let contract_findings = breaches.iter().map(|f| (f, label.as_deref()));
        for ((hit, location, text), endpoint) in
            findings.iter().map(|f| (f, None)).chain(contract_findings)
        {
            if hit.paranoia <= policy.paranoia && policy.rule_enabled(hit.rule) {
                let excerpt = evidence::excerpt(location, text);
                let evidence = match endpoint {
                    Some(endpoint) => format!("{endpoint}: {excerpt}"),
                    None => excerpt,
                };
                detections.push(Detection::new(hit, location, evidence));
            }
        }
        Verdict::decide(detections, policy.threshold, policy.mode == Mode::Enforce)
    }

    /// Finds GraphQL documents in a JSON body (`{"query": ...}` or a batch of
    /// them) or a `query` argument, parses them as GraphQL, and stops their
    /// text from being read as prose.
    fn read_graphql(
        &self,
        req: &RequestView<'_>,
        policy: &Policy<'_>,
        doc: Option<&Json>,
        sink: &mut Collector<'_>,
    ) -> Option<(GraphqlStats, usize)> {
        let declared = |loc: &Location| {
            policy.contract.and_then(|c| c.field_kind(loc)) == Some(FieldKind::Graphql)
        };
        let graphql_path = req.path.to_ascii_lowercase().contains("graphql");
        let mut documents: Vec<(Location, String)> = Vec::new();
        let mut collect = |obj: &Json, path: String| {
            if let Some(Json::String(q)) = obj.get("query") {
                let loc = Location::Json(path);
                if graphql::looks_like_graphql(q)
                    && (graphql_path
                        || declared(&loc)
                        || obj.get("variables").is_some()
                        || obj.get("operationName").is_some())
                {
                    documents.push((loc, q.clone()));
                }
            }
        };
        match doc {
            Some(Json::Array(batch)) => {
                for (i, item) in batch.iter().enumerate().take(self.config.limits.max_values) {
                    collect(item, format!("$[{i}].query"));
                }
            }
            Some(obj @ Json::Object(_)) => collect(obj, "$.query".into()),
            _ => {}
        }
        if documents.is_empty() && graphql_path {
            if let Some(v) = sink
                .values
                .iter()
                .find(|v| v.location == Location::Query("query".into()))
            {
                if graphql::looks_like_graphql(&v.decoded.text) {
                    documents.push((v.location.clone(), v.decoded.text.clone()));
                }
            }
        }
        if documents.is_empty() {
            return None;
        }
        let count = documents.len();
        let mut total = GraphqlStats::default();
        for (location, text) in documents {
            let stats = match graphql::parse(&text, sink) {
                Ok(stats) => {
                    // Read as GraphQL: its string arguments were pushed; the
                    // document text itself is not prose to scan.
                    sink.values.retain(|v| v.location != location);
                    stats
                }
                Err((e, stats)) => {
                    sink.anomaly(Anomaly::MalformedBody {
                        declared: "graphql".into(),
                        reason: e,
                    });
                    stats
                }
            };
            total.operations += stats.operations;
            total.max_depth = total.max_depth.max(stats.max_depth);
            total.aliases += stats.aliases;
            total.fields += stats.fields;
            total.introspection |= stats.introspection;
            total.cost += stats.cost;
        }
        Some((total, count))
    }

    fn check_contract(
        &self,
        req: &RequestView<'_>,
        policy: &Policy<'_>,
        values: &[crate::parse::Value],
        doc: Option<&Json>,
        out: &mut Vec<Finding>,
    ) {
        match policy.contract {
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
            None if !self.config.contracts.is_empty() => {
                let enforcement = self.config.unknown_endpoint;
                if let Some(hit) =
                    enforcement.and_then(|e| breach_hit("contract.unknown_endpoint", e, 0.7))
                {
                    out.push((
                        hit,
                        Location::Path(None),
                        format!("{} {}", req.method, req.path),
                    ));
                }
            }
            None => {}
        }
    }
}

/// Headers whose values are URLs by definition, and User-Agents that are
/// what a client library writes (a product list) rather than typed text.
fn header_kind(location: &Location, value: &str) -> Option<FieldKind> {
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

/// The JSON body as a document: the view's own (parsed once for every
/// stage) when the engine reads the whole of what the view holds, else the
/// engine's `max_body_bytes` prefix parsed here.
fn json_document<'r>(req: &'r RequestView<'_>, inspected: &[u8]) -> Result<Cow<'r, Json>, String> {
    let whole = req
        .body
        .is_some_and(|body| body.bytes.len() == inspected.len());
    match req.json() {
        Some(parsed) if whole => parsed.map(Cow::Borrowed).map_err(str::to_owned),
        _ => serde_json::from_slice(inspected)
            .map(Cow::Owned)
            .map_err(|e| e.to_string()),
    }
}

/// Guesses the kind of a body sent without a content type.
fn sniff(bytes: &[u8]) -> BodyKind {
    match bytes.trim_ascii_start().first() {
        Some(b'{' | b'[') => BodyKind::Json,
        Some(b'<') => BodyKind::Xml,
        _ => BodyKind::Other,
    }
}
