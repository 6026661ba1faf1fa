//! Where object ids are in requests and responses, and what kind of object
//! each names.
//!
//! An object is named by its kind and its id: `/accounts/{id}` with
//! `/accounts/1002` is the `account` 1002, and so are `"account_id": 1002`
//! and an `"id"` inside an `"accounts"` array. Kinds keep ids of different
//! resources apart (user 7 is not order 7) without knowing the API: they
//! come from the collection segment before a path parameter, from the field
//! name (`order_id`, `orderId`) and from the field that holds an object
//! (`"orders": [{"id": ...}]`), in the singular.

use serde_json::Value;

/// One object reference: its kind and its id as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub id: String,
}

/// Ids longer than this are not object ids (tokens, blobs).
pub(crate) const MAX_ID_CHARS: usize = 128;
/// How deep a response body is searched for ids.
const MAX_DEPTH: usize = 8;

/// Fields that only wrap the objects of a response: their objects keep the
/// enclosing kind.
const WRAPPERS: &[&str] = &[
    "collection",
    "content",
    "data",
    "edges",
    "elements",
    "entries",
    "hits",
    "items",
    "list",
    "node",
    "nodes",
    "objects",
    "page",
    "payload",
    "records",
    "response",
    "result",
    "results",
    "rows",
    "value",
    "values",
];

/// A collection or field name in the singular, lower case: `accounts` and
/// `Account` are `account`, `categories` is `category`.
pub(crate) fn kind_of(name: &str) -> String {
    let lower: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if let Some(stem) = lower.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if lower.len() > 3 && lower.ends_with('s') && !lower.ends_with("ss") {
        lower[..lower.len() - 1].to_string()
    } else {
        lower
    }
}

/// The kind a field ending in an id names: `account_id`, `accountId` and
/// `account-id` name an `account`; `id` names the enclosing kind (`None`);
/// other fields name no object.
fn id_field(name: &str) -> Option<Option<String>> {
    if name.eq_ignore_ascii_case("id") {
        return Some(None);
    }
    let stem = name
        .strip_suffix("_id")
        .or_else(|| name.strip_suffix("-id"))
        .or_else(|| name.strip_suffix("Id"))
        .or_else(|| name.strip_suffix("ID"))?;
    (!stem.is_empty()).then(|| Some(kind_of(stem)))
}

fn template_segments(template: &str) -> impl DoubleEndedIterator<Item = &str> {
    template.split('/').filter(|s| !s.is_empty())
}

/// The object a request on `template` addresses: the value of the
/// template's last parameter, of the kind of the literal segment before it
/// (`object` when there is none). `None` when the template has no
/// parameter (a list or an action) or the path does not fit it.
pub fn addressed(template: &str, path: &str) -> Option<ObjectRef> {
    let pattern: Vec<&str> = template_segments(template).collect();
    let values: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.len() != values.len() {
        return None;
    }
    let at = pattern.iter().rposition(|s| s.contains('{'))?;
    let (prefix, rest) = pattern[at].split_once('{')?;
    let (_, suffix) = rest.split_once('}')?;
    let id = values[at].strip_prefix(prefix)?.strip_suffix(suffix)?;
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return None;
    }
    let kind = pattern[..at]
        .iter()
        .rev()
        .find(|s| !s.contains('{'))
        .map_or_else(|| "object".to_string(), |s| kind_of(s));
    Some(ObjectRef {
        kind,
        id: id.to_string(),
    })
}

/// The kind of the objects a response on `template` carries at its top
/// level: the addressed object's kind for an item (`/accounts/{id}`), the
/// collection's for a list or a creation (`/users/{id}/orders`: `order`).
pub fn response_kind(template: &str) -> String {
    match template_segments(template).last() {
        Some(last) if !last.contains('{') => kind_of(last),
        _ => template_segments(template)
            .rev()
            .find(|s| !s.contains('{'))
            .map_or_else(|| "object".to_string(), kind_of),
    }
}

/// Whether requests on `template` address no single object (lists,
/// searches, creations).
pub fn is_collection(template: &str) -> bool {
    template_segments(template)
        .last()
        .is_some_and(|last| !last.contains('{'))
}

fn id_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => return None,
    };
    (!text.is_empty() && text.chars().count() <= MAX_ID_CHARS).then_some(text)
}

/// Every object id in a JSON document, at most `limit` of them, searched
/// to a bounded depth; `kind` is the kind of its top-level objects.
pub fn ids_in(document: &Value, kind: &str, limit: usize) -> Vec<ObjectRef> {
    let mut found = Vec::new();
    let mut pending: Vec<(&Value, String, usize)> = vec![(document, kind.to_string(), 0)];
    while let Some((value, kind, depth)) = pending.pop() {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields {
                    if let Some(named) = id_field(name) {
                        if let Some(id) = id_text(field) {
                            if found.len() == limit {
                                return found;
                            }
                            let kind = named.unwrap_or_else(|| kind.clone());
                            found.push(ObjectRef { kind, id });
                            continue;
                        }
                    }
                    if depth < MAX_DEPTH && (field.is_object() || field.is_array()) {
                        let inner = if WRAPPERS.contains(&name.to_ascii_lowercase().as_str()) {
                            kind.clone()
                        } else {
                            kind_of(name)
                        };
                        pending.push((field, inner, depth + 1));
                    }
                }
            }
            Value::Array(items) if depth < MAX_DEPTH => {
                for item in items.iter().rev() {
                    pending.push((item, kind.clone(), depth + 1));
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(kind: &str, id: &str) -> ObjectRef {
        ObjectRef {
            kind: kind.into(),
            id: id.into(),
        }
    }

    #[test]
    fn the_addressed_object_is_the_last_parameter_of_the_template() {
        assert_eq!(
            addressed("/api/accounts/{account_id}", "/api/accounts/1002"),
            Some(object("account", "1002"))
        );
        assert_eq!(
            addressed("/users/{id}/orders", "/users/7/orders"),
            Some(object("user", "7"))
        );
        assert_eq!(
            addressed("/Accounts/{Sid}.json", "/Accounts/AC12.json"),
            Some(object("account", "AC12"))
        );
        assert_eq!(
            addressed("/categories/{slug}", "/categories/garden"),
            Some(object("category", "garden"))
        );
        assert_eq!(addressed("/orders", "/orders"), None, "a list");
        assert_eq!(addressed("/orders/{id}", "/orders/1/2"), None);
        assert_eq!(
            addressed("/orders/{id}", &format!("/orders/{}", "9".repeat(200))),
            None
        );
    }

    #[test]
    fn ids_are_found_with_their_kind_at_any_depth_and_bounded() {
        let body = json!({
            "data": [
                {"id": 11, "account_id": "A-1", "customer": {"id": "c9", "ownerId": 4}},
                {"id": 12, "lines": [{"productId": "p1", "sku": "x"}]}
            ],
            "next_id": null,
            "token": "not an id"
        });
        let found = ids_in(&body, "order", 100);
        for expected in [
            object("order", "11"),
            object("account", "A-1"),
            object("customer", "c9"),
            object("owner", "4"),
            object("order", "12"),
            object("product", "p1"),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
        assert_eq!(found.len(), 6, "{found:?}");
        assert_eq!(ids_in(&body, "order", 2).len(), 2);
        let mut deep = json!({"id": "bottom"});
        for _ in 0..20 {
            deep = json!({ "child": deep });
        }
        assert!(ids_in(&deep, "x", 100).is_empty(), "below the depth bound");
    }

    #[test]
    fn a_response_carries_objects_of_its_collection_or_its_item() {
        assert_eq!(response_kind("/users/{id}/orders"), "order");
        assert_eq!(response_kind("/api/accounts/{id}"), "account");
        assert!(is_collection("/users/{id}/orders"));
        assert!(!is_collection("/orders/{id}"));
    }
}
