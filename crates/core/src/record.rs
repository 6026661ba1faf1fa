//! Exchange records: one HTTP exchange per JSON line.
//!
//! This is the one input format of `discover`, `inspect`, `replay`, of the
//! ingestion endpoint for mirrored traffic and of every benchmark corpus (see
//! `docs/exchange-records.md`). Input is hostile: lines are bounded, a
//! bad line is reported with its number and skipped, and unknown fields are
//! ignored. The `label` field (benchmark ground truth) is never read.

use base64::Engine;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::io::BufRead;

/// Longest line accepted by default (bodies are inline, so this is generous).
pub const DEFAULT_MAX_LINE_BYTES: usize = 32 * 1024 * 1024;

/// One HTTP exchange: a request and, when known, its response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExchangeRecord {
    pub id: Option<String>,
    /// RFC 3339 arrival time as written in the record.
    pub ts: Option<String>,
    pub client_ip: Option<String>,
    /// Authority: the `host` field, else the `Host` request header.
    pub host: Option<String>,
    pub method: String,
    /// Raw path, percent-encoding untouched, without the query.
    pub path: String,
    /// Raw query string without `?` (empty when absent).
    pub query: String,
    /// Header pairs in order, names as sent.
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<Vec<u8>>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<Vec<u8>>,
}

impl ExchangeRecord {
    /// The first request header with this name (case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find_header(&self.request_headers, name)
    }

    /// The first response header with this name (case-insensitive).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }

    /// Parses one JSON line into a record.
    pub fn from_json_line(line: &[u8]) -> Result<Self, String> {
        // Checking the line's UTF-8 at once is cheaper than string by string;
        // a line that is not UTF-8 is left to the parser, which says where.
        let raw: RawRecord = match std::str::from_utf8(line) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(line),
        }
        .map_err(|e| format!("invalid JSON: {e}"))?;
        raw.into_record()
    }
}

impl ExchangeRecord {
    /// Appends the record to `out` as one JSON line (with its `\n`), in the
    /// form [`ExchangeRecord::from_json_line`] reads back: headers as
    /// `[name, value]` pairs (order and repeats kept), a body as text when
    /// it is UTF-8 and as `*_body_b64` when it is not, empty fields left out.
    pub fn write_json_line(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let (request_body, request_body_b64) = body_fields(self.request_body.as_deref());
        let (response_body, response_body_b64) = body_fields(self.response_body.as_deref());
        let line = WrittenRecord {
            id: self.id.as_deref(),
            ts: self.ts.as_deref(),
            client_ip: self.client_ip.as_deref(),
            host: self.host.as_deref(),
            method: &self.method,
            path: &self.path,
            query: &self.query,
            request_headers: &self.request_headers,
            request_body,
            request_body_b64,
            status: self.status,
            response_headers: &self.response_headers,
            response_body,
            response_body_b64,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.push(b'\n');
        Ok(())
    }
}

/// A record as [`ExchangeRecord::write_json_line`] writes it.
#[derive(serde::Serialize)]
struct WrittenRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    method: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    query: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    request_headers: &'a [(String, String)],
    #[serde(skip_serializing_if = "Option::is_none")]
    request_body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_body_b64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    response_headers: &'a [(String, String)],
    #[serde(skip_serializing_if = "Option::is_none")]
    response_body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_body_b64: Option<String>,
}

/// A body as text when it is UTF-8, else as base64.
fn body_fields(body: Option<&[u8]>) -> (Option<&str>, Option<String>) {
    match body.map(std::str::from_utf8) {
        None => (None, None),
        Some(Ok(text)) => (Some(text), None),
        Some(Err(_)) => (
            None,
            body.map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[derive(Deserialize)]
struct RawRecord {
    id: Option<Value>,
    ts: Option<String>,
    client_ip: Option<String>,
    host: Option<String>,
    method: Option<String>,
    path: Option<String>,
    query: Option<String>,
    request_headers: Option<RawHeaders>,
    request_body: Option<String>,
    request_body_b64: Option<String>,
    status: Option<Value>,
    response_headers: Option<RawHeaders>,
    response_body: Option<String>,
    response_body_b64: Option<String>,
}

impl RawRecord {
    fn into_record(self) -> Result<ExchangeRecord, String> {
        let method = self.method.ok_or("missing required field `method`")?;
        if method.is_empty() {
            return Err("field `method` is empty".into());
        }
        let path = self.path.ok_or("missing required field `path`")?;
        let request_headers = headers_from(self.request_headers, "request_headers")?;
        let response_headers = headers_from(self.response_headers, "response_headers")?;
        let host = self
            .host
            .filter(|h| !h.is_empty())
            .or_else(|| find_header(&request_headers, "host").map(str::to_owned));
        let status = match self.status {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_u64()
                    .filter(|s| (100..=999).contains(s))
                    .ok_or_else(|| format!("field `status`: expected 100..=999, got {n}"))?
                    as u16,
            ),
            Some(other) => return Err(format!("field `status`: expected an integer, got {other}")),
        };
        let id = match self.id {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
        };
        Ok(ExchangeRecord {
            id,
            ts: self.ts,
            client_ip: self.client_ip,
            host,
            method,
            path,
            query: self.query.unwrap_or_default(),
            request_headers,
            request_body: body_from(self.request_body, self.request_body_b64, "request_body_b64")?,
            status,
            response_headers,
            response_body: body_from(
                self.response_body,
                self.response_body_b64,
                "response_body_b64",
            )?,
        })
    }
}

fn headers_from(value: Option<RawHeaders>, field: &str) -> Result<Vec<(String, String)>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(RawHeaders::Pairs(pairs)) => Ok(pairs),
        Some(RawHeaders::Invalid) => Err(format!(
            "field `{field}`: expected an object or an array of [name, value] pairs"
        )),
    }
}

/// Header pairs read straight from the line, without a JSON value in
/// between (each one a tree map per object); a field of another shape is
/// kept as `Invalid` and reported with the field's name. The object form
/// reads as a JSON object does: names in order, the last of repeated names
/// kept, an array value giving one pair per item.
enum RawHeaders {
    Pairs(Vec<(String, String)>),
    Invalid,
}

impl<'de> Deserialize<'de> for RawHeaders {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadersVisitor)
    }
}

/// Text of a scalar (string, number, boolean); `None` for anything else.
struct Scalar(Option<String>);

/// A header value of the object form: text, or one text per array item.
enum HeaderValue {
    Text(String),
    List(Vec<String>),
    Invalid,
}

/// A pair of the array form; `None` unless two scalars.
struct Pair(Option<(String, String)>);

/// Reads what a scalar visitor does not want, and says it was not a scalar.
macro_rules! not_scalar {
    ($value:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// Accepts strings, numbers and booleans as text, as `Value`'s `to_string` writes them.
macro_rules! scalar_as_text {
    ($wrap:expr) => {
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok($wrap(v.to_owned()))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok($wrap(v))
        }

        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok($wrap(v.to_string()))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok($wrap(v.to_string()))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok($wrap(v.to_string()))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok($wrap(
                serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string()),
            ))
        }
    };
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a header name or value")
            }

            scalar_as_text!(|t| Scalar(Some(t)));
            not_scalar!(Scalar(None));

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
        }
        d.deserialize_any(ScalarVisitor)
    }
}

impl<'de> Deserialize<'de> for HeaderValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = HeaderValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a header value")
            }

            scalar_as_text!(HeaderValue::Text);
            not_scalar!(HeaderValue::Invalid);

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HeaderValue, A::Error> {
                let mut values = Vec::new();
                let mut valid = true;
                while let Some(Scalar(value)) = seq.next_element()? {
                    match value {
                        Some(v) => values.push(v),
                        None => valid = false,
                    }
                }
                Ok(if valid {
                    HeaderValue::List(values)
                } else {
                    HeaderValue::Invalid
                })
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Pair {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairVisitor;
        impl<'de> Visitor<'de> for PairVisitor {
            type Value = Pair;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [name, value] pair")
            }

            scalar_as_text!(|_| Pair(None));
            not_scalar!(Pair(None));

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pair, A::Error> {
                let mut items: Vec<Option<String>> = Vec::with_capacity(2);
                while let Some(Scalar(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Pair(match <[_; 2]>::try_from(items) {
                    Ok([Some(name), Some(value)]) => Some((name, value)),
                    _ => None,
                }))
            }
        }
        d.deserialize_any(PairVisitor)
    }
}

struct HeadersVisitor;

impl<'de> Visitor<'de> for HeadersVisitor {
    type Value = RawHeaders;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array of [name, value] pairs")
    }

    scalar_as_text!(|_| RawHeaders::Invalid);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeaders, A::Error> {
        let mut entries: Vec<(String, HeaderValue)> = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        crate::pairs::sort_keeping_last(&mut entries);
        let mut pairs = Vec::with_capacity(entries.len());
        for (name, value) in entries {
            match value {
                HeaderValue::Text(v) => pairs.push((name, v)),
                HeaderValue::List(values) => {
                    pairs.extend(values.into_iter().map(|v| (name.clone(), v)))
                }
                HeaderValue::Invalid => return Ok(RawHeaders::Invalid),
            }
        }
        Ok(RawHeaders::Pairs(pairs))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawHeaders, A::Error> {
        let mut pairs = Vec::new();
        let mut valid = true;
        while let Some(Pair(pair)) = seq.next_element()? {
            match pair {
                Some(pair) => pairs.push(pair),
                None => valid = false,
            }
        }
        Ok(if valid {
            RawHeaders::Pairs(pairs)
        } else {
            RawHeaders::Invalid
        })
    }
}

fn body_from(
    text: Option<String>,
    b64: Option<String>,
    b64_field: &str,
) -> Result<Option<Vec<u8>>, String> {
    if let Some(encoded) = b64 {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map(Some)
            .map_err(|e| format!("field `{b64_field}`: invalid base64: {e}"));
    }
    Ok(text.map(String::into_bytes))
}

/// A line that could not be used, with its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RecordError {
    pub line: u64,
    pub message: String,
}

/// Reads exchange records from JSON lines, one item per non-blank line.
///
/// Lines longer than the limit are skipped without being held in memory.
pub struct RecordReader<R> {
    input: R,
    line: u64,
    max_line_bytes: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> RecordReader<R> {
    pub fn new(input: R) -> Self {
        Self::with_max_line_bytes(input, DEFAULT_MAX_LINE_BYTES)
    }

    pub fn with_max_line_bytes(input: R, max_line_bytes: usize) -> Self {
        RecordReader {
            input,
            line: 0,
            max_line_bytes,
            buf: Vec::new(),
        }
    }

    /// Reads one line into `self.buf`; returns Ok(false) at end of input and
    /// Err(true) when the line was longer than the limit (and was skipped).
    fn read_bounded_line(&mut self) -> Result<bool, Result<(), std::io::Error>> {
        self.buf.clear();
        let mut too_long = false;
        let mut saw_any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Err(e)),
            };
            if chunk.is_empty() {
                break;
            }
            saw_any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.max_line_bytes + 1 {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take);
            if done {
                break;
            }
        }
        if !saw_any {
            return Ok(false);
        }
        if too_long {
            return Err(Ok(()));
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = Result<(u64, ExchangeRecord), RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let read = self.read_bounded_line();
            self.line += 1;
            let line = self.line;
            match read {
                Ok(false) => return None,
                Err(Ok(())) => {
                    return Some(Err(RecordError {
                        line,
                        message: format!("line longer than {} bytes", self.max_line_bytes),
                    }))
                }
                Err(Err(e)) => {
                    return Some(Err(RecordError {
                        line,
                        message: format!("read error: {e}"),
                    }))
                }
                Ok(true) => {}
            }
            let text = self.buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            return Some(
                ExchangeRecord::from_json_line(text)
                    .map(|r| (line, r))
                    .map_err(|message| RecordError { line, message }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str) -> Vec<Result<(u64, ExchangeRecord), RecordError>> {
        RecordReader::new(input.as_bytes()).collect()
    }

    #[test]
    fn a_written_record_reads_back_the_same() {
        let record = ExchangeRecord {
            id: Some("req-1".into()),
            ts: Some("2026-01-02T03:04:05.006Z".into()),
            client_ip: Some("203.0.113.9".into()),
            host: Some("api.test".into()),
            method: "POST".into(),
            path: "/a%20b".into(),
            query: "q=1&q=2".into(),
            request_headers: vec![
                ("Cookie".into(), "a=1".into()),
                ("Cookie".into(), "b=\"2\"".into()),
            ],
            request_body: Some(vec![0xff, 0, b'x']),
            status: Some(201),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(br#"{"ok":true}"#.to_vec()),
        };
        let mut out = Vec::new();
        record.write_json_line(&mut out).unwrap();
        record.write_json_line(&mut out).unwrap();
        let read = read_all(std::str::from_utf8(&out).unwrap());
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].clone().unwrap(), (2, record));
        let mut minimal = Vec::new();
        let bare = ExchangeRecord {
            method: "GET".into(),
            path: "/".into(),
            ..ExchangeRecord::default()
        };
        bare.write_json_line(&mut minimal).unwrap();
        assert_eq!(minimal, b"{\"method\":\"GET\",\"path\":\"/\"}\n");
    }

    #[test]
    fn reads_object_and_pair_headers_and_falls_back_to_host_header() {
        let input = concat!(
            r#"{"method":"GET","path":"/a","request_headers":{"Host":"x.test","Accept":"*/*"}}"#,
            "\n",
            r#"{"method":"POST","path":"/b","query":"q=1","request_headers":[["Cookie","a=1"],["Cookie","b=2"]],"request_body":"hi","status":201,"label":{"attack":true}}"#,
            "\n"
        );
        let records = read_all(input);
        let (line, first) = records[0].clone().unwrap();
        assert_eq!(line, 1);
        assert_eq!(first.host.as_deref(), Some("x.test"));
        assert_eq!(first.request_header("accept"), Some("*/*"));
        let (_, second) = records[1].clone().unwrap();
        assert_eq!(second.request_headers.len(), 2);
        assert_eq!(second.request_body.as_deref(), Some(&b"hi"[..]));
        assert_eq!(second.status, Some(201));
        assert_eq!(second.query, "q=1");
    }

    #[test]
    fn headers_read_as_their_json_value_would() {
        let headers = |json: &str| {
            let line = format!(r#"{{"method":"GET","path":"/","request_headers":{json}}}"#);
            ExchangeRecord::from_json_line(line.as_bytes()).map(|r| r.request_headers)
        };
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            headers(r#"{"b":"2","a":["x",1,true],"b":"3","C":1.5}"#),
            Ok(pairs(&[
                ("C", "1.5"),
                ("a", "x"),
                ("a", "1"),
                ("a", "true"),
                ("b", "3")
            ]))
        );
        assert_eq!(
            headers(r#"[["b","1"],["a",2]]"#),
            Ok(pairs(&[("b", "1"), ("a", "2")]))
        );
        assert_eq!(headers("null"), Ok(vec![]));
        for bad in [
            r#"{"a":null}"#,
            r#"{"a":{"b":"c"}}"#,
            r#"{"a":["x",[]]}"#,
            r#"[["a"]]"#,
            r#"[["a",null]]"#,
            r#"["a"]"#,
            r#""text""#,
            "5",
        ] {
            let err = headers(bad).unwrap_err();
            assert!(
                err.contains("`request_headers`: expected an object"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn decodes_base64_bodies() {
        let records = read_all(r#"{"method":"PUT","path":"/f","request_body_b64":"AP8="}"#);
        let (_, r) = records[0].clone().unwrap();
        assert_eq!(r.request_body, Some(vec![0x00, 0xff]));
    }

    #[test]
    fn reports_bad_lines_with_their_number_and_goes_on() {
        let input = "not json\n\n{\"path\":\"/x\"}\n{\"method\":\"GET\",\"path\":\"/ok\"}\n{\"method\":\"GET\",\"path\":\"/s\",\"status\":\"x\"}\n";
        let records = read_all(input);
        assert_eq!(records.len(), 4);
        assert_eq!(records[0].as_ref().unwrap_err().line, 1);
        let missing = records[1].as_ref().unwrap_err();
        assert_eq!(missing.line, 3);
        assert!(missing.message.contains("method"), "{missing}");
        assert_eq!(records[2].as_ref().unwrap().0, 4);
        assert!(records[3].as_ref().unwrap_err().message.contains("status"));
    }

    #[test]
    fn skips_overlong_lines_without_losing_the_next_one() {
        let long = format!(
            "{{\"method\":\"GET\",\"path\":\"/{}\"}}\n{{\"method\":\"GET\",\"path\":\"/next\"}}\n",
            "a".repeat(500)
        );
        let records: Vec<_> = RecordReader::with_max_line_bytes(long.as_bytes(), 100).collect();
        assert_eq!(records.len(), 2);
        assert!(records[0].as_ref().unwrap_err().message.contains("longer"));
        assert_eq!(records[1].as_ref().unwrap().1.path, "/next");
    }

    #[test]
    fn last_line_without_newline_is_read() {
        let records = read_all("{\"method\":\"GET\",\"path\":\"/end\"}");
        assert_eq!(records[0].as_ref().unwrap().1.path, "/end");
    }
}
