//! What a field value looks like: an identifier of a known shape, prose, or
//! neither.
//!
//! Endpoint context is learned from values (`field_profile`) and applied to
//! values (`detectors`), and both sides must read a value the same way, so
//! the reading lives here once. An identifier field's values share one
//! shape (`7f3c…` UUIDs, `12345` numbers, `acme-corp` slugs); a value that
//! breaks it is worth a closer look. A prose field's values are sentences
//! people wrote, where `select`, `drop` or `--` are words and punctuation.
//!
//! Every test here is a single pass over the value with no allocation, and
//! values longer than [`MAX_IDENTIFIER`] are never identifiers, so hostile
//! input costs what its length costs and nothing more.

/// The longest value that can fit an identifier shape.
pub const MAX_IDENTIFIER: usize = 256;

/// Identifier shapes, from the most specific to the most general.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// `3f2a…-…`: 8-4-4-4-12 hexadecimal digits.
    Uuid,
    /// `2024-05-01`.
    Date,
    /// `2024-05-01T12:00:00Z`, with optional fraction and offset.
    Timestamp,
    /// `-42`, `12345`: up to 20 digits.
    Integer,
    /// `3.25`, `-0.5`.
    Decimal,
    /// Hexadecimal digits, at least 8 (hashes, object ids).
    Hex,
    /// `ann@example.com`.
    Email,
    /// Base64url or JWT-like tokens of at least 16 characters.
    Token,
    /// Lower-case letters, digits and `-_.` (`acme-corp`, `v1.2.0`).
    Slug,
    /// Any single word of letters, digits and `-_.:@+` (`SAVE03OL`, `DM`,
    /// `example.com`).
    Code,
}

/// Every shape, in the order [`Shape::of`] and learning try them.
pub const SHAPES: [Shape; 10] = [
    Shape::Uuid,
    Shape::Date,
    Shape::Timestamp,
    Shape::Integer,
    Shape::Decimal,
    Shape::Hex,
    Shape::Email,
    Shape::Token,
    Shape::Slug,
    Shape::Code,
];

impl Shape {
    /// The name reasons and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Uuid => "uuid",
            Shape::Date => "date",
            Shape::Timestamp => "timestamp",
            Shape::Integer => "integer",
            Shape::Decimal => "decimal",
            Shape::Hex => "hex",
            Shape::Email => "email",
            Shape::Token => "token",
            Shape::Slug => "slug",
            Shape::Code => "code",
        }
    }

    /// The rule naming a value that breaks this shape in a field learned
    /// to carry it.
    pub fn break_rule(self) -> &'static str {
        match self {
            Shape::Uuid => "contract.not_uuid",
            Shape::Date => "contract.not_date",
            Shape::Timestamp => "contract.not_timestamp",
            Shape::Integer => "contract.not_integer",
            Shape::Decimal => "contract.not_decimal",
            Shape::Hex => "contract.not_hex",
            Shape::Email => "contract.not_email",
            Shape::Token => "contract.not_token",
            Shape::Slug => "contract.not_slug",
            Shape::Code => "contract.not_code",
        }
    }

    /// The most specific shape `value` fits, if any.
    pub fn of(value: &str) -> Option<Shape> {
        SHAPES.into_iter().find(|s| s.fits(value))
    }

    /// Whether `value` has this shape.
    pub fn fits(self, value: &str) -> bool {
        let b = value.as_bytes();
        if b.is_empty() || b.len() > MAX_IDENTIFIER {
            return false;
        }
        match self {
            Shape::Uuid => is_uuid(b),
            Shape::Date => b.len() == 10 && is_date(b),
            Shape::Timestamp => is_timestamp(b),
            Shape::Integer => {
                let digits = b.strip_prefix(b"-").unwrap_or(b);
                (1..=20).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)
            }
            Shape::Decimal => is_decimal(b),
            Shape::Hex => b.len() >= 8 && b.iter().all(u8::is_ascii_hexdigit),
            Shape::Email => is_email(b),
            Shape::Token => is_token(b),
            Shape::Slug => {
                b[0].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-_.".contains(c))
            }
            Shape::Code => {
                b[0].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_.:@+".contains(c))
            }
        }
    }
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date(b: &[u8]) -> bool {
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

fn is_timestamp(b: &[u8]) -> bool {
    is_date(b)
        && b.len() > 11
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11..]
            .iter()
            .all(|c| c.is_ascii_digit() || b":.+-Zz".contains(c))
}

fn is_decimal(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let mut parts = digits.splitn(2, |c| *c == b'.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or_default();
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.len() + fraction.len() <= 40
        && whole.iter().chain(fraction).all(u8::is_ascii_digit)
}

fn is_email(b: &[u8]) -> bool {
    let Some(at) = b.iter().position(|c| *c == b'@') else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    !local.is_empty()
        && local
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-_+".contains(c))
        && domain.contains(&b'.')
        && domain[0].is_ascii_alphanumeric()
        && domain
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-".contains(c))
}

/// Base64url (with optional padding) or dot-separated JWT-like segments,
/// with letters and digits both present.
fn is_token(b: &[u8]) -> bool {
    let body = b.strip_suffix(b"==").or(b.strip_suffix(b"=")).unwrap_or(b);
    body.len() >= 16
        && body
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        && body.iter().any(u8::is_ascii_digit)
        && body.iter().any(u8::is_ascii_alphabetic)
        && body[0] != b'.'
}

/// Whether `value` reads as something a person wrote: at least three
/// words, mostly letters, spaces and sentence punctuation, with word
/// lengths of a natural language (not `a=1 b=2 c=3` or base64 split by
/// spaces).
pub fn reads_as_prose(value: &str) -> bool {
    let (mut words, mut word_chars, mut letters, mut other) = (0usize, 0usize, 0usize, 0usize);
    let mut longest = 0usize;
    for word in value.split_whitespace() {
        let len = word.chars().count();
        let alphabetic = word.chars().filter(|c| c.is_alphabetic()).count();
        if alphabetic * 2 >= len {
            words += 1;
        }
        word_chars += len;
        letters += alphabetic;
        longest = longest.max(len);
        other += word
            .chars()
            .filter(|c| !c.is_alphanumeric() && !is_sentence_punctuation(*c))
            .count();
    }
    words >= 3
        && letters * 10 >= word_chars * 7
        && other * 10 <= word_chars
        && word_chars <= words.saturating_mul(14)
        && longest <= 40
}

/// Whether `value` is prose with none of the syntax injections need and
/// prose does without: a quote that is not an apostrophe inside a word
/// (`it's` is one, `' or '1'='1` is not), markup brackets, comment
/// openers, template and shell substitutions, backticks, backslashes,
/// percent escapes and `../`. In such a value an SQL word (`select`,
/// `drop`, `union`), a `;`, a `--` dash or `1=1` are what a person wrote.
pub fn is_plain_prose(value: &str) -> bool {
    if !reads_as_prose(value) {
        return false;
    }
    const SYNTAX: [&str; 9] = ["/*", "*/", "${", "$(", "{{", "../", "..\\", "#{", "&&"];
    if SYNTAX.iter().any(|s| value.contains(s)) {
        return false;
    }
    let chars: Vec<char> = value.chars().collect();
    chars.iter().enumerate().all(|(i, c)| match c {
        '<' | '>' | '`' | '\\' | '%' | '|' | '"' | '\0' => false,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{00b4}' | '\u{02bc}' => {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            before.is_some_and(|b| b.is_alphabetic()) && after.is_some_and(|a| a.is_alphabetic())
        }
        _ => true,
    })
}

fn is_sentence_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\''
            | '"'
            | '-'
            | '('
            | ')'
            | '’'
            | '¿'
            | '¡'
            | '«'
            | '»'
            | '…'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_common_identifier_shapes() {
        let cases = [
            ("c74803e3-1ba1-4215-8228-3d15a9ec0806", Shape::Uuid),
            ("2024-05-01", Shape::Date),
            ("2024-05-01T12:00:00.037Z", Shape::Timestamp),
            ("2254258", Shape::Integer),
            ("-3", Shape::Integer),
            ("236.65", Shape::Decimal),
            ("5f2b9c0e11aa", Shape::Hex),
            ("psureda@example.com", Shape::Email),
            ("key_vMG1qxvvhsp38MX9T4FiLJXgucAey3Yj", Shape::Token),
            ("pixel_velvet", Shape::Slug),
            ("example.com", Shape::Slug),
            ("SAVE03OL", Shape::Code),
            ("Ub-8657", Shape::Code),
        ];
        for (value, shape) in cases {
            assert_eq!(Shape::of(value), Some(shape), "{value}");
        }
    }

    #[test]
    fn attacks_fit_no_shape() {
        for value in [
            "1' or '1'='1",
            "1 UNION SELECT password FROM users",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "$(id)",
            "",
            &"a".repeat(MAX_IDENTIFIER + 1),
        ] {
            assert_eq!(Shape::of(value), None, "{value}");
        }
        assert!(!Shape::Integer.fits("1;drop"));
        assert!(!Shape::Uuid.fits("c74803e3-1ba1-4215-8228-3d15a9ec080'"));
        assert!(!Shape::Email.fits("a@b.c' or 1=1--"));
    }

    #[test]
    fn plain_prose_has_no_syntax_an_injection_needs() {
        for text in [
            "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
            "I tried select * from users where id = 1 and it printed everything",
            "It's my mother's birthday, please don't ring twice.",
        ] {
            assert!(is_plain_prose(text), "{text}");
        }
        for text in [
            "my password is 'admin' or '1'='1' according to the joke",
            "nice shop' UNION SELECT password FROM users -- thanks",
            "see the ../ in the path of the file, it is odd",
            "bold <b>text</b> is what I want here",
            "run it with $(id) and tell me the answer please",
            "a comment /* here */ between the words of it",
            "he said \"hi there\" and left the shop",
            "100% sure this one is the right one",
        ] {
            assert!(!is_plain_prose(text), "{text}");
        }
    }

    #[test]
    fn prose_is_sentences_not_markup_or_lists() {
        for text in [
            "Please select the union of both lists and drop the duplicates.",
            "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
            "Lado realidad estados movimiento junto como democracia.",
            "Calme énergie été retirer devoir détruire prouver.",
        ] {
            assert!(reads_as_prose(text), "{text}");
        }
        for text in [
            "<script>alert(document.cookie)</script>",
            "a=1&b=2&c=3",
            "SGVsbG8gd29ybGQhIGhvdyBhcmUgeW91IHRvZGF5Pw== and more words",
            "hello",
            "{\"a\": [1, 2, 3]}",
        ] {
            assert!(!reads_as_prose(text), "{text}");
        }
    }
}
