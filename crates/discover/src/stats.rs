//! Everything learned about one endpoint (one method on one template).
//!
//! Observations fold in one at a time; two endpoints' stats merge when
//! templating or an operator joins them. All collections are bounded and a
//! bound that is hit is counted; they are small sorted vectors, since an
//! inventory holds one set of them per endpoint.

use crate::auth::CredentialSet;
use crate::clients::DistinctClients;
use crate::findings::{self, Finding};
use crate::observation::Observation;
use crate::schema::Schema;
use crate::sensitive::{self, Location, SensitiveKind};
use crate::vecmap::{VecMap, VecSet};
use serde::{Deserialize, Serialize};

/// Distinct statuses, hosts, content types, findings and sensitive fields kept.
const MAX_STATUSES: usize = 32;
const MAX_HOSTS: usize = 8;
const MAX_CONTENT_TYPES: usize = 8;
const MAX_FINDINGS: usize = 32;
const MAX_SENSITIVE_FIELDS: usize = 128;

/// Request headers that say nothing about the API's contract.
const TRANSPORT_HEADERS: &[&str] = &[
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "date",
    "cache-control",
    "pragma",
    "te",
    "upgrade",
    "via",
    "x-request-id",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
    "origin",
    "referer",
    "authorization",
    "keep-alive",
    "if-none-match",
    "if-modified-since",
    "traceparent",
    "tracestate",
];

/// One sensitive field: where, at which JSONPath, of which kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SensitiveField {
    pub location: Location,
    pub path: String,
    pub kind: SensitiveKind,
}

/// Requests with and without credentials, and how they were answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthStats {
    pub kinds: CredentialSet,
    pub with_credentials: u64,
    pub without_credentials: u64,
    /// Successful answers to requests that carried no credential.
    pub unauthenticated_successes: u64,
    pub authenticated_successes: u64,
    /// 401/403 answers to requests without credentials.
    pub rejected_without_credentials: u64,
}

impl AuthStats {
    /// `Some(false)` once a request without credentials succeeded, `Some(true)`
    /// when every answered request carried credentials or was refused, `None`
    /// without evidence either way.
    pub fn auth_required(&self) -> Option<bool> {
        if self.unauthenticated_successes > 0 {
            Some(false)
        } else if self.authenticated_successes > 0 || self.rejected_without_credentials > 0 {
            Some(true)
        } else {
            None
        }
    }

    fn merge(&mut self, o: &AuthStats) {
        self.kinds = self.kinds.union(o.kinds);
        self.with_credentials += o.with_credentials;
        self.without_credentials += o.without_credentials;
        self.unauthenticated_successes += o.unauthenticated_successes;
        self.authenticated_successes += o.authenticated_successes;
        self.rejected_without_credentials += o.rejected_without_credentials;
    }
}

/// What one endpoint has shown so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointStats {
    pub requests: u64,
    pub statuses: VecMap<u16, u64>,
    pub hosts: VecSet<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Requests per minute, the latest minutes only.
    #[serde(default)]
    pub minutes: crate::traffic::MinuteCounts,
    /// Boxed, as the bodies' schemas are: endpoints are kept in vectors
    /// with spare room, so what is inline here is paid for more than once.
    pub query: Box<Schema>,
    pub headers: Box<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<Box<Schema>>,
    /// Schema of successful (2xx) JSON answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<Box<Schema>>,
    pub request_content_types: VecSet<Box<str>>,
    pub response_content_types: VecSet<Box<str>>,
    pub auth: AuthStats,
    /// Sensitive fields with how many times each was seen.
    #[serde(with = "sensitive_map")]
    pub sensitive: VecMap<SensitiveField, u64>,
    pub findings: VecSet<Finding>,
    /// The server answered with a `Deprecation` (RFC 9745) or `Sunset`
    /// (RFC 8594) header: it declares the endpoint deprecated itself.
    #[serde(default)]
    pub deprecation_announced: bool,
    /// Bounds hit (values not kept), for operators.
    pub dropped: u64,
    /// Who called the endpoint: evidence for learned contracts.
    #[serde(default)]
    pub clients: DistinctClients,
}

impl EndpointStats {
    /// Folds one observation in.
    pub fn observe(&mut self, obs: &Observation<'_>) {
        let record = obs.record;
        self.requests += 1;
        if let Some(client) = &record.client_ip {
            self.clients.observe(client);
        }
        if let Some(status) = record.status {
            bounded_count(&mut self.statuses, status, MAX_STATUSES, &mut self.dropped);
        }
        if let Some(host) = &record.host {
            bounded_insert(&mut self.hosts, host, MAX_HOSTS, &mut self.dropped);
        }
        if let Some(ts) = &record.ts {
            self.minutes.add(ts, 1);
            // `clone_from` reuses the stored buffer: the last-seen time
            // moves on almost every record.
            match &mut self.first_seen {
                Some(first) if ts < first => first.clone_from(ts),
                Some(_) => {}
                None => self.first_seen = Some(ts.clone()),
            }
            match &mut self.last_seen {
                Some(last) if ts > last => last.clone_from(ts),
                Some(_) => {}
                None => self.last_seen = Some(ts.clone()),
            }
        }
        let success = obs.succeeded() || record.status.is_none();
        self.observe_auth(obs);
        self.observe_parameters(obs, success);
        self.observe_sensitive(obs);
        if !self.deprecation_announced {
            self.deprecation_announced = record.response_headers.iter().any(|(name, _)| {
                name.eq_ignore_ascii_case("deprecation") || name.eq_ignore_ascii_case("sunset")
            });
        }
        if let Some(status) = record.status {
            let origin = record.request_header("origin");
            let (findings, dropped) = (&mut self.findings, &mut self.dropped);
            findings::in_response(
                origin,
                status,
                &record.response_headers,
                record.response_body.as_deref(),
                &mut |f| {
                    if findings.len() < MAX_FINDINGS {
                        findings.insert(f);
                    } else if !findings.contains(&f) {
                        *dropped += 1;
                    }
                },
            );
        }
    }

    fn observe_auth(&mut self, obs: &Observation<'_>) {
        let auth = &mut self.auth;
        auth.kinds = auth.kinds.union(obs.credentials);
        let anonymous = obs.credentials.is_empty();
        if anonymous {
            auth.without_credentials += 1;
        } else {
            auth.with_credentials += 1;
        }
        match (obs.succeeded(), anonymous, obs.record.status) {
            (true, true, _) => auth.unauthenticated_successes += 1,
            (true, false, _) => auth.authenticated_successes += 1,
            (false, true, Some(401 | 403)) => auth.rejected_without_credentials += 1,
            _ => {}
        }
    }

    fn observe_parameters(&mut self, obs: &Observation<'_>, success: bool) {
        let record = obs.record;
        observe_fields(&mut self.query, &obs.query, |_| true);
        observe_fields(&mut self.headers, &record.request_headers, |name| {
            !TRANSPORT_HEADERS
                .iter()
                .any(|t| name.eq_ignore_ascii_case(t))
        });
        if let Some(ct) = obs.request_content_type {
            bounded_insert(
                &mut self.request_content_types,
                media_type(ct),
                MAX_CONTENT_TYPES,
                &mut self.dropped,
            );
        }
        if let Some(ct) = obs.response_content_type {
            bounded_insert(
                &mut self.response_content_types,
                media_type(ct),
                MAX_CONTENT_TYPES,
                &mut self.dropped,
            );
        }
        if success {
            if let Some(body) = &obs.request_body {
                self.request_body
                    .get_or_insert_with(Default::default)
                    .observe(body);
            }
        }
        if obs.succeeded() {
            if let Some(body) = &obs.response_body {
                self.response_body
                    .get_or_insert_with(Default::default)
                    .observe(body);
            }
        }
    }

    fn observe_sensitive(&mut self, obs: &Observation<'_>) {
        let (fields, dropped) = (&mut self.sensitive, &mut self.dropped);
        let mut hit = |location: Location, path: &str, kind: SensitiveKind| {
            if sensitive::is_exposure(location, kind) {
                count_sensitive(fields, dropped, location, path, kind);
            }
        };
        let mut path = String::new();
        for (name, value) in &obs.query {
            if let Some(kind) = sensitive::classify_value(name, value) {
                path.clear();
                path.push('$');
                sensitive::push_member(&mut path, name);
                hit(Location::Query, &path, kind);
            }
        }
        let headers = &obs.record.request_headers;
        let authenticator = crate::auth::authenticating_header(
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        for (name, value) in headers {
            // Credentials that authenticate are the endpoint's auth, not its data.
            if Some(name.as_str()) == authenticator
                || name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("cookie")
            {
                continue;
            }
            if let Some(kind) = sensitive::classify_value(name, value) {
                path.clear();
                path.push('$');
                sensitive::push_member(&mut path, &name.to_ascii_lowercase());
                hit(Location::Header, &path, kind);
            }
        }
        for (location, body) in [
            (Location::RequestBody, &obs.request_body),
            (Location::ResponseBody, &obs.response_body),
        ] {
            if let Some(body) = body {
                sensitive::scan_json(body, &mut |p, kind| hit(location, p, kind));
            }
        }
    }

    /// Folds another endpoint's stats into this one.
    pub fn merge(&mut self, o: &EndpointStats) {
        self.requests += o.requests;
        self.clients.merge(&o.clients);
        for (status, count) in o.statuses.iter() {
            match self.statuses.get_mut(status) {
                Some(mine) => *mine += count,
                None => {
                    self.statuses.insert(*status, *count);
                }
            }
        }
        for host in o.hosts.iter() {
            bounded_insert(&mut self.hosts, host, MAX_HOSTS, &mut self.dropped);
        }
        if o.first_seen < self.first_seen || self.first_seen.is_none() {
            self.first_seen = o.first_seen.clone().or(self.first_seen.take());
        }
        if o.last_seen > self.last_seen {
            self.last_seen = o.last_seen.clone();
        }
        self.minutes.merge(&o.minutes);
        self.query.merge(&o.query);
        self.headers.merge(&o.headers);
        merge_optional(&mut self.request_body, &o.request_body);
        merge_optional(&mut self.response_body, &o.response_body);
        self.request_content_types
            .extend_from(&o.request_content_types);
        self.response_content_types
            .extend_from(&o.response_content_types);
        self.auth.merge(&o.auth);
        for (field, count) in o.sensitive.iter() {
            if let Some(mine) = self.sensitive.get_mut(field) {
                *mine += count;
            } else if self.sensitive.len() < MAX_SENSITIVE_FIELDS {
                self.sensitive.insert(field.clone(), *count);
            } else {
                self.dropped += 1;
            }
        }
        self.findings.extend_from(&o.findings);
        self.deprecation_announced |= o.deprecation_announced;
        self.dropped += o.dropped;
    }

    /// Names of the fields requests send: query, form and JSON body members.
    pub fn request_field_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.query.properties.keys().map(|k| &**k).collect();
        if let Some(body) = &self.request_body {
            names.extend(body.properties.keys().map(|k| &**k));
        }
        names
    }
}

/// Counts one sighting of a sensitive field, looked up by its parts: a
/// field already known costs no allocation.
fn count_sensitive(
    fields: &mut VecMap<SensitiveField, u64>,
    dropped: &mut u64,
    location: Location,
    path: &str,
    kind: SensitiveKind,
) {
    let sought = (location, path, kind);
    match fields.position_by(|f| (f.location, f.path.as_str(), f.kind).cmp(&sought)) {
        Ok(at) => *fields.value_at_mut(at) += 1,
        Err(at) if fields.len() < MAX_SENSITIVE_FIELDS => {
            let field = SensitiveField {
                location,
                path: path.to_owned(),
                kind,
            };
            fields.insert_at(at, field, 1);
        }
        Err(_) => *dropped += 1,
    }
}

/// Folds named text fields (query pairs, headers `keep` admits) into an
/// object schema; of repeated names the first counts.
fn observe_fields<N: AsRef<str>, V: AsRef<str>>(
    schema: &mut Schema,
    fields: &[(N, V)],
    keep: impl Fn(&str) -> bool,
) {
    schema.note_object_sample();
    for (i, (name, value)) in fields.iter().enumerate() {
        let name = name.as_ref();
        if !keep(name) || fields[..i].iter().any(|(n, _)| n.as_ref() == name) {
            continue;
        }
        match schema.properties.position_by(|k| (**k).cmp(name)) {
            Ok(at) => schema
                .properties
                .value_at_mut(at)
                .observe_text(value.as_ref()),
            Err(at) if schema.properties.len() < crate::schema::MAX_PROPERTIES => {
                let mut field = Schema::default();
                field.observe_text(value.as_ref());
                schema.properties.insert_at(at, name.into(), field);
            }
            Err(_) => {}
        }
    }
}

fn merge_optional(mine: &mut Option<Box<Schema>>, theirs: &Option<Box<Schema>>) {
    if let Some(theirs) = theirs {
        mine.get_or_insert_with(Default::default).merge(theirs);
    }
}

fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Adds a value, lower-cased, unless the set holds it in any case.
fn bounded_insert(set: &mut VecSet<Box<str>>, value: &str, limit: usize, dropped: &mut u64) {
    if set.iter().any(|v| v.eq_ignore_ascii_case(value)) {
        return;
    }
    if set.len() < limit {
        set.insert(value.to_ascii_lowercase().into());
    } else {
        *dropped += 1;
    }
}

fn bounded_count(map: &mut VecMap<u16, u64>, key: u16, limit: usize, dropped: &mut u64) {
    if let Some(count) = map.get_mut(&key) {
        *count += 1;
    } else if map.len() < limit {
        map.insert(key, 1);
    } else {
        *dropped += 1;
    }
}

/// JSON maps need string keys: sensitive fields persist as a list.
mod sensitive_map {
    use super::SensitiveField;
    use crate::vecmap::VecMap;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        map: &VecMap<SensitiveField, u64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<VecMap<SensitiveField, u64>, D::Error> {
        Ok(Vec::<(SensitiveField, u64)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::ExchangeRecord;

    fn exchange(auth: Option<&str>, status: u16, response: &str) -> ExchangeRecord {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(a) = auth {
            headers.push(("Authorization".into(), a.into()));
        }
        ExchangeRecord {
            method: "POST".into(),
            path: "/users".into(),
            query: "api_key=key_vMG1qxvvhsp38MX9T4FiLJXgucAey3Yj".into(),
            request_headers: headers,
            request_body: Some(br#"{"email":"a@b.io","card":"4111111111111111"}"#.to_vec()),
            status: Some(status),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(response.as_bytes().to_vec()),
            ..Default::default()
        }
    }

    #[test]
    fn learns_auth_sensitive_fields_and_schemas() {
        let mut stats = EndpointStats::default();
        stats.observe(&Observation::new(&exchange(
            Some("Bearer x"),
            201,
            r#"{"id":1}"#,
        )));
        assert_eq!(stats.auth.auth_required(), Some(true));
        let without = ExchangeRecord {
            query: String::new(),
            ..exchange(None, 200, r#"{"id":2}"#)
        };
        stats.observe(&Observation::new(&without));
        assert_eq!(stats.auth.auth_required(), Some(false));
        let kinds: Vec<_> = stats
            .sensitive
            .keys()
            .map(|f| (f.location, f.path.as_str(), f.kind))
            .collect();
        assert!(kinds.contains(&(Location::RequestBody, "$.email", SensitiveKind::Email)));
        assert!(kinds.contains(&(Location::RequestBody, "$.card", SensitiveKind::CreditCard)));
        assert!(kinds.contains(&(Location::Query, "$.api_key", SensitiveKind::ApiKey)));
        assert_eq!(stats.response_body.as_ref().unwrap().samples, 2);
        assert_eq!(stats.statuses.len(), 2);
    }

    #[test]
    fn the_authenticating_header_is_auth_and_a_second_key_is_data() {
        let key = "key_vMG1qxvvhsp38MX9T4FiLJXgucAey3Yj";
        let header_hits = |headers: Vec<(String, String)>| {
            let mut stats = EndpointStats::default();
            stats.observe(&Observation::new(&ExchangeRecord {
                method: "GET".into(),
                path: "/pets/1".into(),
                request_headers: headers,
                status: Some(200),
                ..Default::default()
            }));
            stats
                .sensitive
                .into_iter()
                .filter(|(f, _)| f.location == Location::Header)
                .map(|(f, _)| (f.path, f.kind))
                .collect::<Vec<_>>()
        };
        assert!(header_hits(vec![("api_key".into(), key.into())]).is_empty());
        assert_eq!(
            header_hits(vec![
                ("api_key".into(), key.into()),
                ("authorization".into(), "Bearer abc".into())
            ]),
            [("$.api_key".to_string(), SensitiveKind::ApiKey)]
        );
    }

    #[test]
    fn merge_adds_counts_and_round_trips_through_json() {
        let mut a = EndpointStats::default();
        a.observe(&Observation::new(&exchange(Some("Bearer x"), 200, "{}")));
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!(b.requests, 2);
        assert_eq!(b.sensitive.values().copied().max(), Some(2));
        let json = serde_json::to_string(&b).unwrap();
        let back: EndpointStats = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
    }
}
