//! One exchange, decoded once for everything the inventory learns from it.
//!
//! The record's raw path, query and bodies are decoded here, with bounds:
//! path segments (count and length), query pairs, body bytes parsed as JSON
//! or form data. Templating, schema inference, sensitive-data scanning and
//! auth detection all read this view, so no part parses the record twice.
//! Query pairs and body strings borrow from the record wherever decoding
//! leaves them unchanged.

use crate::auth::{credentials, CredentialSet};
use crate::json::Json;
use crate::segment::percent_decode;
use rampart_core::ExchangeRecord;
use std::borrow::Cow;

/// Path segments kept; deeper paths are cut (and their tail is one segment).
pub const MAX_SEGMENTS: usize = 32;
/// Query pairs kept per request.
pub const MAX_QUERY_PAIRS: usize = 128;
/// Largest body parsed for schemas and sensitive data.
pub const MAX_PARSED_BODY: usize = 1024 * 1024;
/// Longest GraphQL operation name kept.
const MAX_OPERATION_NAME: usize = 64;

/// A decoded view of one exchange.
pub struct Observation<'a> {
    pub record: &'a ExchangeRecord,
    /// Upper-case method.
    pub method: String,
    /// Percent-decoded, non-empty path segments.
    pub segments: Vec<String>,
    /// Decoded query pairs.
    pub query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub request_content_type: Option<&'a str>,
    pub response_content_type: Option<&'a str>,
    pub request_body: Option<Json<'a>>,
    pub response_body: Option<Json<'a>>,
    pub credentials: CredentialSet,
    /// `query GetUser` for GraphQL requests: each operation is its own endpoint.
    pub graphql_operation: Option<String>,
}

impl<'a> Observation<'a> {
    pub fn new(record: &'a ExchangeRecord) -> Self {
        let segments = split_path(&record.path);
        let query = parse_form(&record.query, MAX_QUERY_PAIRS);
        let request_content_type = record.request_header("content-type");
        let response_content_type = record.response_header("content-type");
        let request_body = parse_body(record.request_body.as_deref(), request_content_type);
        let response_body = parse_body(record.response_body.as_deref(), response_content_type);
        let credentials = credentials(
            record
                .request_headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
            query.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
        );
        let graphql_operation = segments
            .last()
            .filter(|s| s.eq_ignore_ascii_case("graphql"))
            .and_then(|_| graphql_operation(request_body.as_ref(), &query));
        Observation {
            record,
            method: record.method.to_ascii_uppercase(),
            segments,
            query,
            request_content_type,
            response_content_type,
            request_body,
            response_body,
            credentials,
            graphql_operation,
        }
    }

    /// Whether the answer was a success (2xx).
    pub fn succeeded(&self) -> bool {
        self.record.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Splits a raw path into decoded segments, bounded in count.
pub fn split_path(path: &str) -> Vec<String> {
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split('/').filter(|s| !s.is_empty());
    for part in parts.by_ref() {
        segments.push(percent_decode(part));
        if segments.len() == MAX_SEGMENTS - 1 {
            break;
        }
    }
    let rest: Vec<&str> = parts.collect();
    if !rest.is_empty() {
        segments.push(percent_decode(&rest.join("/")));
    }
    segments
}

/// Decodes `a=1&b=x+y` (also form bodies), keeping at most `limit` pairs.
pub fn parse_form(text: &str, limit: usize) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    fn decode(part: &str) -> Cow<'_, str> {
        if part.contains('+') {
            Cow::Owned(percent_decode(&part.replace('+', " ")))
        } else if part.contains('%') {
            Cow::Owned(percent_decode(part))
        } else {
            Cow::Borrowed(part)
        }
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .take(limit)
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Whether `text` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn parse_body<'a>(body: Option<&'a [u8]>, content_type: Option<&str>) -> Option<Json<'a>> {
    let body = body?;
    if body.is_empty() || body.len() > MAX_PARSED_BODY {
        return None;
    }
    let content_type = content_type.unwrap_or("");
    let trimmed = body.trim_ascii_start();
    if crate::sensitive::lower_contains(content_type, &["json"])
        || trimmed.starts_with(b"{")
        || trimmed.starts_with(b"[")
    {
        return Json::parse(body);
    }
    if starts_with_ignore_case(content_type, "application/x-www-form-urlencoded") {
        let text = std::str::from_utf8(body).ok()?;
        let members = parse_form(text, MAX_QUERY_PAIRS)
            .into_iter()
            .map(|(name, value)| (name, Json::String(value)))
            .collect();
        // Of repeated form fields the first counts.
        return Some(Json::object(members, false));
    }
    None
}

/// The operation of a GraphQL request: its declared name, or its first field.
fn graphql_operation(
    body: Option<&Json<'_>>,
    query: &[(Cow<'_, str>, Cow<'_, str>)],
) -> Option<String> {
    let from_body = |key: &str| {
        body.and_then(|b| b.get(key))
            .and_then(Json::as_str)
            .map(str::to_owned)
    };
    let from_query = |key: &str| {
        query
            .iter()
            .find(|(n, _)| n == key)
            .map(|(_, v)| v.to_string())
    };
    let document = from_body("query").or_else(|| from_query("query"))?;
    let named = from_body("operationName")
        .or_else(|| from_query("operationName"))
        .filter(|n| !n.is_empty());
    let mut tokens = document
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty());
    let first = tokens.next()?;
    let (kind, name) = match first {
        "query" | "mutation" | "subscription" => {
            (first, named.or_else(|| tokens.next().map(str::to_owned))?)
        }
        field => ("query", named.unwrap_or_else(|| field.to_owned())),
    };
    let name: String = name.chars().take(MAX_OPERATION_NAME).collect();
    Some(format!("{kind} {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(method: &str, path: &str, body: &str) -> ExchangeRecord {
        ExchangeRecord {
            method: method.into(),
            path: path.into(),
            request_body: Some(body.as_bytes().to_vec()),
            request_headers: vec![("content-type".into(), "application/json".into())],
            ..Default::default()
        }
    }

    #[test]
    fn decodes_path_query_and_bodies() {
        let mut r = record("get", "/a/%3Ab//c/", "{\"x\":1}");
        r.query = "q=a+b&n=%2B1&flag".into();
        let obs = Observation::new(&r);
        assert_eq!(obs.method, "GET");
        assert_eq!(obs.segments, vec!["a", ":b", "c"]);
        assert_eq!(obs.query[0], ("q".into(), "a b".into()));
        assert_eq!(obs.query[1].1, "+1");
        assert!(matches!(
            obs.query[2],
            (Cow::Borrowed("flag"), Cow::Borrowed(""))
        ));
        assert_eq!(
            obs.request_body,
            Some(Json::Object(vec![(
                "x".into(),
                Json::Number { integer: true }
            )]))
        );
    }

    #[test]
    fn long_paths_are_bounded() {
        let path = "/x".repeat(1000);
        let segments = split_path(&path);
        assert_eq!(segments.len(), MAX_SEGMENTS);
    }

    #[test]
    fn graphql_requests_name_their_operation() {
        let r = record(
            "POST",
            "/graphql",
            r#"{"query":"query GetUser($id: ID!) { user(id: $id) { name } }"}"#,
        );
        assert_eq!(
            Observation::new(&r).graphql_operation.as_deref(),
            Some("query GetUser")
        );
        let r = record("POST", "/api/graphql", r#"{"query":"{ products { id } }"}"#);
        assert_eq!(
            Observation::new(&r).graphql_operation.as_deref(),
            Some("query products")
        );
        let r = record(
            "POST",
            "/graphql",
            r#"{"query":"mutation { login }","operationName":"Login"}"#,
        );
        assert_eq!(
            Observation::new(&r).graphql_operation.as_deref(),
            Some("mutation Login")
        );
    }
}
