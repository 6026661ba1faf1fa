//! GraphQL documents: read as GraphQL, not as text.
//!
//! The parser measures what abuse looks like (selection depth, aliases,
//! operations per document, introspection, an estimated cost where list
//! arguments such as `first: 100` multiply their children) and hands every
//! string argument to the detectors with its place (`addReview.input`).
//! Tokens, nesting and cost are bounded; a document past a bound stops being
//! parsed and says so.

use super::Collector;
use crate::decode::Transport;
use crate::location::Location;

const MAX_TOKENS: usize = 20_000;
const LIST_ARGUMENTS: &[&str] = &[
    "first", "last", "limit", "top", "count", "pagesize", "per_page",
];

/// What a GraphQL document asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphqlStats {
    pub operations: usize,
    pub max_depth: usize,
    pub aliases: usize,
    pub fields: usize,
    pub introspection: bool,
    /// Fields weighted by the list sizes above them.
    pub cost: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Punct(u8),
    Spread,
    Name(&'a str),
    Str(String),
    Num(&'a str),
}

fn lex(src: &str) -> Result<Vec<Token<'_>>, String> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if tokens.len() > MAX_TOKENS {
            return Err("too many tokens".into());
        }
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' | b'}' | b'(' | b')' | b'[' | b']' | b':' | b'=' | b'@' | b'$' | b'!' | b'|'
            | b'&' => {
                tokens.push(Token::Punct(b));
                i += 1;
            }
            b'.' if src[i..].starts_with("...") => {
                tokens.push(Token::Spread);
                i += 3;
            }
            b'"' if src[i..].starts_with("\"\"\"") => {
                let body = &src[i + 3..];
                let end = body.find("\"\"\"").ok_or("unterminated block string")?;
                tokens.push(Token::Str(body[..end].to_owned()));
                i += 6 + end;
            }
            b'"' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    let c = *bytes.get(j).ok_or("unterminated string")?;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let esc = *bytes.get(j + 1).ok_or("unterminated escape")?;
                            match esc {
                                b'u' => {
                                    let hex = src.get(j + 2..j + 6).ok_or("bad \\u escape")?;
                                    let code = u32::from_str_radix(hex, 16)
                                        .map_err(|_| "bad \\u escape")?;
                                    s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                    j += 6;
                                    continue;
                                }
                                b'n' => s.push('\n'),
                                b't' => s.push('\t'),
                                b'r' => s.push('\r'),
                                b'b' | b'f' => {}
                                _ => {
                                    // Any other escaped character stands for itself
                                    // (and may be several bytes long).
                                    let ch = src[j + 1..].chars().next().ok_or("bad escape")?;
                                    s.push(ch);
                                    j += 1 + ch.len_utf8();
                                    continue;
                                }
                            }
                            j += 2;
                        }
                        b'\n' => return Err("newline in string".into()),
                        _ => {
                            let ch = src[j..].chars().next().ok_or("bad string")?;
                            s.push(ch);
                            j += ch.len_utf8();
                        }
                    }
                }
                tokens.push(Token::Str(s));
                i = j + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                tokens.push(Token::Num(&src[start..i]));
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push(Token::Name(&src[start..i]));
            }
            _ => return Err(format!("unexpected character at byte {i}")),
        }
    }
    Ok(tokens)
}

struct Parser<'t, 'a, 's, 'l> {
    tokens: &'t [Token<'a>],
    pos: usize,
    stats: GraphqlStats,
    sink: &'s mut Collector<'l>,
    max_depth: usize,
}

impl<'a> Parser<'_, 'a, '_, '_> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Result<Token<'a>, String> {
        let t = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or("unexpected end of document")?;
        self.pos += 1;
        Ok(t)
    }

    fn eat(&mut self, p: u8) -> bool {
        if self.peek() == Some(&Token::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: u8) -> Result<(), String> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(format!("expected `{}`", char::from(p)))
        }
    }

    fn name(&mut self) -> Result<&'a str, String> {
        match self.next()? {
            Token::Name(n) => Ok(n),
            other => Err(format!("expected a name, got {other:?}")),
        }
    }

    fn document(&mut self) -> Result<(), String> {
        while self.peek().is_some() {
            match self.peek() {
                Some(Token::Punct(b'{')) => {
                    self.stats.operations += 1;
                    self.selection_set("query", 1, 1.0)?;
                }
                Some(Token::Name("query" | "mutation" | "subscription")) => {
                    self.stats.operations += 1;
                    self.pos += 1;
                    let op = match self.peek() {
                        Some(Token::Name(n)) => {
                            let n = *n;
                            self.pos += 1;
                            n
                        }
                        _ => "anonymous",
                    };
                    if self.eat(b'(') {
                        self.variable_definitions(op)?;
                    }
                    self.directives(op)?;
                    self.selection_set(op, 1, 1.0)?;
                }
                Some(Token::Name("fragment")) => {
                    self.pos += 1;
                    let name = self.name()?;
                    if self.peek() == Some(&Token::Name("on")) {
                        self.pos += 1;
                        self.name()?;
                    }
                    self.directives(name)?;
                    self.selection_set(name, 1, 1.0)?;
                }
                other => return Err(format!("unexpected {other:?} at top level")),
            }
        }
        if self.stats.operations == 0 {
            return Err("no operation".into());
        }
        Ok(())
    }

    fn variable_definitions(&mut self, op: &str) -> Result<(), String> {
        while !self.eat(b')') {
            self.expect(b'$')?;
            let var = self.name()?;
            self.expect(b':')?;
            self.type_ref(0)?;
            if self.eat(b'=') {
                self.value(&format!("{op}.${var}"), 0)?;
            }
            self.directives(op)?;
        }
        Ok(())
    }

    fn type_ref(&mut self, depth: usize) -> Result<(), String> {
        if depth > self.max_depth {
            return Err("type nesting too deep".into());
        }
        if self.eat(b'[') {
            self.type_ref(depth + 1)?;
            self.expect(b']')?;
        } else {
            self.name()?;
        }
        self.eat(b'!');
        Ok(())
    }

    fn directives(&mut self, path: &str) -> Result<(), String> {
        while self.eat(b'@') {
            let name = self.name()?;
            if self.eat(b'(') {
                self.arguments(&format!("{path}@{name}"))?;
            }
        }
        Ok(())
    }

    /// Parses arguments after `(`; returns the list multiplier they imply.
    fn arguments(&mut self, path: &str) -> Result<f64, String> {
        let mut multiplier = 1.0;
        while !self.eat(b')') {
            let name = self.name()?;
            self.expect(b':')?;
            if LIST_ARGUMENTS.contains(&name.to_ascii_lowercase().as_str()) {
                if let Some(Token::Num(n)) = self.peek() {
                    multiplier = n.parse::<f64>().unwrap_or(1.0).clamp(1.0, 1e6);
                }
            }
            self.value(&format!("{path}.{name}"), 0)?;
        }
        Ok(multiplier)
    }

    fn value(&mut self, path: &str, depth: usize) -> Result<(), String> {
        if depth > self.max_depth {
            return Err("value nesting too deep".into());
        }
        match self.next()? {
            Token::Str(s) => {
                self.sink.push(
                    Location::Graphql(path.to_owned()),
                    s.as_bytes(),
                    Transport::Plain,
                );
            }
            Token::Punct(b'$') => {
                self.name()?;
            }
            Token::Punct(b'[') => {
                while !self.eat(b']') {
                    self.value(path, depth + 1)?;
                }
            }
            Token::Punct(b'{') => {
                while !self.eat(b'}') {
                    let field = self.name()?;
                    self.expect(b':')?;
                    self.value(&format!("{path}.{field}"), depth + 1)?;
                }
            }
            Token::Name(_) | Token::Num(_) => {}
            other => return Err(format!("unexpected {other:?} in a value")),
        }
        Ok(())
    }

    fn selection_set(&mut self, path: &str, depth: usize, weight: f64) -> Result<(), String> {
        if depth > self.max_depth {
            self.stats.max_depth = depth;
            return Err("selection nesting too deep".into());
        }
        self.stats.max_depth = self.stats.max_depth.max(depth);
        self.expect(b'{')?;
        while !self.eat(b'}') {
            if self.peek() == Some(&Token::Spread) {
                self.pos += 1;
                if self.peek() == Some(&Token::Name("on")) {
                    self.pos += 1;
                    self.name()?;
                    self.directives(path)?;
                    self.selection_set(path, depth + 1, weight)?;
                } else if self.peek() == Some(&Token::Punct(b'{'))
                    || self.peek() == Some(&Token::Punct(b'@'))
                {
                    self.directives(path)?;
                    self.selection_set(path, depth + 1, weight)?;
                } else {
                    self.name()?;
                    self.directives(path)?;
                }
                continue;
            }
            let mut field = self.name()?;
            if self.eat(b':') {
                self.stats.aliases += 1;
                field = self.name()?;
            }
            self.stats.fields += 1;
            self.stats.cost += weight;
            if field == "__schema" || field == "__type" {
                self.stats.introspection = true;
            }
            let field_path = format!("{path}.{field}");
            let multiplier = if self.eat(b'(') {
                self.arguments(&field_path)?
            } else {
                1.0
            };
            self.directives(&field_path)?;
            if self.peek() == Some(&Token::Punct(b'{')) {
                self.selection_set(&field_path, depth + 1, (weight * multiplier).min(1e12))?;
            }
        }
        Ok(())
    }
}

/// Parses a GraphQL document, pushing its string arguments; returns what it
/// asks for, or why it is not GraphQL (with what was measured up to there).
pub fn parse(src: &str, sink: &mut Collector<'_>) -> Result<GraphqlStats, (String, GraphqlStats)> {
    let tokens = lex(src).map_err(|e| (e, GraphqlStats::default()))?;
    let max_depth = sink.limits().max_depth;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        stats: GraphqlStats::default(),
        sink,
        max_depth,
    };
    match parser.document() {
        Ok(()) => Ok(parser.stats),
        Err(e) => Err((e, parser.stats)),
    }
}

/// Whether `text` looks like a GraphQL document (cheap test before parsing).
pub fn looks_like_graphql(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{')
        || ["query", "mutation", "subscription", "fragment"]
            .iter()
            .any(|k| t.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[test]
    fn measures_depth_aliases_cost_and_introspection() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        let doc = r#"query Q($id: ID! = "x") { a: user(id: "O'Brien") { posts(first: 50) { title } } __schema { types { name } } }"#;
        let stats = parse(doc, &mut sink).unwrap();
        assert_eq!(stats.operations, 1);
        assert_eq!(stats.aliases, 1);
        assert_eq!(stats.max_depth, 3);
        assert!(stats.introspection);
        // user, posts, 50 x title, __schema, types, name
        assert_eq!(stats.cost, 1.0 + 1.0 + 50.0 + 1.0 + 1.0 + 1.0);
        let got: Vec<String> = sink
            .values
            .iter()
            .map(|v| format!("{}={}", v.location, v.decoded.text))
            .collect();
        assert!(
            got.contains(&"body.graphql.Q.user.id=O'Brien".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn escaped_multibyte_characters_are_read_whole() {
        // Found by the graphql fuzz target: `\` before a 3-byte character.
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        assert!(parse("(|\"`\\\u{fffd}\u{fffd}\n:", &mut sink).is_err());
        let stats = parse("{ a(s: \"x\\\u{e9}y\") }", &mut sink).unwrap();
        assert_eq!(stats.fields, 1);
        assert!(sink.values.iter().any(|v| v.decoded.text == "x\u{e9}y"));
    }

    #[test]
    fn pathological_nesting_is_bounded() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        let deep = format!("{}{}", "{a".repeat(100_000), "}".repeat(100_000));
        assert!(parse(&deep, &mut sink).is_err());
        let values = format!("{{a(x: {}1{})}}", "[".repeat(50_000), "]".repeat(50_000));
        assert!(parse(&values, &mut sink).is_err());
        assert!(parse("{ a(", &mut sink).is_err());
    }
}
