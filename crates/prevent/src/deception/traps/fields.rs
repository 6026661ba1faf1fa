//! Decoy fields: parameter names the real application never reads (hidden
//! `is_admin` or `_debug` fields), found in a query string, a form body or
//! a JSON body at any depth.
//!
//! Names are compared without regard to ASCII case, whole: `is_admin`
//! catches `is_admin`, `IS_ADMIN`, `is%5Fadmin` and the bracketed forms
//! frameworks read (`user[is_admin]`, `user.is_admin`), never
//! `is_administrator`. The search is bounded: [`MAX_PAIRS`] parameters of a
//! query or form, [`MAX_JSON_NODES`] JSON values at most [`MAX_JSON_DEPTH`]
//! deep.

use super::bounded;
use rampart_core::form::decode_component;
use serde_json::Value;

/// The most `name=value` pairs read from one query string or form body.
pub const MAX_PAIRS: usize = 1024;
/// The most JSON values visited.
pub const MAX_JSON_NODES: usize = 4096;
/// The deepest JSON value visited.
pub const MAX_JSON_DEPTH: usize = 32;
/// Longest parameter name decoded; longer ones cannot be a decoy.
const MAX_NAME_BYTES: usize = 256;

/// Where a decoy field was found and what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FieldHit {
    pub(super) field: String,
    /// `query.user[is_admin]`, `form.is_admin`, `json.user.is_admin`.
    pub(super) location: String,
    pub(super) excerpt: String,
}

/// The configured decoy field names.
#[derive(Debug, Default)]
pub(super) struct DecoyFields(Vec<String>);

impl DecoyFields {
    pub(super) fn new(names: &[String]) -> Self {
        DecoyFields(names.to_vec())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The decoy `name` is, or one of its bracketed or dotted parts is.
    fn decoy_in(&self, name: &str) -> Option<&str> {
        name.split(['[', ']', '.'])
            .filter(|part| !part.is_empty())
            .find_map(|part| self.0.iter().find(|decoy| decoy.eq_ignore_ascii_case(part)))
            .map(String::as_str)
    }

    /// The first decoy among the names of `a=1&b=2` pairs; `source` is
    /// `query` or `form`.
    pub(super) fn in_pairs(&self, pairs: &[u8], source: &str) -> Option<FieldHit> {
        let mut decoded = Vec::with_capacity(64);
        for pair in pairs.split(|&b| b == b'&').take(MAX_PAIRS) {
            let name = pair.split(|&b| b == b'=').next().unwrap_or(pair);
            if name.is_empty() || name.len() > MAX_NAME_BYTES {
                continue;
            }
            decode_component(name, &mut decoded);
            let name = String::from_utf8_lossy(&decoded);
            if let Some(field) = self.decoy_in(&name) {
                return Some(FieldHit {
                    field: field.to_string(),
                    location: format!("{source}.{}", bounded(&name)),
                    excerpt: bounded(&String::from_utf8_lossy(pair)),
                });
            }
        }
        None
    }

    /// The first decoy among the keys of a JSON value, at any depth.
    pub(super) fn in_json(&self, value: &Value) -> Option<FieldHit> {
        let mut path = Vec::new();
        let mut budget = MAX_JSON_NODES;
        self.walk(value, &mut path, &mut budget)
    }

    fn walk<'v>(
        &self,
        value: &'v Value,
        path: &mut Vec<Step<'v>>,
        budget: &mut usize,
    ) -> Option<FieldHit> {
        if *budget == 0 || path.len() >= MAX_JSON_DEPTH {
            return None;
        }
        *budget -= 1;
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    if let Some(field) = self.decoy_in(key) {
                        path.push(Step::Key(key));
                        let location = location(path);
                        return Some(FieldHit {
                            field: field.to_string(),
                            location,
                            excerpt: bounded(&format!("{key}={}", shallow(child))),
                        });
                    }
                    path.push(Step::Key(key));
                    let hit = self.walk(child, path, budget);
                    path.pop();
                    if hit.is_some() || *budget == 0 {
                        return hit;
                    }
                }
                None
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    let hit = self.walk(item, path, budget);
                    path.pop();
                    if hit.is_some() || *budget == 0 {
                        return hit;
                    }
                }
                None
            }
            _ => None,
        }
    }
}

/// One step from the JSON root.
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

fn location(path: &[Step<'_>]) -> String {
    let mut location = String::from("json");
    for step in path {
        match step {
            Step::Key(key) => {
                location.push('.');
                location.push_str(key);
            }
            Step::Index(index) => location.push_str(&format!("[{index}]")),
        }
    }
    bounded(&location)
}

/// A scalar as JSON; containers only by their kind.
fn shallow(value: &Value) -> String {
    match value {
        Value::Object(_) => "{...}".to_string(),
        Value::Array(_) => "[...]".to_string(),
        scalar => bounded(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decoys() -> DecoyFields {
        DecoyFields::new(&["is_admin".to_string(), "_debug".to_string()])
    }

    #[test]
    fn names_are_decoded_and_split_into_their_parts() {
        let decoys = decoys();
        for query in [
            "is_admin=1",
            "a=1&IS_ADMIN=true",
            "is%5Fadmin=1",
            "user[is_admin]=1",
            "user.is_admin=1",
            "x=1&_debug",
        ] {
            assert!(
                decoys.in_pairs(query.as_bytes(), "query").is_some(),
                "{query}"
            );
        }
        for query in [
            "is_administrator=1",
            "admin=1",
            "q=is_admin",
            "is_admin_x=1",
            "%=1&%5=2",
        ] {
            assert_eq!(decoys.in_pairs(query.as_bytes(), "query"), None, "{query}");
        }
        let hit = decoys
            .in_pairs(b"a=1&user%5Bis_admin%5D=yes", "form")
            .unwrap();
        assert_eq!(hit.field, "is_admin");
        assert_eq!(hit.location, "form.user[is_admin]");
        assert_eq!(hit.excerpt, "user%5Bis_admin%5D=yes");
    }

    #[test]
    fn json_keys_are_found_at_any_depth_with_their_location() {
        let body = json!({"items": [{"name": "x"}, {"meta": {"_debug": true}}]});
        let hit = decoys().in_json(&body).unwrap();
        assert_eq!(hit.location, "json.items[1].meta._debug");
        assert_eq!(hit.excerpt, "_debug=true");
        let benign = json!({"is_admin_note": "is_admin", "list": ["is_admin"]});
        assert_eq!(decoys().in_json(&benign), None);
    }

    #[test]
    fn json_search_is_bounded_in_depth() {
        let mut deep = json!({"is_admin": true});
        for _ in 0..MAX_JSON_DEPTH {
            deep = json!({ "a": deep });
        }
        assert_eq!(decoys().in_json(&deep), None);
    }
}
