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
pub mod json;
pub mod json_stream;
pub mod multipart;
pub mod query;
pub mod user_agent;
pub mod xml;

use crate::config::Limits;
use crate::decode::{self, Decoded, Transport};
use crate::location::Location;

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

    /// Decodes and keeps a value; returns false once the value limit is hit.
    pub fn push(&mut self, location: Location, raw: &[u8], transport: Transport) -> bool {
        if self.values.len() >= self.limits.max_values {
            if !self.overflowed {
                self.overflowed = true;
                self.anomalies.push(Anomaly::TooManyValues);
            }
            return false;
        }
        if raw.is_empty() {
            return true;
        }
        let raw = &raw[..raw.len().min(self.limits.max_value_bytes)];
        let decoded = decode::decode(raw, transport);
        let hidden = decode::base64::decode_text(&decoded.text)
            .filter(|_| self.values.len() + 1 < self.limits.max_values);
        match hidden {
            // The location is copied only for the rare value that hides
            // another one.
            Some(text) => {
                self.values.push(Value {
                    location: location.clone(),
                    decoded,
                });
                self.values.push(Value {
                    location: Location::Decoded(Box::new(location)),
                    decoded: decode::decode(text.as_bytes(), Transport::Plain),
                });
            }
            None => self.values.push(Value { location, decoded }),
        }
        true
    }

    pub fn anomaly(&mut self, anomaly: Anomaly) {
        if !self.anomalies.contains(&anomaly) {
            self.anomalies.push(anomaly);
        }
    }
}
