//! The request head as it goes on the wire to an upstream.
//!
//! The gateway decides the body's framing itself from what it holds (a
//! buffered body has a known length, a stream of unknown length is chunked),
//! so any `Content-Length` or `Transfer-Encoding` left in the headers is
//! dropped and exactly one framing header is written: the upstream can never
//! see two framings, whatever the client sent.

use http::header::{self, HeaderMap};
use http::Method;

/// How the request body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFraming {
    /// No body and no framing header (e.g. a GET).
    NoBody,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Appends `METHOD target HTTP/1.1`, the headers and the framing header to `out`.
pub fn encode_head(
    out: &mut Vec<u8>,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    framing: RequestFraming,
) {
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    push_fields(out, headers);
    match framing {
        RequestFraming::NoBody => {}
        RequestFraming::Length(length) => {
            out.extend_from_slice(b"content-length: ");
            push_decimal(out, length);
            out.extend_from_slice(b"\r\n");
        }
        RequestFraming::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends the chunk that ends a chunked body, with the trailer fields.
pub fn encode_last_chunk(out: &mut Vec<u8>, trailers: Option<&HeaderMap>) {
    out.extend_from_slice(b"0\r\n");
    if let Some(trailers) = trailers {
        push_fields(out, trailers);
    }
    out.extend_from_slice(b"\r\n");
}

/// Field lines, framing headers left out (the encoder writes its own).
fn push_fields(out: &mut Vec<u8>, fields: &HeaderMap) {
    for (name, value) in fields {
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// The line that opens a chunk of `size` bytes.
pub fn chunk_header(size: usize) -> Vec<u8> {
    let mut line = format!("{size:x}").into_bytes();
    line.extend_from_slice(b"\r\n");
    line
}

fn push_decimal(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn encoded(headers: &HeaderMap, framing: RequestFraming) -> String {
        let mut out = Vec::new();
        encode_head(&mut out, &Method::POST, "/a?b=1", headers, framing);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_exactly_one_framing_header_of_its_own() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("api.test"));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("99"));
        headers.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        headers.append("x-multi", HeaderValue::from_static("1"));
        headers.append("x-multi", HeaderValue::from_static("2"));
        assert_eq!(
            encoded(&headers, RequestFraming::Length(1_234_567)),
            "POST /a?b=1 HTTP/1.1\r\nhost: api.test\r\nx-multi: 1\r\nx-multi: 2\r\n\
             content-length: 1234567\r\n\r\n"
        );
        assert!(encoded(&headers, RequestFraming::Chunked)
            .ends_with("x-multi: 2\r\ntransfer-encoding: chunked\r\n\r\n"));
        assert!(encoded(&headers, RequestFraming::NoBody).ends_with("x-multi: 2\r\n\r\n"));
        assert!(encoded(&HeaderMap::new(), RequestFraming::Length(0))
            .ends_with("\r\ncontent-length: 0\r\n\r\n"));
    }

    #[test]
    fn chunks_are_framed_in_hexadecimal_and_the_last_carries_trailers() {
        assert_eq!(chunk_header(0x1f00), b"1f00\r\n");
        assert_eq!(chunk_header(1), b"1\r\n");
        let mut out = Vec::new();
        encode_last_chunk(&mut out, None);
        assert_eq!(out, b"0\r\n\r\n");
        let mut trailers = HeaderMap::new();
        trailers.insert("x-checksum", HeaderValue::from_static("abc"));
        out.clear();
        encode_last_chunk(&mut out, Some(&trailers));
        assert_eq!(out, b"0\r\nx-checksum: abc\r\n\r\n");
    }
}
