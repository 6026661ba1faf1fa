//! Reading an upstream's response head, and how its body is delimited.
//!
//! An upstream connection is reused for later requests, so a response whose
//! framing is ambiguous (both `Content-Length` and `Transfer-Encoding`, or
//! conflicting lengths) is refused outright: guessing would let one response
//! bleed into the next one on the same connection.

use crate::forwarding::connection_lists;
use bytes::BytesMut;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Version};

/// The largest response head accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields accepted in a response head.
pub const MAX_HEADERS: usize = 128;

/// How the response body is delimited on the wire (RFC 9112 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFraming {
    /// No body: a HEAD request, or a 1xx, 204 or 304 answer.
    NoBody,
    Length(u64),
    Chunked,
    /// The body runs until the upstream closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug)]
pub struct ResponseHead {
    pub parts: http::response::Parts,
    pub framing: ResponseFraming,
    /// Whether the connection may carry another request after this response.
    pub keep_alive: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HeadError {
    #[error("malformed response head: {0}")]
    Malformed(String),
    #[error("response head is larger than {MAX_HEAD_BYTES} bytes")]
    TooLarge,
    #[error("ambiguous response framing: {0}")]
    Ambiguous(&'static str),
}

/// Parses a response head from the front of `buf`, removing it. `None`: the
/// head is not complete yet, read more. Interim (1xx) responses come back like
/// any other; the caller skips those it does not want.
pub fn parse_head(buf: &mut BytesMut, method: &Method) -> Result<Option<ResponseHead>, HeadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut fields);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => {
            return Err(HeadError::TooLarge)
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(HeadError::Malformed(e.to_string())),
    };
    if head_len > MAX_HEAD_BYTES {
        return Err(HeadError::TooLarge);
    }
    let code = response.code.unwrap_or_default();
    let status = StatusCode::from_u16(code)
        .map_err(|e| HeadError::Malformed(format!("status {code}: {e}")))?;
    let version = if response.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    // Where each field's name and value lie in the head, so that the head
    // can be split off the buffer and the values shared with it, uncopied.
    let mut spans = [[0usize; 4]; MAX_HEADERS];
    let count = response.headers.len();
    for (span, field) in spans.iter_mut().zip(response.headers.iter()) {
        let name = offset_in(buf, field.name.as_bytes());
        let value = offset_in(buf, field.value);
        *span = [name.start, name.end, value.start, value.end];
    }
    let head = buf.split_to(head_len).freeze();
    let mut headers = HeaderMap::with_capacity(count);
    for &[name_start, name_end, value_start, value_end] in &spans[..count] {
        let name = HeaderName::from_bytes(&head[name_start..name_end])
            .map_err(|_| HeadError::Malformed("invalid header name".to_owned()))?;
        let value = HeaderValue::from_maybe_shared(head.slice(value_start..value_end))
            .map_err(|_| HeadError::Malformed(format!("value of {name}")))?;
        headers.append(name, value);
    }
    let framing = framing(method, status, &headers)?;
    let keep_alive = version == Version::HTTP_11
        && !connection_lists(&headers, "close")
        && framing != ResponseFraming::UntilClose;
    let mut parts = http::Response::new(()).into_parts().0;
    parts.status = status;
    parts.version = version;
    parts.headers = headers;
    Ok(Some(ResponseHead {
        parts,
        framing,
        keep_alive,
    }))
}

/// Where `part` (a slice of `whole`) starts and ends in `whole`.
fn offset_in(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

fn framing(
    method: &Method,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<ResponseFraming, HeadError> {
    if method == Method::HEAD
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        return Ok(ResponseFraming::NoBody);
    }
    let has_length = headers.contains_key(header::CONTENT_LENGTH);
    if headers.contains_key(header::TRANSFER_ENCODING) {
        if has_length {
            return Err(HeadError::Ambiguous(
                "both Content-Length and Transfer-Encoding",
            ));
        }
        return Ok(if final_coding_is_chunked(headers) {
            ResponseFraming::Chunked
        } else {
            ResponseFraming::UntilClose
        });
    }
    if !has_length {
        return Ok(ResponseFraming::UntilClose);
    }
    content_length(headers).map(ResponseFraming::Length)
}

/// The one length every `Content-Length` value states (repeats must agree).
fn content_length(headers: &HeaderMap) -> Result<u64, HeadError> {
    let mut length = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        for item in value.as_bytes().split(|&b| b == b',') {
            let item = item.trim_ascii();
            if item.is_empty() || !item.iter().all(u8::is_ascii_digit) {
                return Err(HeadError::Ambiguous("Content-Length is not a number"));
            }
            let parsed = std::str::from_utf8(item)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or(HeadError::Ambiguous("Content-Length is too large"))?;
            if length.is_some_and(|seen| seen != parsed) {
                return Err(HeadError::Ambiguous("conflicting Content-Length values"));
            }
            length = Some(parsed);
        }
    }
    length.ok_or(HeadError::Ambiguous("Content-Length is empty"))
}

fn final_coding_is_chunked(headers: &HeaderMap) -> bool {
    let last_value = headers
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .next_back();
    last_value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .is_some_and(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str, method: Method) -> Result<Option<ResponseHead>, HeadError> {
        parse_head(&mut BytesMut::from(raw.as_bytes()), &method)
    }

    fn framing_of(raw: &str) -> Result<ResponseFraming, HeadError> {
        parse(raw, Method::GET).map(|head| head.expect("complete").framing)
    }

    #[test]
    fn parses_a_head_and_leaves_the_body_in_the_buffer() {
        let mut buf = BytesMut::from(
            &b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello"[..],
        );
        let head = parse_head(&mut buf, &Method::POST).unwrap().unwrap();
        assert_eq!(head.parts.status, 201);
        assert_eq!(head.parts.version, Version::HTTP_11);
        let values: Vec<_> = head.parts.headers.get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        assert_eq!(head.framing, ResponseFraming::Length(5));
        assert!(head.keep_alive);
        assert_eq!(&buf[..], b"hello");
    }

    #[test]
    fn an_incomplete_head_asks_for_more_and_consumes_nothing() {
        let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Len"[..]);
        assert!(parse_head(&mut buf, &Method::GET).unwrap().is_none());
        assert_eq!(buf.len(), 28);
        let huge = format!("HTTP/1.1 200 OK\r\nx: {}", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(parse(&huge, Method::GET).unwrap_err(), HeadError::TooLarge);
    }

    #[test]
    fn framing_follows_rfc_9112() {
        use ResponseFraming::*;
        assert_eq!(
            framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            Ok(Chunked)
        );
        assert_eq!(
            framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Ok(UntilClose)
        );
        assert_eq!(framing_of("HTTP/1.1 200 OK\r\n\r\n"), Ok(UntilClose));
        assert_eq!(
            framing_of("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n"),
            Ok(NoBody)
        );
        assert_eq!(framing_of("HTTP/1.1 304 Not Modified\r\n\r\n"), Ok(NoBody));
        assert_eq!(framing_of("HTTP/1.1 100 Continue\r\n\r\n"), Ok(NoBody));
        assert_eq!(
            framing_of("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n"),
            Ok(Length(7))
        );
        let head = parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", Method::HEAD)
            .unwrap()
            .unwrap();
        assert_eq!(head.framing, NoBody, "HEAD answers carry no body");
    }

    #[test]
    fn ambiguous_framing_is_refused() {
        for raw in [
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        ] {
            assert!(
                matches!(framing_of(raw), Err(HeadError::Ambiguous(_))),
                "{raw:?}"
            );
        }
        assert!(matches!(
            parse("HTTP/1.1 2x0 OK\r\n\r\n", Method::GET),
            Err(HeadError::Malformed(_))
        ));
    }

    #[test]
    fn connection_reuse_needs_http_1_1_without_close_and_a_delimited_body() {
        let reusable = |raw: &str| parse(raw, Method::GET).unwrap().unwrap().keep_alive;
        assert!(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assert!(!reusable(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n"
        ));
        assert!(!reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assert!(!reusable("HTTP/1.1 200 OK\r\n\r\n"));
    }
}
