//! Endpoint context learned from recorded traffic, for judging other
//! traffic offline (`rampart inspect --learn`).
//!
//! Discovery knows the endpoints (templates) and detection knows how a
//! request decomposes into fields; this module is where the two meet, as
//! `spec_contracts` is for a declared spec. It reads a run of records
//! twice: once to let discovery template the paths, once to profile each
//! endpoint's fields (`rampart_detect::field_profile`), and hands the
//! decisions to the detect engine as context-only contracts.
//!
//! What the learner must not learn is kept out here: a record the engine
//! blocks is not learned at all, and a value at a location where the engine
//! found anything is left out of its field's profile. The caller chooses
//! the judging engine; `rampart inspect` judges at paranoia 1 whatever
//! level it then inspects at, so that what only a stricter level finds
//! (a `.com` at the end of a path, a protobuf body) can be learned as what
//! the endpoint normally carries, while what the default level finds never
//! is.
//!
//! Clients are told apart by what the record carries, strongest first: the
//! client address; else a credential (`Authorization`, an API-key header,
//! the `Cookie` header); else the `User-Agent` with `Accept-Language`.
//! The last is a weak identity a single sender can vary, which is why it is
//! only a fallback for records without an address.

use rampart_core::exchange::RequestView;
use rampart_core::ExchangeRecord;
use rampart_detect::field_profile::{learnable_values, FieldProfiles, LearnLimits, Learned};
use rampart_detect::parse::content_type;
use rampart_detect::{EndpointContract, Engine};
use rampart_discover::Inventory;
use std::hash::{Hash, Hasher};

/// Headers that name the caller when no client address was recorded.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "api-key",
    "api_key",
    "apikey",
    "token",
    "x-auth-token",
    "cookie",
];

/// What a learning run read and decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LearnSummary {
    pub records: u64,
    /// Records the engine blocked, not learned from.
    pub blocked: u64,
    /// Records discovery could not place on an endpoint.
    pub unmatched: u64,
    pub endpoints: u64,
    pub free_text: u64,
    pub identifiers: u64,
    /// Path suffixes learned as values (`com` on `/v2/domains/{name}`).
    pub path_suffixes: u64,
    /// Request media types learned.
    pub content_types: u64,
}

/// Learns field context from `records` (in arrival order), judging each
/// with `engine` to keep attacks out.
pub fn learn(
    engine: &Engine,
    records: &[ExchangeRecord],
    limits: LearnLimits,
) -> (Vec<EndpointContract>, LearnSummary) {
    let mut summary = LearnSummary::default();
    let mut inventory = Inventory::new();
    for record in records {
        inventory.observe(record);
    }
    let matcher = inventory.compile();
    let mut profiles = FieldProfiles::new(limits);
    for record in records {
        summary.records += 1;
        let view = RequestView::from_record(record);
        let Some(endpoint) = matcher.find(&record.method, record.host.as_deref(), &record.path)
        else {
            summary.unmatched += 1;
            continue;
        };
        let verdict = engine.inspect(&view);
        if verdict.blocked {
            summary.blocked += 1;
            continue;
        }
        let flagged: Vec<&str> = verdict
            .detections
            .iter()
            .map(|d| d.location.as_str())
            .collect();
        let media_type = record
            .request_header("content-type")
            .map(|ct| content_type::parse(ct).media_type);
        profiles.observe_endpoint(
            &record.method,
            &endpoint.template,
            &record.path,
            media_type.as_deref(),
            client_key(record),
        );
        let values = learnable_values(&view, &engine.config().limits);
        profiles.observe_values(
            &record.method,
            &endpoint.template,
            &values,
            &flagged,
            client_key(record),
        );
    }
    for decision in profiles.decisions().values() {
        summary.endpoints += 1;
        summary.path_suffixes += decision.path_suffixes.len() as u64;
        summary.content_types += decision.content_types.len() as u64;
        for learned in decision.fields.values() {
            match learned {
                Learned::FreeText => summary.free_text += 1,
                Learned::Identifier(_) => summary.identifiers += 1,
            }
        }
    }
    (profiles.contracts(), summary)
}

/// Who sent a record, as well as the record tells (see the module docs).
pub fn client_key(record: &ExchangeRecord) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    if let Some(ip) = record.client_ip.as_deref().filter(|ip| !ip.is_empty()) {
        ("ip", ip).hash(&mut hasher);
        return hasher.finish();
    }
    let header = |name: &str| record.request_header(name).filter(|v| !v.is_empty());
    match CREDENTIAL_HEADERS.iter().find_map(|n| header(n)) {
        Some(credential) => ("credential", credential).hash(&mut hasher),
        None => (
            "agent",
            header("user-agent").unwrap_or_default(),
            header("accept-language").unwrap_or_default(),
        )
            .hash(&mut hasher),
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_detect::DetectConfig;

    fn record(line: String) -> ExchangeRecord {
        ExchangeRecord::from_json_line(line.as_bytes()).unwrap()
    }

    fn review(client: usize, id: u32, text: &str) -> ExchangeRecord {
        let body = serde_json::json!({ "rating": 4, "text": text }).to_string();
        record(
            serde_json::json!({
                "method": "PUT",
                "host": "api.test",
                "client_ip": format!("10.0.0.{client}"),
                "path": format!("/api/v1/reviews/{id}"),
                "request_headers": {"Content-Type": "application/json"},
                "request_body": body,
            })
            .to_string(),
        )
    }

    #[test]
    fn learns_prose_on_templated_endpoints_and_skips_what_the_engine_blocks() {
        let texts = [
            "Great bread, but please select a sturdier bag next time.",
            "The crust was perfect and the crumb was soft and airy.",
            "Delivery came late on Sunday, the driver was very kind.",
            "I would order this again for the office breakfast.",
            "Too salty for my taste, my children liked it though.",
            "Fresh every morning, the seeded one is my favourite loaf.",
        ];
        let mut records: Vec<ExchangeRecord> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| review(i, 100 + i as u32, t))
            .collect();
        records.push(review(9, 7, "1' UNION SELECT password FROM users--"));
        let engine = Engine::new(DetectConfig::default()).unwrap();
        let (contracts, summary) = learn(&engine, &records, LearnLimits::default());
        assert_eq!(summary.records, 7);
        assert_eq!(summary.blocked, 1);
        assert_eq!(summary.free_text, 1);
        assert_eq!(contracts.len(), 1, "{contracts:?}");
        let contract = &contracts[0];
        assert!(
            contract.matches("PUT", "/api/v1/reviews/55"),
            "{}",
            contract.path
        );
        assert_eq!(
            contract.field_kind(&rampart_detect::Location::Json("$.text".into())),
            Some(rampart_detect::FieldKind::FreeText)
        );
        // A review the plain engine refuses as a UNION read reads as prose now.
        let mut config = DetectConfig::default();
        rampart_detect::contract::add_learned(&mut config.contracts, contracts);
        let learned = Engine::new(config).unwrap();
        let look_alike = review(
            11,
            300,
            "We will union select the best apples from the farm; drop table cloths off too.",
        );
        let view = RequestView::from_record(&look_alike);
        assert!(engine.inspect(&view).blocked);
        assert!(!learned.inspect(&view).blocked);
    }

    #[test]
    fn clients_are_told_apart_by_address_then_credential_then_agent() {
        let base = |extra: &str| {
            record(format!(
                r#"{{"method":"GET","path":"/","request_headers":{{"User-Agent":"a/1"{extra}}}}}"#
            ))
        };
        let by_agent = client_key(&base(""));
        assert_eq!(by_agent, client_key(&base("")));
        let by_token = client_key(&base(r#","Authorization":"Bearer x""#));
        assert_ne!(by_token, by_agent);
        let mut with_ip = base(r#","Authorization":"Bearer x""#);
        with_ip.client_ip = Some("192.0.2.1".into());
        assert_ne!(client_key(&with_ip), by_token);
        let mut other_token_same_ip = base(r#","Authorization":"Bearer y""#);
        other_token_same_ip.client_ip = Some("192.0.2.1".into());
        assert_eq!(client_key(&with_ip), client_key(&other_token_same_ip));
    }
}
