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
//! `Host` (RFC 9112, section 3.2: two parsers may route it to different
//! hosts), and header names that only look like framing headers
//! (`Transfer_Encoding`, `Content_Length`), which some servers normalise
//! into the real ones.

use http::{header, HeaderMap, Version};

pub const BOTH_LENGTHS: &str = "both Content-Length and Transfer-Encoding are present";

/// Why a request's framing is ambiguous.
pub fn ambiguity(version: Version, headers: &HeaderMap) -> Option<&'static str> {
    if matches!(version, Version::HTTP_10 | Version::HTTP_11) {
        match headers.get_all(header::HOST).iter().count() {
            0 if version == Version::HTTP_11 => return Some("an HTTP/1.1 request must carry Host"),
            0 | 1 => {}
            _ => return Some("more than one Host header"),
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
        let mut h = HeaderMap::new();
        assert!(ambiguity(Version::HTTP_11, &h).is_some());
        assert_eq!(ambiguity(Version::HTTP_10, &h), None);
        assert_eq!(ambiguity(Version::HTTP_2, &h), None);
        h.append(header::HOST, "a".parse().unwrap());
        assert_eq!(ambiguity(Version::HTTP_11, &h), None);
        h.append(header::HOST, "b".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &h).is_some());
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "a".parse().unwrap());
        h.insert("transfer_encoding", "chunked".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &h).is_some());
    }

    #[test]
    fn content_length_with_transfer_encoding_is_ambiguous() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "a".parse().unwrap());
        h.insert(header::TRANSFER_ENCODING, "chunked".parse().unwrap());
        assert_eq!(ambiguity(Version::HTTP_11, &h), None);
        assert!(ambiguity(Version::HTTP_10, &h).is_some());
        h.insert(header::CONTENT_LENGTH, "5".parse().unwrap());
        assert!(ambiguity(Version::HTTP_11, &h).is_some());
    }
}
