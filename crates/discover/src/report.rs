//! The inventory as operators and benchmarks read it.
//!
//! This is the JSON `rampart discover` writes (format in
//! `shared/formats/exchange-record.md`): one entry per endpoint with its
//! template, path parameters, auth, shadow/zombie flags, sensitive fields,
//! business function, findings, risk and learned schemas; declared
//! endpoints never called are listed apart as orphans.

use crate::findings::{Finding, Severity};
use crate::function::BusinessFunction;
use crate::risk::Risk;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A path parameter of an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamReport {
    pub name: String,
    #[serde(rename = "type")]
    pub schema_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A sensitive field with how often it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveReport {
    pub location: crate::sensitive::Location,
    pub path: String,
    pub kind: crate::sensitive::SensitiveKind,
    pub count: u64,
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointReport {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub method: String,
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphql_operation: Option<String>,
    pub params: Vec<ParamReport>,
    pub requests: u64,
    pub statuses: BTreeMap<u16, u64>,
    pub hosts: Vec<String>,
    /// `false`: a request without credentials succeeded; absent: no evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_required: Option<bool>,
    pub auth_kinds: Vec<String>,
    pub declared: bool,
    /// Present only when a spec was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<bool>,
    /// Present when a spec was declared or the server announced the
    /// endpoint's deprecation (`Deprecation`, `Sunset` headers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zombie: Option<bool>,
    pub sensitive: Vec<SensitiveReport>,
    pub function: BusinessFunction,
    /// The evidence that decided the function, e.g. `path ends with "login"`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub function_reason: String,
    pub findings: Vec<Finding>,
    pub risk: Risk,
    pub query_params: Value,
    pub request_headers: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<Value>,
    pub request_content_types: Vec<String>,
    pub response_content_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Requests per minute (`YYYY-MM-DDTHH:MM` as the records' times were
    /// written), oldest first, the latest minutes only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traffic: Vec<(String, u64)>,
    /// What the schemas above were learned from, for the gateway to turn
    /// into contracts (`[detect.learned]`); not part of the report's JSON.
    #[serde(skip)]
    pub evidence: LearnedEvidence,
}

/// The learned schemas with their counts, as the inventory holds them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LearnedEvidence {
    /// Distinct clients (up to `clients::MAX_COUNTED_CLIENTS`).
    pub clients: u64,
    /// Query parameters: an object sample per request.
    pub query: crate::schema::Schema,
    /// JSON bodies of requests that succeeded.
    pub request_body: Option<crate::schema::Schema>,
}

/// A declared operation no traffic reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrphanReport {
    pub method: String,
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    pub deprecated: bool,
    /// The business function its declaration alone gives (method, path,
    /// declared body fields): what policy acts on before the endpoint is
    /// first called, so a declared admin endpoint is protected from the
    /// first request.
    #[serde(default)]
    pub function: BusinessFunction,
}

/// Totals for the whole inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub records: u64,
    pub endpoints: usize,
    pub declared_operations: usize,
    pub shadow: usize,
    pub zombie: usize,
    pub orphan: usize,
    pub unauthenticated: usize,
    pub with_sensitive_data: usize,
    /// Words routed to a parameter because a tree bound was hit.
    pub overflowed_paths: u64,
    /// Requests answered 404 or 405 to paths no endpoint had: not learned.
    #[serde(default)]
    pub unrouted: u64,
    /// Findings by severity (`findings` of the report).
    #[serde(default)]
    pub findings: BTreeMap<Severity, usize>,
}

/// One finding of one endpoint, for the report's list of every finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingReport {
    /// The endpoint's id, as in `endpoints[].id`.
    pub endpoint: String,
    pub method: String,
    pub template: String,
    pub severity: Severity,
    /// `kind` and the evidence, as in `endpoints[].findings`.
    #[serde(flatten)]
    pub finding: Finding,
}

/// Every endpoint's findings, most severe first, in endpoint order within
/// a severity. Takes (id, method, template, findings) per endpoint.
pub fn findings_of<'a>(
    endpoints: impl Iterator<Item = (String, &'a str, &'a str, &'a [Finding])>,
) -> Vec<FindingReport> {
    let mut out: Vec<FindingReport> = endpoints
        .flat_map(|(id, method, template, findings)| {
            findings.iter().map(move |finding| FindingReport {
                endpoint: id.clone(),
                method: method.to_owned(),
                template: template.to_owned(),
                severity: finding.severity(),
                finding: finding.clone(),
            })
        })
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// How many findings there are of each severity present.
pub fn count_by_severity(findings: &[FindingReport]) -> BTreeMap<Severity, usize> {
    let mut counts = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.severity).or_default() += 1;
    }
    counts
}

/// The whole inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryReport {
    pub summary: Summary,
    pub endpoints: Vec<EndpointReport>,
    pub orphans: Vec<OrphanReport>,
    /// Every endpoint's findings, most severe first.
    #[serde(default)]
    pub findings: Vec<FindingReport>,
    /// Where learning folded values into parameters, and why.
    #[serde(default)]
    pub template_decisions: Vec<crate::tree::TemplateDecision>,
    /// Operators' decisions, in the order they were made.
    #[serde(default)]
    pub operator_decisions: Vec<crate::decisions::Decision>,
}
