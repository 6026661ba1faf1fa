//! The parameters of one request the model profiles: query parameters,
//! form fields of a `application/x-www-form-urlencoded` body, and the
//! leaves of a JSON body, read from the exchange's one parsed view (the
//! document `RequestView::json` parsed once for every stage), each reduced
//! to its [`Features`] and a short redacted excerpt.
//!
//! Parameters are named by where they are: `query.page`, `form.email`,
//! `json.items[].qty` (array elements folded together, as discovery folds
//! them), `json` for a document that is a bare value. Everything is
//! bounded: at most [`MAX_PARAMS`] values per request, names of at most
//! [`MAX_NAME`] bytes (longer ones are left out), JSON read to
//! [`MAX_DEPTH`] levels.

use super::features::Features;
use rampart_core::form::decode_component;
use rampart_core::redact;
use serde_json::Value;

/// Values read from one request.
pub const MAX_PARAMS: usize = 64;
/// Longest parameter name profiled, prefix included.
pub const MAX_NAME: usize = 128;
/// Deepest JSON level read.
pub const MAX_DEPTH: usize = 16;
/// Characters of a value quoted in evidence.
const EXCERPT_CHARS: usize = 48;

/// One value of a request, as the model reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub features: Features,
    /// The value as evidence quotes it: short, masked for secret fields.
    pub excerpt: String,
}

impl Param {
    fn new(name: String, text: &str, number: Option<f64>) -> Param {
        let excerpt = redact::excerpt(text, redact::secret_name(&name), EXCERPT_CHARS);
        Param {
            features: Features::of(text, number),
            excerpt,
            name,
        }
    }
}

/// Where a request's parameters are read from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// The raw query string, without `?`.
    pub query: &'a str,
    /// A form body (the request said `application/x-www-form-urlencoded`).
    pub form: Option<&'a [u8]>,
    /// The body's JSON document, parsed once by the exchange view.
    pub json: Option<&'a Value>,
}

/// The parameters of a request, at most [`MAX_PARAMS`].
pub fn parameters(sources: &Sources<'_>) -> Vec<Param> {
    let mut found = Vec::new();
    pairs(sources.query.as_bytes(), "query.", &mut found);
    if let Some(form) = sources.form {
        pairs(form, "form.", &mut found);
    }
    if let Some(document) = sources.json {
        let mut name = String::from("json");
        leaves(document, &mut name, 0, &mut found);
    }
    found
}

/// The `name=value` pairs of a query string or form body, names prefixed.
fn pairs(raw: &[u8], prefix: &str, found: &mut Vec<Param>) {
    let (mut name, mut value) = (Vec::new(), Vec::new());
    for pair in raw.split(|b| *b == b'&') {
        if found.len() >= MAX_PARAMS {
            return;
        }
        let (raw_name, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        if raw_name.is_empty() || raw_name.len() + prefix.len() > MAX_NAME {
            continue;
        }
        decode_component(raw_name, &mut name);
        decode_component(raw_value, &mut value);
        let name = format!("{prefix}{}", String::from_utf8_lossy(&name));
        found.push(Param::new(name, &String::from_utf8_lossy(&value), None));
    }
}

/// The leaves under `value`, whose name is `name` (restored on return).
fn leaves(value: &Value, name: &mut String, depth: usize, found: &mut Vec<Param>) {
    if found.len() >= MAX_PARAMS || depth > MAX_DEPTH || name.len() > MAX_NAME {
        return;
    }
    let kept = name.len();
    match value {
        Value::Null => {}
        Value::Bool(b) => found.push(Param::new(
            name.clone(),
            if *b { "true" } else { "false" },
            None,
        )),
        Value::Number(n) => found.push(Param::new(name.clone(), &n.to_string(), n.as_f64())),
        Value::String(text) => found.push(Param::new(name.clone(), text, None)),
        Value::Array(items) => {
            name.push_str("[]");
            for item in items {
                leaves(item, name, depth + 1, found);
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                name.push('.');
                name.push_str(key);
                leaves(member, name, depth + 1, found);
                name.truncate(kept);
            }
        }
    }
    name.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(params: &[Param]) -> Vec<&str> {
        params.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn query_form_and_json_values_are_named_by_where_they_are() {
        let document = json!({"qty": 2, "items": [{"sku": "A-1"}, {"sku": "B-2"}], "gift": true, "note": null});
        let params = parameters(&Sources {
            query: "page=2&q=red+shoes&flag&=x",
            form: Some(b"email=ann%40example.com"),
            json: Some(&document),
        });
        assert_eq!(
            names(&params),
            [
                "query.page",
                "query.q",
                "query.flag",
                "form.email",
                "json.gift",
                "json.items[].sku",
                "json.items[].sku",
                "json.qty"
            ]
        );
        assert_eq!(params[1].excerpt, "red shoes");
        assert_eq!(params[3].excerpt, "ann@example.com");
        assert_eq!(params[7].features.number, Some(2.0));
        let bare = json!("text");
        assert_eq!(
            names(&parameters(&Sources {
                json: Some(&bare),
                ..Sources::default()
            })),
            ["json"]
        );
    }

    #[test]
    fn secrets_are_masked_and_everything_is_bounded() {
        let params = parameters(&Sources {
            query: "password=hunter2&q=é\u{1}",
            ..Sources::default()
        });
        assert_eq!(params[0].excerpt, "hu***(7 chars)");
        let many = "a=1&".repeat(500);
        assert_eq!(
            parameters(&Sources {
                query: &many,
                ..Sources::default()
            })
            .len(),
            MAX_PARAMS
        );
        let long_name = format!("{}=1", "n".repeat(MAX_NAME));
        assert!(parameters(&Sources {
            query: &long_name,
            ..Sources::default()
        })
        .is_empty());
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        assert!(parameters(&Sources {
            json: Some(&deep),
            ..Sources::default()
        })
        .is_empty());
        let long = format!("q={}", "x".repeat(3000));
        let param = &parameters(&Sources {
            query: &long,
            ..Sources::default()
        })[0];
        assert_eq!(param.features.length, 3000);
        assert_eq!(param.excerpt.chars().count(), EXCERPT_CHARS + 1);
    }
}
