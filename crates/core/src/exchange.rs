//! The exchange view: one request, decoded once, read by every stage.
//!
//! Detection, deception, identity and the policy all read the same request,
//! and several of them want its JSON body. Before this view each parsed what
//! it needed on its own, so a JSON POST was parsed into a document by two
//! stages on the hot path. Now the gateway (and every offline tool) builds
//! one [`RequestView`] per request and hands it to every stage by reference:
//!
//! - the request line and the header pairs are borrowed, never copied: the
//!   view costs one small vector of `(name, value)` slices;
//! - the host is what the protocol carries: the `Host` header, else HTTP/2's
//!   `:authority`, else (for a recorded exchange) the record's `host` field;
//!   it is also listed among the headers, so host checks have one input;
//! - the body is the buffered prefix, borrowed from the buffered bytes (the
//!   detection engine reads the rest of a longer body as the gateway
//!   forwards it, through its own scan: `rampart_detect::BodyScan`);
//! - parsed forms are computed lazily and kept: [`RequestView::json`] parses
//!   the body at most once, and only when some reader asks for it.
//!
//! Discovery is the one reader that does not take the view's document: its
//! inventory worker runs on another thread after the exchange is over, on
//! the sampled bytes it was handed, with its own borrowing parser
//! (`rampart_discover::json`). Handing it the hot path's document instead
//! would mean a deep copy on the request path to save a cheaper parse off
//! it.
//!
//! A view is built in exactly two ways: from a live request head
//! (`rampart-gateway` turns `http::request::Parts` into one, for live traffic
//! and `rampart replay` alike) and from an exchange record
//! ([`RequestView::from_record`], for `rampart inspect` and the benches). Both
//! give a host the same way, so a record that carries the documented `host`
//! field reads exactly like the live request it was taken from.
//!
//! Nothing here is trusted: names and values are raw bytes as sent.

use crate::record::ExchangeRecord;
use serde_json::Value as Json;
use std::cell::OnceCell;

/// A request body, or the prefix of it that was buffered.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub bytes: &'a [u8],
    /// True when `bytes` is only a prefix (the gateway stopped buffering):
    /// parsers then accept an unexpected end without calling it malformed.
    pub truncated: bool,
}

/// One request, borrowed, with its parsed forms computed on first use.
#[derive(Debug)]
pub struct RequestView<'a> {
    pub method: &'a str,
    /// Raw path as sent, percent-encoding untouched, without the query.
    pub path: &'a str,
    /// Raw query string without `?` (empty when absent).
    pub query: &'a str,
    /// Header pairs in order, names as sent; includes `host` when the
    /// protocol carried the host elsewhere (see the module docs).
    pub headers: Vec<(&'a str, &'a [u8])>,
    pub body: Option<Body<'a>>,
    json: OnceCell<Result<Json, String>>,
}

impl<'a> RequestView<'a> {
    /// A view of a request head and its (possibly empty) body. An empty,
    /// complete body is no body.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: Vec<(&'a str, &'a [u8])>,
        body: Option<Body<'a>>,
    ) -> Self {
        RequestView {
            method,
            path,
            query,
            headers,
            body: body.filter(|b| !b.bytes.is_empty() || b.truncated),
            json: OnceCell::new(),
        }
    }

    /// Lists `authority` as the `host` header when the request has none
    /// (HTTP/2 carries the host in `:authority`; records in their `host`
    /// field).
    pub fn with_authority(mut self, authority: Option<&'a str>) -> Self {
        if let Some(authority) = authority.filter(|a| !a.is_empty()) {
            if self.header("host").is_none() {
                self.headers.push(("host", authority.as_bytes()));
            }
        }
        self
    }

    /// The view of a recorded request: its head, its whole body, and its
    /// `host` field as the host when no `Host` header was recorded.
    pub fn from_record(record: &'a ExchangeRecord) -> Self {
        let headers = record
            .request_headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        RequestView::new(
            &record.method,
            &record.path,
            &record.query,
            headers,
            record.request_body.as_deref().map(|bytes| Body {
                bytes,
                truncated: false,
            }),
        )
        .with_authority(record.host.as_deref())
    }

    /// The first header with this name (case-insensitive), as bytes.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// Every header with this name (case-insensitive).
    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The body read as one JSON document, parsed on the first call and
    /// kept: `None` without a body, else the document or why it is not one
    /// (a truncated body usually is not). Callers decide from the content
    /// type whether the body is meant to be JSON.
    pub fn json(&self) -> Option<Result<&Json, &str>> {
        let body = self.body?;
        let parsed = self
            .json
            .get_or_init(|| serde_json::from_slice(body.bytes).map_err(|e| e.to_string()));
        Some(parsed.as_ref().map_err(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(headers: &[(&str, &str)], host: Option<&str>) -> ExchangeRecord {
        ExchangeRecord {
            method: "POST".into(),
            path: "/orders".into(),
            request_headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            host: host.map(str::to_owned),
            request_body: Some(br#"{"sku":"A-1","quantity":2}"#.to_vec()),
            ..ExchangeRecord::default()
        }
    }

    #[test]
    fn a_record_host_field_is_the_host_when_no_header_carries_one() {
        let without_header = record(&[("content-type", "application/json")], Some("api.test"));
        let view = RequestView::from_record(&without_header);
        assert_eq!(view.header("Host"), Some(&b"api.test"[..]));

        let with_header = record(&[("Host", "shop.test")], Some("api.test"));
        let view = RequestView::from_record(&with_header);
        assert_eq!(view.headers_named("host").count(), 1);
        assert_eq!(view.header("host"), Some(&b"shop.test"[..]));
    }

    #[test]
    fn the_body_is_parsed_once_and_only_when_asked() {
        let record = record(&[], None);
        let view = RequestView::from_record(&record);
        assert!(
            view.json.get().is_none(),
            "nothing parsed before a reader asks"
        );
        let first = view.json().unwrap().unwrap() as *const Json;
        let second = view.json().unwrap().unwrap() as *const Json;
        assert_eq!(first, second, "the same document is handed out again");
        assert_eq!(view.json().unwrap().unwrap()["quantity"], 2);
    }

    #[test]
    fn a_body_that_is_not_json_says_why_and_no_body_is_none() {
        let text = RequestView::new(
            "POST",
            "/",
            "",
            Vec::new(),
            Some(Body {
                bytes: b"{\"a\":",
                truncated: true,
            }),
        );
        assert!(text.json().unwrap().is_err());
        let empty = RequestView::new(
            "GET",
            "/",
            "",
            Vec::new(),
            Some(Body {
                bytes: b"",
                truncated: false,
            }),
        );
        assert!(empty.body.is_none() && empty.json().is_none());
    }
}
