//! Decodes chunked response bodies (RFC 9112 section 7.1) read from upstream servers.
//!
//! Upstream connections are reused, so the end of each body must be found exactly: upstream
//! bytes are untrusted, every line is bounded, lines end with CRLF only, and nothing after the
//! body is consumed, since it belongs to the next response.

use bytes::{Buf, Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;

/// Longest chunk-size line accepted (size and extensions), CRLF included.
const MAX_SIZE_LINE: usize = 4096;
/// Largest trailer section accepted, its closing empty line included.
const MAX_TRAILER_BYTES: usize = 16 * 1024;
/// Most trailer field lines accepted.
const MAX_TRAILER_FIELDS: usize = 64;

/// Incremental decoder state for one chunked body.
#[derive(Debug, Default)]
pub struct ChunkedDecoder {
    state: State,
}

#[derive(Debug, Default)]
enum State {
    /// Expecting a chunk-size line.
    #[default]
    Size,
    /// Inside a chunk's data, with this many bytes still to come.
    Data(u64),
    /// Expecting the CRLF that closes a chunk's data.
    DataEnd,
    /// After the last chunk: the trailer fields read so far and the bytes their lines took.
    Trailers {
        fields: HeaderMap,
        len: usize,
    },
    Done,
}

/// What one call to [`ChunkedDecoder::decode`] found.
#[derive(Debug, PartialEq)]
pub enum ChunkedStep {
    /// Body bytes, split off the front of the buffer.
    Data(Bytes),
    /// The body ended (last chunk and trailer section consumed); trailer fields if any were sent.
    End(Option<HeaderMap>),
    /// The buffer holds nothing decodable yet: read more bytes onto its end and call again.
    NeedMore,
}

/// Why a chunked body is malformed. The connection it came from cannot be reused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChunkedError {
    #[error("chunk size is not hexadecimal")]
    InvalidSize,
    #[error("chunk size overflows 64 bits")]
    SizeOverflow,
    #[error("malformed chunk extension")]
    InvalidExtension,
    #[error("chunk size line is longer than {} bytes", MAX_SIZE_LINE)]
    SizeLineTooLong,
    #[error("line does not end with CRLF")]
    BadLineEnding,
    #[error("chunk data is not followed by CRLF")]
    MissingDataCrlf,
    #[error("trailer section is larger than {} bytes", MAX_TRAILER_BYTES)]
    TrailerTooLarge,
    #[error("more than {} trailer fields", MAX_TRAILER_FIELDS)]
    TooManyTrailerFields,
    #[error("invalid trailer field")]
    InvalidTrailerField,
}

impl ChunkedDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes from the front of `buf`, removing what it consumed. Call repeatedly; after `End` the
    /// decoder is done and `buf` starts with whatever followed the body (untouched).
    ///
    /// Between calls the caller may only append to `buf`. Once done, every call returns
    /// `End(None)` and leaves `buf` alone. A malformed line is reported as soon as its line end
    /// arrives or its size bound is passed. After an error, calling again repeats it.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<ChunkedStep, ChunkedError> {
        loop {
            match &mut self.state {
                State::Size => {
                    let Some(len) = find_line(buf, MAX_SIZE_LINE, ChunkedError::SizeLineTooLong)?
                    else {
                        return Ok(ChunkedStep::NeedMore);
                    };
                    let size = parse_size_line(&buf[..len])?;
                    buf.advance(len + 2);
                    self.state = match size {
                        0 => State::Trailers {
                            fields: HeaderMap::new(),
                            len: 0,
                        },
                        size => State::Data(size),
                    };
                }
                State::Data(remaining) => {
                    if buf.is_empty() {
                        return Ok(ChunkedStep::NeedMore);
                    }
                    let n = usize::try_from(*remaining).map_or(buf.len(), |r| r.min(buf.len()));
                    *remaining -= n as u64;
                    if *remaining == 0 {
                        self.state = State::DataEnd;
                    }
                    return Ok(ChunkedStep::Data(buf.split_to(n).freeze()));
                }
                State::DataEnd => {
                    // What has arrived must be a prefix of CRLF.
                    if !b"\r\n".starts_with(&buf[..buf.len().min(2)]) {
                        return Err(ChunkedError::MissingDataCrlf);
                    }
                    if buf.len() < 2 {
                        return Ok(ChunkedStep::NeedMore);
                    }
                    buf.advance(2);
                    self.state = State::Size;
                }
                State::Trailers { fields, len } => {
                    let budget = MAX_TRAILER_BYTES - *len;
                    let Some(line) = find_line(buf, budget, ChunkedError::TrailerTooLarge)? else {
                        return Ok(ChunkedStep::NeedMore);
                    };
                    if line == 0 {
                        buf.advance(2);
                        let fields = std::mem::take(fields);
                        self.state = State::Done;
                        return Ok(ChunkedStep::End((!fields.is_empty()).then_some(fields)));
                    }
                    if fields.len() == MAX_TRAILER_FIELDS {
                        return Err(ChunkedError::TooManyTrailerFields);
                    }
                    let (name, value) = parse_field(&buf[..line])?;
                    fields.append(name, value);
                    buf.advance(line + 2);
                    *len += line + 2;
                }
                State::Done => return Ok(ChunkedStep::End(None)),
            }
        }
    }

    /// Whether `End` has been returned.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

/// Finds the line at the front of `buf`: the length of its content, which is followed by CRLF.
/// `None` while the line is incomplete. A line whose content and CRLF would not fit in `limit`
/// bytes fails with `too_long`, decided from the first `limit` bytes alone.
fn find_line(
    buf: &[u8],
    limit: usize,
    too_long: ChunkedError,
) -> Result<Option<usize>, ChunkedError> {
    let window = &buf[..buf.len().min(limit)];
    match window.iter().position(|&b| b == b'\r' || b == b'\n') {
        None if buf.len() >= limit => Err(too_long),
        None => Ok(None),
        Some(i) if window[i] == b'\n' => Err(ChunkedError::BadLineEnding),
        Some(i) if i + 2 > limit => Err(too_long),
        Some(i) => match buf.get(i + 1) {
            None => Ok(None),
            Some(b'\n') => Ok(Some(i)),
            Some(_) => Err(ChunkedError::BadLineEnding),
        },
    }
}

/// `chunk-size [ chunk-ext ]`: the size, with extensions checked and ignored.
fn parse_size_line(line: &[u8]) -> Result<u64, ChunkedError> {
    let mut size = 0u64;
    let mut digits = 0;
    while let Some(digit) = line.get(digits).and_then(|&b| char::from(b).to_digit(16)) {
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(u64::from(digit)))
            .ok_or(ChunkedError::SizeOverflow)?;
        digits += 1;
    }
    let rest = &line[digits..];
    if digits == 0 || rest.first().is_some_and(|b| !is_ws(b) && *b != b';') {
        return Err(ChunkedError::InvalidSize);
    }
    check_extensions(rest)?;
    Ok(size)
}

/// `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )`, where a value is a token or a
/// quoted-string.
fn check_extensions(mut rest: &[u8]) -> Result<(), ChunkedError> {
    while !rest.is_empty() {
        rest = skip_ws(rest)
            .strip_prefix(b";")
            .ok_or(ChunkedError::InvalidExtension)?;
        rest = skip_token(skip_ws(rest))?;
        if let Some(value) = skip_ws(rest).strip_prefix(b"=") {
            let value = skip_ws(value);
            rest = match value.strip_prefix(b"\"") {
                Some(quoted) => skip_quoted(quoted)?,
                None => skip_token(value)?,
            };
        }
    }
    Ok(())
}

fn is_ws(b: &u8) -> bool {
    *b == b' ' || *b == b'\t'
}

fn skip_ws(s: &[u8]) -> &[u8] {
    &s[s.iter().take_while(|b| is_ws(b)).count()..]
}

/// Skips a non-empty token.
fn skip_token(s: &[u8]) -> Result<&[u8], ChunkedError> {
    let is_tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    match s.iter().take_while(|b| is_tchar(b)).count() {
        0 => Err(ChunkedError::InvalidExtension),
        n => Ok(&s[n..]),
    }
}

/// Skips the rest of a quoted-string whose opening quote was already skipped.
fn skip_quoted(s: &[u8]) -> Result<&[u8], ChunkedError> {
    // HTAB, SP, visible ASCII and obs-text: what qdtext and quoted-pair allow.
    let is_text = |b: u8| b == b'\t' || (b >= b' ' && b != 0x7f);
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'"' => return Ok(&s[i + 1..]),
            b'\\' if s.get(i + 1).is_some_and(|&next| is_text(next)) => i += 2,
            b'\\' => return Err(ChunkedError::InvalidExtension),
            b if is_text(b) => i += 1,
            _ => return Err(ChunkedError::InvalidExtension),
        }
    }
    Err(ChunkedError::InvalidExtension)
}

/// `field-name ":" OWS field-value OWS`.
fn parse_field(line: &[u8]) -> Result<(HeaderName, HeaderValue), ChunkedError> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(ChunkedError::InvalidTrailerField)?;
    let name =
        HeaderName::from_bytes(&line[..colon]).map_err(|_| ChunkedError::InvalidTrailerField)?;
    let value = skip_ws(&line[colon + 1..]);
    let value = &value[..value.len() - value.iter().rev().take_while(|b| is_ws(b)).count()];
    let value = HeaderValue::from_bytes(value).map_err(|_| ChunkedError::InvalidTrailerField)?;
    Ok((name, value))
}

/// Decodes `pieces` appended to one buffer one by one, as successive reads
/// would, until the body ends or fails: the data found, the last step or
/// error, and what is left in the buffer. For the tests and the fuzz target.
#[cfg(any(test, fuzzing))]
pub fn decode_pieces<'a>(
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<u8>, Result<ChunkedStep, ChunkedError>, BytesMut) {
    let mut decoder = ChunkedDecoder::new();
    let mut buf = BytesMut::new();
    let mut data = Vec::new();
    let mut last = Ok(ChunkedStep::NeedMore);
    for piece in pieces {
        buf.extend_from_slice(piece);
        if last != Ok(ChunkedStep::NeedMore) {
            continue; // Ended or failed: later bytes stay in the buffer.
        }
        last = loop {
            match decoder.decode(&mut buf) {
                Ok(ChunkedStep::Data(bytes)) => {
                    assert!(!bytes.is_empty(), "empty Data step");
                    data.extend_from_slice(&bytes);
                }
                step => break step,
            }
        };
    }
    assert_eq!(decoder.is_done(), matches!(last, Ok(ChunkedStep::End(_))));
    (data, last, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed<'a>(
        pieces: impl IntoIterator<Item = &'a [u8]>,
    ) -> (Vec<u8>, Result<ChunkedStep, ChunkedError>, BytesMut) {
        decode_pieces(pieces)
    }

    fn decode_all(input: &[u8]) -> (Vec<u8>, Result<ChunkedStep, ChunkedError>, BytesMut) {
        feed([input])
    }

    fn error(input: &[u8]) -> ChunkedError {
        decode_all(input).1.unwrap_err()
    }

    fn trailers(fields: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in fields {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    const WIKI: &[u8] = b"4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";

    #[test]
    fn several_chunks_decode_to_the_body() {
        let (data, last, rest) = decode_all(WIKI);
        assert_eq!(
            String::from_utf8(data).unwrap(),
            "Wikipedia in\r\n\r\nchunks."
        );
        assert_eq!(last, Ok(ChunkedStep::End(None)));
        assert!(rest.is_empty());
    }

    #[test]
    fn any_split_gives_the_same_result() {
        let input: &[u8] =
            b"3;a=b\r\nabc\r\n00010 ; q=\"x\\\"y\"\r\n0123456789abcdef\r\n0\r\nX-Sum: 1\r\n\r\nNEXT";
        let whole = decode_all(input);
        let trailer = trailers(&[("x-sum", "1")]);
        assert_eq!(whole.0, b"abc0123456789abcdef");
        assert_eq!(whole.1, Ok(ChunkedStep::End(Some(trailer))));
        assert_eq!(whole.2, &b"NEXT"[..]);

        for cut in 0..=input.len() {
            assert_eq!(feed([&input[..cut], &input[cut..]]), whole, "cut at {cut}");
        }
        assert_eq!(feed(input.chunks(1)), whole);
    }

    #[test]
    fn data_is_yielded_before_the_chunk_is_complete() {
        let mut decoder = ChunkedDecoder::new();
        let mut buf = BytesMut::from(&b"a\r\nhel"[..]);
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(ChunkedStep::Data(Bytes::from_static(b"hel")))
        );
        assert_eq!(decoder.decode(&mut buf), Ok(ChunkedStep::NeedMore));
        buf.extend_from_slice(b"lo worl");
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(ChunkedStep::Data(Bytes::from_static(b"lo worl")))
        );
        assert!(buf.is_empty());
        assert!(!decoder.is_done());
    }

    #[test]
    fn extensions_are_ignored() {
        let input = b"5;foo=bar;baz ; q = \"a; \\\"b\\\" \"\t;x\r\nhello\r\n0;last;n=\"\"\r\n\r\n";
        let (data, last, _) = decode_all(input);
        assert_eq!(data, b"hello");
        assert_eq!(last, Ok(ChunkedStep::End(None)));
    }

    #[test]
    fn leading_zeros_and_the_largest_size_are_accepted() {
        let (data, last, _) = decode_all(b"00000000000000000000000000005\r\nhello\r\n0\r\n\r\n");
        assert_eq!(data, b"hello");
        assert_eq!(last, Ok(ChunkedStep::End(None)));
        let (data, last, _) = decode_all(b"ffffffffffffffff\r\nabc");
        assert_eq!(data, b"abc");
        assert_eq!(last, Ok(ChunkedStep::NeedMore));
    }

    #[test]
    fn trailers_are_returned() {
        let input =
            b"2\r\nhi\r\n0\r\nExpires: never\r\nX-Sum:\t abc \r\nx-sum: def\r\nEmpty:\r\n\r\n";
        let (data, last, _) = decode_all(input);
        assert_eq!(data, b"hi");
        let expected = trailers(&[
            ("expires", "never"),
            ("x-sum", "abc"),
            ("x-sum", "def"),
            ("empty", ""),
        ]);
        assert_eq!(last, Ok(ChunkedStep::End(Some(expected))));
    }

    #[test]
    fn bytes_after_the_end_are_left_untouched() {
        let mut decoder = ChunkedDecoder::new();
        let mut buf = BytesMut::from(&b"1\r\nx\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\n"[..]);
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(ChunkedStep::Data(Bytes::from_static(b"x")))
        );
        assert_eq!(decoder.decode(&mut buf), Ok(ChunkedStep::End(None)));
        assert!(decoder.is_done());
        assert_eq!(buf, &b"HTTP/1.1 200 OK\r\n\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(ChunkedStep::End(None)));
        assert_eq!(buf, &b"HTTP/1.1 200 OK\r\n\n"[..]);
    }

    #[test]
    fn empty_or_incomplete_input_needs_more() {
        for input in [
            &b""[..],
            b"5",
            b"5;a",
            b"5\r",
            b"5\r\nhello",
            b"5\r\nhello\r",
            b"0\r\n",
            b"0\r\nA: b\r",
        ] {
            assert_eq!(decode_all(input).1, Ok(ChunkedStep::NeedMore), "{input:?}");
        }
    }

    #[test]
    fn malformed_sizes_are_rejected() {
        assert_eq!(error(b"zz\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b";a\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b"\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b"5g\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b"+5\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b"0x5\r\n"), ChunkedError::InvalidSize);
        assert_eq!(error(b"ffffffffffffffffff\r\n"), ChunkedError::SizeOverflow);
        assert_eq!(error(b"10000000000000000\r\n"), ChunkedError::SizeOverflow);
    }

    #[test]
    fn malformed_extensions_are_rejected() {
        for input in [
            &b"5 \r\n"[..],
            b"5 x\r\n",
            b"5;\r\n",
            b"5;a \r\n",
            b"5;a=\r\n",
            b"5;a=b c\r\n",
            b"5;a=\"open\r\n",
            b"5;a=\"x\\\r\n",
            b"5;a=\"\x01\"\r\n",
            b"5;(a)\r\n",
        ] {
            assert_eq!(error(input), ChunkedError::InvalidExtension, "{input:?}");
        }
    }

    #[test]
    fn lines_must_end_with_crlf() {
        for input in [
            &b"5\nhello"[..],
            b"5\rhello",
            b"5;a\n",
            b"0\r\n\n",
            b"0\r\nA: b\n\r\n",
            b"0\r\nA: b\rc\r\n\r\n",
        ] {
            assert_eq!(error(input), ChunkedError::BadLineEnding, "{input:?}");
        }
    }

    #[test]
    fn chunk_data_must_be_followed_by_crlf() {
        assert_eq!(error(b"5\r\nhelloX"), ChunkedError::MissingDataCrlf);
        assert_eq!(error(b"5\r\nhello\n"), ChunkedError::MissingDataCrlf);
        assert_eq!(error(b"5\r\nhello\rX"), ChunkedError::MissingDataCrlf);
    }

    #[test]
    fn size_lines_are_bounded() {
        let line = |len: usize| {
            let mut line = b"1;".to_vec();
            line.resize(len - 2, b'a');
            line.extend_from_slice(b"\r\nx\r\n0\r\n\r\n");
            line
        };
        assert_eq!(
            decode_all(&line(MAX_SIZE_LINE)).1,
            Ok(ChunkedStep::End(None))
        );
        assert_eq!(
            error(&line(MAX_SIZE_LINE + 1)),
            ChunkedError::SizeLineTooLong
        );
        // Without any line end, the error comes as soon as the bound is reached.
        assert_eq!(
            error(&vec![b'0'; MAX_SIZE_LINE]),
            ChunkedError::SizeLineTooLong
        );
        assert_eq!(
            decode_all(&vec![b'0'; MAX_SIZE_LINE - 1]).1,
            Ok(ChunkedStep::NeedMore)
        );
    }

    #[test]
    fn trailer_sections_are_bounded() {
        let section = |value_len: usize| {
            let mut input = b"0\r\nx: ".to_vec();
            input.resize(input.len() + value_len, b'v');
            input.extend_from_slice(b"\r\n\r\n");
            input
        };
        // "x: " + value + CRLF + CRLF is exactly the limit.
        let most = MAX_TRAILER_BYTES - 7;
        assert!(matches!(
            decode_all(&section(most)).1,
            Ok(ChunkedStep::End(Some(_)))
        ));
        assert_eq!(error(&section(most + 1)), ChunkedError::TrailerTooLarge);
        assert_eq!(
            error(&vec![b'0'; MAX_TRAILER_BYTES * 2]),
            ChunkedError::SizeLineTooLong
        );
        let mut unended = b"0\r\nx: ".to_vec();
        unended.resize(3 + MAX_TRAILER_BYTES, b'v');
        assert_eq!(error(&unended), ChunkedError::TrailerTooLarge);

        let fields = |count: usize| {
            let mut input = b"0\r\n".to_vec();
            for i in 0..count {
                input.extend_from_slice(format!("f{i}: x\r\n").as_bytes());
            }
            input.extend_from_slice(b"\r\n");
            input
        };
        match decode_all(&fields(MAX_TRAILER_FIELDS)).1 {
            Ok(ChunkedStep::End(Some(map))) => assert_eq!(map.len(), MAX_TRAILER_FIELDS),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            error(&fields(MAX_TRAILER_FIELDS + 1)),
            ChunkedError::TooManyTrailerFields
        );
    }

    #[test]
    fn invalid_trailer_fields_are_rejected() {
        for field in [
            &b"bad name: x"[..],
            b"name : x",
            b"no colon",
            b": no name",
            b" folded: x",
            b"\tfolded",
            b"x: a\x01b",
            b"x: a\x7fb",
            b"x: \x0c",
        ] {
            let mut input = b"0\r\n".to_vec();
            input.extend_from_slice(field);
            input.extend_from_slice(b"\r\n\r\n");
            assert_eq!(
                error(&input),
                ChunkedError::InvalidTrailerField,
                "{field:?}"
            );
        }
    }

    #[test]
    fn errors_repeat_and_consume_nothing() {
        let mut decoder = ChunkedDecoder::new();
        let mut buf = BytesMut::from(&b"zz\r\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Err(ChunkedError::InvalidSize));
        assert_eq!(decoder.decode(&mut buf), Err(ChunkedError::InvalidSize));
        assert_eq!(buf, &b"zz\r\n"[..]);
    }
}
