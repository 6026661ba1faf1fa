//! A rate-limit key computed by a CEL expression, for keys the fixed parts
//! cannot express: a tenant header, a claim combined with the endpoint, the
//! first path segment. Written and checked like a rule condition (same
//! variables, same errors with line and column), but it must evaluate to a
//! string or an int.
//!
//! Key expressions see `request`, `client` and `endpoint`; `signals` are
//! empty, because limits are keyed before the exchange's verdict. An empty
//! string, or an evaluation that fails, means the limit does not apply to
//! the request, as a missing API key does for a limit keyed by API key.

use super::bindings;
use super::patterns::Patterns;
use super::rule::{compile_expression, RuleError};
use super::schema::{Expecting, FieldUse};
use crate::facts::RequestFacts;
use cel::{Env, Program, Value};
use std::sync::Arc;

pub struct KeyExpression {
    source: String,
    env: Arc<Env>,
    patterns: Arc<Patterns>,
    fields: Vec<FieldUse>,
    program: Program,
}

impl std::fmt::Debug for KeyExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyExpression").field(&self.source).finish()
    }
}

impl KeyExpression {
    /// Compiles and checks `source`; errors name `limit` and the position.
    pub fn compile(limit: &str, source: &str) -> Result<KeyExpression, RuleError> {
        let env = Env::stdlib();
        let mut patterns = Patterns::default();
        let checked = compile_expression(limit, source, &env, &mut patterns, Expecting::Key)?;
        Ok(KeyExpression {
            source: source.to_string(),
            env: Arc::new(env),
            patterns: Arc::new(patterns),
            fields: checked.fields,
            program: checked.program,
        })
    }

    /// The key part for this request; `None` when the limit does not apply.
    pub fn evaluate(&self, facts: &RequestFacts) -> Option<String> {
        let context = bindings::context(&self.env, &self.patterns, &self.fields, facts, &[]);
        match self.program.execute(&context).ok()? {
            Value::String(text) => (!text.is_empty()).then(|| text.to_string()),
            Value::Int(number) => Some(number.to_string()),
            Value::UInt(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(path: &str) -> RequestFacts {
        RequestFacts::new("GET", path, "192.0.2.1".parse().unwrap())
    }

    #[test]
    fn evaluates_to_the_key_part_or_nothing() {
        let tenant = KeyExpression::compile(
            "per-tenant",
            r#"request.path.startsWith("/t/") ? request.path.split("/")[2] : """#,
        );
        // `split` is not in the standard library the rules use: refused at load.
        assert!(tenant.is_err());

        let by_user_and_endpoint =
            KeyExpression::compile("k", r#"client.user + " " + endpoint.template"#).unwrap();
        let mut request = facts("/users/1");
        request.client.user = Some("alice".into());
        request.endpoint.template = Some("/users/{id}".into());
        assert_eq!(
            by_user_and_endpoint.evaluate(&request).as_deref(),
            Some("alice /users/{id}")
        );

        let asn = KeyExpression::compile("k", "client.asn").unwrap();
        let mut request = facts("/");
        request.client.asn = Some(64500);
        assert_eq!(asn.evaluate(&request).as_deref(), Some("64500"));

        // A JA4 is shared by every client of one TLS stack: keyed with the
        // network, it follows one tool across the addresses it rotates.
        let tool = KeyExpression::compile("k", r#"client.ja4 + " " + string(client.asn)"#).unwrap();
        request.client.ja4 = Some("t13d1516h2_8daaf6152771_d8a2da3f94cd".into());
        assert_eq!(
            tool.evaluate(&request).as_deref(),
            Some("t13d1516h2_8daaf6152771_d8a2da3f94cd 64500")
        );

        let empty = KeyExpression::compile("k", "client.api_key").unwrap();
        assert_eq!(
            empty.evaluate(&facts("/")),
            None,
            "no key: the limit does not apply"
        );
    }

    #[test]
    fn errors_name_the_limit_and_the_position() {
        let typo = KeyExpression::compile("per-tenant", "client.contry").unwrap_err();
        assert_eq!(typo.rule, "per-tenant");
        assert_eq!((typo.line, typo.column), (1, 7));
        let boolean =
            KeyExpression::compile("per-tenant", r#"client.country == "FR""#).unwrap_err();
        assert!(boolean.message.contains("string or an int"), "{boolean}");
    }
}
