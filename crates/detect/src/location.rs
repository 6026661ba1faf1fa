//! Where a value sits in a request.
//!
//! Every detection names its location so an operator can find the value that
//! triggered it; the textual form (`query.id`, `body$.user.name`,
//! `header.user-agent`) is what verdicts and reasons carry.

use std::fmt;

/// Which part of a request a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The request line itself (method, whole path, protocol framing).
    Request,
    /// The method token.
    Method,
    /// One path segment (0-based index), or the whole path when `None`.
    Path(Option<usize>),
    /// A query argument value, by its (decoded) name; nested names keep their
    /// brackets (`a[b][c]`).
    Query(String),
    /// A query argument's name itself.
    QueryName(String),
    Header(String),
    Cookie(String),
    CookieName(String),
    /// A urlencoded or multipart form field value.
    Form(String),
    FormName(String),
    /// A multipart part's file name.
    FileName(String),
    /// A JSON leaf by JSONPath (`$.items[0].name`).
    Json(String),
    /// A JSON object key, by the JSONPath of the object holding it.
    JsonKey(String),
    /// XML text or attribute, by element path (`/root/a/@probe`).
    Xml(String),
    /// A GraphQL argument literal (`query.addReview.input`) or variable.
    Graphql(String),
    /// The body as a whole (unparsed, or a structural finding).
    Body,
    /// A value found by decoding another one (base64 inside a field).
    Decoded(Box<Location>),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Request => f.write_str("request"),
            Location::Method => f.write_str("method"),
            Location::Path(None) => f.write_str("path"),
            Location::Path(Some(i)) => write!(f, "path[{i}]"),
            Location::Query(n) => write!(f, "query.{n}"),
            Location::QueryName(n) => write!(f, "query.{n}(name)"),
            Location::Header(n) => write!(f, "header.{n}"),
            Location::Cookie(n) => write!(f, "cookie.{n}"),
            Location::CookieName(n) => write!(f, "cookie.{n}(name)"),
            Location::Form(n) => write!(f, "body.form.{n}"),
            Location::FormName(n) => write!(f, "body.form.{n}(name)"),
            Location::FileName(n) => write!(f, "body.form.{n}(filename)"),
            Location::Json(p) => write!(f, "body{p}"),
            Location::JsonKey(p) => write!(f, "body{p}(key)"),
            Location::Xml(p) => write!(f, "body.xml{p}"),
            Location::Graphql(p) => write!(f, "body.graphql.{p}"),
            Location::Body => f.write_str("body"),
            Location::Decoded(inner) => write!(f, "{inner}(base64)"),
        }
    }
}

impl Location {
    /// The field name this location carries, if any (used to look up what is
    /// known about the field in a contract).
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Location::Query(n)
            | Location::Header(n)
            | Location::Cookie(n)
            | Location::Form(n)
            | Location::FileName(n) => Some(n),
            Location::Json(p) => Some(p),
            Location::Decoded(inner) => inner.field_name(),
            _ => None,
        }
    }

    /// Whether the value is a name (argument, cookie or key name) rather than
    /// a value.
    pub fn is_name(&self) -> bool {
        matches!(
            self,
            Location::QueryName(_)
                | Location::CookieName(_)
                | Location::FormName(_)
                | Location::JsonKey(_)
        )
    }
}
