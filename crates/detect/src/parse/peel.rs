//! Nested encodings, peeled with a bound: the one routine that takes a
//! decoded value apart the way an application would before using it.
//!
//! Applications wrap data: a cookie holds base64 of JSON, a custom header
//! holds URL-encoded JSON, a session cookie is a signed token whose payload
//! is compressed JSON. A detector reading only the outer text sees noise.
//! [`layers`] recognises one layer (JSON, base64, a signed-token format, a
//! urlencoded list) and returns what it wraps; the collector pushes each
//! piece as a value of its own and peels it again, so the chain that
//! revealed a payload is the value's location (`cookie.prefs→base64→json$.q`).
//!
//! Bounds: at most [`MAX_LAYERS`] steps from the placement, [`MAX_CHILDREN`]
//! pieces out of one layer, and a byte budget per placement shared by all of
//! its descendants. Random tokens, UUIDs and images decode to binary or not at
//! all, and are left alone.

use super::signed;
use crate::decode::{base64, Transport};
use crate::location::Layer;
use serde_json::Value as Json;
use std::fmt::Write;

/// Decoding steps from a placement to the deepest value revealed.
pub const MAX_LAYERS: usize = 6;

/// Pieces taken out of one layer (JSON leaves and keys, list pairs); a
/// 4 KB cookie of JSON holds fewer.
pub const MAX_CHILDREN: usize = 128;

/// JSON nesting followed inside a decoded value.
const MAX_JSON_DEPTH: usize = 16;

/// One value revealed by peeling a layer off another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub layer: Layer,
    pub bytes: Vec<u8>,
    /// How the piece is still encoded (a urlencoded pair's value is).
    pub transport: Transport,
}

impl Child {
    pub fn plain(layer: Layer, text: impl Into<Vec<u8>>) -> Child {
        Child {
            layer,
            bytes: text.into(),
            transport: Transport::Plain,
        }
    }

    /// The step and the text, as tests compare them.
    #[cfg(test)]
    pub fn described(children: Vec<Child>) -> Vec<(String, String)> {
        children
            .into_iter()
            .map(|c| {
                let text = String::from_utf8_lossy(&c.bytes).into_owned();
                (c.layer.to_string(), text)
            })
            .collect()
    }
}

/// What peeling one value found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Peeled {
    pub children: Vec<Child>,
    /// A bound (the byte budget, the pieces per layer, JSON depth) cut
    /// what was kept.
    pub exhausted: bool,
}

/// The values `text` wraps, if it is an encoding this module knows.
/// `pairs_alone`: a single `name=value` counts as a list (the value came out
/// of a cookie or a decoding step, where one pair is a whole payload).
/// Each child's bytes are taken from `budget`.
pub fn layers(text: &str, pairs_alone: bool, budget: &mut usize) -> Peeled {
    let trimmed = text.trim();
    let mut peeled = Peeled::default();
    let children = if let Some(json) = json_text(trimmed) {
        json_children(json, &mut peeled.exhausted)
    } else if let Some(children) = signed::reveal(trimmed) {
        children
    } else if let Some(decoded) = base64::decode_text(trimmed) {
        vec![Child::plain(Layer::Base64, decoded)]
    } else {
        pairs(trimmed, pairs_alone, &mut peeled.exhausted)
    };
    for child in children {
        if child.bytes.len() > *budget {
            peeled.exhausted = true;
            break;
        }
        *budget -= child.bytes.len();
        peeled.children.push(child);
    }
    peeled
}

/// `text` when it is a JSON object or array (Express marks JSON cookies
/// with `j:`).
fn json_text(text: &str) -> Option<&str> {
    let text = text.strip_prefix("j:").unwrap_or(text);
    let (first, last) = (text.bytes().next()?, text.bytes().last()?);
    matches!((first, last), (b'{', b'}') | (b'[', b']')).then_some(text)
}

/// The string leaves and keys of a JSON document, by JSONPath; `cut` is
/// set when the document holds more than the bounds let through.
fn json_children(text: &str, cut: &mut bool) -> Vec<Child> {
    let Ok(doc) = serde_json::from_str::<Json>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut path = String::from("$");
    walk(&doc, &mut path, 0, &mut out, cut);
    out
}

fn walk(value: &Json, path: &mut String, depth: usize, out: &mut Vec<Child>, cut: &mut bool) {
    if depth > MAX_JSON_DEPTH || out.len() >= MAX_CHILDREN {
        *cut = true;
        return;
    }
    match value {
        Json::String(s) => out.push(Child::plain(Layer::Json(path.clone()), s.as_str())),
        Json::Object(map) => {
            for (key, child) in map {
                if out.len() >= MAX_CHILDREN {
                    *cut = true;
                    return;
                }
                out.push(Child::plain(Layer::JsonKey(path.clone()), key.as_str()));
                let len = path.len();
                super::json::push_key(path, key);
                walk(child, path, depth + 1, out, cut);
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                // Writing to a String cannot fail.
                let _ = write!(path, "[{i}]");
                walk(child, path, depth + 1, out, cut);
                path.truncate(len);
            }
        }
        Json::Number(_) | Json::Bool(_) | Json::Null => {}
    }
}

/// A urlencoded list (`a=1&b=2`), each value still percent-encoded. Names
/// must look like names, so prose with an `=` in it stays prose; `cut` is
/// set when the list is longer than [`MAX_CHILDREN`].
fn pairs(text: &str, pairs_alone: bool, cut: &mut bool) -> Vec<Child> {
    if !text.contains('=') || (!pairs_alone && !text.contains('&')) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let Some((name, value)) = pair.split_once('=') else {
            return Vec::new();
        };
        let named = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
            });
        if !named {
            return Vec::new();
        }
        if out.len() >= MAX_CHILDREN {
            *cut = true;
            continue;
        }
        out.push(Child {
            layer: Layer::Param(name.to_owned()),
            bytes: value.as_bytes().to_vec(),
            transport: Transport::Form,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peel(text: &str) -> Vec<(String, String)> {
        let mut budget = 4096;
        Child::described(layers(text, false, &mut budget).children)
    }

    #[test]
    fn peels_json_base64_and_lists() {
        assert_eq!(
            peel(r#"{"q":"1' or '1'='1","n":[7]}"#),
            [
                ("json$(key)".into(), "n".into()),
                ("json$(key)".into(), "q".into()),
                ("json$.q".into(), "1' or '1'='1".into()),
            ]
        );
        assert_eq!(
            peel("eyJxIjoiPHN2ZyBvbmxvYWQ9YWxlcnQoMSk+In0="),
            [("base64".into(), r#"{"q":"<svg onload=alert(1)>"}"#.into())]
        );
        assert_eq!(
            peel("lang=en&q=%27+or+1%3D1"),
            [
                (";lang".into(), "en".into()),
                (";q".into(), "%27+or+1%3D1".into())
            ]
        );
        assert_eq!(peel(r#"j:{"a":"b"}"#).len(), 2);
    }

    #[test]
    fn leaves_prose_tokens_and_broken_json_alone() {
        assert!(peel("x = y & z").is_empty());
        assert!(peel("lang=en").is_empty(), "one pair only where asked");
        let mut budget = 100;
        assert_eq!(layers("lang=en", true, &mut budget).children.len(), 1);
        assert!(peel("550e8400-e29b-41d4-a716-446655440000").is_empty());
        assert!(peel("EHGfE-a8HpJ1zt6MU1NFOYIu45BJIO0U").is_empty());
        assert!(peel("{not json}").is_empty());
        assert!(peel("").is_empty());
    }

    #[test]
    fn a_long_list_is_read_up_to_the_bound_and_says_so() {
        let list: Vec<String> = (0..MAX_CHILDREN + 5).map(|i| format!("k{i}=v")).collect();
        let mut budget = 1 << 20;
        let peeled = layers(&list.join("&"), false, &mut budget);
        assert_eq!(peeled.children.len(), MAX_CHILDREN);
        assert!(peeled.exhausted);
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let mut budget = 5;
        let peeled = layers(r#"{"a":"0123456789"}"#, false, &mut budget);
        assert!(peeled.exhausted);
        assert_eq!(peeled.children.len(), 1, "the key fits, the value does not");
    }
}
