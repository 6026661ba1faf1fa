//! Traps: honeypot endpoints and decoy fields, which no legitimate client
//! touches, so whoever touches one is probing.
//!
//! A hit says which trap, where and on what evidence. The gateway marks the
//! client as configured (`on_trap`: ban, with the reason
//! [`TrapHit::reason`], or tag) and answers with a fake success, so that the
//! attacker keeps spending effort on a path that leads nowhere.

mod fields;
mod honeypot;

use crate::deception::config::DeceptionConfig;
use fields::DecoyFields;
pub use fields::{MAX_JSON_DEPTH, MAX_JSON_NODES, MAX_PAIRS};
use honeypot::Honeypot;
use serde_json::Value;
use std::sync::Arc;

/// Longest excerpt of the evidence kept.
pub const MAX_EXCERPT_BYTES: usize = 128;

/// What the traps look at in one request: whatever the gateway has cheaply.
#[derive(Debug, Clone, Copy)]
pub struct TrapRequest<'a> {
    pub method: &'a str,
    /// The path; a query string after `?` is ignored here.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// An `application/x-www-form-urlencoded` body.
    pub form: Option<&'a [u8]>,
    /// A parsed JSON body.
    pub json: Option<&'a Value>,
}

impl<'a> TrapRequest<'a> {
    /// Method and path only; the query is read from the path if it has one.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        TrapRequest {
            method,
            path,
            query: path.split_once('?').map(|(_, query)| query),
            form: None,
            json: None,
        }
    }
}

/// A trap a request touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapHit {
    /// The honeypot's name, or `decoy field <name>`.
    pub trap: Arc<str>,
    /// `path`, `query.<name>`, `form.<name>` or `json.<path>`.
    pub location: String,
    /// The evidence, at most [`MAX_EXCERPT_BYTES`]: the method and path, or
    /// `name=value`.
    pub excerpt: String,
}

impl TrapHit {
    /// The reason to ban or tag with, e.g. `honeypot: /.env at path`.
    pub fn reason(&self) -> String {
        format!("honeypot: {} at {}", self.trap, self.location)
    }
}

/// The configured traps.
#[derive(Debug, Default)]
pub struct Traps {
    honeypots: Vec<Honeypot>,
    decoy_fields: DecoyFields,
}

impl Traps {
    /// From a validated configuration.
    pub(crate) fn compile(config: &DeceptionConfig) -> Self {
        Traps {
            honeypots: config
                .honeypots
                .iter()
                .filter_map(Honeypot::compile)
                .collect(),
            decoy_fields: DecoyFields::new(&config.decoy_fields),
        }
    }

    /// Whether any decoy field is configured: callers parse a request body
    /// for [`Traps::check`] only then.
    pub fn watches_fields(&self) -> bool {
        !self.decoy_fields.is_empty()
    }

    /// The first trap the request touched: honeypots, then decoy fields in
    /// the query, the form body and the JSON body.
    pub fn check(&self, request: &TrapRequest<'_>) -> Option<TrapHit> {
        if let Some(honeypot) = self
            .honeypots
            .iter()
            .find(|honeypot| honeypot.matches(request.method, request.path))
        {
            let path = request.path.split('?').next().unwrap_or(request.path);
            return Some(TrapHit {
                trap: Arc::clone(&honeypot.name),
                location: "path".to_string(),
                excerpt: bounded(&format!("{} {}", request.method, path)),
            });
        }
        if self.decoy_fields.is_empty() {
            return None;
        }
        let field = request
            .query
            .and_then(|query| self.decoy_fields.in_pairs(query.as_bytes(), "query"))
            .or_else(|| {
                request
                    .form
                    .and_then(|form| self.decoy_fields.in_pairs(form, "form"))
            })
            .or_else(|| {
                request
                    .json
                    .and_then(|json| self.decoy_fields.in_json(json))
            })?;
        Some(TrapHit {
            trap: Arc::from(format!("decoy field {}", field.field)),
            location: field.location,
            excerpt: field.excerpt,
        })
    }
}

/// At most [`MAX_EXCERPT_BYTES`], cut on a character boundary.
fn bounded(text: &str) -> String {
    let mut end = text.len().min(MAX_EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
