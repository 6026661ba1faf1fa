//! Guards: the simple conjuncts of a rule, decided in Rust without the CEL
//! interpreter.
//!
//! Most rules are conjunctions led by a cheap test (`client.country == "KP"
//! && ...`). CEL's `&&` is false as soon as any side is false, whatever the
//! others do (errors included), so a rule whose guard fails can be skipped
//! without running the interpreter, and a rule made only of guards is decided
//! by them alone. Interpreting costs a few hundred nanoseconds per rule; a
//! guard costs a field read and a comparison. A conjunct a guard cannot
//! express is left to the interpreter.

use super::fields::{Fact, FactValue};
use super::patterns::Patterns;
use super::schema::fact_of;
use cel::common::ast::{operators, Expr, IdedExpr, LiteralValue};
use regex::Regex;
use std::cmp::Ordering;

/// The largest integer an `f64` holds exactly: beyond it, leave it to CEL.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone)]
enum Guard {
    /// `field <op> literal` (or the literal first, flipped).
    Compare(Fact, Comparison, Literal),
    /// `field in [literal, ...]`.
    OneOf(Fact, Vec<Literal>),
    /// `"literal" in signals.classes`.
    Holds(Fact, String),
    StartsWith(Fact, String),
    EndsWith(Fact, String),
    Contains(Fact, String),
    Matches(Fact, Regex),
    /// Every one holds (`&&` inside `||` or `!`).
    All(Vec<Guard>),
    /// One holds (`||`).
    Any(Vec<Guard>),
    Not(Box<Guard>),
}

/// The guards of one rule.
#[derive(Debug, Clone)]
pub(crate) struct Guards {
    guards: Vec<Guard>,
    /// Every conjunct is a guard: no need for the interpreter at all.
    complete: bool,
}

impl Guards {
    /// Extracts the guards of a checked condition; `patterns` holds the
    /// compiled `matches` patterns.
    pub(crate) fn of(condition: &IdedExpr, patterns: &Patterns) -> Guards {
        let mut conjuncts = Vec::new();
        flatten(condition, operators::LOGICAL_AND, &mut conjuncts);
        let guards: Vec<Guard> = conjuncts
            .iter()
            .filter_map(|conjunct| guard(conjunct, patterns))
            .collect();
        Guards {
            complete: guards.len() == conjuncts.len(),
            guards,
        }
    }

    /// Whether the guards are the whole rule.
    pub(crate) fn complete(&self) -> bool {
        self.complete
    }

    /// `Some(false)` when a guard fails, `Some(true)` when all hold and they
    /// are the whole rule, `None` when the interpreter must decide.
    pub(crate) fn decide(
        &self,
        facts: &crate::RequestFacts,
        signals: &[crate::Signal],
    ) -> Option<bool> {
        match combine(&self.guards, facts, signals, false) {
            Some(true) if !self.complete => None,
            decided => decided,
        }
    }
}

/// The operands of a chain of `operator` (`&&` or `||`), left to right.
fn flatten<'a>(node: &'a IdedExpr, operator: &str, operands: &mut Vec<&'a IdedExpr>) {
    match &node.expr {
        Expr::Call(call) if call.func_name == operator && call.target.is_none() => {
            for arg in &call.args {
                flatten(arg, operator, operands);
            }
        }
        _ => operands.push(node),
    }
}

/// A guard for every operand of a chain of `operator`, or none at all.
fn guards_of_all(node: &IdedExpr, operator: &str, patterns: &Patterns) -> Option<Vec<Guard>> {
    let mut operands = Vec::new();
    flatten(node, operator, &mut operands);
    operands
        .into_iter()
        .map(|operand| guard(operand, patterns))
        .collect()
}

fn guard(node: &IdedExpr, patterns: &Patterns) -> Option<Guard> {
    let Expr::Call(call) = &node.expr else {
        return None;
    };
    let name = call.func_name.as_str();
    match (call.target.as_deref(), call.args.as_slice()) {
        (None, [_, _]) if name == operators::LOGICAL_AND => {
            guards_of_all(node, name, patterns).map(Guard::All)
        }
        (None, [_, _]) if name == operators::LOGICAL_OR => {
            guards_of_all(node, name, patterns).map(Guard::Any)
        }
        (None, [operand]) if name == operators::LOGICAL_NOT => {
            guard(operand, patterns).map(|inner| Guard::Not(Box::new(inner)))
        }
        (None, [left, right]) if comparison(name).is_some() => {
            let op = comparison(name)?;
            match (fact(left), literal(right), literal(left), fact(right)) {
                (Some(field), Some(value), _, _) => Some(Guard::Compare(field, op, value)),
                (_, _, Some(value), Some(field)) => {
                    Some(Guard::Compare(field, op.flipped(), value))
                }
                _ => None,
            }
        }
        (None, [element, container]) if name == operators::IN => {
            if let (Some(field), Expr::List(list)) = (fact(element), &container.expr) {
                let values = list
                    .elements
                    .iter()
                    .map(literal)
                    .collect::<Option<Vec<_>>>()?;
                return Some(Guard::OneOf(field, values));
            }
            match (literal(element)?, fact(container)?) {
                (
                    Literal::Text(text),
                    field @ (Fact::Classes | Fact::Sources | Fact::Credentials),
                ) => Some(Guard::Holds(field, text)),
                _ => None,
            }
        }
        (Some(target), [argument]) => {
            let field = fact(target)?;
            let Some(Literal::Text(text)) = literal(argument) else {
                return None;
            };
            match name {
                "startsWith" => Some(Guard::StartsWith(field, text)),
                "endsWith" => Some(Guard::EndsWith(field, text)),
                "contains" => Some(Guard::Contains(field, text)),
                "matches" => Some(Guard::Matches(field, patterns.get(&text)?.clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

fn comparison(function: &str) -> Option<Comparison> {
    Some(match function {
        operators::EQUALS => Comparison::Equal,
        operators::NOT_EQUALS => Comparison::NotEqual,
        operators::LESS => Comparison::Less,
        operators::LESS_EQUALS => Comparison::LessOrEqual,
        operators::GREATER => Comparison::Greater,
        operators::GREATER_EQUALS => Comparison::GreaterOrEqual,
        _ => return None,
    })
}

/// The fact read by `variable.field`.
fn fact(node: &IdedExpr) -> Option<Fact> {
    let Expr::Select(select) = &node.expr else {
        return None;
    };
    match &select.operand.expr {
        Expr::Ident(variable) if !select.test => fact_of(variable, &select.field),
        _ => None,
    }
}

fn literal(node: &IdedExpr) -> Option<Literal> {
    let Expr::Literal(value) = &node.expr else {
        return None;
    };
    let number = match value {
        LiteralValue::String(text) => return Some(Literal::Text(text.inner().to_string())),
        LiteralValue::Int(int) => *int.inner() as f64,
        LiteralValue::UInt(uint) => *uint.inner() as f64,
        LiteralValue::Double(double) => *double.inner(),
        _ => return None,
    };
    (number.is_finite() && number.abs() <= EXACT_INTEGER).then_some(Literal::Number(number))
}

impl Comparison {
    fn flipped(self) -> Comparison {
        match self {
            Comparison::Less => Comparison::Greater,
            Comparison::LessOrEqual => Comparison::GreaterOrEqual,
            Comparison::Greater => Comparison::Less,
            Comparison::GreaterOrEqual => Comparison::LessOrEqual,
            same => same,
        }
    }

    fn accepts(self, ordering: Ordering) -> bool {
        match self {
            Comparison::Equal => ordering.is_eq(),
            Comparison::NotEqual => ordering.is_ne(),
            Comparison::Less => ordering.is_lt(),
            Comparison::LessOrEqual => ordering.is_le(),
            Comparison::Greater => ordering.is_gt(),
            Comparison::GreaterOrEqual => ordering.is_ge(),
        }
    }
}

impl Guard {
    /// `None` when the value and the literal are of kinds a guard does not
    /// compare: the interpreter decides.
    fn holds(&self, facts: &crate::RequestFacts, signals: &[crate::Signal]) -> Option<bool> {
        match self {
            Guard::Compare(field, op, literal) => {
                Some(op.accepts(order(&field.read(facts, signals), literal)?))
            }
            Guard::OneOf(field, literals) => {
                let value = field.read(facts, signals);
                let mut found = false;
                for literal in literals {
                    found |= order(&value, literal)?.is_eq();
                }
                Some(found)
            }
            Guard::Holds(field, text) => match field.read(facts, signals) {
                FactValue::Texts(texts) => Some(texts.contains(&text.as_str())),
                _ => None,
            },
            Guard::StartsWith(field, text) => {
                with_text(field, facts, signals, |v| v.starts_with(text.as_str()))
            }
            Guard::EndsWith(field, text) => {
                with_text(field, facts, signals, |v| v.ends_with(text.as_str()))
            }
            Guard::Contains(field, text) => {
                with_text(field, facts, signals, |v| v.contains(text.as_str()))
            }
            Guard::Matches(field, regex) => with_text(field, facts, signals, |v| regex.is_match(v)),
            // As CEL: false wins over an undecided operand of `&&`, true over
            // one of `||`.
            Guard::All(guards) => combine(guards, facts, signals, false),
            Guard::Any(guards) => combine(guards, facts, signals, true),
            Guard::Not(inner) => inner.holds(facts, signals).map(|holds| !holds),
        }
    }
}

/// `&&` (`decisive` false) or `||` (`decisive` true) over guards.
fn combine(
    guards: &[Guard],
    facts: &crate::RequestFacts,
    signals: &[crate::Signal],
    decisive: bool,
) -> Option<bool> {
    let mut undecided = false;
    for guard in guards {
        match guard.holds(facts, signals) {
            Some(value) if value == decisive => return Some(decisive),
            Some(_) => {}
            None => undecided = true,
        }
    }
    (!undecided).then_some(!decisive)
}

fn with_text(
    field: &Fact,
    facts: &crate::RequestFacts,
    signals: &[crate::Signal],
    test: impl Fn(&str) -> bool,
) -> Option<bool> {
    match field.read(facts, signals) {
        FactValue::Text(value) => Some(test(&value)),
        _ => None,
    }
}

fn order(value: &FactValue, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (FactValue::Text(value), Literal::Text(text)) => Some(value.as_ref().cmp(text.as_str())),
        (FactValue::Int(value), Literal::Number(number)) => (*value as f64).partial_cmp(number),
        (FactValue::Double(value), Literal::Number(number)) => value.partial_cmp(number),
        _ => None,
    }
}
