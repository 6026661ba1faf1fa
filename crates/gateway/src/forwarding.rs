//! What a proxy must change in headers as they cross it: hop-by-hop headers
//! removed, `Host` taken from an absolute-form target, `X-Forwarded-For` /
//! `Forwarded` appended, the client address taken
//! from them only when the peer is a trusted proxy, and a request id on every
//! request (kept when a trusted peer sent one).

use crate::ipset::IpSet;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");
static KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
static PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");
/// The settings of an `Upgrade: h2c` request: connection-specific (RFC 9113 3.2.1).
static HTTP2_SETTINGS: HeaderName = HeaderName::from_static("http2-settings");

/// Headers that describe one connection, never the message (RFC 9110 7.6.1).
/// `Trailer` is not one of them: it announces the message's trailer fields,
/// and without it they cannot be passed on.
const HOP_BY_HOP: [&HeaderName; 7] = [
    &header::CONNECTION,
    &HTTP2_SETTINGS,
    &KEEP_ALIVE,
    &PROXY_CONNECTION,
    &header::TE,
    &header::TRANSFER_ENCODING,
    &header::UPGRADE,
];

/// An HTTP/1.1 request with an absolute-form target (`GET http://a.test/ ...`)
/// gets the target's authority as its `Host`, whatever `Host` it sent
/// (RFC 9112, section 3.2.2), so that routing, every stage and the upstream
/// read the same host. HTTP/2 requests are left as they are: a `Host` that
/// disagrees with `:authority` is refused (see `framing`).
pub fn host_from_target(parts: &mut http::request::Parts) {
    if parts.version == http::Version::HTTP_2 {
        return;
    }
    let Some(authority) = parts.uri.authority() else {
        return;
    };
    if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
        parts.headers.insert(header::HOST, host);
    }
}

/// Removes hop-by-hop headers, including those the `Connection` header names.
/// With `keep_upgrade`, `Connection: upgrade` and `Upgrade` survive so a
/// WebSocket handshake can reach the upstream.
pub fn strip_hop_by_hop(headers: &mut HeaderMap, keep_upgrade: bool) {
    // Most messages carry none: one pass over the names, no lookups.
    let any_present = headers.keys().any(|name| HOP_BY_HOP.contains(&name));
    if !any_present && !keep_upgrade {
        return;
    }
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|token| HeaderName::from_bytes(token.trim().as_bytes()).ok())
        .filter(|name| !(keep_upgrade && name == header::UPGRADE))
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        if keep_upgrade && (name == header::UPGRADE || name == header::CONNECTION) {
            continue;
        }
        headers.remove(name);
    }
    if keep_upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    }
}

/// Whether the request asks to switch protocols (e.g. WebSocket over HTTP/1.1)
/// in a way the gateway passes on. An upgrade to `h2c` never is: after the
/// switch, the client's bytes would reach the upstream through a tunnel the
/// gateway does not examine. Such a request is answered as plain HTTP/1.1
/// (RFC 9110 7.8 lets a server ignore `Upgrade`), its `Upgrade` and
/// `HTTP2-Settings` removed with the other hop-by-hop headers.
pub fn wants_upgrade(headers: &HeaderMap) -> bool {
    let to_h2c = headers
        .get_all(header::UPGRADE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|protocol| protocol.trim().eq_ignore_ascii_case("h2c"));
    !to_h2c && headers.contains_key(header::UPGRADE) && connection_lists(headers, "upgrade")
}

/// Whether a `Connection` header lists `option` (case-insensitive), as in
/// `Connection: keep-alive, Upgrade`.
pub fn connection_lists(headers: &HeaderMap, option: &str) -> bool {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(option))
}

/// The client's address: the peer itself, unless the peer is a trusted
/// proxy, in which case the rightmost untrusted address it forwarded for.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &IpSet) -> IpAddr {
    if trusted.is_empty() || !trusted.contains(peer) {
        return peer;
    }
    let from_xff: Vec<IpAddr> = headers
        .get_all(&X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| parse_forwarded_ip(s.trim()))
        .collect();
    let chain = if from_xff.is_empty() {
        headers
            .get_all(&FORWARDED)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_forwarded_ip(value.trim().trim_matches('"')))
                        .flatten()
                })
            })
            .collect()
    } else {
        from_xff
    };
    chain
        .iter()
        .rev()
        .find(|ip| !trusted.contains(**ip))
        .or(chain.first())
        .copied()
        .unwrap_or(peer)
}

fn parse_forwarded_ip(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = text.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    text.strip_prefix('[')
        .and_then(|t| t.split(']').next())
        .and_then(|t| t.parse().ok())
}

/// The client address of this hop as the forwarding headers write it,
/// worked out once per connection rather than once per request.
#[derive(Debug, Clone)]
pub struct HopPeer {
    /// The `X-Forwarded-For` element: the bare address.
    address: HeaderValue,
    /// The `Forwarded` node: the address, quoted and bracketed for IPv6.
    node: Arc<str>,
}

impl HopPeer {
    pub fn new(peer: IpAddr) -> HopPeer {
        let text = peer.to_string();
        let node = match peer {
            IpAddr::V4(_) => text.clone(),
            IpAddr::V6(_) => format!("\"[{text}]\""),
        };
        HopPeer {
            address: HeaderValue::try_from(text).expect("an IP address is a valid header value"),
            node: Arc::from(node),
        }
    }
}

/// Appends this hop to `X-Forwarded-For` and `Forwarded`, and sets `X-Forwarded-Proto`.
pub fn append_forwarded(headers: &mut HeaderMap, peer: &HopPeer, host: &str, tls: bool) {
    let proto = if tls { "https" } else { "http" };
    append_comma_separated(headers, &X_FORWARDED_FOR, peer.address.clone());
    let mut element = String::with_capacity(peer.node.len() + host.len() + 20);
    element.push_str("for=");
    element.push_str(&peer.node);
    element.push_str(";proto=");
    element.push_str(proto);
    if !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b';' && b != b',')
    {
        element.push_str(";host=");
        element.push_str(host);
    }
    if let Ok(element) = HeaderValue::try_from(element) {
        append_comma_separated(headers, &FORWARDED, element);
    }
    headers.insert(&X_FORWARDED_PROTO, HeaderValue::from_static(proto));
}

/// Sets `name` to the earlier hops' values (all of its fields, joined) and
/// then `value`; most requests have no earlier hop, and `value` goes in as is.
fn append_comma_separated(headers: &mut HeaderMap, name: &HeaderName, value: HeaderValue) {
    let earlier: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if earlier.is_empty() {
        headers.insert(name, value);
        return;
    }
    let Ok(value_text) = value.to_str() else {
        return;
    };
    let joined = format!("{}, {value_text}", earlier.join(", "));
    if let Ok(v) = HeaderValue::try_from(joined) {
        headers.insert(name, v);
    }
}

/// Generates request ids: a per-process random prefix and a scrambled
/// counter (a bijection on 64 bits, so no two requests of a process share
/// an id, and consecutive ids do not look consecutive), without a syscall
/// or a lock per request.
///
/// Each thread takes numbers from the shared counter a block at a time: one
/// atomic add per block instead of one per request, whose cache line would
/// otherwise move between the workers' cores on every request.
pub struct RequestIds {
    prefix: u64,
    counter: AtomicU64,
}

/// Numbers a thread takes from a [`RequestIds`] counter at once.
const ID_BLOCK: u64 = 1024;

thread_local! {
    /// This thread's block: the generator it came from (its prefix), the
    /// next number and the end. A thread that switches generators drops
    /// the rest of its block; numbers are never handed out twice.
    static ID_BLOCK_LEFT: std::cell::Cell<(u64, u64, u64)> = const { std::cell::Cell::new((0, 0, 0)) };
}

impl RequestIds {
    pub fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ (u64::from(std::process::id()) << 32);
        RequestIds {
            prefix: splitmix64(seed),
            counter: AtomicU64::new(0),
        }
    }

    /// 32 lowercase hex digits.
    pub fn next(&self) -> String {
        let n = self.next_number();
        let mut id = String::with_capacity(32);
        push_hex(&mut id, self.prefix);
        push_hex(&mut id, splitmix64(n));
        id
    }

    fn next_number(&self) -> u64 {
        ID_BLOCK_LEFT.with(|block| {
            let (prefix, mut next, mut end) = block.get();
            if prefix != self.prefix || next == end {
                next = self.counter.fetch_add(ID_BLOCK, Ordering::Relaxed);
                end = next + ID_BLOCK;
            }
            block.set((self.prefix, next + 1, end));
            next
        })
    }

    /// The id a trusted peer sent, when it is a sane token; else a fresh one.
    pub fn keep_or_new(&self, sent: Option<&HeaderValue>, peer_trusted: bool) -> String {
        match sent.and_then(|v| v.to_str().ok()) {
            Some(id)
                if peer_trusted
                    && !id.is_empty()
                    && id.len() <= 128
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) =>
            {
                id.to_string()
            }
            _ => self.next(),
        }
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        Self::new()
    }
}

/// Appends the 16 hex digits of `value` (the formatting machinery costs
/// more than the rest of the id on the request path).
fn push_hex(out: &mut String, value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        out.push(DIGITS[((value >> (shift * 4)) & 0xf) as usize] as char);
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn an_absolute_form_target_replaces_the_http1_host() {
        let request = |version, target| {
            http::Request::get(target)
                .version(version)
                .header("host", "admin.test")
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let mut h1 = request(http::Version::HTTP_11, "http://api.test:8080/x");
        host_from_target(&mut h1);
        let hosts: Vec<_> = h1.headers.get_all("host").iter().collect();
        assert_eq!(hosts, ["api.test:8080"]);
        let mut h2 = request(http::Version::HTTP_2, "http://api.test:8080/x");
        host_from_target(&mut h2);
        assert_eq!(h2.headers["host"], "admin.test");
        let mut origin_form = request(http::Version::HTTP_11, "/x");
        host_from_target(&mut origin_form);
        assert_eq!(origin_form.headers["host"], "admin.test");
    }

    #[test]
    fn hop_by_hop_headers_and_those_named_by_connection_go() {
        let mut h = headers(&[
            ("connection", "keep-alive, x-secret"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("te", "trailers"),
            ("accept", "*/*"),
        ]);
        strip_hop_by_hop(&mut h, false);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("accept"));
    }

    #[test]
    fn upgrade_survives_when_asked() {
        let mut h = headers(&[
            ("connection", "Upgrade"),
            ("upgrade", "websocket"),
            ("keep-alive", "1"),
        ]);
        assert!(wants_upgrade(&h));
        strip_hop_by_hop(&mut h, true);
        assert_eq!(h.get("upgrade").unwrap(), "websocket");
        assert_eq!(h.get("connection").unwrap(), "upgrade");
        assert!(!h.contains_key("keep-alive"));
    }

    #[test]
    fn an_upgrade_to_h2c_is_never_passed_on() {
        let mut h = headers(&[
            ("connection", "Upgrade, HTTP2-Settings"),
            ("upgrade", "H2C"),
            ("http2-settings", "AAMAAABkAARAAAAAAAIAAAAA"),
        ]);
        assert!(!wants_upgrade(&h));
        strip_hop_by_hop(&mut h, false);
        assert!(h.is_empty(), "{h:?}");
        let mut unnamed = headers(&[("http2-settings", "AAMAAABk")]);
        strip_hop_by_hop(&mut unnamed, false);
        assert!(
            unnamed.is_empty(),
            "connection-specific even when not named"
        );
    }

    #[test]
    fn forwarded_headers_are_believed_only_from_trusted_peers() {
        let trusted = IpSet::parse(&["10.0.0.0/8"]).unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.1.1.1")]);
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            client_ip(peer, &h, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(stranger, &h, &trusted), stranger);
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")]);
        assert_eq!(
            client_ip(peer, &fwd, &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        let spoof = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        assert_eq!(
            client_ip(peer, &spoof, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "the rightmost untrusted hop is the client, not what it claimed before"
        );
    }

    #[test]
    fn forwarding_appends_this_hop() {
        let mut h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        append_forwarded(
            &mut h,
            &HopPeer::new("::1".parse().unwrap()),
            "api.test",
            true,
        );
        assert_eq!(h.get("x-forwarded-for").unwrap(), "203.0.113.9, ::1");
        assert_eq!(
            h.get("forwarded").unwrap(),
            "for=\"[::1]\";proto=https;host=api.test"
        );
        assert_eq!(h.get("x-forwarded-proto").unwrap(), "https");
    }

    #[test]
    fn request_ids_are_unique_and_kept_only_from_trusted_peers() {
        let ids = RequestIds::new();
        let a = ids.next();
        assert_ne!(a, ids.next());
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(&a[..16], format!("{:016x}", ids.prefix));
        // Far more ids than a 32-bit suffix could keep apart (about five
        // collisions expected there), none repeated.
        let many: std::collections::HashSet<String> = (0..200_000).map(|_| ids.next()).collect();
        assert_eq!(many.len(), 200_000);
        // Several threads, and a second generator used in between: still
        // no id twice.
        let other = RequestIds::new();
        let threads: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..5_000)
                            .map(|i| {
                                if i % 700 == 0 {
                                    other.next();
                                }
                                ids.next()
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let all: std::collections::HashSet<&String> =
            threads.iter().flatten().chain(many.iter()).collect();
        assert_eq!(all.len(), 200_000 + 4 * 5_000);
        let sent = HeaderValue::from_static("abc-123");
        assert_eq!(ids.keep_or_new(Some(&sent), true), "abc-123");
        assert_ne!(ids.keep_or_new(Some(&sent), false), "abc-123");
        let evil = HeaderValue::from_static("a b<script>");
        assert_ne!(ids.keep_or_new(Some(&evil), true), "a b<script>");
    }
}
