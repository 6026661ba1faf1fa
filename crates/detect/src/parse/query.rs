//! `application/x-www-form-urlencoded` and query strings, with repeated and
//! nested (`a[b][c]`) names.
//!
//! Names and values are both inspected: attackers put payloads in names too.
//! A name sent twice (without the `[]` array convention) is reported as
//! possible parameter pollution.

use super::{Anomaly, Collector};
use crate::decode::{self, Transport};
use crate::location::Location;
use std::collections::HashSet;

/// Which location constructors to use for names and values.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    Query,
    Form,
}

impl Origin {
    fn value(self, name: String) -> Location {
        match self {
            Origin::Query => Location::Query(name),
            Origin::Form => Location::Form(name),
        }
    }

    fn name(self, name: String) -> Location {
        match self {
            Origin::Query => Location::QueryName(name),
            Origin::Form => Location::FormName(name),
        }
    }
}

/// Splits `raw` into arguments and pushes their names and values.
pub fn parse(raw: &[u8], origin: Origin, sink: &mut Collector<'_>) {
    let mut args = Arguments::new(origin);
    for pair in raw.split(|&b| b == b'&') {
        if !args.pair(pair, sink) {
            return;
        }
    }
}

/// The arguments of one query string or form body, pushed pair by pair
/// (a streamed form body hands them over as they complete); remembers the
/// names seen, to report one sent twice.
#[derive(Debug)]
pub struct Arguments {
    origin: Origin,
    seen: HashSet<String>,
}

impl Arguments {
    pub fn new(origin: Origin) -> Self {
        Arguments {
            origin,
            seen: HashSet::new(),
        }
    }

    /// Pushes one `name=value` pair (without its `&`); returns false once
    /// the value limit is hit.
    pub fn pair(&mut self, pair: &[u8], sink: &mut Collector<'_>) -> bool {
        if pair.is_empty() {
            return true;
        }
        let origin = self.origin;
        let (name_raw, value_raw) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode::decode(name_raw, Transport::Form);
        let key = name.text.clone();
        if self.seen.len() < sink.limits().max_values {
            if self.seen.contains(&key) && !key.ends_with("[]") {
                sink.anomaly(Anomaly::RepeatedArgument { name: key.clone() });
            } else {
                self.seen.insert(key.clone());
            }
        }
        if !sink.push(origin.name(key.clone()), name_raw, Transport::Form) {
            return false;
        }
        if !sink.push(origin.value(key.clone()), value_raw, Transport::Form) {
            return false;
        }
        // `a%3Dpayload`: an application that decodes the name once more sees
        // an argument `a` with the value `payload`.
        if let Some((inner_name, inner_value)) = key.split_once('=') {
            return sink.push(
                origin.value(inner_name.to_owned()),
                inner_value.as_bytes(),
                Transport::Plain,
            );
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[test]
    fn keeps_names_values_nesting_and_repeats() {
        let limits = Limits::default();
        let mut sink = Collector::new(&limits);
        parse(b"a[b][c]=1&q=x+y%21&q=z&flag", Origin::Query, &mut sink);
        let locations: Vec<String> = sink.values.iter().map(|v| v.location.to_string()).collect();
        assert!(locations.contains(&"query.a[b][c]".to_string()));
        let q: Vec<&str> = sink
            .values
            .iter()
            .filter(|v| v.location == Location::Query("q".into()))
            .map(|v| v.decoded.text.as_str())
            .collect();
        assert_eq!(q, ["x y!", "z"]);
        assert!(sink
            .anomalies
            .contains(&Anomaly::RepeatedArgument { name: "q".into() }));
    }

    #[test]
    fn stops_at_the_value_limit() {
        let limits = Limits {
            max_values: 10,
            ..Limits::default()
        };
        let mut sink = Collector::new(&limits);
        let raw: Vec<u8> = (0..1000)
            .map(|i| format!("p{i}=v&"))
            .collect::<String>()
            .into_bytes();
        parse(&raw, Origin::Form, &mut sink);
        assert_eq!(sink.values.len(), 10);
        assert!(sink.anomalies.contains(&Anomaly::TooManyValues));
    }
}
