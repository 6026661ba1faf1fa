//! LDAP filter and XPath injection: a value that closes the filter or
//! predicate it was put in and opens another (`*)(uid=*`, `)(|(cn=*`,
//! `' or name()='x`, `/child::node()`).

use super::Hit;

/// Looks for LDAP or XPath structure in a folded value.
pub fn detect(folded: &str, hits: &mut Vec<Hit>) {
    let compact: String = folded.chars().filter(|c| *c != ' ').collect();
    let ldap_breakout = [")(", ")!(", ")&(", ")|("].iter().any(|open| {
        compact.match_indices(open).any(|(at, _)| {
            let after = &compact[at + open.len()..];
            after.starts_with(['|', '&', '!', '*', ')'])
                || after.find(['=', '<', '>', '~']).is_some_and(|op| {
                    op > 0
                        && after[..op]
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';')
                })
        })
    });
    if ldap_breakout
        || compact.contains("*)(")
        || compact.starts_with("*)")
        || compact.contains(")(|(")
        || compact.contains(")(&(")
    {
        hits.push(Hit::new("ldap.filter_breakout", 5.0, 0.8, 1));
        return;
    }
    if [
        "child::",
        "descendant::",
        "ancestor::",
        "following-sibling::",
        "/text()",
        "name()",
        "count(/",
        "string-length(",
        "@*",
    ]
    .iter()
    .any(|p| compact.contains(p))
        && (compact.contains('\'') || compact.contains('/') || compact.contains('['))
    {
        hits.push(Hit::new("xpath.expression", 5.0, 0.7, 2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_filter_breakouts() {
        let fires = |s: &str| {
            let mut h = Vec::new();
            detect(s, &mut h);
            !h.is_empty()
        };
        assert!(fires("printer)(uid=*)"));
        assert!(fires("bar)(&)"));
        assert!(fires("*)(objectclass=*"));
        assert!(fires("' or count(/child::node())=1"));
        assert!(!fires("call me (maybe) (tomorrow)"));
        assert!(!fires("smile :)(wink)"));
    }
}
