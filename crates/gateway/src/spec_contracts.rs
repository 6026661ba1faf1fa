//! The declared spec as the detect stage's contracts.
//!
//! `[discovery] spec` already tells discovery what the API is declared to
//! be; this module makes the same declaration enforce itself, so that a
//! sign-up whose declared body has no `is_admin` refuses one (mass
//! assignment) without a hand-written `[[detect.contracts]]`. It lives in the
//! gateway because it is the one crate that sees both sides: discovery
//! parses the spec (`rampart_discover::spec`), detection checks contracts
//! (`rampart_detect::contract`), and neither depends on the other.
//!
//! What each kind of breach does comes from `[detect.spec]`. Object schemas
//! that list properties and do not say `additionalProperties` are closed:
//! for a request body, a property the spec never mentions is exactly what
//! mass assignment sends.

use rampart_detect::contract::{ParamIn, TrafficContext};
use rampart_detect::{BodySchema, DetectConfig, EndpointContract, Mode, ParamSpec, ValueType};
use rampart_discover::declared_schema::DeclaredSchema;
use rampart_discover::spec::{DeclaredOperation, DeclaredParam};
use rampart_discover::template::TemplateSegment;
use rampart_discover::DeclaredSpec;

/// Adds the spec's contracts after the hand-written ones (the engine takes
/// the first contract that matches, so a hand-written one for the same
/// endpoint wins), and reports undeclared endpoints as `[detect.spec]`
/// says unless `[detect] unknown_endpoint` says otherwise.
pub fn add_spec_contracts(config: &mut DetectConfig, spec: &DeclaredSpec) {
    let breaches = config.spec.breaches();
    let mut derived: Vec<(Vec<bool>, EndpointContract)> = spec
        .operations
        .iter()
        .map(|op| {
            let mut contract = contract_of(op);
            contract.breaches = Some(breaches);
            (specificity(op), contract)
        })
        .collect();
    // `/users/me` before `/users/{id}`: the engine stops at the first match.
    derived.sort_by(|(a, _), (b, _)| a.cmp(b));
    config
        .contracts
        .extend(derived.into_iter().map(|(_, contract)| contract));
    if !spec.operations.is_empty() {
        config
            .unknown_endpoint
            .get_or_insert(config.spec.undeclared_endpoints);
    }
}

/// Per segment, whether it is a parameter: literals sort first.
fn specificity(op: &DeclaredOperation) -> Vec<bool> {
    op.template
        .segments
        .iter()
        .map(|s| matches!(s, TemplateSegment::Param { .. }))
        .collect()
}

fn contract_of(op: &DeclaredOperation) -> EndpointContract {
    // Only whole-segment parameters (`/users/{id}`, not `/{sid}.json`) are
    // read back by name; the others still shape which paths match.
    let whole_segment = |p: &&DeclaredParam| {
        op.template.segments.iter().any(|s| {
            matches!(s, TemplateSegment::Param { name, prefix, suffix }
                if *name == p.name && prefix.is_empty() && suffix.is_empty())
        })
    };
    let path = op
        .path_params
        .iter()
        .filter(whole_segment)
        .map(|p| param(p, ParamIn::Path));
    let query = op.query_params.iter().map(|p| param(p, ParamIn::Query));
    EndpointContract {
        method: op.method.clone(),
        path: op.template.render(),
        mode: Mode::Enforce,
        params: path.chain(query).collect(),
        body: op.request_body.as_ref().map(body_schema),
        breaches: None,
        traffic: TrafficContext::default(),
    }
}

fn param(p: &DeclaredParam, location: ParamIn) -> ParamSpec {
    ParamSpec {
        name: p.name.clone(),
        location,
        value_type: value_type(p.schema_type.as_deref()),
        required: p.required,
        max_length: None,
        minimum: None,
        maximum: None,
        kind: None,
        shape: None,
    }
}

fn body_schema(declared: &DeclaredSchema) -> BodySchema {
    let closed_by_default = !declared.properties.is_empty();
    BodySchema {
        value_type: value_type(declared.schema_type.as_deref()),
        properties: declared
            .properties
            .iter()
            .map(|(name, schema)| (name.clone(), body_schema(schema)))
            .collect(),
        additional_properties: declared
            .additional_properties
            .or((closed_by_default).then_some(false)),
        items: declared.items.as_deref().map(|i| Box::new(body_schema(i))),
        required: declared.required.clone(),
        max_length: declared
            .max_length
            .map(|m| usize::try_from(m).unwrap_or(usize::MAX)),
        minimum: declared.minimum.as_ref().and_then(|n| n.as_f64()),
        maximum: declared.maximum.as_ref().and_then(|n| n.as_f64()),
        kind: None,
        shape: None,
        learned: None,
    }
}

/// A declared type name as a contract type; unknown names admit anything.
fn value_type(name: Option<&str>) -> ValueType {
    match name {
        Some("string") => ValueType::String,
        Some("integer") => ValueType::Integer,
        Some("number") => ValueType::Number,
        Some("boolean") => ValueType::Boolean,
        Some("object") => ValueType::Object,
        Some("array") => ValueType::Array,
        _ => ValueType::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_detect::{Enforcement, Location};

    const SPEC: &str = r#"
openapi: 3.0.3
paths:
  /users/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
  /users/me:
    get: {}
  /users:
    post:
      parameters: [{name: invite, in: query, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [username]
              properties:
                username: {type: string}
                age: {type: integer, minimum: 0}
                profile: {type: object}
                prefs: {type: object, additionalProperties: true, properties: {theme: {type: string}}}
"#;

    fn derived(hand: &str) -> DetectConfig {
        let mut config = DetectConfig::from_toml(hand).unwrap();
        add_spec_contracts(
            &mut config,
            &rampart_discover::parse_spec(SPEC.as_bytes()).unwrap(),
        );
        config
    }

    fn rules(contract: &EndpointContract, path: &str, body: serde_json::Value) -> Vec<String> {
        let mut out = Vec::new();
        contract.check(path, &[], Some(&body), &mut out);
        out.iter()
            .map(|(hit, location, _)| format!("{} {location}", hit.rule))
            .collect()
    }

    #[test]
    fn declared_bodies_are_closed_typed_and_required() {
        let config = derived("");
        let post = config
            .contracts
            .iter()
            .find(|c| c.matches("POST", "/users"))
            .unwrap();
        let body = serde_json::json!({
            "username": 5, "age": 3, "is_admin": true,
            "profile": {"anything": 1}, "prefs": {"font": "serif"}
        });
        assert_eq!(
            rules(post, "/users", body),
            [
                "contract.unexpected_property body$.is_admin",
                "contract.wrong_type body$.username",
            ]
        );
        assert_eq!(
            rules(post, "/users", serde_json::json!({"age": -1})),
            [
                "contract.missing_required body$",
                "contract.out_of_range body$.age"
            ]
        );
        assert_eq!(post.params[0].name, "invite");
        assert_eq!(
            config.unknown_endpoint,
            Some(Enforcement::Monitor),
            "undeclared endpoints are monitored by default"
        );
    }

    #[test]
    fn literal_paths_come_first_and_hand_written_contracts_win() {
        let config = derived(
            "[detect]\nunknown_endpoint = \"off\"\n[[detect.contracts]]\nmethod = \"POST\"\npath = \"/users\"\n",
        );
        let first = |method, path| {
            config
                .contracts
                .iter()
                .find(|c| c.matches(method, path))
                .unwrap()
        };
        assert_eq!(first("GET", "/users/me").path, "/users/me");
        assert_eq!(first("GET", "/users/7").path, "/users/{id}");
        let mut out = Vec::new();
        first("GET", "/users/x").check("/users/x", &[], None, &mut out);
        assert_eq!(out[0].1, Location::Path(Some(2)));
        let hand = first("POST", "/users");
        assert!(hand.breaches.is_none() && hand.body.is_none(), "{hand:?}");
        assert_eq!(config.unknown_endpoint, Some(Enforcement::Off));
    }
}
