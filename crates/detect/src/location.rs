//! Where a value sits in a request.
//!
//! Every detection names its location so an operator can find the value that
//! triggered it; the textual form (`query.id`, `body$.user.name`,
//! `header.user-agent`) is what verdicts and reasons carry. A value found by
//! decoding another one carries the decoding chain that revealed it, each
//! step after a `→`: `cookie.prefs→base64→json$.q`,
//! `header.authorization→basic.password`, `path[2]→;jsessionid`.

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
    /// A value found by decoding another one: where that one sits, and the
    /// decoding step that revealed this one.
    Decoded(Box<Location>, Layer),
}

/// One step of a decoding chain: how a value was taken out of the value
/// that held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// Base64, standard or URL-safe alphabet.
    Base64,
    /// zlib-compressed bytes (itsdangerous' `.`-prefixed payloads).
    Zlib,
    /// A leaf of a JSON document, by JSONPath (`$.q`), or one of its keys.
    Json(String),
    JsonKey(String),
    /// A `name=value` pair (a urlencoded list, a `;` matrix parameter, an
    /// auth or `Forwarded` parameter): its value, or its name.
    Param(String),
    ParamName(String),
    /// The n-th item of a comma-separated list (`X-Forwarded-For`, `Via`).
    Item(usize),
    /// A named part of a format: `basic.user`, `jwt.claims`, `signed`.
    Part(&'static str),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Base64 => f.write_str("base64"),
            Layer::Zlib => f.write_str("zlib"),
            Layer::Json(p) => write!(f, "json{p}"),
            Layer::JsonKey(p) => write!(f, "json{p}(key)"),
            Layer::Param(n) => write!(f, ";{n}"),
            Layer::ParamName(n) => write!(f, ";{n}(name)"),
            Layer::Item(i) => write!(f, "[{i}]"),
            Layer::Part(name) => f.write_str(name),
        }
    }
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
            Location::Decoded(inner, layer) => write!(f, "{inner}→{layer}"),
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
            Location::Decoded(inner, _) => inner.field_name(),
            _ => None,
        }
    }

    /// The location a decoding chain starts from (the location itself when
    /// it was not decoded out of another value).
    pub fn root(&self) -> &Location {
        match self {
            Location::Decoded(inner, _) => inner.root(),
            other => other,
        }
    }

    /// The placement a value belongs to for scoring: the root of its
    /// decoding chain, with every path segment counted as the path (the
    /// whole path and its segments are one placement read several ways).
    pub fn placement(&self) -> &Location {
        match self.root() {
            Location::Path(_) => &Location::Path(None),
            root => root,
        }
    }

    /// Wraps this location in one more decoding step.
    pub fn then(self, layer: Layer) -> Location {
        Location::Decoded(Box::new(self), layer)
    }

    /// Whether any step of the chain that revealed this value is `step`.
    pub fn has_step(&self, step: impl Fn(&Layer) -> bool) -> bool {
        match self {
            Location::Decoded(inner, layer) => step(layer) || inner.has_step(step),
            _ => false,
        }
    }

    /// How many decoding steps lead to this value.
    pub fn depth(&self) -> usize {
        match self {
            Location::Decoded(inner, _) => inner.depth() + 1,
            _ => 0,
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
                | Location::Decoded(_, Layer::JsonKey(_) | Layer::ParamName(_))
        )
    }

    /// Whether the value sits in the path (a segment, the whole path, or a
    /// value decoded out of either).
    pub fn in_path(&self) -> bool {
        matches!(self.root(), Location::Path(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_read_from_the_placement_outwards() {
        let loc = Location::Cookie("prefs".into())
            .then(Layer::Base64)
            .then(Layer::Json("$.q".into()));
        assert_eq!(loc.to_string(), "cookie.prefs→base64→json$.q");
        assert_eq!(loc.root(), &Location::Cookie("prefs".into()));
        assert_eq!(loc.depth(), 2);
        assert_eq!(loc.placement().to_string(), "cookie.prefs");
        assert_eq!(Location::Path(Some(3)).placement(), &Location::Path(None));
        assert_eq!(loc.field_name(), Some("prefs"));
        let name = Location::Path(Some(2)).then(Layer::ParamName("jsessionid".into()));
        assert_eq!(name.to_string(), "path[2]→;jsessionid(name)");
        assert!(name.is_name() && name.in_path());
        let item = Location::Header("x-forwarded-for".into()).then(Layer::Item(1));
        assert_eq!(item.to_string(), "header.x-forwarded-for→[1]");
        assert!(!item.is_name());
    }
}
