//! Schemas learned from samples: query parameters, headers, JSON bodies.
//!
//! Each endpoint folds every sample it sees into one `Schema` per location,
//! so the contract is known without a spec: types, string formats, enums
//! where few values recur, `required` (present in every sample), and objects
//! keyed by data (`{"12": {...}, "13": {...}}`) collapsed into
//! `additionalProperties`. Everything is bounded: depth, properties per
//! object, enum candidates, array elements examined. A schema node is
//! compact (a format is one byte, enum candidates share one buffer,
//! properties one sorted vector): an inventory holds one per field of
//! every endpoint.

use crate::json::Json;
use crate::segment::{classify, ValueKind};
use crate::vecmap::VecMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

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
    pub fn names(self) -> Vec<&'static str> {
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

/// An OpenAPI string format recognised in values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    #[serde(rename = "uri")]
    Uri,
    #[serde(rename = "date")]
    Date,
    #[serde(rename = "date-time")]
    DateTime,
    #[serde(rename = "uuid")]
    Uuid,
    #[serde(rename = "ipv4")]
    Ipv4,
    #[serde(rename = "ipv6")]
    Ipv6,
    #[serde(rename = "email")]
    Email,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Uri => "uri",
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Uuid => "uuid",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Email => "email",
        }
    }
}

/// Distinct short values with their counts, sorted, packed in one buffer
/// as `[length][text][count: u32 little-endian]` entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumCandidates(Box<[u8]>);

impl EnumCandidates {
    /// (text, count) in text order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (text, tail) = tail.split_at(usize::from(len));
            let (count, tail) = tail.split_at(4);
            rest = tail;
            let count = u32::from_le_bytes([count[0], count[1], count[2], count[3]]);
            // Only whole `&str`s are ever written.
            Some((std::str::from_utf8(text).unwrap_or_default(), count))
        })
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `count` sightings of a value. A value not among the candidates
    /// yet must pass `admit` and fit in the bound; false when it does not
    /// (the location then has no enum).
    fn add(&mut self, text: &str, count: u32, admit: impl FnOnce() -> bool) -> bool {
        let mut at = 0;
        while at < self.0.len() {
            let len = usize::from(self.0[at]);
            let count_at = at + 1 + len;
            match self.0[at + 1..count_at].cmp(text.as_bytes()) {
                std::cmp::Ordering::Less => at = count_at + 4,
                std::cmp::Ordering::Equal => {
                    let stored = &mut self.0[count_at..count_at + 4];
                    let old = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
                    stored.copy_from_slice(&old.saturating_add(count).to_le_bytes());
                    return true;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        let Ok(len) = u8::try_from(text.len()) else {
            return false;
        };
        if self.len() >= MAX_ENUM_VALUES || !admit() {
            return false;
        }
        let mut buffer = Vec::with_capacity(self.0.len() + 5 + text.len());
        buffer.extend_from_slice(&self.0[..at]);
        buffer.push(len);
        buffer.extend_from_slice(text.as_bytes());
        buffer.extend_from_slice(&count.to_le_bytes());
        buffer.extend_from_slice(&self.0[at..]);
        self.0 = buffer.into_boxed_slice();
        true
    }
}

impl Serialize for EnumCandidates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(text, count)| (text, u64::from(count))))
    }
}

impl<'de> Deserialize<'de> for EnumCandidates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, u64>::deserialize(d)?;
        let mut candidates = EnumCandidates::default();
        for (text, count) in map.iter().take(MAX_ENUM_VALUES) {
            if text.len() <= MAX_ENUM_VALUE_LEN {
                candidates.add(text, u32::try_from(*count).unwrap_or(u32::MAX), || true);
            }
        }
        Ok(candidates)
    }
}

/// A learned schema for one location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "SchemaWire")]
pub struct Schema {
    /// Samples in which this location was present.
    pub samples: u64,
    pub types: TypeSet,
    /// The format every string sample showed; `None` before any string
    /// sample or once one did not show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default)]
    pub string_samples: u64,
    /// Distinct scalar values with their counts, while there are few.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<EnumCandidates>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Schema>>,
    /// Samples in which this location held an object.
    #[serde(default)]
    pub object_samples: u64,
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub properties: VecMap<Box<str>, Schema>,
    /// Objects keyed by data collapse into one schema for all their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Box<Schema>>,
}

/// A schema as snapshots store it, including those written before the
/// format was kept as a state: then `format_hits` told how many string
/// samples showed `format`.
#[derive(Deserialize)]
struct SchemaWire {
    samples: u64,
    types: TypeSet,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    format_hits: Option<u64>,
    #[serde(default)]
    string_samples: u64,
    #[serde(default)]
    values: Option<EnumCandidates>,
    #[serde(default)]
    items: Option<Box<Schema>>,
    #[serde(default)]
    object_samples: u64,
    #[serde(default)]
    properties: VecMap<Box<str>, Schema>,
    #[serde(default)]
    additional: Option<Box<Schema>>,
}

impl From<SchemaWire> for Schema {
    fn from(w: SchemaWire) -> Self {
        let consistent = w.format_hits.is_none_or(|hits| hits == w.string_samples);
        Schema {
            samples: w.samples,
            types: w.types,
            format: w.format.filter(|_| consistent),
            string_samples: w.string_samples,
            values: w.values,
            items: w.items,
            object_samples: w.object_samples,
            properties: w.properties,
            additional: w.additional,
        }
    }
}

impl Schema {
    /// Folds one JSON sample into the schema.
    pub fn observe(&mut self, value: &Json<'_>) {
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
            self.note_value(text, || classify(text, false));
        }
    }

    /// Counts one sample of an object whose fields are added by the caller
    /// (query strings, header sets).
    pub fn note_object_sample(&mut self) {
        self.samples += 1;
        self.object_samples += 1;
        self.types.insert(TypeSet::OBJECT);
    }

    fn observe_at(&mut self, value: &Json<'_>, depth: usize) {
        self.samples += 1;
        match value {
            Json::Null => self.types.insert(TypeSet::NULL),
            Json::Bool(b) => {
                self.types.insert(TypeSet::BOOLEAN);
                self.note_value(if *b { "true" } else { "false" }, || ValueKind::Word);
            }
            Json::Number { integer } => {
                self.types.insert(if *integer {
                    TypeSet::INTEGER
                } else {
                    TypeSet::NUMBER
                });
            }
            Json::String(s) => {
                self.types.insert(TypeSet::STRING);
                self.note_format(string_format(s));
                if self.values.is_some() || self.samples == 1 {
                    self.note_value(s, || classify(s, false));
                }
            }
            Json::Array(items) => {
                self.types.insert(TypeSet::ARRAY);
                if depth < MAX_DEPTH {
                    let schema = self.items.get_or_insert_with(Default::default);
                    for item in items.iter().take(MAX_ITEMS_PER_SAMPLE) {
                        schema.observe_at(item, depth + 1);
                    }
                }
            }
            Json::Object(members) => {
                self.types.insert(TypeSet::OBJECT);
                self.object_samples += 1;
                if depth < MAX_DEPTH {
                    self.observe_object(members, depth);
                }
            }
        }
    }

    fn observe_object(&mut self, members: &[(std::borrow::Cow<'_, str>, Json<'_>)], depth: usize) {
        if self.additional.is_none() {
            // Members and properties are both sorted by key: one pass pairs them.
            let mut new_keys = 0;
            let mut properties = self.properties.iter_mut().peekable();
            for (key, value) in members {
                // Usually the next property is this member: test that first.
                let known = loop {
                    if let Some((_, schema)) = properties.next_if(|(k, _)| ***k == **key) {
                        break Some(schema);
                    }
                    if properties.next_if(|(k, _)| ***k < **key).is_none() {
                        break None;
                    }
                };
                match known {
                    Some(schema) => schema.observe_at(value, depth + 1),
                    None => new_keys += 1,
                }
            }
            drop(properties);
            if new_keys == 0 {
                return;
            }
            // Keys are classified only when new ones appear: once per shape.
            let as_map = self.properties.len() + members.len() > MAX_PROPERTIES
                || keyed_by_data(
                    (members.iter().map(|(k, _)| k.as_ref()))
                        .chain(self.properties.keys().map(|k| &**k)),
                );
            if !as_map {
                let mut new = Vec::with_capacity(new_keys);
                for (key, value) in members {
                    if self.properties.get(key.as_ref()).is_none() {
                        let mut schema = Schema::default();
                        schema.observe_at(value, depth + 1);
                        new.push((Box::from(key.as_ref()), schema));
                    }
                }
                self.properties.insert_new(new);
                return;
            }
            // Values of known keys were counted above: keep them, fold the
            // new ones into the map schema too.
            self.collapse_into_map();
        }
        if let Some(additional) = self.additional.as_mut() {
            for (_, value) in members.iter().take(MAX_PROPERTIES) {
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

    fn note_format(&mut self, format: Option<Format>) {
        if self.string_samples == 0 {
            self.format = format;
        } else if self.format != format {
            self.format = None;
        }
        self.string_samples += 1;
    }

    /// The format every string sample showed.
    pub fn consistent_format(&self) -> Option<&'static str> {
        self.format.map(Format::name)
    }

    /// Counts a scalar among the enum candidates; `kind` is asked only of
    /// a value not seen before (a known one was classified then).
    fn note_value(&mut self, text: &str, kind: impl FnOnce() -> ValueKind) {
        if self.samples == 1 && self.values.is_none() {
            self.values = Some(EnumCandidates::default());
        }
        let Some(values) = self.values.as_mut() else {
            return;
        };
        let admit = || text.len() <= MAX_ENUM_VALUE_LEN && !kind().is_identifier();
        if !values.add(text, 1, admit) {
            self.values = None;
        }
    }

    /// Folds another schema for the same location into this one.
    pub fn merge(&mut self, other: &Schema) {
        let had_samples = self.samples > 0;
        self.samples += other.samples;
        self.types.0 |= other.types.0;
        if self.string_samples == 0 {
            self.format = other.format;
        } else if other.string_samples > 0 && self.format != other.format {
            self.format = None;
        }
        self.string_samples += other.string_samples;
        self.values = match (self.values.take(), &other.values) {
            (Some(mut mine), Some(theirs)) if had_samples => theirs
                .iter()
                .all(|(value, count)| mine.add(value, count, || true))
                .then_some(mine),
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
        let mut new = Vec::new();
        for (key, schema) in other.properties.iter() {
            match self.properties.get_mut(key) {
                Some(mine) => mine.merge(schema),
                None => new.push((key.clone(), schema.clone())),
            }
        }
        self.properties.insert_new(new);
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
            s.properties.keys().map(|k| &**k).collect()
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
                    .map(|(k, s)| (k.to_string(), s.to_json_schema()))
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
        let distinct = values.len();
        if !only_strings || distinct == 0 || self.samples < 4 || self.samples < 2 * distinct as u64
        {
            return None;
        }
        Some(values.iter().map(|(v, _)| json!(v)).collect())
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
pub fn string_format(s: &str) -> Option<Format> {
    let b = s.as_bytes();
    if b.len() > 64 || b.len() < 5 {
        return None;
    }
    if b.starts_with(b"https://") || b.starts_with(b"http://") {
        return Some(Format::Uri);
    }
    if b[0].is_ascii_digit() {
        return match classify(s, false) {
            ValueKind::Date => Some(Format::Date),
            ValueKind::DateTime => Some(Format::DateTime),
            ValueKind::Uuid if b.len() == 36 => Some(Format::Uuid),
            ValueKind::IpAddress if s.contains(':') => Some(Format::Ipv6),
            ValueKind::IpAddress => Some(Format::Ipv4),
            _ => None,
        };
    }
    if b.len() == 36 && b[8] == b'-' {
        return (classify(s, false) == ValueKind::Uuid).then_some(Format::Uuid);
    }
    // One pass for both marks (this runs on every string of every body).
    let (at, colon) = b.iter().fold((false, false), |(at, colon), &c| {
        (at || c == b'@', colon || c == b':')
    });
    if at {
        return crate::segment::is_email(s).then_some(Format::Email);
    }
    if colon && s.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(Format::Ipv6);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(samples: &[Value]) -> Schema {
        let mut schema = Schema::default();
        for s in samples {
            let text = s.to_string();
            schema.observe(&Json::parse(text.as_bytes()).unwrap());
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
        let mut merged = learn(&[a]);
        merged.merge(&learn(&[b]));
        let out = merged.to_json_schema();
        assert_eq!(out["properties"]["x"]["items"]["type"], "number");
        assert_eq!(out["properties"]["y"]["format"], "date");
        assert_eq!(out["required"], json!(["x"]));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = json!(1);
        for _ in 0..100 {
            v = json!([v]);
        }
        let schema = learn(&[v]);
        let mut depth = 0;
        let mut cur = &schema;
        while let Some(items) = &cur.items {
            depth += 1;
            cur = items;
        }
        assert!(depth <= MAX_DEPTH);
    }

    #[test]
    fn snapshots_round_trip_and_older_ones_load() {
        let schema = learn(&[
            json!({"s": "open", "d": "2024-01-01", "n": [1]}),
            json!({"s": "closed", "d": "2024-01-02"}),
        ]);
        let text = serde_json::to_string(&schema).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&text).unwrap(), schema);
        assert!(text.contains(r#""values":{"closed":1,"open":1}"#), "{text}");
        // Before formats were a state: two string samples, one a date.
        let older =
            r#"{"samples":2,"types":16,"format":"date","format_hits":1,"string_samples":2}"#;
        let older: Schema = serde_json::from_str(older).unwrap();
        assert_eq!((older.string_samples, older.consistent_format()), (2, None));
    }

    #[test]
    fn enum_candidates_stay_sorted_and_bounded() {
        let mut values = EnumCandidates::default();
        for v in ["b", "a", "c", "a"] {
            assert!(values.add(v, 1, || true));
        }
        assert_eq!(
            values.iter().collect::<Vec<_>>(),
            [("a", 2), ("b", 1), ("c", 1)]
        );
        assert!(!values.add("x", 1, || false));
        for v in ["d", "e", "f", "g", "h"] {
            assert!(values.add(v, 1, || true));
        }
        assert!(!values.add("i", 1, || true));
        assert!(
            values.add("h", 1, || false),
            "a known value is not asked again"
        );
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
