//! HTML character references: `&lt;`, `&#60;`, `&#x3c;`, and the named ones
//! attackers use to split keywords (`&tab;`, `&newline;`, `&colon;`).
//!
//! Browsers accept numeric references without the closing `;`, so we do too.

use std::borrow::Cow;

const NAMED: &[(&str, char)] = &[
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("quot", '"'),
    ("apos", '\''),
    ("tab", '\t'),
    ("newline", '\n'),
    ("colon", ':'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("lpar", '('),
    ("rpar", ')'),
    ("semi", ';'),
    ("comma", ','),
    ("period", '.'),
    ("excl", '!'),
    ("equals", '='),
    ("nbsp", ' '),
    ("grave", '`'),
    ("lsqb", '['),
    ("rsqb", ']'),
    ("lcub", '{'),
    ("rcub", '}'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("plus", '+'),
    ("lbrace", '{'),
    ("rbrace", '}'),
];

/// Decodes character references; borrows when there are none.
pub fn decode(input: &str) -> Cow<'_, str> {
    if !input.contains('&') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match reference(after) {
            Some((ch, used)) => {
                out.push(ch);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Parses a reference after `&`: its character and how many bytes it used.
fn reference(s: &str) -> Option<(char, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b'#') {
        let (radix, start) = match bytes.get(1) {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let is_digit = |b: &&u8| b.is_ascii_hexdigit() && (radix == 16 || b.is_ascii_digit());
        // Browsers accept any number of leading zeros (`&#000000123;`).
        let zeros = bytes[start..].iter().take_while(|b| **b == b'0').count();
        let significant = bytes[start + zeros..].iter().take_while(is_digit).count();
        if zeros + significant == 0 {
            return None;
        }
        // Keep one zero so that `&#0;` still has a digit to parse.
        let start = start + zeros.saturating_sub(usize::from(significant == 0));
        let digits = bytes[start..].iter().take_while(is_digit).count().min(8);
        let code = u32::from_str_radix(&s[start..start + digits], radix).ok()?;
        let ch = char::from_u32(code).unwrap_or('\u{fffd}');
        let mut used = start + digits;
        if bytes.get(used) == Some(&b';') {
            used += 1;
        }
        return Some((ch, used));
    }
    let name_len = bytes
        .iter()
        .take(10)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if bytes.get(name_len) != Some(&b';') {
        return None;
    }
    let name = &s[..name_len];
    NAMED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, ch)| (ch, name_len + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_decimal_hex_and_unterminated() {
        assert_eq!(decode("&lt;a&#62;&#x3C;&#106avascript"), "<a><javascript");
        assert_eq!(decode("ja&Tab;vascript&colon;"), "ja\tvascript:");
        assert_eq!(decode("fish & chips &unknown;"), "fish & chips &unknown;");
        assert_eq!(decode("&#x24;&#0000000000000000000000123;"), "${");
        assert_eq!(decode("&#0;"), "\0");
        assert!(matches!(decode("plain"), Cow::Borrowed(_)));
    }
}
