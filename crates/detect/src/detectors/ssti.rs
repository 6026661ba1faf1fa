//! Server-side template injection: template delimiters (`{{ }}`, `${ }`,
//! `<%= %>`, `#{ }`, `{% %}`) around an expression that computes or reaches
//! into the runtime (`7*7`, `__class__`, `self`, `config`), rather than
//! around a plain placeholder name.

use super::Hit;

const DELIMITERS: &[(&str, &str)] = &[
    ("{{", "}}"),
    ("${", "}"),
    ("<%=", "%>"),
    ("<%", "%>"),
    ("#{", "}"),
    ("{%", "%}"),
    ("*{", "}"),
    ("@(", ")"),
];

const RUNTIME: &[&str] = &[
    "__class__",
    "__mro__",
    "__subclasses__",
    "__globals__",
    "__builtins__",
    "__init__",
    "__import__",
    "config",
    "self.",
    "request.",
    "lipsum",
    "cycler",
    "joiner",
    "namespace",
    "getruntime",
    "class.forname",
    ".exec(",
    "freemarker",
    "new(",
    "?new",
    "popen",
    "os.system",
    "t(java",
    "import ",
    "include ",
    "system(",
    "constructor",
    "process.",
    "require(",
    "_self.env",
    "registerundefinedfiltercallback",
    "getfilter",
    "range(",
];

fn computes(expr: &str) -> bool {
    let e = expr.trim();
    if e.is_empty() {
        return false;
    }
    let arithmetic = e
        .bytes()
        .any(|b| matches!(b, b'*' | b'+' | b'-' | b'/' | b'%'))
        && e.bytes().any(|b| b.is_ascii_digit())
        && e.bytes()
            .all(|b| b.is_ascii_digit() || b" *+-/%()'\"".contains(&b));
    arithmetic
        || RUNTIME.iter().any(|r| e.contains(r))
        || e.contains("|attr")
        || e.contains("|e") && e.contains("('")
}

/// Looks for template expressions in a folded value.
pub fn detect(folded: &str, hits: &mut Vec<Hit>) {
    for (open, close) in DELIMITERS {
        let mut rest = folded;
        while let Some(start) = rest.find(open) {
            let body = &rest[start + open.len()..];
            let end = body.find(close).unwrap_or(body.len());
            if computes(&body[..end]) {
                hits.push(Hit::new("ssti.expression", 5.0, 0.85, 1));
                return;
            }
            rest = body;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_expressions_not_placeholders() {
        let fires = |s: &str| {
            let mut h = Vec::new();
            detect(s, &mut h);
            !h.is_empty()
        };
        assert!(fires("{{7*7}}"));
        assert!(fires("{{''.__class__.__mro__}}"));
        assert!(fires("${7*7}"));
        assert!(fires("<%= 7 * 7 %>"));
        assert!(fires("{{config.items()}}"));
        assert!(!fires("hello {{name}}"));
        assert!(!fires("price is ${price}"));
        assert!(!fires("{ \"a\": 1 }"));
    }
}
