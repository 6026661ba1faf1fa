//! The values rules read from `request`, `client`, `bot`, `endpoint` and
//! `signals`, built once per evaluation and shared by every rule that needs
//! the interpreter. Only the fields those rules read are bound.
//!
//! Absent facts read as empty strings and 0 so that `client.country == "FR"`
//! is simply false for an unknown country instead of an evaluation error.
//!
//! Each field is bound under its dotted name (`client.country`): the
//! interpreter resolves a qualified name by its longest bound prefix first,
//! so a field is one lookup, where a map per variable would cost a copy of
//! the map per evaluation and a second lookup per access. The checker makes
//! sure rules only read the variables through their fields.

use super::fields::FactValue;
use super::patterns::Patterns;
use super::schema::FieldUse;
use crate::facts::{RequestFacts, Signal};
use cel::{Context, Env, Value};
use std::sync::Arc;

pub(crate) fn context(
    env: &Arc<Env>,
    patterns: &Arc<Patterns>,
    fields: &[FieldUse],
    facts: &RequestFacts,
    signals: &[Signal],
) -> Context<'static, 'static> {
    let mut context = Context::with_env(env.clone());
    Patterns::bind(patterns, &mut context);
    for (name, fact) in fields {
        let value = match fact.read(facts, signals) {
            FactValue::Text(text) => Value::from(text.into_owned()),
            FactValue::Int(number) => Value::Int(number),
            FactValue::Double(number) => Value::Float(number),
            FactValue::Bool(value) => Value::Bool(value),
            FactValue::Texts(texts) => {
                Value::List(Arc::new(texts.into_iter().map(Value::from).collect()))
            }
        };
        context.add_variable_from_value(name.as_str(), value);
    }
    context
}
