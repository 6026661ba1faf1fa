//! XML bodies: text and attribute values by element path, and the document
//! type declaration (where XXE lives).
//!
//! A small tokenizer, not a validating parser: it reads what an application
//! would bind, bounds nesting, and reports documents that do not close.

use super::{Anomaly, Collector};
use crate::decode::Transport;
use crate::location::Location;

fn find(hay: &str, needle: &str) -> Result<usize, String> {
    hay.find(needle)
        .ok_or_else(|| format!("unterminated construct, expected `{needle}`"))
}

/// Parses an XML document and pushes its values.
pub fn parse(text: &str, truncated: bool, sink: &mut Collector<'_>) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = text;
    let mut saw_element = false;
    let result = (|| {
        while let Some(lt) = rest.find('<') {
            push_text(&rest[..lt], &stack, sink);
            rest = &rest[lt..];
            if rest.starts_with("<?") {
                rest = &rest[find(rest, "?>")? + 2..];
            } else if rest.starts_with("<!--") {
                rest = &rest[find(rest, "-->")? + 3..];
            } else if rest.starts_with("<![CDATA[") {
                let end = find(rest, "]]>")?;
                push_text(&rest[9..end], &stack, sink);
                rest = &rest[end + 3..];
            } else if rest
                .get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("<!doctype"))
            {
                let end = doctype_end(rest).ok_or("unterminated DOCTYPE")?;
                let decl = &rest[..end];
                let upper = decl.to_ascii_uppercase();
                if upper.contains("<!ENTITY") {
                    let external = upper.contains("SYSTEM") || upper.contains("PUBLIC");
                    sink.anomaly(Anomaly::XmlEntities { external });
                }
                sink.push(
                    Location::Xml("/!DOCTYPE".into()),
                    decl.as_bytes(),
                    Transport::Plain,
                );
                rest = &rest[end..];
            } else if let Some(close) = rest.strip_prefix("</") {
                let end = find(close, ">")?;
                let name = close[..end].trim();
                if stack.pop() != Some(name) {
                    return Err(format!("mismatched closing tag `{name}`"));
                }
                rest = &close[end + 1..];
            } else {
                let end = tag_end(rest).ok_or("unterminated tag")?;
                let tag = &rest[1..end];
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let name_len = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
                let name = &tag[..name_len];
                if name.is_empty() {
                    return Err("empty tag name".into());
                }
                saw_element = true;
                stack.push(name);
                if stack.len() > sink.limits().max_depth {
                    sink.anomaly(Anomaly::TooDeep {
                        location: "body.xml".into(),
                    });
                    return Ok(());
                }
                push_attributes(&tag[name_len..], &stack, sink);
                if self_closing {
                    stack.pop();
                }
                rest = &rest[end + 1..];
            }
        }
        push_text(rest, &stack, sink);
        Ok(())
    })();
    match result {
        Err(_) if truncated => Ok(()),
        Err(e) => Err(e),
        Ok(()) if !saw_element => Err("no root element".into()),
        Ok(()) if !stack.is_empty() && !truncated => {
            Err(format!("unclosed element `{}`", stack.join("/")))
        }
        Ok(()) => Ok(()),
    }
}

/// End of a `<!DOCTYPE ...>` including an internal subset in brackets.
fn doctype_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Index of the `>` closing a start tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn element_path(stack: &[&str]) -> String {
    let mut path = String::new();
    for name in stack {
        path.push('/');
        path.push_str(name);
    }
    path
}

fn push_text(text: &str, stack: &[&str], sink: &mut Collector<'_>) {
    let text = text.trim();
    if !text.is_empty() {
        sink.push(
            Location::Xml(element_path(stack)),
            text.as_bytes(),
            Transport::Plain,
        );
    }
}

fn push_attributes(mut attrs: &str, stack: &[&str], sink: &mut Collector<'_>) {
    while let Some(eq) = attrs.find('=') {
        let name = attrs[..eq].trim();
        let after = attrs[eq + 1..].trim_start();
        let (value, next) = match after.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => match after[1..].find(char::from(q)) {
                Some(end) => (&after[1..1 + end], &after[2 + end..]),
                None => (&after[1..], ""),
            },
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        let location = Location::Xml(format!("{}/@{name}", element_path(stack)));
        sink.push(location, value.as_bytes(), Transport::Plain);
        attrs = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[test]
    fn reads_text_attributes_and_entities() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(
            r#"<?xml version="1.0"?><root><a probe="x &quot;y">t</a><b/></root>"#,
            false,
            &mut sink,
        )
        .unwrap();
        let got: Vec<String> = sink
            .values
            .iter()
            .map(|v| format!("{}={}", v.location, v.decoded.text))
            .collect();
        assert_eq!(got, ["body.xml/root/a/@probe=x \"y", "body.xml/root/a=t"]);
    }

    #[test]
    fn reports_external_entities_and_malformed_documents() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        let xxe = r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        parse(xxe, false, &mut sink).unwrap();
        assert!(sink
            .anomalies
            .contains(&Anomaly::XmlEntities { external: true }));
        assert!(parse("<a><b></a>", false, &mut sink).is_err());
        assert!(parse("just text", false, &mut sink).is_err());
        assert!(parse("<a><b>", true, &mut sink).is_ok());
    }
}
