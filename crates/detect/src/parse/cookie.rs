//! The `Cookie` header: `name=value; name2=value2`, values possibly quoted.

use super::Collector;
use crate::decode::Transport;
use crate::location::Location;

/// Pushes each cookie's name and value.
pub fn parse(header: &[u8], sink: &mut Collector<'_>) {
    for pair in header.split(|&b| b == b';') {
        let pair = pair.trim_ascii();
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (&b""[..], pair),
        };
        let name_text = String::from_utf8_lossy(name.trim_ascii()).into_owned();
        let value = value.trim_ascii();
        let value = value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
            .unwrap_or(value);
        if !sink.push(
            Location::CookieName(name_text.clone()),
            name,
            Transport::Percent,
        ) || !sink.push(Location::Cookie(name_text), value, Transport::Percent)
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[test]
    fn splits_trims_and_unquotes() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(b"session=abc; theme=\"dark\" ;x=%3Cb%3E", &mut sink);
        let got: Vec<(String, &str)> = sink
            .values
            .iter()
            .filter(|v| !v.location.is_name())
            .map(|v| (v.location.to_string(), v.decoded.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("cookie.session".to_string(), "abc"),
                ("cookie.theme".to_string(), "dark"),
                ("cookie.x".to_string(), "<b>")
            ]
        );
    }
}
