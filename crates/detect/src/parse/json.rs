//! JSON bodies: every string leaf and every key, tagged with its JSONPath.
//!
//! serde_json's own recursion limit stops stack exhaustion while parsing;
//! the walk here is bounded by `Limits::max_depth` and the value count.

use super::{Anomaly, Collector};
use crate::decode::Transport;
use crate::location::Location;
use serde_json::Value as Json;
use std::fmt::Write;

/// Pushes the keys and string leaves of a parsed document (the request
/// view parses the body once for every reader).
pub fn walk_document(doc: &Json, sink: &mut Collector<'_>) {
    let mut path = String::from("$");
    walk(doc, &mut path, 0, sink);
}

/// Appends `key` to a JSONPath.
pub fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("['");
        path.push_str(&key.replace('\'', "\\'"));
        path.push_str("']");
    }
}

/// Pushes the leaves of `value` found under `path`; returns false once the
/// value limit is hit.
pub fn walk(value: &Json, path: &mut String, depth: usize, sink: &mut Collector<'_>) -> bool {
    if depth > sink.limits().max_depth {
        sink.anomaly(Anomaly::TooDeep {
            location: path.clone(),
        });
        return true;
    }
    match value {
        Json::String(s) => sink.push(Location::Json(path.clone()), s.as_bytes(), Transport::Plain),
        Json::Object(map) => {
            for (key, child) in map {
                if !sink.push(
                    Location::JsonKey(path.clone()),
                    key.as_bytes(),
                    Transport::Plain,
                ) {
                    return false;
                }
                let len = path.len();
                push_key(path, key);
                let go_on = walk(child, path, depth + 1, sink);
                path.truncate(len);
                if !go_on {
                    return false;
                }
            }
            true
        }
        Json::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                // Writing to a String cannot fail.
                let _ = write!(path, "[{i}]");
                let go_on = walk(child, path, depth + 1, sink);
                path.truncate(len);
                if !go_on {
                    return false;
                }
            }
            true
        }
        Json::Number(_) | Json::Bool(_) | Json::Null => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    /// Parses and walks, as the engine does through the request view.
    fn parse(bytes: &[u8], sink: &mut Collector<'_>) -> Result<(), serde_json::Error> {
        walk_document(&serde_json::from_slice(bytes)?, sink);
        Ok(())
    }

    #[test]
    fn tags_leaves_and_keys_with_jsonpath() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(
            br#"{"user":{"name":"x","tags":["a","b"]},"odd key":"v","n":1}"#,
            &mut sink,
        )
        .unwrap();
        let got: Vec<String> = sink
            .values
            .iter()
            .filter(|v| !v.location.is_name())
            .map(|v| format!("{}={}", v.location, v.decoded.text))
            .collect();
        assert!(got.contains(&"body$.user.name=x".to_string()), "{got:?}");
        assert!(got.contains(&"body$.user.tags[1]=b".to_string()), "{got:?}");
        assert!(got.contains(&"body$['odd key']=v".to_string()), "{got:?}");
    }

    #[test]
    fn deep_nesting_is_bounded_and_reported() {
        let limits = Limits {
            max_depth: 8,
            ..Limits::default()
        };
        let mut sink = Collector::new(&limits);
        let deep = format!("{}\"x\"{}", "[".repeat(100), "]".repeat(100));
        parse(deep.as_bytes(), &mut sink).unwrap();
        assert!(sink.values.is_empty());
        assert!(matches!(sink.anomalies[0], Anomaly::TooDeep { .. }));
        let deeper = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(deeper.as_bytes(), &mut sink).is_err());
    }
}
