//! The path as the application's router reads it: segment by segment.
//!
//! The whole path stays one value (traversal is judged on it, as a file
//! system would resolve it), and each segment that reads differently alone
//! (anything beyond unreserved characters) is a value of its own,
//! `Location::Path(Some(i))` with `i` its index in the raw path split on
//! `/` (the index the contract checks use: `/users/42` has `42` at 2).
//! A segment is percent-decoded as often as it is encoded (double
//! encoding, overlong UTF-8: [`crate::decode`]); `;` matrix parameters
//! (`/items;jsessionid=x;color=red`) are split off before decoding, as
//! servlet containers and Spring do, and each name and value is a value of
//! its own; a segment whose decoded text holds a backslash (literal or
//! `%5c`: IIS and ASP.NET route on it as on `/`) is also read piece by
//! piece, split on both separators.

use super::Collector;
use crate::decode::{base64, Transport};
use crate::location::{Layer, Location};

/// Segments read one by one; past this the whole-path value still holds
/// the rest.
const MAX_SEGMENTS: usize = 64;

/// Matrix parameters and separator-split pieces read per segment.
const MAX_PARTS: usize = 16;

/// Pushes the whole path and each of its segments.
pub fn parse(raw: &str, sink: &mut Collector<'_>) -> bool {
    if !sink.push(Location::Path(None), raw.as_bytes(), Transport::Percent) {
        return false;
    }
    for (i, segment) in raw.split('/').enumerate().take(MAX_SEGMENTS) {
        if !segment_values(i, segment, sink) {
            return false;
        }
    }
    true
}

fn segment_values(i: usize, segment: &str, sink: &mut Collector<'_>) -> bool {
    let mut parts = segment.split(';');
    let core = parts.next().unwrap_or_default();
    let location = Location::Path(Some(i));
    // A segment of unreserved characters only (`users`, `v1`, `42`) reads
    // the same alone as in the whole path, unless it is base64.
    let plain = core
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        && base64::decode_text(core).is_none();
    if !plain {
        let before = sink.values.len();
        if !sink.push(location.clone(), core.as_bytes(), Transport::Percent) {
            return false;
        }
        let backslashed = sink
            .values
            .get(before)
            .filter(|v| v.decoded.text.contains('\\'))
            .map(|v| v.decoded.text.clone());
        if let Some(decoded) = backslashed {
            if !pieces(&location, &decoded, sink) {
                return false;
            }
        }
    }
    for param in parts.take(MAX_PARTS).filter(|p| !p.is_empty()) {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        let name_text = name.to_owned();
        if !sink.push_part(
            &location,
            Layer::ParamName(name_text.clone()),
            name.as_bytes(),
            Transport::Percent,
        ) || !sink.push_part(
            &location,
            Layer::Param(name_text),
            value.as_bytes(),
            Transport::Percent,
        ) {
            return false;
        }
    }
    true
}

/// The pieces of a decoded segment that a router treating `\` as `/`
/// would see.
fn pieces(location: &Location, decoded: &str, sink: &mut Collector<'_>) -> bool {
    for (j, piece) in decoded
        .split(['/', '\\'])
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .take(MAX_PARTS)
    {
        if !sink.push_part(location, Layer::Item(j), piece.as_bytes(), Transport::Plain) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    fn values(path: &str) -> Vec<(String, String)> {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(path, &mut sink);
        sink.values
            .iter()
            .map(|v| (v.location.to_string(), v.decoded.text.clone()))
            .collect()
    }

    #[test]
    fn segments_are_decoded_and_indexed_like_the_contract() {
        let got = values("/users/%2527%20or%201%3D1/x%20y");
        assert_eq!(got[0].0, "path");
        assert!(got.contains(&("path[2]".into(), "' or 1=1".into())));
        assert!(got.contains(&("path[3]".into(), "x y".into())));
        assert!(
            !got.iter().any(|(l, _)| l == "path[1]"),
            "`users` reads the same in the whole path: {got:?}"
        );
        let got = values("/items/cHJvY2Vzc2J1aWxkZXI");
        assert!(got.contains(&("path[2]→base64".into(), "processbuilder".into())));
    }

    #[test]
    fn matrix_parameters_are_names_and_values() {
        let got = values("/items;jsessionid=abc;q=%3Cscript%3E/5");
        assert!(got.contains(&("path[1]→;q(name)".into(), "q".into())));
        assert!(got.contains(&("path[1]→;q".into(), "<script>".into())));
    }

    #[test]
    fn backslashes_split_a_segment_and_encoded_slashes_do_not() {
        let got = values("/files/..%5c..%5cwin.ini");
        assert!(got.contains(&("path[2]".into(), "..\\..\\win.ini".into())));
        assert!(got.contains(&("path[2]→[2]".into(), "win.ini".into())));
        let got = values("/streets/Alley%207%2F1");
        assert!(got.contains(&("path[2]".into(), "Alley 7/1".into())));
        assert!(!got.iter().any(|(l, _)| l.contains('→')), "{got:?}");
    }
}
