//! The SQL lexer every reading of a value shares: folded text in, a short
//! list of tokens out (strings, numbers, words, operators, comments), plus
//! the token classes the judging steps ask about. Bounded: at most
//! [`MAX_TOKENS`] tokens, no allocation per token beyond the list, and no
//! index past the end of the text whatever bytes arrive.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok<'a> {
    /// A string literal by its content; `closed` when its closing quote
    /// was in the value (an open one runs to the value's end, where the
    /// application's own quote closes it).
    Str {
        closed: bool,
        text: &'a str,
    },
    Num(&'a str),
    Word(&'a str),
    Op(&'a str),
    Open,
    Close,
    Comma,
    Semi,
    Comment,
    /// `@name` / `@@name` variables.
    Var(&'a str),
    /// A backquoted identifier (MySQL), by its content.
    Ident(&'a str),
    Other,
}

pub(super) const MAX_TOKENS: usize = 512;

/// Tokenises folded (lower-case) SQL. With `inside` set, the text starts
/// inside a string opened by that quote.
pub(super) fn tokenize(s: &str, inside: Option<u8>) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    if let Some(q) = inside {
        match b.iter().position(|&c| c == q) {
            Some(end) => {
                out.push(Tok::Str {
                    closed: true,
                    text: &s[..end],
                });
                i = end + 1;
            }
            None => return out,
        }
    }
    while i < b.len() && out.len() < MAX_TOKENS {
        let c = b[i];
        match c {
            b' ' => i += 1,
            b'\'' | b'"' | b'`' => {
                let q = c;
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => break,
                        Some(&x) if x == q && b.get(j + 1) == Some(&q) => j += 2,
                        Some(&b'\\') => j += 2,
                        Some(&x) if x == q => break,
                        _ => j += 1,
                    }
                }
                let closed = j < b.len();
                // Backquoted names are identifiers in MySQL.
                out.push(if q == b'`' {
                    Tok::Ident(&s[i + 1..j.min(b.len())])
                } else {
                    Tok::Str {
                        closed,
                        text: &s[i + 1..j.min(b.len())],
                    }
                });
                i = (j + 1).min(b.len());
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Tok::Num(&s[start..i]));
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Tok::Num(&s[start..i]));
            }
            b'a'..=b'z' | b'_' | b'$' => {
                let start = i;
                // `select.1`: a dot before a digit starts a number.
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$' | b'.'))
                    && !(b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                {
                    i += 1;
                }
                out.push(Tok::Word(s[start..i].trim_end_matches('.')));
            }
            b'@' => {
                let start = i;
                while i < b.len() && b[i] == b'@' {
                    i += 1;
                }
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(Tok::Var(&s[start..i]));
            }
            b'(' | b')' | b',' | b';' => {
                out.push(match c {
                    b'(' => Tok::Open,
                    b')' => Tok::Close,
                    b',' => Tok::Comma,
                    _ => Tok::Semi,
                });
                i += 1;
            }
            b'#' => {
                out.push(Tok::Comment);
                break;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                out.push(Tok::Comment);
                break;
            }
            b'=' | b'<' | b'>' | b'!' | b'|' | b'&' | b'^' | b'+' | b'-' | b'*' | b'/' | b'%'
            | b'~' | b':' | b'?' => {
                let start = i;
                // An operator run ends where a `--` comment starts.
                while i < b.len()
                    && i - start < 3
                    && b"=<>!|&^+-*/%~:@?".contains(&b[i])
                    && !(i > start && b[i] == b'-' && b.get(i + 1) == Some(&b'-'))
                {
                    i += 1;
                }
                out.push(Tok::Op(&s[start..i]));
            }
            _ => {
                out.push(Tok::Other);
                i += s[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

pub(super) fn is_logic(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Word("or" | "and" | "xor" | "div" | "not" | "rlike" | "regexp" | "like" | "sounds")
            | Tok::Op("||" | "&&")
    )
}

pub(super) fn is_compare(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Op("=" | "<" | ">" | "<=" | ">=" | "<>" | "!=" | "<=>" | "==")
            | Tok::Word("like" | "is" | "in" | "between" | "ilike" | "glob" | "notnull" | "isnull")
    )
}

/// A comparison as any C-like grammar writes it (`===`, `!==`, `=!`), for
/// fragments whose dialect is unknown.
pub(super) fn is_loose_compare(t: &Tok<'_>) -> bool {
    is_compare(t)
        || matches!(t, Tok::Op(op) if op.contains(['=', '<', '>']) && op.bytes().all(|b| b"=<>!".contains(&b)))
}

/// A name a clause can refer to: a plain or backquoted identifier.
pub(super) fn is_name(t: &Tok<'_>) -> bool {
    matches!(t, Tok::Word(_) | Tok::Ident(_))
}

pub(super) fn is_operand(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Str { .. }
            | Tok::Num(_)
            | Tok::Open
            | Tok::Var(_)
            | Tok::Word("true" | "false" | "null" | "select" | "not")
    )
}

/// Text a database reads as true when it is the operand of a condition
/// (PostgreSQL's boolean literals; MySQL and SQLite read a string by its
/// leading number, and text that starts with a letter as 0).
const TRUE_TEXTS: &[&str] = &["true", "t", "yes", "y", "on"];

/// A string left open to the value's end whose text is words after a
/// space, not a number or a truth value: `"select" brand shoes` put inside a quoted
/// string becomes `"" select " brand shoes"`, and whatever precedes the
/// open string, it can only compare as false or fail. Prose that quotes a
/// SQL word reads like this; an injection needs the string to mean
/// something (`' or '1`, `' or 'true`).
pub(super) fn is_inert_tail(t: &Tok<'_>) -> bool {
    let Tok::Str {
        closed: false,
        text,
    } = t
    else {
        return false;
    };
    // Prose puts a space after a closing quote; `a'or'a`, a probe, does not.
    let words = text.trim();
    text.starts_with(' ')
        && words.starts_with(|c: char| c.is_ascii_alphabetic())
        && !TRUE_TEXTS.contains(&words)
}

/// `0x616263`: a hexadecimal literal long enough to carry text.
pub(super) fn is_hex_literal(n: &str) -> bool {
    n.strip_prefix("0x")
        .is_some_and(|h| h.len() >= 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn word_in(t: &Tok<'_>, list: &[&str]) -> bool {
    matches!(t, Tok::Word(w) if list.contains(w))
}
