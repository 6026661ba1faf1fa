//! Decomposition: a request becomes a flat list of typed values, each tagged
//! with its location and decoded once.
//!
//! Every parser here takes hostile input: counts, depth and sizes are bounded
//! by [`Limits`], a bound that is hit becomes an [`Anomaly`] (visible, scored)
//! rather than a silent truncation, and a body that does not parse as its
//! declared content type is itself an anomaly.

pub mod content_type;
pub mod cookie;
pub mod graphql;
pub mod header;
pub mod json;
pub mod json_stream;
pub mod multipart;
pub mod path;
pub mod peel;
pub mod query;
pub mod signed;
pub mod user_agent;
pub mod wire;
pub mod xml;

use crate::config::Limits;
use crate::decode::{self, Decoded, Transport};
use crate::location::{Layer, Location};

/// One value of the request, decoded.
#[derive(Debug, Clone)]
pub struct Value {
    pub location: Location,
    pub decoded: Decoded,
}

/// Something about the request's shape, found while decomposing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anomaly {
    /// The body does not parse as its declared content type.
    MalformedBody { declared: String, reason: String },
    /// More values than the limit; the rest were not inspected.
    TooManyValues,
    /// Nesting deeper than the limit (JSON, XML, GraphQL).
    TooDeep { location: String },
    /// A streamed JSON body with more values than `limits.max_elements`;
    /// the rest was not read.
    TooManyElements { location: String, limit: usize },
    /// A body string or key longer than `limits.max_value_bytes`: only its
    /// start was inspected.
    ValueTooLong { location: String, limit: usize },
    /// The same argument name sent more than once (parameter pollution).
    RepeatedArgument { name: String },
    /// A multipart part declared a charset other than UTF-8 or the
    /// `_charset_` field asked for one.
    MultipartCharset { charset: String },
    /// A value wrapped in more encoding layers, or decoding to more bytes,
    /// than the peeling bounds allow; what lies deeper was not inspected.
    NestedEncoding { location: String },
    /// An XML document type declaration with entities.
    XmlEntities { external: bool },
    /// A multipart part name or file name with characters used to confuse
    /// parsers (quotes, `;`, `=`, backslash), or a deprecated
    /// `Content-Transfer-Encoding`.
    MultipartEvasion { detail: String },
}

/// Values and anomalies gathered from a request, bounded by [`Limits`].
#[derive(Debug)]
pub struct Collector<'l> {
    limits: &'l Limits,
    pub values: Vec<Value>,
    pub anomalies: Vec<Anomaly>,
    overflowed: bool,
}

impl<'l> Collector<'l> {
    pub fn new(limits: &'l Limits) -> Self {
        Collector {
            limits,
            values: Vec::new(),
            anomalies: Vec::new(),
            overflowed: false,
        }
    }

    pub fn limits(&self) -> &Limits {
        self.limits
    }

    /// Decodes and keeps a value, and the values its encodings wrap
    /// ([`peel`]); returns false once the value limit is hit.
    pub fn push(&mut self, location: Location, raw: &[u8], transport: Transport) -> bool {
        if !self.room() {
            return false;
        }
        if raw.is_empty() {
            return true;
        }
        let raw = &raw[..raw.len().min(self.limits.max_value_bytes)];
        let mut budget = self.limits.max_value_bytes;
        self.keep(location, decode::decode(raw, transport), &mut budget)
    }

    /// Pushes a value an application takes out of the value at `parent`
    /// (a header's auth parameter, a path segment's matrix parameter), with
    /// the step that took it out; it is peeled like any value.
    pub fn push_part(
        &mut self,
        parent: &Location,
        layer: Layer,
        raw: &[u8],
        transport: Transport,
    ) -> bool {
        self.push(parent.clone().then(layer), raw, transport)
    }

    /// Whether another value may be kept; the first refusal is an anomaly.
    fn room(&mut self) -> bool {
        if self.values.len() < self.limits.max_values {
            return true;
        }
        if !self.overflowed {
            self.overflowed = true;
            self.anomalies.push(Anomaly::TooManyValues);
        }
        false
    }

    /// Keeps a decoded value and peels what it wraps, within `budget` bytes
    /// for everything revealed under one placement.
    fn keep(&mut self, location: Location, decoded: Decoded, budget: &mut usize) -> bool {
        let pairs_alone = location.depth() > 0 || matches!(location, Location::Cookie(_));
        let peeled = peel::layers(&decoded.text, pairs_alone, budget);
        let too_deep = !peeled.children.is_empty() && location.depth() >= peel::MAX_LAYERS;
        if peeled.exhausted || too_deep {
            self.anomaly(Anomaly::NestedEncoding {
                location: location.to_string(),
            });
        }
        if peeled.children.is_empty() || too_deep {
            self.values.push(Value { location, decoded });
            return true;
        }
        // The location is copied only for the rare value that wraps others.
        self.values.push(Value {
            location: location.clone(),
            decoded,
        });
        for child in peeled.children {
            if !self.room() {
                return false;
            }
            let decoded = decode::decode(&child.bytes, child.transport);
            if !self.keep(location.clone().then(child.layer), decoded, budget) {
                return false;
            }
        }
        true
    }

    pub fn anomaly(&mut self, anomaly: Anomaly) {
        if !self.anomalies.contains(&anomaly) {
            self.anomalies.push(anomaly);
        }
    }
}
