//! The `Content-Type` header: media type, charset(s) and boundary.
//!
//! Parsing is strict enough to notice what attackers do with it (several
//! charsets, a boundary on a non-multipart type, garbage parameters) and
//! lenient enough to read what clients really send.

/// What kind of body the declared type announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Multipart,
    Xml,
    Graphql,
    Text,
    Binary,
    /// An API's binary wire format (Protocol Buffers, gRPC, MessagePack,
    /// CBOR, Avro): length prefixes and varints around the strings the
    /// application reads, so only its text runs are inspected
    /// ([`super::wire`]).
    Wire,
    Other,
}

/// A parsed `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    /// `type/subtype`, lower case.
    pub media_type: String,
    pub kind: BodyKind,
    /// Every `charset` parameter, lower case and unquoted.
    pub charsets: Vec<String>,
    pub boundary: Option<String>,
    /// The header did not follow the `type/subtype; name=value` grammar.
    pub malformed: bool,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+*'%`|~".contains(&b))
}

/// Parses a `Content-Type` header value.
pub fn parse(header: &str) -> ContentType {
    let mut parts = header.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let mut malformed = match media_type.split_once('/') {
        Some((t, s)) => !is_token(t) || !is_token(s),
        None => true,
    };
    let mut charsets = Vec::new();
    let mut boundary = None;
    for param in parts {
        let param = param.trim();
        if param.is_empty() {
            continue;
        }
        let Some((name, value)) = param.split_once('=') else {
            malformed = true;
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if !is_token(&name) || (!is_token(value) && unquoted.len() + 2 != value.len()) {
            malformed = true;
        }
        match name.as_str() {
            "charset" => charsets.push(unquoted.to_ascii_lowercase()),
            "boundary" => boundary = Some(unquoted.to_owned()),
            _ => {}
        }
    }
    let kind = kind_of(&media_type);
    ContentType {
        media_type,
        kind,
        charsets,
        boundary,
        malformed,
    }
}

fn kind_of(media_type: &str) -> BodyKind {
    match media_type {
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" | "multipart/mixed" | "multipart/related" => BodyKind::Multipart,
        "application/graphql" => BodyKind::Graphql,
        "application/octet-stream" => BodyKind::Binary,
        t if is_api_wire_format(t) => BodyKind::Wire,
        t if t == "application/json" || t.ends_with("+json") || t.ends_with("/json") => {
            BodyKind::Json
        }
        t if t.ends_with("/xml") || t.ends_with("+xml") => BodyKind::Xml,
        t if t.starts_with("text/") => BodyKind::Text,
        t if t.starts_with("image/") || t.starts_with("audio/") || t.starts_with("video/") => {
            BodyKind::Binary
        }
        _ => BodyKind::Other,
    }
}

/// Media types APIs carry that a web server's allow list does not know.
/// gRPC-Web's text form is base64 and is read as text.
fn is_api_wire_format(media_type: &str) -> bool {
    let subtype = media_type.strip_prefix("application/").unwrap_or_default();
    let family = subtype.split(['+', ';']).next().unwrap_or_default();
    matches!(
        family,
        "x-protobuf"
            | "protobuf"
            | "x-google-protobuf"
            | "vnd.google.protobuf"
            | "grpc"
            | "grpc-web"
            | "x-msgpack"
            | "msgpack"
            | "vnd.msgpack"
            | "cbor"
            | "avro"
            | "vnd.apache.avro"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kind_charsets_and_boundary() {
        let ct = parse("multipart/form-data; boundary=----X");
        assert_eq!(ct.kind, BodyKind::Multipart);
        assert_eq!(ct.boundary.as_deref(), Some("----X"));
        let ct = parse("application/x-www-form-urlencoded; charset=utf-8; charset=utf-7");
        assert_eq!(ct.charsets, ["utf-8", "utf-7"]);
        assert!(!ct.malformed);
        assert!(parse("text/plain; charset=\"UTF-8\"; garbage").malformed);
        assert!(parse("%{(#nike='multipart/form-data')").malformed);
        assert_eq!(parse("application/vnd.api+json").kind, BodyKind::Json);
        assert_eq!(parse("application/grpc+proto").kind, BodyKind::Wire);
        assert_eq!(parse("application/x-protobuf").kind, BodyKind::Wire);
        assert_eq!(parse("application/grpc-web-text").kind, BodyKind::Other);
    }
}
