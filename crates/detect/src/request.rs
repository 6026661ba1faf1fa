//! The borrowed view of a request the engine inspects.
//!
//! The gateway builds it from `http::request::Parts` and a buffered body
//! prefix without copying; the CLI builds it from an exchange record. Nothing
//! here is trusted: names and values are raw bytes as sent.

/// A request body, or the prefix of it that was buffered.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub bytes: &'a [u8],
    /// True when `bytes` is only a prefix (the gateway stopped buffering):
    /// parsers then accept an unexpected end without calling it malformed.
    pub truncated: bool,
}

/// One request, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    pub method: &'a str,
    /// Raw path as sent, percent-encoding untouched, without the query.
    pub path: &'a str,
    /// Raw query string without `?` (empty when absent).
    pub query: &'a str,
    /// Header pairs in order, names as sent.
    pub headers: &'a [(&'a str, &'a [u8])],
    pub body: Option<Body<'a>>,
}

impl<'a> RequestView<'a> {
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
}
