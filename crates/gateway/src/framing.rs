//! Refuses requests whose message framing two HTTP parsers could read
//! differently: the request-smuggling classes.
//!
//! hyper drops `Content-Length` when `Transfer-Encoding` is present; the
//! client stream reports the pair instead (see `client_io`) and the proxy
//! refuses the request with [`BOTH_LENGTHS`]. hyper already refuses conflicting repeated `Content-Length`, malformed
//! chunk sizes, obsolete line folding and invalid header-name characters (400
//! before the request reaches the gateway, or a body error before anything is
//! forwarded). What it tolerates and a proxy must not is checked here: a
//! request carrying both `Content-Length` and `Transfer-Encoding`,
//! `Transfer-Encoding` on HTTP/1.0, an HTTP/1.1 request without exactly one
//! `Host` and any request with two (RFC 9112, section 3.2: two parsers may
//! route it to different hosts), an HTTP/2 `Host` header that names another host than
//! `:authority` (RFC 9113, section 8.3.1: the gateway routes on one, an
//! upstream would serve the other; an HTTP/1.1 absolute-form target instead
//! replaces `Host`, see `forwarding::host_from_target`), and header names
//! that only look like framing headers (`Transfer_Encoding`,
//! `Content_Length`), which some servers normalise into the real ones.

use http::{header, HeaderMap, Uri, Version};

pub const BOTH_LENGTHS: &str = "both Content-Length and Transfer-Encoding are present";

/// Why a request's framing is ambiguous.
pub fn ambiguity(version: Version, uri: &Uri, headers: &HeaderMap) -> Option<&'static str> {
    match headers.get_all(header::HOST).iter().count() {
        0 if version == Version::HTTP_11 => return Some("an HTTP/1.1 request must carry Host"),
        0 | 1 => {}
        _ => return Some("more than one Host header"),
    }
    if version == Version::HTTP_2 {
        if let (Some(authority), Some(host)) = (uri.authority(), headers.get(header::HOST)) {
            if !host
                .as_bytes()
                .eq_ignore_ascii_case(authority.as_str().as_bytes())
            {
                return Some("the Host header names another host than :authority");
            }
        }
    }
    if headers
        .keys()
        .any(|name| matches!(name.as_str(), "transfer_encoding" | "content_length"))
    {
        return Some("a header named like a framing header (Transfer_Encoding, Content_Length)");
    }
    let has_te = headers.contains_key(header::TRANSFER_ENCODING);
    if !has_te {
        return None;
    }
    if headers.contains_key(header::CONTENT_LENGTH) {
        return Some(BOTH_LENGTHS);
    }
    if version == Version::HTTP_10 {
        return Some("Transfer-Encoding is not defined for HTTP/1.0");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_must_be_there_once_and_framing_names_exact() {
        let origin = Uri::from_static("/");
        let mut h = HeaderMap::new();
        assert!(ambiguity(Version::HTTP_11, &origin, &h).is_some());
        assert_eq!(ambiguity(Version::HTTP_10, &origin, &h), None);
        assert_eq!(ambiguity(Version::HTTP_2, &origin, &h), None);
        h.append(header::HOST, "a".parse().unwrap());
        assert_eq!(ambiguity(Version::HTTP_11, &origin, &h), None);
        h.append(header::HOST, "b".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &origin, &h).is_some());
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "a".parse().unwrap());
        h.insert("transfer_encoding", "chunked".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &origin, &h).is_some());
    }

    #[test]
    fn content_length_with_transfer_encoding_is_ambiguous() {
        let origin = Uri::from_static("/");
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "a".parse().unwrap());
        h.insert(header::TRANSFER_ENCODING, "chunked".parse().unwrap());
        assert_eq!(ambiguity(Version::HTTP_11, &origin, &h), None);
        assert!(ambiguity(Version::HTTP_10, &origin, &h).is_some());
        h.insert(header::CONTENT_LENGTH, "5".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &origin, &h).is_some());
    }

    #[test]
    fn an_http2_host_header_must_agree_with_the_authority() {
        let target = Uri::from_static("https://api.test:8443/x");
        let mut h = HeaderMap::new();
        assert_eq!(ambiguity(Version::HTTP_2, &target, &h), None);
        h.insert(header::HOST, "API.test:8443".parse().unwrap());
        assert_eq!(ambiguity(Version::HTTP_2, &target, &h), None);
        for other in ["admin.test:8443", "api.test", "api.test:443"] {
            h.insert(header::HOST, other.parse().unwrap());
            assert!(ambiguity(Version::HTTP_2, &target, &h).is_some(), "{other}");
            // HTTP/1.1: the absolute-form target replaces Host instead.
            assert_eq!(ambiguity(Version::HTTP_11, &target, &h), None, "{other}");
        }
        h.insert(header::HOST, "api.test:8443".parse().unwrap());
        h.append(header::HOST, "admin.test".parse().unwrap());
        assert!(ambiguity(Version::HTTP_2, &target, &h).is_some());
    }
}
