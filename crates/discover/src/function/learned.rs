//! The classifier's evidence read from what an endpoint has shown: field
//! names sent and answered, the shape of the answer, the statuses.

use super::ResponseShape;
use crate::schema::Schema;
use crate::stats::EndpointStats;

/// Members that wrap the real payload: `{"data": {...}}`, GraphQL's
/// `{"variables": {"input": {...}}}`.
const WRAPPERS: &[&str] = &[
    "data",
    "result",
    "payload",
    "response",
    "variables",
    "input",
];
/// Members that hold the items of a list answer.
const LIST_MEMBERS: &[&str] = &[
    "data", "items", "results", "records", "entries", "list", "values", "elements", "hits",
    "content", "nodes", "edges", "rows", "objects",
];
/// Scalar members that only a page of a list carries (`links` and `meta`
/// are left out: `{"links": [...]}` is often the data itself).
const PAGING_MEMBERS: &[&str] = &[
    "has_more",
    "hasMore",
    "next",
    "next_cursor",
    "nextCursor",
    "cursor",
    "next_page",
    "next_page_uri",
    "nextPageToken",
    "page",
    "total",
    "total_count",
    "totalCount",
    "count",
    "response_metadata",
    "paging",
    "pagination",
    "offset",
    "limit",
];
/// Wrappers read through at most this deep.
const MAX_WRAPPER_DEPTH: usize = 2;

/// Evidence of one endpoint, borrowed from its stats.
pub(crate) struct Learned<'s> {
    pub request_fields: Vec<&'s str>,
    pub response_fields: Vec<&'s str>,
    pub response: ResponseShape,
    pub multipart: bool,
    pub statuses: Vec<u16>,
}

impl<'s> Learned<'s> {
    /// `last_literal`: the last literal path segment, whose name a list
    /// answer often repeats (`GET /droplets` answers `{"droplets": [...]}`).
    pub fn of(stats: &'s EndpointStats, last_literal: Option<&str>) -> Self {
        let mut request_fields: Vec<&str> = stats.query.properties.keys().map(|k| &**k).collect();
        if let Some(body) = &stats.request_body {
            request_fields.extend(field_names(body));
        }
        let response = stats.response_body.as_ref();
        Learned {
            request_fields,
            response_fields: response.map(|s| field_names(s)).unwrap_or_default(),
            response: response.map_or(ResponseShape::Unknown, |s| shape(s, last_literal)),
            multipart: stats
                .request_content_types
                .iter()
                .any(|c| c.starts_with("multipart/")),
            statuses: stats.statuses.keys().copied().collect(),
        }
    }
}

/// Top-level names (of the items, for an array), and the names inside a
/// wrapper: a member named like one, or the only member.
pub(crate) fn field_names(schema: &Schema) -> Vec<&str> {
    let mut out = Vec::new();
    collect(schema, 0, &mut out);
    out
}

fn collect<'s>(schema: &'s Schema, depth: usize, out: &mut Vec<&'s str>) {
    let schema = match &schema.items {
        Some(items) if schema.is_array() => items,
        _ => schema,
    };
    let only = schema.properties.len() == 1;
    for (name, member) in schema.properties.iter() {
        out.push(name);
        let wrapper = only || WRAPPERS.contains(&&**name);
        if wrapper && depth < MAX_WRAPPER_DEPTH && !member.properties.is_empty() {
            collect(member, depth + 1, out);
        }
    }
}

/// A list answer: an array, or an object whose array member is a list
/// (named so, named like the path, its only member, or paged).
pub(crate) fn shape(schema: &Schema, last_literal: Option<&str>) -> ResponseShape {
    if schema.is_array() {
        return ResponseShape::Array;
    }
    if !schema.is_object() {
        return ResponseShape::Unknown;
    }
    // Most answers hold no array at all: no name needs reading then.
    if !schema.properties.values().any(Schema::is_array) {
        return ResponseShape::Object;
    }
    let resource = last_literal
        .map(|l| l.split('.').next().unwrap_or(l).to_ascii_lowercase())
        .filter(|r| !r.is_empty());
    let paged = schema
        .properties
        .iter()
        .any(|(k, member)| PAGING_MEMBERS.contains(&&**k) && !member.is_array());
    let only = schema.properties.len() == 1;
    // `ssh_keys` under `/account/keys`, `droplets` under `/droplets`.
    let named_like_path = |name: &str| {
        resource
            .as_deref()
            .is_some_and(|r| name.to_ascii_lowercase().ends_with(r))
    };
    let list = schema.properties.iter().any(|(name, member)| {
        member.is_array()
            && (only || paged || LIST_MEMBERS.contains(&&**name) || named_like_path(name))
    });
    if list {
        ResponseShape::Array
    } else {
        ResponseShape::Object
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(value: serde_json::Value) -> Schema {
        let text = value.to_string();
        let mut schema = Schema::default();
        schema.observe(&crate::json::Json::parse(text.as_bytes()).unwrap());
        schema
    }

    #[test]
    fn list_answers_are_arrays_or_wrap_one() {
        let list = |v, last| shape(&schema(v), last);
        assert_eq!(list(json!([{"id": 1}]), None), ResponseShape::Array);
        assert_eq!(list(json!({"data": [1]}), None), ResponseShape::Array);
        assert_eq!(
            list(
                json!({"droplets": [], "links": {}, "meta": {"total": 0}}),
                Some("droplets")
            ),
            ResponseShape::Array
        );
        assert_eq!(
            list(json!({"messages": [], "page": 0}), Some("Messages.json")),
            ResponseShape::Array
        );
        assert_eq!(
            list(json!({"users": [{"a": 1}]}), None),
            ResponseShape::Array
        );
        assert_eq!(
            list(json!({"id": 1, "tags": ["a"]}), Some("pets")),
            ResponseShape::Object
        );
        assert_eq!(
            list(
                json!({"ssh_keys": [], "links": {}, "meta": {}}),
                Some("keys")
            ),
            ResponseShape::Array
        );
        assert_eq!(
            list(
                json!({"links": [{"url": "u"}], "columns": [], "name": "x"}),
                Some("info")
            ),
            ResponseShape::Object
        );
        assert_eq!(list(json!("ok"), None), ResponseShape::Unknown);
    }

    #[test]
    fn field_names_read_one_wrapper_down() {
        let names = |v| -> Vec<String> {
            field_names(&schema(v))
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            names(json!({"account": {"email": "a", "uuid": 1}})),
            ["account", "email", "uuid"]
        );
        assert_eq!(
            names(json!({"query": "q", "variables": {"input": {"password": "x"}}})),
            ["query", "variables", "input", "password"]
        );
        assert_eq!(names(json!([{"id": 1, "name": "x"}])), ["id", "name"]);
        assert_eq!(
            names(json!({"id": 1, "owner": {"login": "x"}})),
            ["id", "owner"]
        );
    }
}
