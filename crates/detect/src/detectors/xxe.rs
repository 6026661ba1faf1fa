//! XML external entities in any value (a form field carrying XML, or the
//! DOCTYPE of an XML body): entity declarations, external identifiers and
//! parameter entity references.

use super::Hit;

/// Looks for entity declarations in a folded value.
pub fn detect(folded: &str, hits: &mut Vec<Hit>) {
    let has_entity = folded.contains("<!entity");
    let external = folded.contains(" system ")
        || folded.contains(" public ")
        || folded.contains("system\"")
        || folded.contains("system'");
    if has_entity && external {
        hits.push(Hit::new("xxe.external_entity", 5.0, 0.95, 1));
    } else if has_entity || (folded.contains("<!doctype") && external) {
        hits.push(Hit::new("xxe.entity_declaration", 5.0, 0.8, 1));
    } else if folded.contains("<xi:include")
        || folded.contains("xmlns:xi=")
        || folded.contains("schemalocation=\"http")
        || folded.contains("schemalocation='http")
    {
        hits.push(Hit::new("xxe.xinclude", 5.0, 0.85, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_entities() {
        let fires = |s: &str| {
            let mut h = Vec::new();
            detect(s, &mut h);
            !h.is_empty()
        };
        assert!(fires(
            "<!doctype r [<!entity x system \"file:///etc/passwd\">]>"
        ));
        assert!(fires(
            "<!doctype root [ <!entity % tocob system \"https://x/\">%tocob;"
        ));
        assert!(!fires("<!doctype html>"));
    }
}
