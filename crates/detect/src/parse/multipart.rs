//! `multipart/form-data` bodies: field names and values, and file names.
//!
//! File contents are inspected only when they are text; a body with no
//! closing delimiter (and not truncated by the gateway) is malformed, and a
//! part asking for an unusual charset (UTF-7 hides markup) is reported.

use super::{Anomaly, Collector};
use crate::decode::Transport;
use crate::location::Location;

const SAFE_CHARSETS: &[&str] = &["utf-8", "us-ascii", "iso-8859-1", "ascii", "utf8"];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of `param` (`name`, `filename`) in a Content-Disposition header.
fn disposition_param(header: &str, param: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        if !k.trim().eq_ignore_ascii_case(param) {
            return None;
        }
        let v = v.trim();
        Some(
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
                .to_owned(),
        )
    })
}

fn check_charset(charset: &str, sink: &mut Collector<'_>) {
    let charset = charset.trim().trim_matches('"').to_ascii_lowercase();
    if !SAFE_CHARSETS.contains(&charset.as_str()) {
        sink.anomaly(Anomaly::MultipartCharset { charset });
    }
}

/// Parses the parts of a multipart body; Err when it is not multipart.
pub fn parse(
    body: &[u8],
    boundary: &str,
    truncated: bool,
    sink: &mut Collector<'_>,
) -> Result<(), String> {
    if boundary.is_empty() || boundary.len() > 200 {
        return Err("missing or oversized boundary".into());
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let start = find(body, delimiter).ok_or("no opening delimiter")?;
    let mut rest = &body[start + delimiter.len()..];
    let mut parts = 0usize;
    loop {
        if rest.starts_with(b"--") {
            return Ok(());
        }
        if parts >= sink.limits().max_parts {
            sink.anomaly(Anomaly::TooManyValues);
            return Ok(());
        }
        let Some(end) = find(rest, delimiter) else {
            return if truncated {
                Ok(())
            } else {
                Err("no closing delimiter".into())
            };
        };
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        parts += 1;
        read_part(part, sink);
    }
}

fn read_part(part: &[u8], sink: &mut Collector<'_>) {
    let part = part
        .strip_prefix(b"\r\n")
        .or_else(|| part.strip_prefix(b"\n"))
        .unwrap_or(part);
    let (head, content) = match find(part, b"\r\n\r\n") {
        Some(i) => (&part[..i], &part[i + 4..]),
        None => match find(part, b"\n\n") {
            Some(i) => (&part[..i], &part[i + 2..]),
            None => (part, &b""[..]),
        },
    };
    let content = content
        .strip_suffix(b"\r\n")
        .or_else(|| content.strip_suffix(b"\n"))
        .unwrap_or(content);
    let head = String::from_utf8_lossy(head);
    let mut name = String::new();
    let mut filename = None;
    let mut textual = true;
    for line in head.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.eq_ignore_ascii_case("content-disposition") {
            name = disposition_param(value, "name").unwrap_or_default();
            filename = disposition_param(value, "filename");
        } else if key.eq_ignore_ascii_case("content-transfer-encoding") {
            sink.anomaly(Anomaly::MultipartEvasion {
                detail: "content-transfer-encoding".into(),
            });
        } else if key.eq_ignore_ascii_case("content-type") {
            let ct = super::content_type::parse(value);
            textual = matches!(
                ct.kind,
                super::content_type::BodyKind::Text
                    | super::content_type::BodyKind::Json
                    | super::content_type::BodyKind::Xml
                    | super::content_type::BodyKind::Form
            );
            for charset in &ct.charsets {
                check_charset(charset, sink);
            }
        }
    }
    for field in std::iter::once(&name).chain(filename.as_ref()) {
        if field.contains(['"', '\'', ';', '=', '\\']) {
            sink.anomaly(Anomaly::MultipartEvasion {
                detail: format!("part name `{field}`"),
            });
        }
    }
    if name == "_charset_" {
        check_charset(&String::from_utf8_lossy(content), sink);
    }
    sink.push(
        Location::FormName(name.clone()),
        name.as_bytes(),
        Transport::Plain,
    );
    if let Some(file) = &filename {
        sink.push(
            Location::FileName(name.clone()),
            file.as_bytes(),
            Transport::Plain,
        );
    }
    if textual && (filename.is_none() || std::str::from_utf8(content).is_ok()) {
        sink.push(Location::Form(name), content, Transport::Plain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[test]
    fn reads_fields_files_and_charsets() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.php\"\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+ADw-\r\n--XX--\r\n";
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(body, "XX", false, &mut sink).unwrap();
        let got: Vec<String> = sink
            .values
            .iter()
            .map(|v| format!("{}={}", v.location, v.decoded.text))
            .collect();
        assert!(got.contains(&"body.form.a=hello".to_string()), "{got:?}");
        assert!(
            got.contains(&"body.form.f(filename)=x.php".to_string()),
            "{got:?}"
        );
        assert!(sink.anomalies.contains(&Anomaly::MultipartCharset {
            charset: "utf-7".into()
        }));
    }

    #[test]
    fn unterminated_body_is_malformed_unless_truncated() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhel";
        assert!(parse(body, "XX", false, &mut sink).is_err());
        assert!(parse(body, "XX", true, &mut sink).is_ok());
        assert!(parse(b"garbage", "XX", false, &mut sink).is_err());
    }
}
