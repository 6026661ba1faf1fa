//! Header values read by kind, the way the application behind reads them.
//!
//! A header value is pushed whole (as before), and then the parts an
//! application takes out of it are pushed as values of their own, each with
//! the step that took it out: `Authorization` credentials (Basic user and
//! password, a Bearer token, other schemes' parameters), the items of
//! forwarded lists (`X-Forwarded-For`, `Via`, `Forwarded` pairs). JSON,
//! base64 or URL-encoded content in any header is peeled by the collector
//! itself ([`super::peel`]); `Cookie` has its own parser ([`super::cookie`]).

use super::Collector;
use crate::decode::Transport;
use crate::location::{Layer, Location};
use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine;

/// Items read from one list header; proxies add one each, so a long list is
/// a client writing it.
const MAX_ITEMS: usize = 32;

/// Headers that are comma-separated lists of hops.
const HOP_LISTS: &[&str] = &[
    "x-forwarded-for",
    "x-forwarded-host",
    "x-original-forwarded-for",
    "via",
];

/// Pushes a header value (`name` lower-case) and the parts its kind has.
pub fn parse(name: &str, value: &[u8], sink: &mut Collector<'_>) -> bool {
    let location = Location::Header(name.to_owned());
    if !sink.push(location.clone(), value, Transport::Plain) {
        return false;
    }
    match name {
        "authorization" | "proxy-authorization" => authorization(&location, value, sink),
        "forwarded" => forwarded(&location, value, sink),
        _ if HOP_LISTS.contains(&name) => items(&location, value, sink),
        _ => true,
    }
}

/// `Basic base64(user:password)`, `Bearer token`, or a scheme with
/// `name=value` parameters (`Digest username="a", ...`).
fn authorization(location: &Location, value: &[u8], sink: &mut Collector<'_>) -> bool {
    let value = value.trim_ascii();
    let (scheme, rest) = match value.iter().position(|&b| b == b' ') {
        Some(i) => (&value[..i], value[i + 1..].trim_ascii()),
        None => return true,
    };
    if rest.is_empty() {
        return true;
    }
    if scheme.eq_ignore_ascii_case(b"basic") {
        let Some(credentials) = STANDARD.decode(rest).ok() else {
            return true;
        };
        let (user, password) = match credentials.iter().position(|&b| b == b':') {
            Some(i) => (&credentials[..i], &credentials[i + 1..]),
            None => (&credentials[..], &b""[..]),
        };
        return sink.push_part(location, Layer::Part("basic.user"), user, Transport::Plain)
            && sink.push_part(
                location,
                Layer::Part("basic.password"),
                password,
                Transport::Plain,
            );
    }
    if !rest.contains(&b'=') || (rest.ends_with(b"=") && !rest.contains(&b',')) {
        // A token (`Bearer <jwt>`; base64 padding ends with `=`): the
        // collector peels JWTs and encodings.
        let step = if scheme.eq_ignore_ascii_case(b"bearer") {
            "bearer"
        } else {
            "token"
        };
        return sink.push_part(location, Layer::Part(step), rest, Transport::Plain);
    }
    params(location, rest, b',', sink)
}

/// `Forwarded: for=1.2.3.4;proto=https, for="[::1]"`.
fn forwarded(location: &Location, value: &[u8], sink: &mut Collector<'_>) -> bool {
    for (i, element) in value.split(|&b| b == b',').take(MAX_ITEMS).enumerate() {
        let item = location.clone().then(Layer::Item(i));
        if !params(&item, element, b';', sink) {
            return false;
        }
    }
    true
}

/// `name=value` or `name="quoted value"` parameters separated by `sep`.
fn params(location: &Location, list: &[u8], sep: u8, sink: &mut Collector<'_>) -> bool {
    for param in list.split(|&b| b == sep).take(MAX_ITEMS) {
        let Some(i) = param.iter().position(|&b| b == b'=') else {
            continue;
        };
        let name = String::from_utf8_lossy(param[..i].trim_ascii()).to_ascii_lowercase();
        let value = unquote(param[i + 1..].trim_ascii());
        if !sink.push_part(location, Layer::Param(name), value, Transport::Plain) {
            return false;
        }
    }
    true
}

/// Each item of a comma-separated list.
fn items(location: &Location, value: &[u8], sink: &mut Collector<'_>) -> bool {
    if !value.contains(&b',') {
        return true;
    }
    for (i, item) in value.split(|&b| b == b',').take(MAX_ITEMS).enumerate() {
        let item = item.trim_ascii();
        if !sink.push_part(location, Layer::Item(i), item, Transport::Plain) {
            return false;
        }
    }
    true
}

fn unquote(value: &[u8]) -> &[u8] {
    value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    fn values(name: &str, value: &str) -> Vec<(String, String)> {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(name, value.as_bytes(), &mut sink);
        sink.values
            .iter()
            .map(|v| (v.location.to_string(), v.decoded.text.clone()))
            .collect()
    }

    #[test]
    fn basic_credentials_are_user_and_password() {
        let header = format!("Basic {}", STANDARD.encode("admin' --:p@ss"));
        let got = values("authorization", &header);
        assert!(got.contains(&("header.authorization→basic.user".into(), "admin' --".into())));
        assert!(got.contains(&("header.authorization→basic.password".into(), "p@ss".into())));
    }

    #[test]
    fn bearer_jwt_claims_are_read_as_json() {
        let claims = ::base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"sub":"1 UNION SELECT 1"}"#);
        let got = values(
            "authorization",
            &format!("Bearer eyJhbGciOiJIUzI1NiJ9.{claims}.c2ln"),
        );
        assert!(got.contains(&(
            "header.authorization→bearer→jwt.claims→json$.sub".into(),
            "1 UNION SELECT 1".into()
        )));
    }

    #[test]
    fn digest_parameters_forwarded_pairs_and_hop_lists() {
        let got = values("authorization", r#"Digest username="bob", realm="x""#);
        assert!(got.contains(&("header.authorization→;username".into(), "bob".into())));
        let got = values("forwarded", r#"for=1.2.3.4;proto=https, for="<x>""#);
        assert!(got.contains(&("header.forwarded→[1]→;for".into(), "<x>".into())));
        let got = values("x-forwarded-for", "1.2.3.4, ' or 1=1");
        assert!(got.contains(&("header.x-forwarded-for→[1]".into(), "' or 1=1".into())));
        assert_eq!(values("x-forwarded-for", "1.2.3.4").len(), 1);
    }
}
