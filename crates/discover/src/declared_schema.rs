//! Request body schemas of a declared spec, resolved into one tree.
//!
//! A spec says what a client may send: which properties, of which types,
//! which are required, and (with `additionalProperties`) whether anything
//! else is allowed. The gateway turns this into the detect stage's
//! contracts, so it needs the schema with its `$ref`s followed and its
//! `allOf`s merged, which only the spec importer can do (it has the whole
//! document). What this import cannot resolve faithfully (`oneOf`,
//! `anyOf`, external references, a tree deeper or larger than the bounds)
//! becomes an open schema: it admits anything rather than refuse what the
//! spec may allow. `readOnly` properties are left out: a client has no
//! business sending them (an `is_admin` the server sets), so a request that
//! does is breaking the contract.

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use std::collections::BTreeMap;

/// Deepest schema nesting followed; deeper parts are open.
const MAX_DEPTH: usize = 32;
/// Most schema nodes imported for one body; past it the rest is open.
const MAX_NODES: usize = 4096;
/// Most schema nodes imported for a whole spec (`$ref`s expand: a schema
/// shared by many operations counts for each); past it, bodies are open.
pub const MAX_SPEC_NODES: usize = 1_000_000;

/// A declared JSON schema, request side.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclaredSchema {
    /// `string`, `integer`, `number`, `boolean`, `object`, `array`; `None`
    /// when absent, nullable, a union of types, or not resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, DeclaredSchema>,
    /// `Some(false)`: only the listed properties; `Some(true)`: anything
    /// else too (a map, a composition); `None`: the spec does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<DeclaredSchema>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Number>,
}

impl DeclaredSchema {
    /// A schema that admits any value.
    fn open() -> DeclaredSchema {
        DeclaredSchema {
            additional_properties: Some(true),
            ..DeclaredSchema::default()
        }
    }
}

/// Imports `schema` (found in `doc`) as a request body schema, spending
/// at most `budget` nodes (what is left of the spec's [`MAX_SPEC_NODES`]).
pub fn import_schema(doc: &Value, schema: &Value, budget: &mut usize) -> DeclaredSchema {
    let mut importer = Importer {
        doc,
        nodes: 0,
        limit: MAX_NODES.min(*budget),
    };
    let imported = importer.schema(schema, 0);
    *budget = budget.saturating_sub(importer.nodes);
    imported
}

struct Importer<'a> {
    doc: &'a Value,
    nodes: usize,
    limit: usize,
}

impl<'a> Importer<'a> {
    fn schema(&mut self, value: &Value, depth: usize) -> DeclaredSchema {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > self.limit {
            return DeclaredSchema::open();
        }
        let Some(value) = self.resolve(value) else {
            return DeclaredSchema::open();
        };
        let Some(map) = value.as_object() else {
            // `true` (anything), `false` (nothing) or malformed: admit.
            return DeclaredSchema::open();
        };
        if map.contains_key("oneOf") || map.contains_key("anyOf") || map.contains_key("not") {
            return DeclaredSchema::open();
        }
        let mut out = DeclaredSchema {
            schema_type: single_type(map.get("type")),
            additional_properties: match map.get("additionalProperties") {
                Some(Value::Bool(allowed)) => Some(*allowed),
                Some(_) => Some(true),
                None => None,
            },
            max_length: map.get("maxLength").and_then(Value::as_u64),
            minimum: number(map.get("minimum")),
            maximum: number(map.get("maximum")),
            ..DeclaredSchema::default()
        };
        if map.get("nullable") == Some(&Value::Bool(true)) {
            out.schema_type = None;
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            for (name, property) in properties {
                if self.read_only(property) {
                    continue;
                }
                let imported = self.schema(property, depth + 1);
                out.properties.insert(name.clone(), imported);
            }
        }
        if let Some(Value::Array(required)) = map.get("required") {
            out.required = required
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| {
                    let property = map.get("properties").and_then(|p| p.get(*name));
                    !property.is_some_and(|p| self.read_only(p))
                })
                .map(str::to_owned)
                .collect();
        }
        if let Some(items) = map.get("items") {
            out.items = Some(Box::new(self.schema(items, depth + 1)));
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            for part in parts {
                let part = self.schema(part, depth + 1);
                merge(&mut out, part);
            }
        }
        out
    }

    /// Follows local `$ref`s (a chain of them too, within the bounds);
    /// `None` for external, dangling or endless references.
    fn resolve<'v>(&self, mut value: &'v Value) -> Option<&'v Value>
    where
        'a: 'v,
    {
        for _ in 0..MAX_DEPTH {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some(value);
            };
            value = self.doc.pointer(reference.strip_prefix('#')?)?;
        }
        None
    }

    /// Whether a property is `readOnly`: the server's to set, not a client's.
    fn read_only(&self, property: &Value) -> bool {
        self.resolve(property).and_then(|p| p.get("readOnly")) == Some(&Value::Bool(true))
    }
}

/// `"integer"`, or `["integer"]` (3.1); unions and `null` give `None`.
fn single_type(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(t) => Some(t.clone()),
        Value::Array(types) if types.len() == 1 => types[0].as_str().map(str::to_owned),
        _ => None,
    }
}

fn number(value: Option<&Value>) -> Option<Number> {
    match value? {
        Value::Number(n) => Some(n.clone()),
        _ => None,
    }
}

/// Folds one `allOf` part into the schema: properties and requirements add
/// up; any part that admits more makes the whole admit more.
fn merge(into: &mut DeclaredSchema, part: DeclaredSchema) {
    if into.schema_type.is_none() {
        into.schema_type = part.schema_type;
    }
    for (name, schema) in part.properties {
        into.properties.entry(name).or_insert(schema);
    }
    for name in part.required {
        if !into.required.contains(&name) {
            into.required.push(name);
        }
    }
    into.additional_properties = match (into.additional_properties, part.additional_properties) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        _ => None,
    };
    into.items = into.items.take().or(part.items);
    into.max_length = into.max_length.or(part.max_length);
    into.minimum = into.minimum.take().or(part.minimum);
    into.maximum = into.maximum.take().or(part.maximum);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn import_schema(doc: &Value, schema: &Value) -> DeclaredSchema {
        let mut budget = MAX_SPEC_NODES;
        super::import_schema(doc, schema, &mut budget)
    }

    #[test]
    fn follows_refs_merges_all_of_and_drops_read_only() {
        let doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "required": ["username", "id"], "properties": {
                "id": {"type": "integer", "readOnly": true},
                "username": {"type": "string", "maxLength": 32}}},
            "Signup": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {
                "password": {"type": "string"},
                "age": {"type": "integer", "minimum": 0},
                "tags": {"type": "array", "items": {"type": "string"}}}}]}
        }}});
        let schema = import_schema(&doc, &json!({"$ref": "#/components/schemas/Signup"}));
        assert_eq!(schema.schema_type.as_deref(), Some("object"));
        let names: Vec<&str> = schema.properties.keys().map(String::as_str).collect();
        assert_eq!(names, ["age", "password", "tags", "username"]);
        assert_eq!(
            schema.required,
            ["username"],
            "read-only `id` is not asked of clients"
        );
        assert_eq!(schema.additional_properties, None);
        assert_eq!(schema.properties["username"].max_length, Some(32));
        assert_eq!(schema.properties["age"].minimum, Some(0.into()));
        let tags = &schema.properties["tags"];
        assert_eq!(
            tags.items.as_ref().unwrap().schema_type.as_deref(),
            Some("string")
        );
    }

    #[test]
    fn what_cannot_be_resolved_faithfully_is_open() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
            "Loop": {"$ref": "#/components/schemas/Loop"}
        }}});
        let open = DeclaredSchema::open();
        assert_eq!(
            import_schema(&doc, &json!({"oneOf": [{"type": "string"}]})),
            open
        );
        assert_eq!(import_schema(&doc, &json!({"$ref": "other.yaml#/X"})), open);
        assert_eq!(
            import_schema(&doc, &json!({"$ref": "#/components/schemas/Loop"})),
            open
        );
        let mut node = &import_schema(&doc, &json!({"$ref": "#/components/schemas/Node"}));
        let mut depth = 0;
        while let Some(child) = node.properties.get("child") {
            node = child;
            depth += 1;
        }
        assert_eq!((depth, node), (MAX_DEPTH + 1, &open), "recursion ends open");
        let map = import_schema(
            &doc,
            &json!({"type": "object", "additionalProperties": {"type": "string"}}),
        );
        assert_eq!(map.additional_properties, Some(true));
        let nullable = import_schema(&doc, &json!({"type": "string", "nullable": true}));
        assert_eq!(nullable.schema_type, None);
        assert_eq!(
            import_schema(&doc, &json!({"type": ["integer", "null"]})).schema_type,
            None
        );
        assert_eq!(
            import_schema(&doc, &json!({"type": ["integer"]}))
                .schema_type
                .as_deref(),
            Some("integer")
        );
    }

    #[test]
    fn a_spent_budget_leaves_bodies_open() {
        let doc = json!({});
        let schema = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        let mut budget = 2;
        let first = super::import_schema(&doc, &schema, &mut budget);
        assert_eq!((first.properties.len(), budget), (1, 0));
        let second = super::import_schema(&doc, &schema, &mut budget);
        assert_eq!(second, DeclaredSchema::open());
    }
}
