//! `application/x-www-form-urlencoded` components: `%XX` escapes and `+` for
//! a space. Deception looks for decoy field names in query strings and form
//! bodies, and account-takeover detection reads the username of a form
//! login: both decode the same way, here.

/// Decodes one component into `out` (cleared first). An escape that is not
/// two hexadecimal digits is kept as written; the bytes are not checked for
/// UTF-8 (callers decide how to read them).
pub fn decode_component(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: &u8| char::from(*b).to_digit(16);
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => match (raw.get(i + 1).and_then(hex), raw.get(i + 2).and_then(hex)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(raw: &str) -> Vec<u8> {
        let mut out = vec![b'x'];
        decode_component(raw.as_bytes(), &mut out);
        out
    }

    #[test]
    fn escapes_and_plus_are_decoded_and_broken_escapes_kept() {
        assert_eq!(decoded("bob+smith%40corp"), b"bob smith@corp");
        assert_eq!(decoded("p%26w"), b"p&w");
        assert_eq!(decoded("50%"), b"50%");
        assert_eq!(decoded("%4"), b"%4");
        assert_eq!(decoded("%zz1"), b"%zz1");
        assert_eq!(decoded("%ff"), [0xff]);
        assert_eq!(decoded(""), b"", "the output is cleared first");
    }
}
