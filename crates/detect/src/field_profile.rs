//! Learning what each field of each endpoint carries, from the traffic it
//! gets, so that detectors read a note as prose and an id as an id.
//!
//! A field that many clients fill with sentences is a free-text field: a
//! review that says "select the union of both lists and drop the
//! duplicates" is English, and only findings prose cannot produce should
//! count in full there. A field whose values all share one shape (UUIDs,
//! numbers, slugs) is an identifier: a value that breaks the shape is the
//! one worth a closer look. The declared spec rarely says either, so the
//! learner finds it out.
//!
//! # Model
//!
//! Per endpoint (method and path template, supplied by discovery) and per
//! field (query parameter, form field, JSON leaf with array items folded
//! together), a [`Profile`] keeps:
//! - the distinct clients seen, each with how many of its values were
//!   counted and whether any of them read as prose;
//! - how many values were counted, how many read as prose
//!   ([`shape::reads_as_prose`]), how many fit each identifier shape
//!   ([`Shape`]), and the longest.
//!
//! A field is [`Learned::FreeText`] when at least `quorum` distinct clients
//! sent prose in it and at least `prose_share` of its counted values are
//! prose; it is [`Learned::Identifier`] when at least `quorum` distinct
//! clients sent values and at least `identifier_share` of them fit one
//! shape (the most specific such shape is kept, with the longest value).
//! Anything else stays unknown and is read as it would be without context.
//!
//! # Guards against learning an attack as normal
//!
//! - The caller leaves out values that detection flagged (see
//!   [`FieldProfiles::observe_values`]), so an injection is never counted.
//! - Each client's weight is capped (`per_client_values` values per field):
//!   one busy client, or one attacker replaying a request, counts as one.
//! - A decision needs a quorum of distinct clients; one client cannot make
//!   a field prose, however much prose it sends.
//!
//! # Memory bound
//!
//! At most `max_endpoints` endpoints, `max_fields` fields per endpoint and
//! `max_clients` clients per field are kept; what comes beyond is counted in
//! [`Dropped`] and not learned. A profile is about `120 + 16 *
//! max_clients` bytes plus the field name, so the defaults (2,048
//! endpoints, 64 fields, 32 clients) bound the learner near 85 MB in the
//! worst case and to a few hundred kilobytes for a typical API. Field names
//! and templates longer than [`MAX_NAME`] bytes are not learned.

use crate::config::{Limits, Mode};
use crate::contract::{BodySchema, Breaches, EndpointContract, Enforcement, ParamIn, ParamSpec};
use crate::contract::{FieldKind, LearnedShape, TrafficContext, ValueType};
use crate::location::Location;
use crate::parse::content_type::{self, BodyKind};
use crate::parse::query::{self, Origin};
use crate::parse::{json, Collector, Value};
use crate::shape::{self, SHAPES};
use rampart_core::exchange::RequestView;
use std::collections::{BTreeMap, HashMap};

/// Longest field name or path template learned.
pub const MAX_NAME: usize = 512;
/// Deepest JSON path learned.
const MAX_STEPS: usize = 16;

/// How much the learner keeps and how sure it must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnLimits {
    pub max_endpoints: usize,
    pub max_fields: usize,
    pub max_clients: usize,
    /// Values of one client counted per field.
    pub per_client_values: u32,
    /// Distinct clients needed before a field's kind is decided.
    pub quorum: usize,
    /// Share of counted values that must read as prose for free text.
    pub prose_share: f64,
    /// Share of counted values that must fit one shape for an identifier.
    pub identifier_share: f64,
}

impl Default for LearnLimits {
    fn default() -> Self {
        LearnLimits {
            max_endpoints: 2048,
            max_fields: 64,
            max_clients: 32,
            per_client_values: 16,
            quorum: 5,
            prose_share: 0.5,
            identifier_share: 0.98,
        }
    }
}

/// One step of a field's path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Key(String),
    /// Any element of an array.
    Item,
}

/// A field of a request, as learned: array elements folded together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Query(String),
    Form(String),
    Json(Vec<Step>),
}

impl Field {
    /// The field a value's location names, if it is one the learner keeps
    /// (query, form and JSON values; not names, headers or decoded layers).
    pub fn of(location: &Location) -> Option<Field> {
        match location {
            Location::Query(n) if n.len() <= MAX_NAME => Some(Field::Query(n.clone())),
            Location::Form(n) if n.len() <= MAX_NAME => Some(Field::Form(n.clone())),
            Location::Json(p) if p.len() <= MAX_NAME => json_steps(p).map(Field::Json),
            _ => None,
        }
    }
}

/// `$.a.b[0]['c.d']` as steps; `None` for what the JSON walk never writes.
fn json_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if steps.len() == MAX_STEPS {
            return None;
        }
        if let Some(after) = rest.strip_prefix("['") {
            // Keys the walk quotes: `'` inside is escaped as `\'`.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '\'' if !escaped && after[i + 1..].starts_with(']') => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end?;
            steps.push(Step::Key(after[..end].replace("\\'", "'")));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            after[..end].parse::<usize>().ok()?;
            steps.push(Step::Item);
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Key(after[..end].to_owned()));
            rest = &after[end..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The values of a request the learner reads (query, and a JSON or form
/// body), decoded by the engine's own parsers within `limits`, so that they
/// are named and decoded as detectors will see them.
pub fn learnable_values(req: &RequestView<'_>, limits: &Limits) -> Vec<Value> {
    let mut sink = Collector::new(limits);
    query::parse(req.query.as_bytes(), Origin::Query, &mut sink);
    let body = req
        .body
        .map(|b| &b.bytes[..b.bytes.len().min(limits.max_body_bytes)])
        .filter(|b| !b.is_empty());
    let kind = req
        .header("content-type")
        .map(|v| content_type::parse(&String::from_utf8_lossy(v)).kind);
    match (body, kind) {
        (Some(bytes), Some(BodyKind::Form)) => query::parse(bytes, Origin::Form, &mut sink),
        (Some(bytes), Some(BodyKind::Json)) => {
            if let Some(values) = json::values_of(bytes, limits) {
                sink.values.extend(values);
            }
        }
        _ => {}
    }
    sink.values
}

/// What a field was learned to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learned {
    FreeText,
    Identifier(LearnedShape),
}

#[derive(Debug, Clone, Copy)]
struct Client {
    id: u64,
    values: u32,
    prose: bool,
}

/// What one field of one endpoint has carried.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    clients: Vec<Client>,
    values: u32,
    prose: u32,
    shapes: [u32; SHAPES.len()],
    longest: usize,
}

impl Profile {
    /// Counts one value of `client`; false when it was not counted (the
    /// client's weight is spent, or the field has all the clients it keeps).
    fn observe(&mut self, value: &str, client: u64, limits: &LearnLimits) -> bool {
        let index = match self.clients.iter().position(|c| c.id == client) {
            Some(i) => i,
            None if self.clients.len() < limits.max_clients => {
                self.clients.push(Client {
                    id: client,
                    values: 0,
                    prose: false,
                });
                self.clients.len() - 1
            }
            None => return false,
        };
        let entry = &mut self.clients[index];
        if entry.values >= limits.per_client_values {
            return false;
        }
        entry.values += 1;
        let prose = shape::reads_as_prose(value);
        entry.prose |= prose;
        self.values += 1;
        self.prose += u32::from(prose);
        for (count, shape) in self.shapes.iter_mut().zip(SHAPES) {
            *count += u32::from(shape.fits(value));
        }
        self.longest = self.longest.max(value.len());
        true
    }

    /// The field's kind, once a quorum of clients agrees.
    pub fn decide(&self, limits: &LearnLimits) -> Option<Learned> {
        if self.clients.len() < limits.quorum || self.values == 0 {
            return None;
        }
        let values = f64::from(self.values);
        let prose_clients = self.clients.iter().filter(|c| c.prose).count();
        if prose_clients >= limits.quorum && f64::from(self.prose) >= limits.prose_share * values {
            return Some(Learned::FreeText);
        }
        SHAPES
            .iter()
            .zip(self.shapes)
            .find(|(_, fit)| f64::from(*fit) >= limits.identifier_share * values)
            .map(|(shape, _)| {
                Learned::Identifier(LearnedShape {
                    shape: *shape,
                    longest: self.longest,
                })
            })
    }
}

/// Short words an endpoint's requests carried (path suffixes, media
/// types), each with the distinct clients that sent it, up to the quorum.
#[derive(Debug, Default)]
struct Tally {
    seen: Vec<(String, Vec<u64>)>,
}

/// Words kept per tally; more distinct ones are not learned.
const MAX_TALLY: usize = 16;
/// Longest word kept in a tally.
const MAX_WORD: usize = 64;

impl Tally {
    /// Counts `word` from `client`; false when the bound stopped it.
    fn add(&mut self, word: &str, client: u64, quorum: usize) -> bool {
        if word.len() > MAX_WORD {
            return false;
        }
        let index = match self.seen.iter().position(|(w, _)| w == word) {
            Some(i) => i,
            None if self.seen.len() < MAX_TALLY => {
                self.seen.push((word.to_owned(), Vec::new()));
                self.seen.len() - 1
            }
            None => return false,
        };
        let clients = &mut self.seen[index].1;
        if clients.len() < quorum && !clients.contains(&client) {
            clients.push(client);
        }
        true
    }

    /// The words a quorum of clients sent.
    fn agreed(&self, quorum: usize) -> Vec<String> {
        self.seen
            .iter()
            .filter(|(_, clients)| clients.len() >= quorum)
            .map(|(word, _)| word.clone())
            .collect()
    }
}

/// What one endpoint has carried: its fields, the suffixes of its last
/// path segment and its request media types.
#[derive(Debug, Default)]
struct EndpointProfile {
    fields: HashMap<Field, Profile>,
    path_suffixes: Tally,
    content_types: Tally,
}

/// What was decided about one endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointDecision {
    pub fields: BTreeMap<Field, Learned>,
    pub path_suffixes: Vec<String>,
    pub content_types: Vec<String>,
}

impl EndpointDecision {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.path_suffixes.is_empty() && self.content_types.is_empty()
    }
}

/// What the learner could not keep, by bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub endpoints: u64,
    pub fields: u64,
    pub values: u64,
}

/// The learned profiles of every endpoint's fields.
#[derive(Debug, Default)]
pub struct FieldProfiles {
    limits: LearnLimits,
    endpoints: HashMap<(String, String), EndpointProfile>,
    pub dropped: Dropped,
}

impl FieldProfiles {
    pub fn new(limits: LearnLimits) -> Self {
        FieldProfiles {
            limits,
            ..FieldProfiles::default()
        }
    }

    /// Counts the values of one request to `method template` from `client`,
    /// leaving out every value at a location in `flagged` (where detection
    /// found something).
    pub fn observe_values(
        &mut self,
        method: &str,
        template: &str,
        values: &[Value],
        flagged: &[&str],
        client: u64,
    ) {
        if template.len() > MAX_NAME || method.len() > 16 {
            self.dropped.values += values.len() as u64;
            return;
        }
        for value in values {
            let Some(field) = Field::of(&value.location) else {
                continue;
            };
            if flagged.contains(&value.location.to_string().as_str()) {
                continue;
            }
            self.observe(method, template, field, &value.decoded.text, client);
        }
    }

    /// Counts what a request to `method template` from `client` says about
    /// the endpoint itself: the suffix of its path's last segment (`com` in
    /// `/v2/domains/example.com`, percent-decoded and lower-cased) and its
    /// request media type. Call it only for requests that were not refused.
    pub fn observe_endpoint(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        media_type: Option<&str>,
        client: u64,
    ) {
        if template.len() > MAX_NAME || method.len() > 16 {
            return;
        }
        let quorum = self.limits.quorum;
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let mut decoded = Vec::new();
        rampart_core::form::decode_component(last.as_bytes(), &mut decoded);
        let last = String::from_utf8_lossy(&decoded).to_ascii_lowercase();
        let suffix = crate::contract::path_suffix(&last).map(str::to_owned);
        let Some(endpoint) = self.endpoint(method, template) else {
            return;
        };
        let mut kept = suffix.is_none_or(|s| endpoint.path_suffixes.add(&s, client, quorum));
        if let Some(media_type) = media_type {
            kept &= endpoint
                .content_types
                .add(&media_type.to_ascii_lowercase(), client, quorum);
        }
        if !kept {
            self.dropped.values += 1;
        }
    }

    /// The profile of an endpoint, made if the bound allows.
    fn endpoint(&mut self, method: &str, template: &str) -> Option<&mut EndpointProfile> {
        let key = (method.to_ascii_uppercase(), template.to_owned());
        let full = self.endpoints.len() >= self.limits.max_endpoints;
        if full && !self.endpoints.contains_key(&key) {
            self.dropped.endpoints += 1;
            return None;
        }
        Some(self.endpoints.entry(key).or_default())
    }

    /// Counts one value of `field`.
    pub fn observe(
        &mut self,
        method: &str,
        template: &str,
        field: Field,
        value: &str,
        client: u64,
    ) {
        let limits = self.limits;
        let Some(endpoint) = self.endpoint(method, template) else {
            return;
        };
        if endpoint.fields.len() >= limits.max_fields && !endpoint.fields.contains_key(&field) {
            self.dropped.fields += 1;
            return;
        }
        let profile = endpoint.fields.entry(field).or_default();
        if !profile.observe(value, client, &limits) {
            self.dropped.values += 1;
        }
    }

    /// What is decided, by endpoint (sorted); endpoints with nothing
    /// decided are left out.
    pub fn decisions(&self) -> BTreeMap<(String, String), EndpointDecision> {
        let quorum = self.limits.quorum;
        let mut out = BTreeMap::new();
        for (endpoint, profile) in &self.endpoints {
            let decision = EndpointDecision {
                fields: profile
                    .fields
                    .iter()
                    .filter_map(|(field, p)| Some((field.clone(), p.decide(&self.limits)?)))
                    .collect(),
                path_suffixes: profile.path_suffixes.agreed(quorum),
                content_types: profile.content_types.agreed(quorum),
            };
            if !decision.is_empty() {
                out.insert(endpoint.clone(), decision);
            }
        }
        out
    }

    /// The decisions as contracts that only tell detectors what fields are:
    /// every kind of breach is off, so a learned contract never refuses a
    /// request by itself.
    pub fn contracts(&self) -> Vec<EndpointContract> {
        self.decisions()
            .into_iter()
            .map(|((method, template), decision)| learned_contract(method, template, decision))
            .collect()
    }
}

/// Breaches a learned contract checks: none.
pub const CONTEXT_ONLY: Breaches = Breaches {
    unknown_properties: Enforcement::Off,
    unknown_parameters: Enforcement::Off,
    wrong_types: Enforcement::Off,
    missing_required: Enforcement::Off,
};

fn learned_contract(method: String, path: String, decision: EndpointDecision) -> EndpointContract {
    let mut params = Vec::new();
    let mut body: Option<BodySchema> = None;
    for (field, learned) in &decision.fields {
        let (kind, shape) = match learned {
            Learned::FreeText => (FieldKind::FreeText, None),
            Learned::Identifier(shape) => (FieldKind::Identifier, Some(*shape)),
        };
        match field {
            Field::Query(name) => params.push(ParamSpec {
                name: name.clone(),
                location: ParamIn::Query,
                value_type: ValueType::Any,
                required: false,
                max_length: None,
                minimum: None,
                maximum: None,
                kind: Some(kind),
                shape,
            }),
            Field::Form(name) => {
                let schema = body.get_or_insert_with(BodySchema::default);
                let leaf = schema.properties.entry(name.clone()).or_default();
                leaf.kind = Some(kind);
                leaf.shape = shape;
            }
            Field::Json(steps) => {
                let mut schema = body.get_or_insert_with(BodySchema::default);
                for step in steps {
                    schema = match step {
                        Step::Key(key) => schema.properties.entry(key.clone()).or_default(),
                        Step::Item => &mut **schema.items.get_or_insert_with(Box::default),
                    };
                }
                schema.kind = Some(kind);
                schema.shape = shape;
            }
        }
    }
    EndpointContract {
        method,
        path,
        mode: Mode::Monitor,
        params,
        body,
        breaches: Some(CONTEXT_ONLY),
        traffic: TrafficContext {
            learned_only: true,
            params: Vec::new(),
            path_suffixes: decision.path_suffixes,
            content_types: decision.content_types,
            learned_from: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Shape;

    fn kind_of(profiles: &FieldProfiles, template: &str, field: &Field) -> Option<Learned> {
        profiles
            .decisions()
            .into_iter()
            .find(|((_, t), _)| t == template)
            .and_then(|(_, decision)| decision.fields.get(field).copied())
    }

    fn learn(profiles: &mut FieldProfiles, field: &Field, values: &[(&str, u64)]) {
        for (value, client) in values {
            profiles.observe("POST", "/reviews/{id}", field.clone(), value, *client);
        }
    }

    const NOTES: [&str; 6] = [
        "Please select the union of both lists and drop the duplicates.",
        "Arrived late, but the box was intact and the bread was fresh.",
        "Lado realidad estados movimiento junto como democracia.",
        "Calme énergie été retirer devoir détruire prouver.",
        "Could you drop it by the back door from now on?",
        "Great service, will order again next week.",
    ];

    #[test]
    fn reads_json_paths_back_as_fields() {
        let steps = |p| json_steps(p).unwrap();
        assert_eq!(
            steps("$.items[3].name"),
            [
                Step::Key("items".into()),
                Step::Item,
                Step::Key("name".into())
            ]
        );
        assert_eq!(
            steps("$['a.b']['it\\'s']"),
            [Step::Key("a.b".into()), Step::Key("it's".into())]
        );
        assert_eq!(json_steps("$.a..b"), None);
        assert_eq!(json_steps("$['open"), None);
        assert_eq!(json_steps("x"), None);
        assert_eq!(json_steps(&"$.a".repeat(MAX_STEPS + 1)), None);
    }

    #[test]
    fn many_clients_writing_sentences_make_a_field_free_text() {
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let note = Field::Json(vec![Step::Key("note".into())]);
        let values: Vec<(&str, u64)> = NOTES
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i as u64))
            .collect();
        learn(&mut profiles, &note, &values);
        assert_eq!(
            kind_of(&profiles, "/reviews/{id}", &note),
            Some(Learned::FreeText)
        );
        let contract = &profiles.contracts()[0];
        assert_eq!(
            contract.field_kind(&Location::Json("$.note".into())),
            Some(FieldKind::FreeText)
        );
        assert_eq!(contract.breaches, Some(CONTEXT_ONLY));
    }

    #[test]
    fn one_client_cannot_make_a_field_prose_however_much_it_sends() {
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let q = Field::Query("q".into());
        for _ in 0..1000 {
            for note in NOTES {
                profiles.observe("GET", "/search", q.clone(), note, 7);
            }
        }
        // Three more clients: still one short of the quorum of prose writers.
        for client in 1..4 {
            profiles.observe("GET", "/search", q.clone(), NOTES[0], client);
        }
        assert_eq!(kind_of(&profiles, "/search", &q), None);
        assert!(
            profiles.dropped.values > 0,
            "the busy client's weight is capped"
        );
        profiles.observe("GET", "/search", q.clone(), NOTES[1], 5);
        assert_eq!(kind_of(&profiles, "/search", &q), Some(Learned::FreeText));
    }

    #[test]
    fn identifier_fields_keep_their_most_specific_shape() {
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let id = Field::Query("customer".into());
        let uuids = [
            "c74803e3-1ba1-4215-8228-3d15a9ec0806",
            "3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b",
            "00000000-0000-4000-8000-000000000001",
            "a1b2c3d4-e5f6-4789-8abc-def012345678",
            "deadbeef-cafe-4bad-8f00-0123456789ab",
        ];
        let values: Vec<(&str, u64)> = uuids
            .iter()
            .enumerate()
            .map(|(i, v)| (*v, i as u64))
            .collect();
        learn(&mut profiles, &id, &values);
        assert_eq!(
            kind_of(&profiles, "/reviews/{id}", &id).unwrap(),
            Learned::Identifier(LearnedShape {
                shape: Shape::Uuid,
                longest: 36
            })
        );
        // Mixed integers and slugs: the common shape is the slug.
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let values = [
            ("42", 1),
            ("acme-corp", 2),
            ("7", 3),
            ("blue-sky", 4),
            ("v2.1", 5),
        ];
        learn(&mut profiles, &id, &values);
        assert!(matches!(
            kind_of(&profiles, "/reviews/{id}", &id).unwrap(),
            Learned::Identifier(LearnedShape {
                shape: Shape::Slug,
                ..
            })
        ));
    }

    #[test]
    fn mixed_fields_stay_unknown() {
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let f = Field::Form("data".into());
        let values = [
            ("42", 1),
            (NOTES[0], 2),
            ("a=b&c", 3),
            ("x y", 4),
            ("{}", 5),
            ("7", 6),
        ];
        learn(&mut profiles, &f, &values);
        assert_eq!(kind_of(&profiles, "/reviews/{id}", &f), None);
    }

    #[test]
    fn path_suffixes_and_media_types_need_a_quorum_of_clients() {
        let mut profiles = FieldProfiles::new(LearnLimits::default());
        let template = "/v2/domains/{name}";
        for client in 0..4 {
            let path = format!("/v2/domains/shop{client}.example.COM");
            profiles.observe_endpoint("GET", template, &path, None, client);
            profiles.observe_endpoint(
                "GET",
                template,
                "/v2/domains/x.io",
                Some("application/X-Protobuf"),
                9,
            );
        }
        assert!(profiles.decisions().is_empty());
        profiles.observe_endpoint("GET", template, "/v2/domains/ann%40example.com", None, 4);
        let decided = profiles.decisions();
        let decision = &decided[&("GET".to_string(), template.to_string())];
        assert_eq!(decision.path_suffixes, ["com"]);
        assert!(
            decision.content_types.is_empty(),
            "one client sent protobuf"
        );
        let contract = &profiles.contracts()[0];
        assert!(contract.traffic.learned_only);
        assert!(contract.ends_in_a_value("example.com"));
        assert!(
            !contract.ends_in_a_value("backup.bak"),
            "a learned template alone is no exemption"
        );
    }

    #[test]
    fn memory_is_bounded_and_what_is_dropped_is_counted() {
        let limits = LearnLimits {
            max_endpoints: 2,
            max_fields: 2,
            max_clients: 3,
            ..LearnLimits::default()
        };
        let mut profiles = FieldProfiles::new(limits);
        for e in 0..5 {
            for f in 0..5 {
                for c in 0..5 {
                    profiles.observe(
                        "GET",
                        &format!("/e{e}"),
                        Field::Query(format!("f{f}")),
                        "1",
                        c,
                    );
                }
            }
        }
        assert_eq!(profiles.endpoints.len(), 2);
        assert!(profiles.endpoints.values().all(|e| e.fields.len() == 2));
        assert!(profiles
            .endpoints
            .values()
            .flat_map(|e| e.fields.values())
            .all(|p| p.clients.len() == 3));
        assert_eq!(
            profiles.dropped,
            Dropped {
                endpoints: 75,
                fields: 30,
                values: 8
            }
        );
    }
}
