//! A JSON body borrowed from the exchange's bytes.
//!
//! Schema inference and sensitive-data scanning both walk every body the
//! inventory sees. Parsed into `serde_json::Value`, each body costs one
//! allocation per string and per object key plus a tree map per object;
//! this view borrows strings from the body bytes (an owned copy only where
//! the text has escapes) and keeps numbers as their kind alone, which is
//! all discovery reads. Object members are sorted by key, the last of
//! duplicates kept, so every walk sees them as it would in a `Value`.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// One JSON value of a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// A number: whether it is an integer (fits `i64` or `u64`, no fraction).
    Number {
        integer: bool,
    },
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members sorted by key, keys unique.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// Parses a JSON document; `None` when it is not valid JSON.
    pub fn parse(bytes: &'a [u8]) -> Option<Json<'a>> {
        // Checking the UTF-8 at once is cheaper than string by string.
        match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text).ok(),
            Err(_) => serde_json::from_slice(bytes).ok(),
        }
    }

    /// An object from members in any order; of duplicate keys the last
    /// (`keep_last`, as JSON parsers do) or the first is kept.
    pub fn object(mut members: Vec<(Cow<'a, str>, Json<'a>)>, keep_last: bool) -> Json<'a> {
        members.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` keeps the first of equal neighbours.
        members.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same && keep_last {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        Json::Object(members)
    }

    /// The member of an object under this key.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        let Json::Object(members) = self else {
            return None;
        };
        members
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &members[i].1)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Object keys, borrowed where they have no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number { integer: true })
    }

    fn visit_u64<E>(self, _: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number { integer: true })
    }

    fn visit_f64<E>(self, _: f64) -> Result<Json<'de>, E> {
        Ok(Json::Number { integer: false })
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some((Key(key), value)) = map.next_entry()? {
            members.push((key, value));
        }
        Ok(Json::object(members, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_text_and_reads_like_a_value() {
        let body = br#"{"b": [1, 2.5, null, true], "a": "plain", "e": "tab\there", "a": "last"}"#;
        let json = Json::parse(body).unwrap();
        let Json::Object(members) = &json else {
            panic!("an object")
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["a", "b", "e"]);
        assert_eq!(json.get("a").and_then(Json::as_str), Some("last"));
        assert!(matches!(
            json.get("a"),
            Some(Json::String(Cow::Borrowed(_)))
        ));
        assert!(matches!(json.get("e"), Some(Json::String(Cow::Owned(s))) if s == "tab\there"));
        assert_eq!(
            json.get("b"),
            Some(&Json::Array(vec![
                Json::Number { integer: true },
                Json::Number { integer: false },
                Json::Null,
                Json::Bool(true)
            ]))
        );
        assert!(Json::parse(b"{\"a\":").is_none());
    }
}
