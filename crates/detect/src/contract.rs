//! Contracts: what an endpoint is declared (OpenAPI) or learned (discovery)
//! to accept, checked value by value.
//!
//! These types are the input format; discovery's inventory converts into
//! them. A contract catches what signatures cannot: a wrong type, a value out
//! of range or too long, a property the endpoint never takes (mass
//! assignment: `"is_admin": true` on sign-up). It also tells detectors what
//! a field is (free text, URL, GraphQL) so they read it accordingly. Each
//! contract monitors (report only) or enforces; a contract derived from a
//! declared spec chooses per kind of breach (see [`Breaches`]).

use crate::config::{template_matches, Mode};
use crate::detectors::protocol::Finding;
use crate::detectors::FieldContext;
use crate::detectors::Hit;
use crate::location::Location;
use crate::shape::Shape;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// What one kind of contract breach does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// Scored like an attack: blocks when the endpoint enforces.
    Enforce,
    /// Recorded as what enforce mode would have done (`would_block`).
    Monitor,
    /// Not checked.
    Off,
}

impl From<Mode> for Enforcement {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Enforce => Enforcement::Enforce,
            Mode::Monitor => Enforcement::Monitor,
        }
    }
}

/// The kinds of breach a contract tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// A body property the schema does not list (mass assignment).
    UnknownProperty,
    /// A query parameter the endpoint does not declare.
    UnknownParameter,
    /// A value of another type, out of range or too long.
    WrongType,
    /// A required property or parameter absent.
    MissingRequired,
}

/// What the rules of a contract learned from traffic start with: events
/// say the contract was learned, and the gateway does not learn from a
/// request that broke one (`contract.learned.unexpected_property`).
pub const LEARNED_RULE_PREFIX: &str = "contract.learned.";

/// The rule a breach of a learned contract reports.
fn learned_rule(rule: &'static str) -> &'static str {
    match rule {
        "contract.unexpected_property" => "contract.learned.unexpected_property",
        "contract.unknown_parameter" => "contract.learned.unknown_parameter",
        "contract.missing_required" => "contract.learned.missing_required",
        "contract.wrong_type" => "contract.learned.wrong_type",
        "contract.out_of_range" => "contract.learned.out_of_range",
        "contract.too_long" => "contract.learned.too_long",
        other => other,
    }
}

impl Breach {
    /// The kind of breach a contract rule reports.
    fn of_rule(rule: &str) -> Breach {
        match rule {
            "contract.unexpected_property" => Breach::UnknownProperty,
            "contract.unknown_parameter" => Breach::UnknownParameter,
            "contract.missing_required" => Breach::MissingRequired,
            _ => Breach::WrongType,
        }
    }
}

/// What each kind of breach does, for contracts that tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaches {
    pub unknown_properties: Enforcement,
    pub unknown_parameters: Enforcement,
    pub wrong_types: Enforcement,
    pub missing_required: Enforcement,
}

impl Breaches {
    pub fn of(&self, breach: Breach) -> Enforcement {
        match breach {
            Breach::UnknownProperty => self.unknown_properties,
            Breach::UnknownParameter => self.unknown_parameters,
            Breach::WrongType => self.wrong_types,
            Breach::MissingRequired => self.missing_required,
        }
    }
}

/// `[detect.spec]`: how the contracts the gateway derives from the declared
/// spec (`[discovery] spec`) are enforced, per kind of breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpecEnforcement {
    /// Body properties the operation's schema does not list.
    pub unknown_properties: Enforcement,
    /// Query parameters the operation does not declare.
    pub unknown_parameters: Enforcement,
    /// Values of another type, out of the declared range, or too long.
    pub wrong_types: Enforcement,
    /// Required body properties and query parameters that are absent.
    pub missing_required: Enforcement,
    /// Requests to a method and path the spec does not declare.
    pub undeclared_endpoints: Enforcement,
}

impl Default for SpecEnforcement {
    /// Enforced where a breach is an attack or a broken client on the face
    /// of it (an extra property, a wrong type); monitored where the spec is
    /// more often behind the deployment than the client is wrong.
    fn default() -> Self {
        SpecEnforcement {
            unknown_properties: Enforcement::Enforce,
            unknown_parameters: Enforcement::Monitor,
            wrong_types: Enforcement::Enforce,
            missing_required: Enforcement::Monitor,
            undeclared_endpoints: Enforcement::Monitor,
        }
    }
}

impl SpecEnforcement {
    /// The per-contract part.
    pub fn breaches(&self) -> Breaches {
        Breaches {
            unknown_properties: self.unknown_properties,
            unknown_parameters: self.unknown_parameters,
            wrong_types: self.wrong_types,
            missing_required: self.missing_required,
        }
    }
}

/// The hit a breach scores under `enforcement` (`None`: not checked).
pub fn breach_hit(rule: &'static str, enforcement: Enforcement, confidence: f64) -> Option<Hit> {
    let hit = Hit::new(rule, 5.0, confidence, 1);
    match enforcement {
        Enforcement::Enforce => Some(hit),
        Enforcement::Monitor => Some(hit.monitored()),
        Enforcement::Off => None,
    }
}

/// JSON-schema-like value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    #[default]
    Any,
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl ValueType {
    /// The JSON Schema name (`any` admits every value).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Any => "any",
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Number => "number",
            ValueType::Boolean => "boolean",
            ValueType::Object => "object",
            ValueType::Array => "array",
        }
    }
}

/// What a field carries, which changes how detectors read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Prose written by people: only findings prose cannot produce count fully.
    FreeText,
    /// A URL the application fetches or stores: public URLs are expected.
    Url,
    /// A GraphQL document: parsed as GraphQL.
    Graphql,
    /// An identifier (id, slug): anything but its expected shape stands out.
    Identifier,
}

/// The shape an identifier field was learned to have (`field_profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnedShape {
    pub shape: Shape,
    /// The longest value learned.
    pub longest: usize,
}

impl LearnedShape {
    /// Whether `value` is not what the field carries: another shape, or
    /// far longer than anything learned.
    pub fn broken_by(&self, value: &str) -> bool {
        let bound = self.longest.saturating_mul(2).max(self.longest + 16);
        !self.shape.fits(value) || value.len() > bound
    }
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    Query,
    Path,
    Header,
    Cookie,
}

/// One declared parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "in")]
    pub location: ParamIn,
    #[serde(rename = "type", default)]
    pub value_type: ValueType,
    #[serde(default)]
    pub required: bool,
    pub max_length: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub kind: Option<FieldKind>,
    /// Learned from traffic, never configured.
    #[serde(skip)]
    pub shape: Option<LearnedShape>,
}

/// A body schema: a small subset of JSON Schema.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct BodySchema {
    #[serde(rename = "type")]
    pub value_type: ValueType,
    pub properties: BTreeMap<String, BodySchema>,
    /// False: a property not listed is unexpected (mass assignment).
    pub additional_properties: Option<bool>,
    pub items: Option<Box<BodySchema>>,
    pub required: Vec<String>,
    pub max_length: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub kind: Option<FieldKind>,
    /// Learned from traffic, never configured.
    #[serde(skip)]
    pub shape: Option<LearnedShape>,
    /// What traffic showed at this location, when the schema was learned
    /// from it (`[detect.learned]`): breaches quote it.
    #[serde(skip)]
    pub learned: Option<LearnedCounts>,
}

/// What a learned schema node was learned from, for explaining a breach.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LearnedCounts {
    /// Training samples in which the location was present (for an object:
    /// held an object).
    pub samples: u64,
    /// Properties seen too rarely to be learned, with how often they were.
    pub rare: Vec<(String, u64)>,
}

impl LearnedCounts {
    /// How often a property not learned was seen nonetheless.
    fn seen(&self, property: &str) -> u64 {
        self.rare
            .iter()
            .find(|(name, _)| name == property)
            .map_or(0, |(_, count)| *count)
    }
}

/// The contract of one endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointContract {
    pub method: String,
    /// Path template, e.g. `/users/{id}`.
    pub path: String,
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    pub body: Option<BodySchema>,
    /// Per kind of breach, instead of `mode` (set on contracts derived from
    /// a declared spec, from `[detect.spec]`).
    #[serde(skip)]
    pub breaches: Option<Breaches>,
    /// What traffic taught about the endpoint beyond this contract.
    #[serde(skip)]
    pub traffic: TrafficContext,
}

/// What the endpoint's own traffic showed, from a quorum of clients whose
/// requests were not refused (`field_profile`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrafficContext {
    /// The contract itself was learned, not declared or configured.
    pub learned_only: bool,
    /// Parameters the contract does not list: they tell detectors what a
    /// field is and are never checked (listing them would make every other
    /// parameter unknown).
    pub params: Vec<ParamSpec>,
    /// Suffixes (after the last `.`, lower case) the last path segment
    /// carried: `com` for `/v2/domains/example.com`.
    pub path_suffixes: Vec<String>,
    /// Request media types (`application/x-protobuf`).
    pub content_types: Vec<String>,
    /// The contract was learned by the live inventory (`[detect.learned]`)
    /// from this much traffic.
    pub learned_from: Option<LearnedFrom>,
}

/// How much traffic a learned contract rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnedFrom {
    pub requests: u64,
    /// Distinct clients (counted up to a bound).
    pub clients: u64,
}

const MAX_SCHEMA_DEPTH: usize = 64;

/// The suffix of a path segment after its last `.` (`com` in
/// `example.com`), when there is one of at most 16 letters and digits.
pub fn path_suffix(segment: &str) -> Option<&str> {
    let (_, suffix) = segment.rsplit_once('.')?;
    (!suffix.is_empty() && suffix.len() <= 16 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(suffix)
}

/// Adds learned kinds to the schema where it says none, following only
/// properties it already has (a learned property would change what a
/// closed schema admits).
fn absorb_schema(own: &mut BodySchema, learned: &BodySchema, depth: usize) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    if own.kind.is_none() {
        own.kind = learned.kind;
        own.shape = learned.shape;
    }
    for (name, child) in &learned.properties {
        if let Some(own_child) = own.properties.get_mut(name) {
            absorb_schema(own_child, child, depth + 1);
        }
    }
    if let (Some(own_items), Some(items)) = (&mut own.items, &learned.items) {
        absorb_schema(own_items, items, depth + 1);
    }
}

/// Adds learned contracts to `contracts`: into the first contract that
/// matches the same endpoint (declared kinds win), else after them.
pub fn add_learned(contracts: &mut Vec<EndpointContract>, learned: Vec<EndpointContract>) {
    for contract in learned {
        match contracts
            .iter_mut()
            .find(|c| c.matches(&contract.method, &contract.path))
        {
            Some(own) => own.absorb_learned(&contract),
            None => contracts.push(contract),
        }
    }
}

impl EndpointContract {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && template_matches(&self.path, path)
    }

    /// `POST /users`: how reasons name the endpoint whose contract broke
    /// (and, for a learned one, what it was learned from).
    pub fn label(&self) -> String {
        let method = self.method.to_ascii_uppercase();
        match self.traffic.learned_from {
            Some(LearnedFrom { requests, clients }) => format!(
                "{method} {} (learned from {requests} requests by {clients} clients)",
                self.path
            ),
            None => format!("{method} {}", self.path),
        }
    }

    fn enforcement(&self, rule: &str) -> Enforcement {
        match &self.breaches {
            Some(breaches) => breaches.of(Breach::of_rule(rule)),
            None => self.mode.into(),
        }
    }

    /// What is known about the field at `location`.
    pub fn field_kind(&self, location: &Location) -> Option<FieldKind> {
        self.field_context(location).kind
    }

    /// What is known about the field at `location`: its kind and, for a
    /// learned identifier, its shape. A value decoded out of another (a
    /// base64 layer) keeps the field's kind but not its shape.
    pub fn field_context(&self, location: &Location) -> FieldContext {
        let (kind, shape) = match location {
            Location::Query(n) => self.param_context(ParamIn::Query, n),
            Location::Header(n) => self.param_context(ParamIn::Header, n),
            Location::Cookie(n) => self.param_context(ParamIn::Cookie, n),
            Location::Json(path) | Location::Form(path) => self
                .body_field(path)
                .map_or((None, None), |s| (s.kind, s.shape)),
            Location::Decoded(inner, _) => (self.field_context(inner).kind, None),
            _ => (None, None),
        };
        FieldContext {
            kind,
            shape,
            people_write: kind == Some(FieldKind::FreeText),
        }
    }

    fn param_context(
        &self,
        location: ParamIn,
        name: &str,
    ) -> (Option<FieldKind>, Option<LearnedShape>) {
        let learned = || {
            self.traffic
                .params
                .iter()
                .find(|p| p.location == location && p.name == name)
        };
        self.param(location, name)
            .filter(|p| p.kind.is_some())
            .or_else(learned)
            .map_or((None, None), |p| (p.kind, p.shape))
    }

    /// Whether the last path segment of a request is a value rather than a
    /// file name: a declared template has a parameter there
    /// (`/domains/{name}` takes `example.com`), or the endpoint's traffic
    /// carried the segment's suffix there. A learned template alone does
    /// not say so: discovery also templates a file server's paths.
    pub fn ends_in_a_value(&self, last_segment: &str) -> bool {
        let declared_parameter = !self.traffic.learned_only
            && self
                .path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .is_some_and(|s| s.contains('{'));
        declared_parameter
            || path_suffix(last_segment).is_some_and(|suffix| {
                self.traffic
                    .path_suffixes
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(suffix))
            })
    }

    /// Whether the endpoint's traffic carried this request media type.
    pub fn takes_content_type(&self, media_type: &str) -> bool {
        self.traffic
            .content_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(media_type))
    }

    /// Adds the fields of `learned` (the same endpoint, learned from
    /// traffic) whose kind this contract does not already say; what was
    /// declared or configured wins.
    pub fn absorb_learned(&mut self, learned: &EndpointContract) {
        for param in &learned.params {
            match self
                .params
                .iter_mut()
                .find(|p| p.location == param.location && p.name == param.name)
            {
                Some(own) if own.kind.is_none() => {
                    own.kind = param.kind;
                    own.shape = param.shape;
                }
                Some(_) => {}
                None => self.traffic.params.push(param.clone()),
            }
        }
        let traffic = &learned.traffic;
        self.traffic
            .path_suffixes
            .extend(traffic.path_suffixes.iter().cloned());
        self.traffic
            .content_types
            .extend(traffic.content_types.iter().cloned());
        if let Some(body) = &learned.body {
            match &mut self.body {
                Some(own) => absorb_schema(own, body, 0),
                None => self.body = Some(body.clone()),
            }
        }
    }

    fn param(&self, location: ParamIn, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| {
            p.location == location
                && (p.name == name
                    || (location == ParamIn::Header && p.name.eq_ignore_ascii_case(name)))
        })
    }

    /// The schema of a body field by JSONPath (`$.a.b[0].c`) or form name.
    fn body_field(&self, path: &str) -> Option<&BodySchema> {
        let mut schema = self.body.as_ref()?;
        let rest = path.strip_prefix('$').unwrap_or(path);
        for part in rest.split(['.', '[']).filter(|p| !p.is_empty()) {
            schema = if part.ends_with(']') {
                let key = part.trim_end_matches(']').trim_matches('\'');
                match key.parse::<usize>() {
                    Ok(_) => schema.items.as_deref()?,
                    Err(_) => schema.properties.get(key)?,
                }
            } else {
                schema.properties.get(part)?
            };
        }
        Some(schema)
    }

    /// Checks query and path parameters and a JSON body against the contract;
    /// each breach is scored as its kind is enforced.
    pub fn check(
        &self,
        path: &str,
        query: &[(String, String)],
        body: Option<&Json>,
        out: &mut Vec<Finding>,
    ) {
        let mut found = Vec::new();
        self.check_all(path, query, body, &mut found);
        let learned = self.traffic.learned_from.is_some();
        out.extend(found.into_iter().filter_map(|(rule, location, text)| {
            let enforcement = self.enforcement(rule);
            let rule = if learned { learned_rule(rule) } else { rule };
            breach_hit(rule, enforcement, 0.8).map(|hit| (hit, location, text))
        }));
    }

    fn check_all(
        &self,
        path: &str,
        query: &[(String, String)],
        body: Option<&Json>,
        out: &mut Vec<Breached>,
    ) {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let template: Vec<&str> = self.path.trim_end_matches('/').split('/').collect();
        for spec in &self.params {
            let value = match spec.location {
                ParamIn::Query => query
                    .iter()
                    .find(|(n, _)| *n == spec.name)
                    .map(|(_, v)| v.as_str()),
                ParamIn::Path => template
                    .iter()
                    .position(|t| *t == format!("{{{}}}", spec.name))
                    .and_then(|i| segments.get(i).copied()),
                _ => continue,
            };
            let location = match spec.location {
                ParamIn::Path => Location::Path(
                    template
                        .iter()
                        .position(|t| *t == format!("{{{}}}", spec.name)),
                ),
                _ => Location::Query(spec.name.clone()),
            };
            match value {
                None if spec.required => {
                    out.push(("contract.missing_required", location, spec.name.clone()))
                }
                None => {}
                Some(v) => {
                    if let Some(rule) = check_text(
                        v,
                        spec.value_type,
                        spec.max_length,
                        spec.minimum,
                        spec.maximum,
                    ) {
                        out.push((rule, location, v.to_owned()));
                    }
                }
            }
        }
        if query.iter().any(|_| true) && !self.params.is_empty() {
            for (name, value) in query {
                let base = name.split('[').next().unwrap_or(name);
                if self.param(ParamIn::Query, base).is_none() {
                    out.push((
                        "contract.unknown_parameter",
                        Location::Query(name.clone()),
                        value.clone(),
                    ));
                }
            }
        }
        if let (Some(schema), Some(doc)) = (&self.body, body) {
            let mut path = String::from("$");
            check_json(schema, doc, &mut path, 0, out);
        }
    }
}

/// Checks a textual value (query or path) against a type and bounds.
fn check_text(
    v: &str,
    ty: ValueType,
    max_length: Option<usize>,
    min: Option<f64>,
    max: Option<f64>,
) -> Option<&'static str> {
    let number = match ty {
        ValueType::Integer => Some(v.parse::<i64>().ok().map(|n| n as f64).ok_or(())),
        ValueType::Number => Some(v.parse::<f64>().ok().filter(|f| f.is_finite()).ok_or(())),
        ValueType::Boolean => {
            return (!matches!(v, "true" | "false" | "1" | "0")).then_some("contract.wrong_type")
        }
        _ => None,
    };
    match number {
        Some(Err(())) => return Some("contract.wrong_type"),
        Some(Ok(n)) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => {
            return Some("contract.out_of_range")
        }
        _ => {}
    }
    max_length
        .filter(|m| v.chars().count() > *m)
        .map(|_| "contract.too_long")
}

/// A breach before it is scored: rule, where, and the value.
type Breached = (&'static str, Location, String);

fn check_json(
    schema: &BodySchema,
    value: &Json,
    path: &mut String,
    depth: usize,
    out: &mut Vec<Breached>,
) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let type_ok = match (schema.value_type, value) {
        (ValueType::Any, _) => true,
        (ValueType::String, Json::String(_)) | (ValueType::Boolean, Json::Bool(_)) => true,
        (ValueType::Object, Json::Object(_)) | (ValueType::Array, Json::Array(_)) => true,
        (ValueType::Number, Json::Number(_)) => true,
        (ValueType::Integer, Json::Number(n)) => n.is_i64() || n.is_u64(),
        _ => false,
    };
    let location = || Location::Json(path.clone());
    if !type_ok {
        let text = match schema.learned {
            Some(_) => format!("learned {}: {value}", schema.value_type.name()),
            None => value.to_string(),
        };
        out.push(("contract.wrong_type", location(), text));
        return;
    }
    match value {
        Json::String(s) if schema.max_length.is_some_and(|m| s.chars().count() > m) => {
            out.push(("contract.too_long", location(), s.clone()));
        }
        Json::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if schema.minimum.is_some_and(|m| f < m) || schema.maximum.is_some_and(|m| f > m) {
                out.push(("contract.out_of_range", location(), n.to_string()));
            }
        }
        Json::Object(map) => {
            for name in &schema.required {
                if !map.contains_key(name) {
                    out.push(("contract.missing_required", location(), name.clone()));
                }
            }
            for (key, child) in map {
                let len = path.len();
                crate::parse::json::push_key(path, key);
                match schema.properties.get(key) {
                    Some(child_schema) => check_json(child_schema, child, path, depth + 1, out),
                    None if schema.additional_properties == Some(false) => {
                        let text = match &schema.learned {
                            Some(learned) => format!(
                                "seen in {} of {}: {key}={child}",
                                learned.seen(key),
                                learned.samples
                            ),
                            None => format!("{key}={child}"),
                        };
                        out.push((
                            "contract.unexpected_property",
                            Location::Json(path.clone()),
                            text,
                        ));
                    }
                    None => {}
                }
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    check_json(item_schema, item, path, depth + 1, out);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signup() -> EndpointContract {
        toml::from_str(
            r#"
            method = "POST"
            path = "/users/{org}"
            params = [{ name = "org", in = "path", type = "integer", maximum = 1000 }]
            [body]
            type = "object"
            additional_properties = false
            required = ["email"]
            properties.email = { type = "string", max_length = 50 }
            properties.bio = { type = "string", kind = "free_text" }
            properties.age = { type = "integer", minimum = 0, maximum = 150 }
            "#,
        )
        .unwrap()
    }

    #[test]
    fn finds_mass_assignment_types_ranges_and_lengths() {
        let c = signup();
        let body: Json =
            serde_json::from_str(r#"{"email":"a@b.c","age":200,"is_admin":true}"#).unwrap();
        let mut out = Vec::new();
        c.check("/users/2000", &[], Some(&body), &mut out);
        let rules: Vec<&str> = out.iter().map(|(h, _, _)| h.rule).collect();
        assert!(rules.contains(&"contract.unexpected_property"), "{rules:?}");
        assert!(rules.contains(&"contract.out_of_range"), "{rules:?}");
        assert_eq!(
            rules
                .iter()
                .filter(|r| **r == "contract.out_of_range")
                .count(),
            2
        );
        let mut out = Vec::new();
        c.check(
            "/users/x",
            &[],
            Some(&serde_json::json!({"email": 5})),
            &mut out,
        );
        let rules: Vec<&str> = out.iter().map(|(h, _, _)| h.rule).collect();
        assert_eq!(rules, ["contract.wrong_type", "contract.wrong_type"]);
    }

    #[test]
    fn each_kind_of_breach_is_enforced_monitored_or_off_as_chosen() {
        let mut c = signup();
        c.params
            .push(toml::from_str("name = \"page\"\nin = \"query\"\ntype = \"integer\"").unwrap());
        c.breaches = Some(Breaches {
            unknown_properties: Enforcement::Enforce,
            unknown_parameters: Enforcement::Off,
            wrong_types: Enforcement::Monitor,
            missing_required: Enforcement::Off,
        });
        let body = serde_json::json!({"age": "old", "is_admin": true});
        let query = [("page".into(), "two".into()), ("utm".into(), "x".into())];
        let mut out = Vec::new();
        c.check("/users/7", &query, Some(&body), &mut out);
        let seen: Vec<(&str, bool, String)> = out
            .iter()
            .map(|(h, l, _)| (h.rule, h.monitor_only, l.to_string()))
            .collect();
        assert_eq!(
            seen,
            [
                ("contract.wrong_type", true, "query.page".to_string()),
                ("contract.wrong_type", true, "body$.age".to_string()),
                (
                    "contract.unexpected_property",
                    false,
                    "body$.is_admin".to_string()
                ),
            ]
        );
        assert!(out.iter().all(|(h, _, _)| h.score == 5.0));
        assert_eq!(c.label(), "POST /users/{org}");
    }

    #[test]
    fn a_contract_in_monitor_mode_scores_what_it_would_block() {
        let mut c = signup();
        c.mode = Mode::Monitor;
        let mut out = Vec::new();
        let body = serde_json::json!({"email": "a@b.c", "is_admin": true});
        c.check("/users/1", &[], Some(&body), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].0.monitor_only && out[0].0.score == 5.0);
    }

    #[test]
    fn knows_field_kinds() {
        let c = signup();
        assert_eq!(
            c.field_kind(&Location::Json("$.bio".into())),
            Some(FieldKind::FreeText)
        );
        assert_eq!(c.field_kind(&Location::Json("$.email".into())), None);
        assert!(c.matches("post", "/users/7"));
    }
}
