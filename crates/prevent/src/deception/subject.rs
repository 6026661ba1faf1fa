//! Who a deception is for, and which object it stands for.
//!
//! Fakes stay consistent per attacker: the same client asking for
//! `/users/42` twice must see the same fake user, and `42` must be its id.
//! This module names the attacker (by their most stable identity) and reads
//! the ids a request names out of its path, by the endpoint's template.

use crate::facts::ClientFacts;

/// The most template parameters read from one path.
const MAX_PARAMS: usize = 16;
/// The most path segments compared with a template.
const MAX_SEGMENTS: usize = 64;

/// The identity fakes and decoy tokens are kept consistent for: the API key
/// when the client sent one, else the user, else the address. (A TLS
/// fingerprint is shared by every client of one software build, so it does
/// not name an attacker.)
pub fn attacker_key(client: &ClientFacts) -> String {
    match (&client.api_key, &client.user) {
        (Some(key), _) => format!("api_key:{key}"),
        (None, Some(user)) => format!("user:{user}"),
        (None, None) => format!("ip:{}", client.ip),
    }
}

/// The values of a template's parameters in a concrete path, in order:
/// `/users/{id}/orders/{order_id}` over `/users/7/orders/9` gives
/// `[("id", "7"), ("order_id", "9")]`. Empty when the path does not have the
/// template's shape. The query string, if any, is ignored.
pub(crate) fn path_params<'a>(template: &'a str, path: &'a str) -> Vec<(&'a str, &'a str)> {
    let path = path.split('?').next().unwrap_or(path);
    let mut template_segments = template.split('/').filter(|s| !s.is_empty());
    let mut path_segments = path.split('/').filter(|s| !s.is_empty());
    let mut params = Vec::new();
    for _ in 0..MAX_SEGMENTS {
        match (template_segments.next(), path_segments.next()) {
            (None, None) => return params,
            (Some(pattern), Some(segment)) => match parameter(pattern, segment) {
                Some(Some(param)) if params.len() < MAX_PARAMS => params.push(param),
                Some(_) => {}
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        }
    }
    Vec::new()
}

/// `Some(Some((name, value)))` when `pattern` is a parameter (`{id}`,
/// `{Sid}.json`) that `segment` fills, `Some(None)` when both are the same
/// literal, `None` when they differ.
fn parameter<'a>(pattern: &'a str, segment: &'a str) -> Option<Option<(&'a str, &'a str)>> {
    let Some((prefix, rest)) = pattern.split_once('{') else {
        return (pattern == segment).then_some(None);
    };
    let (name, suffix) = rest.split_once('}')?;
    let value = segment.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!value.is_empty()).then_some(Some((name, value)))
}

/// The pins of a fake: every parameter by its name, and the last one as
/// `id` too (unless a parameter is called `id`), since a resource's own id
/// is the last in its path.
pub(crate) fn id_pins<'a>(params: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pins = params.to_vec();
    if let Some(&(_, last)) = params.last() {
        if !params.iter().any(|(name, _)| *name == "id") {
            pins.push(("id", last));
        }
    }
    pins
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    #[test]
    fn the_attacker_is_named_by_their_most_stable_identity() {
        let mut client = ClientFacts::from_ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(attacker_key(&client), "ip:192.0.2.1");
        client.user = Some("mallory".into());
        assert_eq!(attacker_key(&client), "user:mallory");
        client.api_key = Some("k-1".into());
        assert_eq!(attacker_key(&client), "api_key:k-1");
    }

    #[test]
    fn parameters_are_read_by_the_template() {
        assert_eq!(
            path_params("/users/{id}/orders/{order_id}", "/users/7/orders/9?x=1"),
            [("id", "7"), ("order_id", "9")]
        );
        assert_eq!(
            path_params("/Accounts/{Sid}.json", "/Accounts/AC12.json"),
            [("Sid", "AC12")]
        );
        assert!(path_params("/users/{id}", "/orders/7").is_empty());
        assert!(path_params("/users/{id}", "/users/7/extra").is_empty());
        assert!(path_params("/users/{id}", "/users").is_empty());
    }

    #[test]
    fn the_last_parameter_is_also_the_id() {
        assert_eq!(
            id_pins(&[("user_id", "7"), ("order_id", "9")]),
            [("user_id", "7"), ("order_id", "9"), ("id", "9")]
        );
        assert_eq!(id_pins(&[("id", "7")]), [("id", "7")]);
        assert!(id_pins(&[]).is_empty());
    }
}
