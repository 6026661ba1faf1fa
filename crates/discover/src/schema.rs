//! Schemas learned from samples: query parameters, headers, JSON bodies.
//!
//! Each endpoint folds every sample it sees into one `Schema` per location,
//! so the contract is known without a spec: types, string formats, enums
//! where few values recur, `required` (present in every sample), and objects
//! keyed by data (`{"12": {...}, "13": {...}}`) collapsed into
//! `additionalProperties`. Everything is bounded: depth, properties per
//! object, enum candidates, array elements examined.

use crate::segment::{classify, ValueKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Deepest nesting learned; deeper values are counted but not described.
pub const MAX_DEPTH: usize = 16;
/// Properties kept per object before it is treated as a map keyed by data.
pub const MAX_PROPERTIES: usize = 96;
/// Distinct values remembered as enum candidates.
const MAX_ENUM_VALUES: usize = 8;
/// Longest string kept as an enum candidate.
const MAX_ENUM_VALUE_LEN: usize = 48;
/// Array elements examined per sample.
const MAX_ITEMS_PER_SAMPLE: usize = 16;

/// JSON types seen at one location, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TypeSet(u8);

impl TypeSet {
    const NULL: u8 = 1;
    const BOOLEAN: u8 = 2;
    const INTEGER: u8 = 4;
    const NUMBER: u8 = 8;
    const STRING: u8 = 16;
    const ARRAY: u8 = 32;
    const OBJECT: u8 = 64;

    fn insert(&mut self, bit: u8) {
        self.0 |= bit;
    }

    fn contains(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// OpenAPI 3.1 type names; an integer that was also seen as a float is a number.
    fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        let pairs = [
            (Self::OBJECT, "object"),
            (Self::ARRAY, "array"),
            (Self::STRING, "string"),
            (Self::NUMBER, "number"),
            (Self::INTEGER, "integer"),
            (Self::BOOLEAN, "boolean"),
            (Self::NULL, "null"),
        ];
        for (bit, name) in pairs {
            if self.contains(bit) && !(bit == Self::INTEGER && self.contains(Self::NUMBER)) {
                names.push(name);
            }
        }
        names
    }
}

/// A learned schema for one location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// Samples in which this location was present.
    pub samples: u64,
    pub types: TypeSet,
    /// Format of the first string sample; it holds while every string
    /// sample shows it (`format_hits == string_samples`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default)]
    pub format_hits: u64,
    #[serde(default)]
    pub string_samples: u64,
    /// Distinct scalar values with their counts, while there are few.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Schema>>,
    /// Samples in which this location held an object.
    #[serde(default)]
    pub object_samples: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Schema>,
    /// Objects keyed by data collapse into one schema for all their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Box<Schema>>,
}

impl Schema {
    /// A schema learned from one JSON value.
    pub fn from_value(value: &Value) -> Self {
        let mut schema = Schema::default();
        schema.observe(value);
        schema
    }

    /// Folds one JSON sample into the schema.
    pub fn observe(&mut self, value: &Value) {
        self.observe_at(value, 0);
    }

    /// Folds a textual value (query parameter, header, form field), typed by
    /// what it looks like: `42` is an integer, `true` a boolean.
    pub fn observe_text(&mut self, text: &str) {
        self.samples += 1;
        if text.parse::<i64>().is_ok() {
            self.types.insert(TypeSet::INTEGER);
        } else if text.parse::<f64>().is_ok_and(f64::is_finite) && text.contains('.') {
            self.types.insert(TypeSet::NUMBER);
        } else if text == "true" || text == "false" {
            self.types.insert(TypeSet::BOOLEAN);
        } else {
            self.types.insert(TypeSet::STRING);
            self.note_format(string_format(text));
        }
        if self.values.is_some() || self.samples == 1 {
            self.note_value(text, classify(text, false));
        }
    }

    /// Counts one sample of an object whose fields are added by the caller
    /// (query strings, header sets).
    pub fn note_object_sample(&mut self) {
        self.samples += 1;
        self.object_samples += 1;
        self.types.insert(TypeSet::OBJECT);
    }

    fn observe_at(&mut self, value: &Value, depth: usize) {
        self.samples += 1;
        match value {
            Value::Null => self.types.insert(TypeSet::NULL),
            Value::Bool(b) => {
                self.types.insert(TypeSet::BOOLEAN);
                self.note_value(if *b { "true" } else { "false" }, ValueKind::Word);
            }
            Value::Number(n) => {
                self.types.insert(if n.is_i64() || n.is_u64() {
                    TypeSet::INTEGER
                } else {
                    TypeSet::NUMBER
                });
            }
            Value::String(s) => {
                self.types.insert(TypeSet::STRING);
                self.note_format(string_format(s));
                if self.values.is_some() || self.samples == 1 {
                    self.note_value(s, classify(s, false));
                }
            }
            Value::Array(items) => {
                self.types.insert(TypeSet::ARRAY);
                if depth < MAX_DEPTH {
                    let schema = self.items.get_or_insert_with(Default::default);
                    for item in items.iter().take(MAX_ITEMS_PER_SAMPLE) {
                        schema.observe_at(item, depth + 1);
                    }
                }
            }
            Value::Object(map) => {
                self.types.insert(TypeSet::OBJECT);
                self.object_samples += 1;
                if depth < MAX_DEPTH {
                    self.observe_object(map, depth);
                }
            }
        }
    }

    fn observe_object(&mut self, map: &Map<String, Value>, depth: usize) {
        if self.additional.is_none() {
            let mut new_keys = false;
            for (key, value) in map {
                match self.properties.get_mut(key) {
                    Some(schema) => schema.observe_at(value, depth + 1),
                    None => new_keys = true,
                }
            }
            if !new_keys {
                return;
            }
            // Keys are classified only when new ones appear: once per shape.
            let all_keys = map.keys().chain(self.properties.keys()).map(String::as_str);
            if self.properties.len() + map.len() <= MAX_PROPERTIES && !keyed_by_data(all_keys) {
                for (key, value) in map {
                    if !self.properties.contains_key(key) {
                        let mut schema = Schema::default();
                        schema.observe_at(value, depth + 1);
                        self.properties.insert(key.clone(), schema);
                    }
                }
                return;
            }
            // Values of known keys were counted above: keep them, fold the
            // new ones into the map schema too.
            self.collapse_into_map();
            if let Some(additional) = self.additional.as_mut() {
                for value in map.values().take(MAX_PROPERTIES) {
                    additional.observe_at(value, depth + 1);
                }
            }
            return;
        }
        if let Some(additional) = self.additional.as_mut() {
            for value in map.values().take(MAX_PROPERTIES) {
                additional.observe_at(value, depth + 1);
            }
        }
    }

    /// Turns the named properties into one `additionalProperties` schema.
    fn collapse_into_map(&mut self) {
        let mut additional = self.additional.take().map(|b| *b).unwrap_or_default();
        for (_, schema) in std::mem::take(&mut self.properties) {
            additional.merge(&schema);
        }
        self.additional = Some(Box::new(additional));
    }

    fn note_format(&mut self, format: Option<&'static str>) {
        if self.string_samples == 0 {
            self.format = format.map(str::to_owned);
            self.format_hits = u64::from(format.is_some());
        } else if format.is_some() && self.format.as_deref() == format {
            self.format_hits += 1;
        }
        self.string_samples += 1;
    }

    /// The format every string sample showed.
    pub fn consistent_format(&self) -> Option<&str> {
        self.format
            .as_deref()
            .filter(|_| self.format_hits == self.string_samples)
    }

    fn note_value(&mut self, text: &str, kind: ValueKind) {
        if self.samples == 1 && self.values.is_none() {
            self.values = Some(BTreeMap::new());
        }
        let Some(values) = self.values.as_mut() else {
            return;
        };
        if text.len() > MAX_ENUM_VALUE_LEN || kind.is_identifier() {
            self.values = None;
            return;
        }
        if let Some(count) = values.get_mut(text) {
            *count += 1;
        } else if values.len() < MAX_ENUM_VALUES {
            values.insert(text.to_owned(), 1);
        } else {
            self.values = None;
        }
    }

    /// Folds another schema for the same location into this one.
    pub fn merge(&mut self, other: &Schema) {
        let had_samples = self.samples > 0;
        self.samples += other.samples;
        self.types.0 |= other.types.0;
        if self.string_samples == 0 {
            self.format = other.format.clone();
            self.format_hits = other.format_hits;
        } else if self.format == other.format {
            self.format_hits += other.format_hits;
        }
        self.string_samples += other.string_samples;
        self.values = match (self.values.take(), &other.values) {
            (Some(mut mine), Some(theirs)) if had_samples => {
                for (value, count) in theirs {
                    *mine.entry(value.clone()).or_insert(0) += count;
                }
                (mine.len() <= MAX_ENUM_VALUES).then_some(mine)
            }
            (_, theirs) if !had_samples => theirs.clone(),
            _ => None,
        };
        if let Some(items) = &other.items {
            self.items.get_or_insert_with(Default::default).merge(items);
        }
        self.object_samples += other.object_samples;
        if self.additional.is_some() || other.additional.is_some() {
            if self.additional.is_none() {
                self.collapse_into_map();
            }
            let additional = self.additional.get_or_insert_with(Default::default);
            if let Some(theirs) = &other.additional {
                additional.merge(theirs);
            }
            for schema in other.properties.values() {
                additional.merge(schema);
            }
            return;
        }
        for (key, schema) in &other.properties {
            if let Some(mine) = self.properties.get_mut(key) {
                mine.merge(schema);
            } else {
                self.properties.insert(key.clone(), schema.clone());
            }
        }
        if self.properties.len() > MAX_PROPERTIES {
            self.collapse_into_map();
        }
    }

    /// Whether the location was present in every sample of its parent object.
    pub fn required_in(&self, parent_object_samples: u64) -> bool {
        parent_object_samples > 0 && self.samples >= parent_object_samples
    }

    /// An array was seen here.
    pub fn is_array(&self) -> bool {
        self.types.contains(TypeSet::ARRAY)
    }

    /// An object was seen here.
    pub fn is_object(&self) -> bool {
        self.types.contains(TypeSet::OBJECT)
    }

    /// Top-level shape used to compare endpoints: the JSON type and, for
    /// objects (or arrays of objects), the property names.
    pub fn shape_keys(&self) -> (u8, Vec<&str>) {
        fn keys(s: &Schema) -> Vec<&str> {
            s.properties.keys().map(String::as_str).collect()
        }
        match &self.items {
            Some(items) if self.types.contains(TypeSet::ARRAY) => (self.types.0, keys(items)),
            _ => (self.types.0, keys(self)),
        }
    }

    /// The schema as an OpenAPI 3.1 (JSON Schema 2020-12) object.
    pub fn to_json_schema(&self) -> Value {
        let mut out = Map::new();
        let names = self.types.names();
        match names.as_slice() {
            [] => {}
            [one] => {
                out.insert("type".into(), json!(one));
            }
            many => {
                out.insert("type".into(), json!(many));
            }
        }
        if let Some(format) = self.consistent_format() {
            out.insert("format".into(), json!(format));
        }
        if let Some(values) = self.enum_values() {
            out.insert("enum".into(), Value::Array(values));
        }
        if let Some(items) = &self.items {
            out.insert("items".into(), items.to_json_schema());
        }
        if self.types.contains(TypeSet::OBJECT) {
            if let Some(additional) = &self.additional {
                out.insert("additionalProperties".into(), additional.to_json_schema());
            } else if !self.properties.is_empty() {
                let properties: Map<String, Value> = self
                    .properties
                    .iter()
                    .map(|(k, s)| (k.clone(), s.to_json_schema()))
                    .collect();
                let required: Vec<Value> = self
                    .properties
                    .iter()
                    .filter(|(_, s)| s.required_in(self.object_samples))
                    .map(|(k, _)| json!(k))
                    .collect();
                out.insert("properties".into(), Value::Object(properties));
                if !required.is_empty() {
                    out.insert("required".into(), Value::Array(required));
                }
            }
        }
        Value::Object(out)
    }

    /// Enum values when few distinct scalars recur (each seen at least twice
    /// on average, over at least four samples).
    fn enum_values(&self) -> Option<Vec<Value>> {
        let values = self.values.as_ref()?;
        let scalar = self.types.names();
        let only_strings = scalar == ["string"];
        if !only_strings
            || values.is_empty()
            || self.samples < 4
            || self.samples < 2 * values.len() as u64
        {
            return None;
        }
        Some(values.keys().map(|v| json!(v)).collect())
    }
}

/// Object keys that are data, not names: ids, dates, emails.
fn keyed_by_data<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    let all = keys.all(|k| {
        any = true;
        classify(k, false).is_identifier()
    });
    any && all
}

/// The OpenAPI string format a value shows, if any (only the checks the
/// formats need: this runs on every string of every body).
pub fn string_format(s: &str) -> Option<&'static str> {
    let b = s.as_bytes();
    if b.len() > 64 || b.len() < 5 {
        return None;
    }
    if b.starts_with(b"https://") || b.starts_with(b"http://") {
        return Some("uri");
    }
    if b[0].is_ascii_digit() {
        return match classify(s, false) {
            ValueKind::Date => Some("date"),
            ValueKind::DateTime => Some("date-time"),
            ValueKind::Uuid if b.len() == 36 => Some("uuid"),
            ValueKind::IpAddress if s.contains(':') => Some("ipv6"),
            ValueKind::IpAddress => Some("ipv4"),
            _ => None,
        };
    }
    if b.len() == 36 && b[8] == b'-' {
        return (classify(s, false) == ValueKind::Uuid).then_some("uuid");
    }
    if s.contains('@') {
        return crate::segment::is_email(s).then_some("email");
    }
    if s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some("ipv6");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(samples: &[Value]) -> Schema {
        let mut schema = Schema::default();
        for s in samples {
            schema.observe(s);
        }
        schema
    }

    #[test]
    fn required_types_formats_and_enums() {
        let schema = learn(&[
            json!({"id": 1, "email": "a@b.io", "status": "open", "note": "x"}),
            json!({"id": 2, "email": "c@d.io", "status": "closed"}),
            json!({"id": 3, "email": "e@f.io", "status": "open"}),
            json!({"id": 4, "email": "g@h.io", "status": "open"}),
        ]);
        let out = schema.to_json_schema();
        assert_eq!(out["type"], "object");
        assert_eq!(out["properties"]["id"]["type"], "integer");
        assert_eq!(out["properties"]["email"]["format"], "email");
        assert_eq!(
            out["properties"]["status"]["enum"],
            json!(["closed", "open"])
        );
        assert_eq!(out["properties"]["note"].get("enum"), None);
        let required = out["required"].as_array().unwrap();
        assert!(required.contains(&json!("id")) && !required.contains(&json!("note")));
    }

    #[test]
    fn objects_keyed_by_ids_become_maps() {
        let schema = learn(&[json!({"1001": {"n": 1}, "1002": {"n": 2}})]);
        let out = schema.to_json_schema();
        assert_eq!(
            out["additionalProperties"]["properties"]["n"]["type"],
            "integer"
        );
        assert!(out.get("properties").is_none());
    }

    #[test]
    fn too_many_properties_collapse_into_a_map() {
        let mut wide = Map::new();
        for i in 0..(MAX_PROPERTIES + 5) {
            wide.insert(format!("k{i}x"), json!(i));
        }
        let schema = learn(&[Value::Object(wide)]);
        assert!(schema.additional.is_some());
        assert!(schema.properties.is_empty());
    }

    #[test]
    fn merge_equals_observing_both() {
        let a = json!({"x": [1, 2], "y": "2024-01-01"});
        let b = json!({"x": [1.5], "z": null});
        let mut merged = Schema::from_value(&a);
        merged.merge(&Schema::from_value(&b));
        let out = merged.to_json_schema();
        assert_eq!(out["properties"]["x"]["items"]["type"], "number");
        assert_eq!(out["properties"]["y"]["format"], "date");
        assert_eq!(out["required"], json!(["x"]));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = json!(1);
        for _ in 0..200 {
            v = json!([v]);
        }
        let schema = Schema::from_value(&v);
        let mut depth = 0;
        let mut cur = &schema;
        while let Some(items) = &cur.items {
            depth += 1;
            cur = items;
        }
        assert!(depth <= MAX_DEPTH);
    }

    #[test]
    fn text_values_are_typed() {
        let mut s = Schema::default();
        for v in ["1", "2", "30"] {
            s.observe_text(v);
        }
        assert_eq!(s.to_json_schema()["type"], "integer");
    }
}
