//! What the model reads of one value: its length, the classes of
//! characters it is made of, and the number it is, if it is one. Values
//! are reduced to these on the request path, so that nothing a client sent
//! is kept past the exchange but a short, redacted excerpt.

/// The character classes, as bits of [`Features::classes`].
pub const DIGIT: u8 = 1;
pub const LOWER: u8 = 1 << 1;
pub const UPPER: u8 = 1 << 2;
/// Not a character class but a property of the whole value: non-empty and
/// made of hexadecimal digits only (ids, hashes, tokens).
pub const HEX_ONLY: u8 = 1 << 3;
pub const SPACE: u8 = 1 << 4;
pub const PUNCTUATION: u8 = 1 << 5;
/// Control characters and anything outside ASCII.
pub const OTHER: u8 = 1 << 6;
/// The punctuation that means something to an interpreter (quotes,
/// brackets, `$`, `;`, `|`, `\\`...), told apart from the everyday kind
/// (`-`, `.`, `,`, `@`, `/`...) that names, dates and URLs are full of.
pub const SYMBOL: u8 = 1 << 7;

/// Each class with its name for evidence, in bit order.
pub const CLASSES: [(u8, &str); 8] = [
    (DIGIT, "digits"),
    (LOWER, "lowercase"),
    (UPPER, "uppercase"),
    (HEX_ONLY, "hex-only"),
    (SPACE, "spaces"),
    (PUNCTUATION, "punctuation"),
    (OTHER, "control or non-ASCII"),
    (SYMBOL, "quotes, brackets or shell symbols"),
];

/// Longest text read for a number: longer is not one.
const MAX_NUMBER_CHARS: usize = 64;

/// One value as the model reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// In characters.
    pub length: usize,
    pub classes: u8,
    /// The value is a finite number written as one (`12`, `-3.5`, `1e3`).
    pub number: Option<f64>,
}

impl Features {
    /// The features of a text value; `number` when it came typed (a JSON
    /// number), else read from the text.
    pub fn of(text: &str, number: Option<f64>) -> Features {
        let mut classes = 0;
        let mut hex = !text.is_empty();
        for byte in text.bytes() {
            let class = match byte {
                b'0'..=b'9' => DIGIT,
                b'a'..=b'z' => LOWER,
                b'A'..=b'Z' => UPPER,
                b' ' | b'\t' => SPACE,
                b'\'' | b'"' | b'`' | b'<' | b'>' | b'{' | b'}' | b'[' | b']' | b'(' | b')'
                | b'$' | b';' | b'|' | b'\\' | b'^' | b'~' => SYMBOL,
                b'!'..=b'~' => PUNCTUATION,
                _ => OTHER,
            };
            classes |= class;
            hex &= byte.is_ascii_hexdigit();
        }
        if hex {
            classes |= HEX_ONLY;
        }
        Features {
            length: text.chars().count(),
            classes,
            number: number.or_else(|| read_number(text)),
        }
    }

    /// The names of `bits`' classes, for evidence.
    pub fn names(bits: u8) -> Vec<&'static str> {
        CLASSES
            .iter()
            .filter(|(bit, _)| bits & bit != 0)
            .map(|(_, name)| *name)
            .collect()
    }
}

/// `text` as a finite number, when it is written as one: digits, with at
/// most a sign, a point and an exponent (not `inf`, `NaN` or `0x1f`).
fn read_number(text: &str) -> Option<f64> {
    let plain = !text.is_empty()
        && text.len() <= MAX_NUMBER_CHARS
        && text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !plain {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_is_told_apart_and_hex_only_is_the_whole_value() {
        assert_eq!(Features::of("42", None).classes, DIGIT | HEX_ONLY);
        assert_eq!(
            Features::of("deadBEEF", None).classes,
            LOWER | UPPER | HEX_ONLY
        );
        assert_eq!(Features::of("red shoes", None).classes, LOWER | SPACE);
        assert_eq!(
            Features::of("-1'--", None).classes,
            DIGIT | PUNCTUATION | SYMBOL,
            "the minus sign is punctuation, the quote a symbol"
        );
        assert_eq!(
            Features::of("a.b@c-d/e,f", None).classes,
            LOWER | PUNCTUATION
        );
        assert_eq!(Features::of("${x}", None).classes, LOWER | SYMBOL);
        assert_eq!(Features::of("é\u{1}", None).classes, OTHER);
        assert_eq!(Features::of("", None).classes, 0, "empty is not hex-only");
        assert_eq!(Features::of("é", None).length, 1, "characters, not bytes");
        assert_eq!(Features::names(DIGIT | SPACE), ["digits", "spaces"]);
    }

    #[test]
    fn numbers_are_read_only_when_written_as_numbers() {
        assert_eq!(Features::of("12", None).number, Some(12.0));
        assert_eq!(Features::of("-3.5e2", None).number, Some(-350.0));
        assert_eq!(Features::of("x", Some(4.0)).number, Some(4.0), "typed");
        for text in ["-1'--", "inf", "NaN", "0x1f", "", "-", "1e999", "1 2"] {
            assert_eq!(Features::of(text, None).number, None, "{text:?}");
        }
        assert_eq!(Features::of(&"1".repeat(65), None).number, None);
    }
}
