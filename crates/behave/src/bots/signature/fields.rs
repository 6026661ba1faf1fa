//! A bounded parser for the structured-field dictionaries (RFC 8941) that
//! carry HTTP message signatures: `Signature-Input` (inner lists of strings
//! with parameters), `Signature` (byte sequences) and `Signature-Agent`
//! (a string, or a dictionary of strings). Only the item types these
//! headers use are read; anything else, and anything past the bounds, is
//! an error: the input is the client's.

use base64::Engine as _;

/// Longest header value parsed.
pub const MAX_FIELD_BYTES: usize = 4096;
/// Most members of a dictionary, items of an inner list, parameters of one.
pub const MAX_MEMBERS: usize = 16;

/// A bare item as these headers use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bare {
    Integer(i64),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

pub type Params = Vec<(String, Bare)>;

/// A dictionary member's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Item(Bare, Params),
    InnerList(Vec<(Bare, Params)>, Params),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed structured field at byte {at}: {what}")]
pub struct FieldError {
    pub at: usize,
    pub what: &'static str,
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, what: &'static str) -> Result<T, FieldError> {
        Err(FieldError { at: self.at, what })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn key(&mut self) -> Result<String, FieldError> {
        let start = self.at;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => {}
            _ => return self.fail("expected a key"),
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.at += 1;
        }
        Ok(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    fn bare(&mut self) -> Result<Bare, FieldError> {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b':') => self.byte_sequence(),
            Some(b'?') => {
                self.at += 1;
                match self.peek() {
                    Some(b'0') | Some(b'1') => {
                        let value = self.peek() == Some(b'1');
                        self.at += 1;
                        Ok(Bare::Boolean(value))
                    }
                    _ => self.fail("expected ?0 or ?1"),
                }
            }
            Some(b'-' | b'0'..=b'9') => self.integer(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => {
                let start = self.at;
                while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&b))
                {
                    self.at += 1;
                }
                Ok(Bare::Token(
                    String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned(),
                ))
            }
            _ => self.fail("expected an item"),
        }
    }

    fn string(&mut self) -> Result<Bare, FieldError> {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Bare::String(text));
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(b @ (b'"' | b'\\')) => text.push(char::from(b)),
                        _ => return self.fail("bad escape in a string"),
                    }
                }
                Some(b @ 0x20..=0x7e) => text.push(char::from(b)),
                _ => return self.fail("unterminated string"),
            }
            self.at += 1;
        }
    }

    fn byte_sequence(&mut self) -> Result<Bare, FieldError> {
        self.at += 1;
        let start = self.at;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
            self.at += 1;
        }
        let encoded = &self.bytes[start..self.at];
        if !self.eat(b':') {
            return self.fail("unterminated byte sequence");
        }
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map(Bare::Bytes)
            .or_else(|_| self.fail("bad base64 in a byte sequence"))
    }

    fn integer(&mut self) -> Result<Bare, FieldError> {
        let start = self.at;
        self.eat(b'-');
        while matches!(self.peek(), Some(b'0'..=b'9')) && self.at - start < 16 {
            self.at += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()
            .and_then(|t| t.parse().ok())
            .map(Bare::Integer)
            .map_or_else(|| self.fail("bad integer"), Ok)
    }

    fn params(&mut self) -> Result<Params, FieldError> {
        let mut params = Vec::new();
        while self.eat(b';') {
            self.spaces();
            if params.len() == MAX_MEMBERS {
                return self.fail("too many parameters");
            }
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            params.push((key, value));
        }
        Ok(params)
    }

    fn member(&mut self) -> Result<Member, FieldError> {
        if !self.eat(b'(') {
            let item = self.bare()?;
            return Ok(Member::Item(item, self.params()?));
        }
        let mut items = Vec::new();
        loop {
            self.spaces();
            if self.eat(b')') {
                return Ok(Member::InnerList(items, self.params()?));
            }
            if items.len() == MAX_MEMBERS {
                return self.fail("too many items in an inner list");
            }
            let item = self.bare()?;
            items.push((item, self.params()?));
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return self.fail("expected a space or ) in an inner list");
            }
        }
    }
}

/// Parses a dictionary (`label=value, ...`).
pub fn dictionary(text: &str) -> Result<Vec<(String, Member)>, FieldError> {
    if text.len() > MAX_FIELD_BYTES {
        return Err(FieldError {
            at: 0,
            what: "field too long",
        });
    }
    let mut parser = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut members: Vec<(String, Member)> = Vec::new();
    parser.spaces();
    while parser.peek().is_some() {
        if members.len() == MAX_MEMBERS {
            return parser.fail("too many members");
        }
        let key = parser.key()?;
        let member = if parser.eat(b'=') {
            parser.member()?
        } else {
            Member::Item(Bare::Boolean(true), parser.params()?)
        };
        members.retain(|(k, _)| *k != key);
        members.push((key, member));
        parser.spaces();
        if parser.peek().is_none() {
            break;
        }
        if !parser.eat(b',') {
            return parser.fail("expected a comma between members");
        }
        parser.spaces();
        if parser.peek().is_none() {
            return parser.fail("trailing comma");
        }
    }
    Ok(members)
}

/// Parses a single string item (the `Signature-Agent` of early drafts).
pub fn string_item(text: &str) -> Option<String> {
    let mut parser = Parser {
        bytes: text.trim().as_bytes(),
        at: 0,
    };
    match parser.string() {
        Ok(Bare::String(value)) if parser.peek().is_none() && text.len() <= MAX_FIELD_BYTES => {
            Some(value)
        }
        _ => None,
    }
}

/// The canonical serialisation of a bare item (for `@signature-params`).
pub fn serialize_bare(item: &Bare, out: &mut String) {
    match item {
        Bare::Integer(n) => out.push_str(&n.to_string()),
        Bare::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Bare::Token(t) => out.push_str(t),
        Bare::Bytes(b) => {
            out.push(':');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push(':');
        }
        Bare::Boolean(true) => out.push_str("?1"),
        Bare::Boolean(false) => out.push_str("?0"),
    }
}

/// The canonical serialisation of parameters.
pub fn serialize_params(params: &Params, out: &mut String) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != Bare::Boolean(true) {
            out.push('=');
            serialize_bare(value, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_headers_parse() {
        let input = dictionary(r#"sig1=("@authority" "signature-agent");created=1700000000;keyid="k";tag="web-bot-auth""#).unwrap();
        let Member::InnerList(items, params) = &input[0].1 else {
            panic!("{input:?}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(params[0], ("created".into(), Bare::Integer(1_700_000_000)));
        let signature = dictionary("sig1=:AAEC:, sig2=:/w==:").unwrap();
        assert_eq!(
            signature[1].1,
            Member::Item(Bare::Bytes(vec![255]), Vec::new())
        );
        assert_eq!(
            string_item(r#""https://agent.test""#).as_deref(),
            Some("https://agent.test")
        );
    }

    #[test]
    fn hostile_fields_are_errors_not_panics() {
        for text in [
            "sig1=(\"a\"",
            "sig1=:AAEC",
            "sig1=\"unterminated",
            "Sig1=1",
            "sig1=1,",
            "sig1=(\"a\"\"b\")",
            "sig1=?2",
            "sig1=99999999999999999999",
            "sig1=\"\\x\"",
            "sig1=1;",
            "=1",
        ] {
            assert!(dictionary(text).is_err(), "{text}");
        }
        let many = (0..=MAX_MEMBERS)
            .map(|i| format!("s{i}=1"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(dictionary(&many).is_err());
        assert!(dictionary(&"a".repeat(MAX_FIELD_BYTES + 1)).is_err());
        let items = format!("sig=({})", vec!["\"a\""; MAX_MEMBERS + 1].join(" "));
        assert!(dictionary(&items).is_err());
    }
}
