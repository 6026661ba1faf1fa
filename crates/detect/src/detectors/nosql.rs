//! NoSQL (MongoDB-style) operator injection: `$ne`, `$gt`, `$where`,
//! `$regex`... in JSON keys, or smuggled through bracketed query names
//! (`user[$ne]=x`), where a string was expected.

use super::Hit;

const OPERATORS: &[&str] = &[
    "$ne",
    "$eq",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$regex",
    "$where",
    "$exists",
    "$expr",
    "$or",
    "$and",
    "$not",
    "$nor",
    "$function",
    "$accumulator",
    "$elemmatch",
    "$size",
    "$type",
    "$mod",
    "$all",
    "$text",
    "$jsonschema",
    "$lookup",
    "$merge",
    "$out",
];

/// Looks at a key or argument name (`is_name`) or a value for operators.
pub fn detect(folded: &str, is_name: bool, hits: &mut Vec<Hit>) {
    // Each `$name`, with what precedes it: a bracket (`a[$ne]`), an opening
    // object (`{"$ne"` / `{$ne:`), or nothing (the whole key).
    let b = folded.as_bytes();
    let found = folded.match_indices('$').find_map(|(at, _)| {
        let len = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let op = &folded[at..at + 1 + len];
        let known = OPERATORS.iter().find(|o| **o == op)?;
        let before = &b[..at];
        let after = &b[at + 1 + len..];
        let bracketed = before.last() == Some(&b'[') && after.first() == Some(&b']');
        let in_object = before.ends_with(b"{\"") && after.first() == Some(&b'"')
            || before.ends_with(b"{") && after.first() == Some(&b':');
        let whole_key = is_name && at == 0 && after.is_empty();
        (bracketed || in_object || whole_key).then_some(known)
    });
    if let Some(op) = found {
        // Operators that run JavaScript on the server are code execution.
        let rule = if ["$where", "$function", "$accumulator"].contains(op) {
            "nosql.server_javascript"
        } else {
            "nosql.operator"
        };
        hits.push(Hit::new(rule, 5.0, 0.85, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_operators_in_keys_and_brackets() {
        let fires = |s: &str, name: bool| {
            let mut h = Vec::new();
            detect(s, name, &mut h);
            !h.is_empty()
        };
        assert!(fires("$ne", true));
        assert!(fires("u_id[$ne]", true));
        assert!(fires("[$lte]asdfsd", false));
        assert!(!fires("$5 off", false));
        assert!(!fires("price", true));
    }
}
