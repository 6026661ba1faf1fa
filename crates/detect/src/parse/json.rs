//! JSONPath names for JSON members, shared by the body reader
//! (`json_stream`) and the contract checks, so that a finding and a contract
//! name the same field the same way; and a whole document's values for
//! readers outside the engine's scan (the field learner).

use super::json_stream::{JsonEvents, JsonLimits, JsonStream};
use super::{Collector, Value};
use crate::config::Limits;
use crate::decode::Transport;
use crate::location::Location;

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

/// The keys and string leaves of a whole JSON document, read by the
/// streaming reader within `limits`; `None` when it is not one.
pub fn values_of(bytes: &[u8], limits: &Limits) -> Option<Vec<Value>> {
    struct Push<'s, 'l>(&'s mut Collector<'l>);
    impl JsonEvents for Push<'_, '_> {
        fn key(&mut self, object_path: &str, _depth: usize, key: &str, _truncated: bool) {
            let location = Location::JsonKey(object_path.to_owned());
            self.0.push(location, key.as_bytes(), Transport::Plain);
        }
        fn string(&mut self, path: &str, _depth: usize, value: &str, _truncated: bool) {
            let location = Location::Json(path.to_owned());
            self.0.push(location, value.as_bytes(), Transport::Plain);
        }
    }
    let mut sink = Collector::new(limits);
    let mut stream = JsonStream::new(JsonLimits {
        max_depth: limits.max_depth,
        max_string_bytes: limits.max_value_bytes,
        max_elements: limits.max_elements,
    });
    stream.feed(bytes, &mut Push(&mut sink)).ok()?;
    stream.finish().ok()?;
    Some(sink.values)
}
