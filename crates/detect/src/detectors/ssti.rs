//! Server-side template injection: template delimiters (`{{ }}`, `${ }`,
//! `<%= %>`, `#{ }`, `{% %}`) around an expression that computes or reaches
//! into the runtime (`7*7`, `__class__`, `self`, `config`), rather than
//! around a plain placeholder name; and template conditionals over a
//! constant (`{% if True %}`), the probe that tells rendering apart.

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
    // `|filter('system')`, `|map('exec')`: Twig's filters calling a function
    // named by a string; `` `id` ``: Ruby's (and Perl's) command backquotes.
    let calls_by_name = ["|filter(", "|map(", "|reduce(", "|sort("]
        .iter()
        .any(|f| e.contains(f))
        && e.contains(['\'', '"']);
    let backquoted = e.matches('`').count() >= 2;
    arithmetic
        || RUNTIME.iter().any(|r| e.contains(r))
        || e.contains("|attr")
        || e.contains("|e") && e.contains("('")
        || calls_by_name
        || backquoted
}

/// Statement delimiters of Jinja/Twig/Django (`{% %}`) and ERB/EJS (`<% %>`).
const STATEMENT_DELIMITERS: &[(&str, &str)] = &[("{%", "%}"), ("<%", "%>")];

/// `{% if True %}49{% endif %}`, `<% if 1 %>`: a conditional over a
/// constant, which no real template needs; it only tells an attacker
/// whether the text is rendered as a template.
fn constant_condition(folded: &str) -> bool {
    STATEMENT_DELIMITERS.iter().any(|(open, close)| {
        folded.match_indices(open).any(|(at, _)| {
            let body = &folded[at + open.len()..];
            let body = body.strip_prefix(['=', '-']).unwrap_or(body);
            let Some(end) = body.find(close) else {
                return false;
            };
            let statement = body[..end].trim().trim_end_matches('-').trim();
            statement
                .strip_prefix("if ")
                .or_else(|| statement.strip_prefix("elif "))
                .map(str::trim)
                .is_some_and(|test| {
                    matches!(test, "true" | "false" | "none" | "nil")
                        || !test.is_empty() && test.bytes().all(|b| b.is_ascii_digit())
                })
        })
    })
}

/// Looks for template expressions in a folded value.
pub fn detect(folded: &str, hits: &mut Vec<Hit>) {
    if constant_condition(folded) {
        hits.push(Hit::new("ssti.constant_condition", 5.0, 0.85, 1));
        return;
    }
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
        assert!(fires("{{['id']|filter('system')}}"));
        assert!(fires("<%= `id` %>"));
        assert!(!fires("{{ items|sort }}"));
        assert!(!fires("use ${name} or `code` in the docs"));
        assert!(!fires("hello {{name}}"));
        assert!(!fires("price is ${price}"));
        assert!(!fires("{ \"a\": 1 }"));
        assert!(fires("{% if true %}49{% endif %}"));
        assert!(fires("<%= if true %>49<% endif %>"));
        assert!(!fires("{% if user.is_admin %}Admin{% endif %}"));
        assert!(!fires("50% if true, 20% if not"));
    }
}
