//! Exchange records: one HTTP exchange per JSON line.
//!
//! This is the one input format of `discover`, `inspect`, `replay`, of the
//! ingestion endpoint for mirrored traffic and of every benchmark corpus (see
//! `shared/formats/exchange-record.md`). Input is hostile: lines are bounded, a
//! bad line is reported with its number and skipped, and unknown fields are
//! ignored. The `label` field (benchmark ground truth) is never read.

use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
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
        let raw: RawRecord =
            serde_json::from_slice(line).map_err(|e| format!("invalid JSON: {e}"))?;
        raw.into_record()
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
    request_headers: Option<Value>,
    request_body: Option<String>,
    request_body_b64: Option<String>,
    status: Option<Value>,
    response_headers: Option<Value>,
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

fn headers_from(value: Option<Value>, field: &str) -> Result<Vec<(String, String)>, String> {
    let expected =
        || format!("field `{field}`: expected an object or an array of [name, value] pairs");
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => {
            let mut out = Vec::with_capacity(map.len());
            for (name, v) in map {
                match v {
                    Value::String(s) => out.push((name, s)),
                    Value::Array(values) => {
                        for v in values {
                            out.push((name.clone(), scalar_text(v).ok_or_else(expected)?));
                        }
                    }
                    other => out.push((name, scalar_text(other).ok_or_else(expected)?)),
                }
            }
            Ok(out)
        }
        Some(Value::Array(pairs)) => pairs
            .into_iter()
            .map(|pair| match pair {
                Value::Array(mut nv) if nv.len() == 2 => {
                    let value = nv.pop().and_then(scalar_text);
                    let name = nv.pop().and_then(scalar_text);
                    name.zip(value).ok_or_else(expected)
                }
                _ => Err(expected()),
            })
            .collect(),
        Some(_) => Err(expected()),
    }
}

fn scalar_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
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
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
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
