//! One custom rule: its CEL condition parsed and type-checked at load, with
//! errors that name the rule and the line and column.

use super::action::Action;
use super::config::{Mode, RuleConfig};
use super::guard::Guards;
use super::patterns::Patterns;
use super::schema::{check_expression, Expecting, FieldUse};
use crate::facts::{RequestFacts, Signal};
use cel::{Context, Env, Program, Value};
use std::sync::Arc;

/// The longest condition accepted, in bytes: rules come from config files,
/// but a generated one should not make load time unbounded.
const MAX_CONDITION_BYTES: usize = 16 * 1024;

/// Why a rule was refused at load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule `{rule}` at {line}:{column}: {message}")]
pub struct RuleError {
    pub rule: String,
    /// 1-based line and column in the `when` expression; 0:0 for the action.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub(crate) struct CompiledRule {
    pub(crate) name: Arc<str>,
    program: Program,
    guards: Guards,
    /// The fields the interpreter must be given for this rule: none when
    /// the guards decide it alone.
    pub(crate) interpreted_fields: Vec<FieldUse>,
    pub(crate) action: Action,
    /// `Monitor`: the rule's action is recorded, never applied.
    pub(crate) mode: Mode,
}

/// A CEL expression parsed, type-checked against the facts, with its
/// `matches` patterns compiled: what rules and limit keys are made of.
pub(crate) struct CheckedExpression {
    pub(crate) program: Program,
    /// The fields it reads, each once.
    pub(crate) fields: Vec<FieldUse>,
}

/// Compiles `source` for the rule (or limit) `name`; errors carry the line
/// and column in `source`.
pub(crate) fn compile_expression(
    name: &str,
    source: &str,
    env: &Env,
    patterns: &mut Patterns,
    expecting: Expecting,
) -> Result<CheckedExpression, RuleError> {
    let error = |line, column, message| RuleError {
        rule: name.to_string(),
        line,
        column,
        message,
    };
    if source.len() > MAX_CONDITION_BYTES {
        return Err(error(
            1,
            1,
            format!("longer than {MAX_CONDITION_BYTES} bytes"),
        ));
    }
    let program = env.compile(source).map_err(|errors| {
        let first = errors.errors.first();
        let (line, column) = first.map_or((1, 1), |e| (e.pos.0.max(1), e.pos.1.max(0) + 1));
        let message = first.map_or_else(|| "syntax error".to_string(), |e| e.msg.clone());
        error(line as usize, column as usize, message)
    })?;
    let position = |node| {
        let offset = program
            .source_info()
            .offset_for(node)
            .map_or(0, |(start, _)| start as usize);
        line_and_column(source, offset)
    };
    let uses = check_expression(program.expression(), expecting).map_err(|type_error| {
        let (line, column) = position(type_error.node);
        error(line, column, type_error.message)
    })?;
    for used in uses.patterns {
        patterns.add(&used.pattern).map_err(|message| {
            let (line, column) = position(used.node);
            error(line, column, message)
        })?;
    }
    Ok(CheckedExpression {
        program,
        fields: uses.fields,
    })
}

impl CompiledRule {
    pub(crate) fn compile(
        config: &RuleConfig,
        env: &Env,
        patterns: &mut Patterns,
        limit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<CompiledRule, RuleError> {
        let checked = compile_expression(
            &config.name,
            &config.when,
            env,
            patterns,
            Expecting::Condition,
        )?;
        let action =
            Action::compile(&config.action, limit_exists).map_err(|message| RuleError {
                rule: config.name.clone(),
                line: 0,
                column: 0,
                message,
            })?;
        let guards = Guards::of(checked.program.expression(), patterns);
        let interpreted_fields = if guards.complete() {
            Vec::new()
        } else {
            checked.fields
        };
        Ok(CompiledRule {
            name: Arc::from(config.name.as_str()),
            guards,
            interpreted_fields,
            program: checked.program,
            action,
            mode: config.mode.unwrap_or_default(),
        })
    }

    /// What the guards alone decide (see [`Guards::decide`]).
    pub(crate) fn decide_by_guards(
        &self,
        facts: &RequestFacts,
        signals: &[Signal],
    ) -> Option<bool> {
        self.guards.decide(facts, signals)
    }

    /// Whether the condition holds; an error when evaluation failed or the
    /// result was not a bool.
    pub(crate) fn matches(&self, context: &Context) -> Result<bool, String> {
        match self.program.execute(context) {
            Ok(Value::Bool(result)) => Ok(result),
            Ok(other) => Err(format!("evaluated to {other:?}, not a bool")),
            Err(error) => Err(error.to_string()),
        }
    }
}

/// 1-based line and column of a character offset.
fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let (mut line, mut column) = (1, 1);
    for character in source.chars().take(offset) {
        if character == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::bindings;
    use crate::policy::config::ActionConfig;

    fn compile(when: &str, patterns: &mut Patterns) -> CompiledRule {
        let config = RuleConfig {
            name: "r".into(),
            when: when.into(),
            action: ActionConfig::Monitor {},
            mode: None,
        };
        CompiledRule::compile(&config, &Env::stdlib(), patterns, &|_| false)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    fn requests() -> Vec<(RequestFacts, Vec<Signal>)> {
        let mut base = RequestFacts::new("POST", "/login", "203.0.113.9".parse().unwrap());
        base.client.country = Some("KP".into());
        base.client.asn = Some(64_500);
        base.endpoint.risk = 0.8;
        let mut other = RequestFacts::new("GET", "/admin/users", "2001:db8::1".parse().unwrap());
        other.client.user = Some("alice".into());
        other.endpoint.function = Some("login".into());
        let signal = Signal {
            class: "bot".into(),
            source: "bot.headless".into(),
            location: "headers".into(),
            score: 2.5,
        };
        vec![
            (base.clone(), vec![signal.clone()]),
            (base, vec![]),
            (other.clone(), vec![signal]),
            (other, vec![]),
        ]
    }

    /// Every guard decision must be the interpreter's decision.
    #[test]
    fn guards_agree_with_the_interpreter() {
        let conditions = [
            (r#"client.country == "KP""#, true),
            (r#""KP" != client.country"#, true),
            (r#"client.asn >= 64500 && client.asn < 65000"#, true),
            (r#"100 < client.asn"#, true),
            (r#"endpoint.risk > 0.5 && signals.score >= 2.5"#, true),
            (r#"signals.count == 1 && "bot" in signals.classes"#, true),
            (
                r#"client.country in ["KP", "IR"] && request.method == "POST""#,
                true,
            ),
            (
                r#"request.path.startsWith("/admin") && request.path.endsWith("users")"#,
                true,
            ),
            (
                r#"request.path.contains("dmi") && request.path.matches("^/[a-z]+/")"#,
                true,
            ),
            (
                r#"client.ip.startsWith("203.0.113.") || client.user == "alice""#,
                true,
            ),
            (
                r#"!(client.country == "KP" && endpoint.risk > 0.5) || request.path == "/""#,
                true,
            ),
            (r#"client.user == "alice" || size(client.user) > 30"#, false),
            (
                r#"endpoint.function == "login" && size(client.user) > 3"#,
                false,
            ),
            (
                r#"request.method < "H" && signals.sources.exists(s, s.startsWith("bot."))"#,
                false,
            ),
            (r#"!(client.country == "KP")"#, false),
        ];
        let requests = requests();
        for (condition, complete) in conditions {
            let mut patterns = Patterns::default();
            let rule = compile(condition, &mut patterns);
            let patterns = Arc::new(patterns);
            let env = Arc::new(Env::stdlib());
            let all_fields = crate::policy::schema::all_fields();
            let mut decided = 0;
            for (facts, signals) in &requests {
                let context = bindings::context(&env, &patterns, &all_fields, facts, signals);
                let interpreted = rule.matches(&context).unwrap();
                if let Some(guarded) = rule.decide_by_guards(facts, signals) {
                    assert_eq!(
                        guarded, interpreted,
                        "{condition} on {} {}",
                        facts.method, facts.path
                    );
                    decided += 1;
                }
            }
            if complete {
                assert_eq!(
                    decided,
                    requests.len(),
                    "{condition} should be decided by guards alone"
                );
            }
        }
    }
}
