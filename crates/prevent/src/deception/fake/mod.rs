//! Fake success bodies shaped like an endpoint's learned response schema.
//!
//! The schema is the JSON Schema the inventory learned from real responses
//! (`type`, `format`, `properties`, `required`, `items`,
//! `additionalProperties`, `enum`). The generator reads only the *shape*:
//! types, formats and property names. It never reads `examples`, `default`
//! or `const`, which carry values, so no value of the real API leaves in a
//! fake. Property names are kept (they are what makes a fake plausible, and
//! the inventory learns objects keyed by data, such as ids or emails, as
//! `additionalProperties` maps, whose keys a fake invents).
//!
//! `enum` is the one exception, under a rule: learned enums are values seen
//! in real traffic, so one is echoed only when it looks like vocabulary and
//! not like data: two to [`MAX_ENUM_VALUES`] values, every one a short token
//! (a letter, then letters, digits, `_` or `-`, at most 24 bytes and two
//! digits), e.g. `["open", "closed"]`. An enum with any other value (a name
//! with a space, an email, an id) is ignored and the value is made up from
//! the format and the name instead. (A vocabulary-like enum can still be
//! data, e.g. tenant slugs; the inventory only learns enums of strings that
//! recur across many responses, which keeps that rare.)
//!
//! Fakes are bounded whatever the schema: [`MAX_DEPTH`] levels, at most
//! [`MAX_ITEMS`] items per array and [`MAX_PROPERTIES`] properties per
//! object (of the first [`MAX_SCANNED_PROPERTIES`] the schema lists), and
//! [`MAX_FAKE_BYTES`] of JSON in all: every key and value is charged its
//! exact serialized length before it is added, and generation stops when the
//! next one does not fit.
//!
//! A fake is a function of its seed: the caller derives the seed from the
//! attacker and the object asked for, so asking twice gives the same fake.
//! The ids the request named are *pinned*: `/users/42` gives `"id": 42`.

mod hint;
mod scalar;
mod words;

use crate::deception::prng::FakeRng;
use hint::{hint, singular, Hint};
use scalar::Persona;
pub(crate) use scalar::ScalarContext;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The most bytes of JSON in one fake body.
pub const MAX_FAKE_BYTES: usize = 16 * 1024;
/// The deepest nesting of objects and arrays; deeper ones come out empty.
pub const MAX_DEPTH: usize = 8;
/// The most items in a fake array (at least one).
pub const MAX_ITEMS: u64 = 3;
/// The most properties in one fake object.
pub const MAX_PROPERTIES: usize = 48;
/// The most properties of one schema object looked at.
pub const MAX_SCANNED_PROPERTIES: usize = 256;
/// The most values a learned enum may have and still be echoed.
pub const MAX_ENUM_VALUES: usize = 32;
/// Longest property name copied into a fake.
const MAX_NAME_BYTES: usize = 64;
/// Longest pinned id.
const MAX_PIN_BYTES: usize = 64;
/// How often a property the schema knows but does not require is included.
const OPTIONAL_PERCENT: u64 = 70;

/// Everything a fake depends on besides the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FakeSpec<'a> {
    pub seed: u64,
    pub scalars: ScalarContext<'a>,
    /// Top-level properties with a given value: the ids the request named.
    /// A pin whose value is not a plain id (letters, digits, `-._~:@`) is
    /// ignored.
    pub pins: &'a [(&'a str, &'a str)],
    /// Bytes kept free of the budget for the caller to add to the body.
    pub reserve: usize,
}

/// A fake body for `schema` (the generic success when it is not an object);
/// its JSON is at most [`MAX_FAKE_BYTES`] less the reserve.
pub(crate) fn fake_body(schema: &Value, spec: &FakeSpec<'_>) -> Value {
    let mut rng = FakeRng::new(spec.seed);
    let mut faker = Faker {
        persona: Persona::draw(&mut rng),
        rng,
        budget: MAX_FAKE_BYTES.saturating_sub(spec.reserve),
        scalars: spec.scalars,
    };
    let root = if schema.is_object() {
        schema
    } else {
        generic_success_schema()
    };
    let value = match shape(root, None) {
        Shape::Object => faker.object(root, 0, spec.pins),
        _ => faker.value(root, "", 0),
    };
    value.unwrap_or_else(|| Value::Object(Map::new()))
}

/// The schema of a success when the endpoint's is unknown: an object with an
/// id, a status and timestamps.
pub(crate) fn generic_success_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
            "required": ["id", "status", "created_at", "updated_at"],
        })
    })
}

/// The schema of a login success when the endpoint's is unknown: an OAuth
/// 2.0 token response (RFC 6749, section 5.1).
pub(crate) fn login_success_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"type": "string"},
                "expires_in": {"type": "integer"},
            },
            "required": ["access_token", "token_type", "expires_in"],
        })
    })
}

/// The JSON kinds a schema may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
}

/// The shape to fake: the first declared type of object, array, string,
/// integer, number, boolean (null only when nothing else is allowed); with
/// no `type`, what the keywords present imply, then what the name suggests.
fn shape(schema: &Value, hint: Option<Hint>) -> Shape {
    let declared = |name: &str| match schema.get("type") {
        Some(Value::String(declared)) => declared == name,
        Some(Value::Array(declared)) => declared.iter().take(8).any(|t| t == name),
        _ => false,
    };
    let preference = [
        ("object", Shape::Object),
        ("array", Shape::Array),
        ("string", Shape::String),
        ("integer", Shape::Integer),
        ("number", Shape::Number),
        ("boolean", Shape::Boolean),
        ("null", Shape::Null),
    ];
    if let Some((_, shape)) = preference.iter().find(|(name, _)| declared(name)) {
        return *shape;
    }
    if schema.get("properties").is_some_and(Value::is_object)
        || schema
            .get("additionalProperties")
            .is_some_and(Value::is_object)
    {
        return Shape::Object;
    }
    if schema.get("items").is_some_and(Value::is_object) {
        return Shape::Array;
    }
    match hint {
        Some(Hint::Id | Hint::Count | Hint::Age | Hint::Year | Hint::ExpiresIn) => Shape::Integer,
        Some(Hint::Price | Hint::Latitude | Hint::Longitude) => Shape::Number,
        _ => Shape::String,
    }
}

/// A schema that says nothing: anything goes, by name.
const ANY: &Value = &Value::Null;

struct Faker<'a> {
    rng: FakeRng,
    /// Bytes of JSON still allowed.
    budget: usize,
    scalars: ScalarContext<'a>,
    /// Whom the object being made describes.
    persona: Persona,
}

impl Faker<'_> {
    /// Charges `bytes` if they fit.
    fn take(&mut self, bytes: usize) -> bool {
        let fits = bytes <= self.budget;
        if fits {
            self.budget -= bytes;
        }
        fits
    }

    fn refund(&mut self, bytes: usize) {
        self.budget += bytes;
    }

    /// A fake for `schema` at property `name`; `None` when not even the
    /// smallest value fits the budget.
    fn value(&mut self, schema: &Value, name: &str, depth: usize) -> Option<Value> {
        let hint = hint(name);
        let value = match shape(schema, hint) {
            Shape::Object => return self.object(schema, depth, &[]),
            Shape::Array => return self.array(schema, name, depth),
            Shape::String => match vocabulary(schema) {
                Some(values) => values[self.rng.below(values.len() as u64) as usize].clone(),
                None => {
                    let format = schema.get("format").and_then(Value::as_str);
                    let (scalars, persona) = (&self.scalars, self.persona);
                    Value::String(scalar::string(
                        &mut self.rng,
                        scalars,
                        persona,
                        format,
                        hint,
                    ))
                }
            },
            Shape::Integer => json!(scalar::integer(&mut self.rng, &self.scalars, hint)),
            Shape::Number => json!(scalar::number(&mut self.rng, &self.scalars, hint)),
            Shape::Boolean => Value::Bool(self.rng.chance(50)),
            Shape::Null => Value::Null,
        };
        self.take(json_len(&value)).then_some(value)
    }

    fn object(&mut self, schema: &Value, depth: usize, pins: &[(&str, &str)]) -> Option<Value> {
        if !self.take(2) {
            return None;
        }
        let mut object = Map::new();
        if depth >= MAX_DEPTH {
            return Some(Value::Object(object));
        }
        let outer_persona = std::mem::replace(&mut self.persona, Persona::draw(&mut self.rng));
        self.fill(&mut object, schema, depth, pins);
        self.persona = outer_persona;
        Some(Value::Object(object))
    }

    /// The properties of an object: the required ones, then known ones by
    /// chance (pinned ones always), else map entries; until the budget ends.
    fn fill(
        &mut self,
        object: &mut Map<String, Value>,
        schema: &Value,
        depth: usize,
        pins: &[(&str, &str)],
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .take(MAX_PROPERTIES)
                    .filter_map(Value::as_str)
                    .collect()
            })
            .unwrap_or_default();
        for name in &required {
            let property = properties.and_then(|p| p.get(*name)).unwrap_or(ANY);
            if !self.property(object, name, property, depth, pins) {
                return;
            }
        }
        for (name, property) in properties
            .into_iter()
            .flatten()
            .take(MAX_SCANNED_PROPERTIES)
        {
            if required.contains(&name.as_str()) {
                continue;
            }
            let pinned = pin(pins, name).is_some();
            if !pinned && !self.rng.chance(OPTIONAL_PERCENT) {
                continue;
            }
            if !self.property(object, name, property, depth, pins) {
                return;
            }
        }
        if properties.is_none() {
            if let Some(values) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                self.map_entries(object, values, depth);
            }
        }
    }

    /// Adds one property; false when the budget is spent.
    fn property(
        &mut self,
        object: &mut Map<String, Value>,
        name: &str,
        schema: &Value,
        depth: usize,
        pins: &[(&str, &str)],
    ) -> bool {
        if object.len() >= MAX_PROPERTIES
            || name.is_empty()
            || name.len() > MAX_NAME_BYTES
            || object.contains_key(name)
        {
            return true;
        }
        let key_cost = json_str_len(name) + 1 + usize::from(!object.is_empty());
        if !self.take(key_cost) {
            return false;
        }
        let value = match pin(pins, name) {
            Some(id) => self.pinned(schema, id),
            None => self.value(schema, name, depth + 1),
        };
        match value {
            Some(value) => {
                object.insert(name.to_owned(), value);
                true
            }
            None => {
                self.refund(key_cost);
                false
            }
        }
    }

    /// A pinned id, as a number when the schema wants one and it is one.
    fn pinned(&mut self, schema: &Value, id: &str) -> Option<Value> {
        let value = match (shape(schema, Some(Hint::Id)), id.parse::<i64>()) {
            (Shape::Integer | Shape::Number, Ok(number)) => json!(number),
            _ => Value::String(id.to_owned()),
        };
        self.take(json_len(&value)).then_some(value)
    }

    /// A map keyed by data (ids): a few entries under fake numeric keys.
    fn map_entries(&mut self, object: &mut Map<String, Value>, values: &Value, depth: usize) {
        for _ in 0..self.rng.between(1, MAX_ITEMS) {
            let key = self.rng.between(1000, 999_999).to_string();
            let key_cost = json_str_len(&key) + 1 + usize::from(!object.is_empty());
            if object.contains_key(&key) {
                continue;
            }
            if !self.take(key_cost) {
                return;
            }
            match self.value(values, "", depth + 1) {
                Some(value) => {
                    object.insert(key, value);
                }
                None => {
                    self.refund(key_cost);
                    return;
                }
            }
        }
    }

    fn array(&mut self, schema: &Value, name: &str, depth: usize) -> Option<Value> {
        if !self.take(2) {
            return None;
        }
        let mut items = Vec::new();
        if depth >= MAX_DEPTH {
            return Some(Value::Array(items));
        }
        let item_schema = schema.get("items").unwrap_or(ANY);
        let item_name = singular(name);
        for _ in 0..self.rng.between(1, MAX_ITEMS) {
            let separator = usize::from(!items.is_empty());
            if !self.take(separator) {
                break;
            }
            match self.value(item_schema, item_name, depth + 1) {
                Some(item) => items.push(item),
                None => {
                    self.refund(separator);
                    break;
                }
            }
        }
        Some(Value::Array(items))
    }
}

/// The pinned value of a property, if it is pinned to a plain id.
fn pin<'a>(pins: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    pins.iter()
        .find(|(pinned, _)| *pinned == name)
        .map(|(_, id)| *id)
        .filter(|id| {
            (1..=MAX_PIN_BYTES).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~:@".contains(&b))
        })
}

/// The enum values that may be echoed (see the module documentation).
fn vocabulary(schema: &Value) -> Option<&Vec<Value>> {
    let values = schema.get("enum")?.as_array()?;
    let is_vocabulary = (2..=MAX_ENUM_VALUES).contains(&values.len())
        && values
            .iter()
            .all(|value| value.as_str().is_some_and(is_vocabulary_token));
    is_vocabulary.then_some(values)
}

fn is_vocabulary_token(text: &str) -> bool {
    let bytes = text.as_bytes();
    (1..=24).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && bytes.iter().filter(|b| b.is_ascii_digit()).count() <= 2
}

/// The serialized length of a scalar (containers are charged as they grow).
fn json_len(value: &Value) -> usize {
    match value {
        Value::String(text) => json_str_len(text),
        Value::Number(number) => number.to_string().len(),
        Value::Bool(true) | Value::Null => 4,
        Value::Bool(false) => 5,
        Value::Array(_) | Value::Object(_) => serde_json::to_string(value).map_or(0, |s| s.len()),
    }
}

/// The serialized length of a string, quotes and escapes included.
fn json_str_len(text: &str) -> usize {
    2 + text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: u64) -> FakeSpec<'static> {
        FakeSpec {
            seed,
            scalars: ScalarContext {
                anchor_secs: 1_700_000_000,
                token: None,
                token_ttl_secs: 3600,
            },
            pins: &[],
            reserve: 0,
        }
    }

    #[test]
    fn json_lengths_match_serde_json() {
        for text in ["plain", "quo\"te", "back\\slash", "new\nline", "\u{1}", "é"] {
            let value = Value::String(text.into());
            assert_eq!(json_len(&value), value.to_string().len(), "{text:?}");
        }
        for value in [
            json!(12.5),
            json!(-3),
            json!(true),
            json!(false),
            json!(null),
        ] {
            assert_eq!(json_len(&value), value.to_string().len());
        }
    }

    #[test]
    fn only_vocabulary_enums_are_echoed() {
        assert!(vocabulary(&json!({"enum": ["open", "closed", "on_hold"]})).is_some());
        for data in [
            json!({"enum": ["open"]}),
            json!({"enum": ["open", "Jane Doe"]}),
            json!({"enum": ["open", "jane@corp.example"]}),
            json!({"enum": ["open", "a1b2c3d4"]}),
            json!({"enum": ["open", 42]}),
        ] {
            assert!(vocabulary(&data).is_none(), "{data}");
        }
    }

    #[test]
    fn types_keywords_and_names_decide_the_shape() {
        assert_eq!(
            shape(&json!({"type": ["null", "string"]}), None),
            Shape::String
        );
        assert_eq!(shape(&json!({"type": "null"}), None), Shape::Null);
        assert_eq!(shape(&json!({"items": {}}), None), Shape::Array);
        assert_eq!(shape(&json!({"properties": {}}), None), Shape::Object);
        assert_eq!(shape(ANY, Some(Hint::Price)), Shape::Number);
        assert_eq!(shape(ANY, None), Shape::String);
    }

    #[test]
    fn maps_keyed_by_data_get_fake_keys() {
        let schema = json!({"type": "object", "additionalProperties": {"type": "integer"}});
        let fake = fake_body(&schema, &spec(5));
        let object = fake.as_object().unwrap();
        assert!(!object.is_empty());
        assert!(object
            .iter()
            .all(|(k, v)| k.parse::<u64>().is_ok() && v.is_i64()));
    }

    #[test]
    fn pins_set_the_requested_id_in_the_schema_type() {
        let schema = json!({"type": "object", "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}}});
        let pins = [("id", "42"), ("slug", "x\"y")];
        let fake = fake_body(
            &schema,
            &FakeSpec {
                pins: &pins,
                ..spec(1)
            },
        );
        assert_eq!(fake["id"], json!(42));
        assert_ne!(fake["slug"], json!("x\"y"), "only plain ids are echoed");
    }
}
