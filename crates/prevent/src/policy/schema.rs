//! The variables a rule can read, their fields and types, and the checker
//! that holds every rule to them at load time.
//!
//! The `cel` crate parses and evaluates but does not type-check, so a typo
//! such as `client.contry` or a comparison of the ASN with a string would only
//! show at run time, as a rule that silently never matches. This walks the
//! parsed expression once and infers a type for each node from the schema,
//! the literals and the operators; `dyn` stands for what cannot be known
//! statically (comprehension variables, results of generic functions).

use super::fields::Fact;
use cel::common::ast::{operators, Expr, IdedExpr, LiteralValue};

/// A type as far as rules need to know.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Bool,
    Int,
    Double,
    String,
    List(&'static Ty),
    Object(&'static [Field]),
    Dyn,
}

/// A field: its name, its type and where its value comes from.
pub(crate) type Field = (&'static str, Ty, Fact);

const REQUEST: &[Field] = &[
    ("id", Ty::String, Fact::RequestId),
    ("method", Ty::String, Fact::Method),
    ("host", Ty::String, Fact::Host),
    ("path", Ty::String, Fact::Path),
    ("route", Ty::String, Fact::Route),
];

const CLIENT: &[Field] = &[
    ("ip", Ty::String, Fact::ClientIp),
    ("country", Ty::String, Fact::Country),
    ("asn", Ty::Int, Fact::Asn),
    ("api_key", Ty::String, Fact::ApiKey),
    ("user", Ty::String, Fact::User),
    ("fingerprint", Ty::String, Fact::Fingerprint),
    ("ja4", Ty::String, Fact::Ja4),
    ("credentials", Ty::List(&Ty::String), Fact::Credentials),
];

const BOT: &[Field] = &[
    ("name", Ty::String, Fact::BotName),
    ("class", Ty::String, Fact::BotClass),
    ("operator", Ty::String, Fact::BotOperator),
    ("verification", Ty::String, Fact::BotVerification),
    ("verified", Ty::Bool, Fact::BotVerified),
];

const ENDPOINT: &[Field] = &[
    ("template", Ty::String, Fact::Template),
    ("function", Ty::String, Fact::Function),
    ("risk", Ty::Double, Fact::Risk),
];

const SIGNALS: &[Field] = &[
    ("score", Ty::Double, Fact::Score),
    ("confidence", Ty::Double, Fact::Confidence),
    ("count", Ty::Int, Fact::SignalCount),
    ("classes", Ty::List(&Ty::String), Fact::Classes),
    ("sources", Ty::List(&Ty::String), Fact::Sources),
];

/// The top-level variables and their fields.
pub(crate) const VARIABLES: &[(&str, &[Field])] = &[
    ("request", REQUEST),
    ("client", CLIENT),
    ("bot", BOT),
    ("endpoint", ENDPOINT),
    ("signals", SIGNALS),
];

/// The fact a field of a top-level variable reads.
pub(crate) fn fact_of(variable: &str, field: &str) -> Option<Fact> {
    let (_, fields) = VARIABLES.iter().find(|(name, _)| *name == variable)?;
    fields
        .iter()
        .find(|(name, _, _)| *name == field)
        .map(|(_, _, fact)| *fact)
}

/// A type error at one node of the expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeError {
    pub(crate) node: u64,
    pub(crate) message: String,
}

/// A `matches` pattern, with the node that wrote it.
pub(crate) struct PatternUse {
    pub(crate) pattern: String,
    pub(crate) node: u64,
}

/// A field a rule reads: its dotted name (`client.country`) and its fact.
pub(crate) type FieldUse = (String, Fact);

/// Every field of every variable, for tests that bind them all.
#[cfg(test)]
pub(crate) fn all_fields() -> Vec<FieldUse> {
    VARIABLES
        .iter()
        .flat_map(|(variable, fields)| {
            fields
                .iter()
                .map(move |(field, _, fact)| (format!("{variable}.{field}"), *fact))
        })
        .collect()
}

/// What a checked condition uses.
pub(crate) struct Uses {
    /// The patterns it gives to `matches`.
    pub(crate) patterns: Vec<PatternUse>,
    /// The fields it reads, each once.
    pub(crate) fields: Vec<FieldUse>,
}

/// What an expression must evaluate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expecting {
    /// A rule condition: a `bool`.
    Condition,
    /// A rate-limit key: a `string` or an `int`.
    Key,
}

/// Checks a whole expression against what it must evaluate to and returns
/// what it uses.
pub(crate) fn check_expression(expr: &IdedExpr, expecting: Expecting) -> Result<Uses, TypeError> {
    let mut checker = Checker {
        locals: Vec::new(),
        uses: Uses {
            patterns: Vec::new(),
            fields: Vec::new(),
        },
    };
    let ty = checker.infer(expr)?;
    match (expecting, ty) {
        (_, Ty::Dyn) | (Expecting::Condition, Ty::Bool) => Ok(checker.uses),
        (Expecting::Key, Ty::String | Ty::Int) => Ok(checker.uses),
        (Expecting::Condition, other) => Err(error(
            expr,
            format!("a rule must be a bool, this is {}", other.name()),
        )),
        (Expecting::Key, other) => Err(error(
            expr,
            format!(
                "a limit key must be a string or an int, this is {}",
                other.name()
            ),
        )),
    }
}

struct Checker {
    /// Comprehension variables in scope, innermost last.
    locals: Vec<String>,
    uses: Uses,
}

impl Checker {
    fn infer(&mut self, node: &IdedExpr) -> Result<Ty, TypeError> {
        match &node.expr {
            Expr::Literal(literal) => Ok(literal_type(literal)),
            Expr::Ident(name) => self.ident(node, name),
            Expr::Select(select) => {
                if let Some((variable, fields)) = self.root_object(&select.operand) {
                    if select.test {
                        return Err(error(
                            node,
                            "has() is not needed here: absent facts read as \"\" or 0".into(),
                        ));
                    }
                    let ty = field_type(node, &Ty::Object(fields), &select.field)?;
                    let name = format!("{variable}.{}", select.field);
                    if let Some(fact) = fact_of(variable, &select.field) {
                        if !self.uses.fields.iter().any(|(known, _)| *known == name) {
                            self.uses.fields.push((name, fact));
                        }
                    }
                    return Ok(ty);
                }
                let operand = self.infer(&select.operand)?;
                if select.test {
                    return Ok(Ty::Bool);
                }
                field_type(node, &operand, &select.field)
            }
            Expr::Call(call) => {
                if call.func_name == "matches" {
                    self.literal_pattern(node, call.args.last())?;
                }
                let target = match &call.target {
                    Some(target) => Some(self.infer(target)?),
                    None => None,
                };
                let args = call
                    .args
                    .iter()
                    .map(|arg| self.infer(arg))
                    .collect::<Result<Vec<_>, _>>()?;
                call_type(node, &call.func_name, target, &args)
            }
            Expr::List(list) => {
                let elements = list
                    .elements
                    .iter()
                    .map(|element| self.infer(element))
                    .collect::<Result<Vec<_>, _>>()?;
                let element = match elements.split_first() {
                    Some((first, rest)) if rest.iter().all(|t| t == first) => first.as_static(),
                    _ => &Ty::Dyn,
                };
                Ok(Ty::List(element))
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(entry) = &entry.expr {
                        self.infer(&entry.key)?;
                        self.infer(&entry.value)?;
                    }
                }
                Ok(Ty::Dyn)
            }
            Expr::Comprehension(comprehension) => {
                self.infer(&comprehension.iter_range)?;
                self.infer(&comprehension.accu_init)?;
                let outer = self.locals.len();
                self.locals.push(comprehension.iter_var.clone());
                self.locals.extend(comprehension.iter_var2.clone());
                self.locals.push(comprehension.accu_var.clone());
                let inner = [
                    &comprehension.loop_cond,
                    &comprehension.loop_step,
                    &comprehension.result,
                ]
                .into_iter()
                .map(|part| self.infer(part))
                .collect::<Result<Vec<_>, _>>();
                self.locals.truncate(outer);
                inner?;
                Ok(Ty::Dyn)
            }
            Expr::Struct(_) => Err(error(
                node,
                "message literals are not available in rules".into(),
            )),
            Expr::Unspecified => Err(error(node, "incomplete expression".into())),
        }
    }

    fn literal_pattern(
        &mut self,
        call: &IdedExpr,
        pattern: Option<&IdedExpr>,
    ) -> Result<(), TypeError> {
        match pattern.map(|node| (node, &node.expr)) {
            Some((node, Expr::Literal(LiteralValue::String(text)))) => {
                self.uses.patterns.push(PatternUse {
                    pattern: text.inner().to_string(),
                    node: node.id,
                });
                Ok(())
            }
            _ => Err(error(
                call,
                "`matches` needs a literal pattern, compiled once at load".into(),
            )),
        }
    }

    /// The top-level variable named by `node` and its fields, unless a
    /// comprehension variable hides it.
    fn root_object(&self, node: &IdedExpr) -> Option<(&'static str, &'static [Field])> {
        let Expr::Ident(name) = &node.expr else {
            return None;
        };
        if self.locals.iter().any(|local| local == name) {
            return None;
        }
        VARIABLES
            .iter()
            .find(|(variable, _)| variable == name)
            .copied()
    }

    /// Only comprehension variables stand alone: the top-level variables are
    /// bound field by field (see `bindings`), so they must be followed by one.
    fn ident(&self, node: &IdedExpr, name: &str) -> Result<Ty, TypeError> {
        if self.locals.iter().any(|local| local == name) {
            return Ok(Ty::Dyn);
        }
        if self.root_object(node).is_some() {
            return Err(error(
                node,
                format!(
                    "`{name}` must be followed by a field, e.g. `{name}.{}`",
                    first_field(name)
                ),
            ));
        }
        Err(error(
            node,
            format!("unknown variable `{name}` (rules read request, client, endpoint and signals)"),
        ))
    }
}

fn first_field(variable: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|(name, _)| *name == variable)
        .and_then(|(_, fields)| fields.first())
        .map_or("field", |(field, _, _)| *field)
}

fn literal_type(literal: &LiteralValue) -> Ty {
    match literal {
        LiteralValue::Boolean(_) => Ty::Bool,
        LiteralValue::Int(_) | LiteralValue::UInt(_) => Ty::Int,
        LiteralValue::Double(_) => Ty::Double,
        LiteralValue::String(_) => Ty::String,
        LiteralValue::Bytes(_) | LiteralValue::Null => Ty::Dyn,
    }
}

fn field_type(node: &IdedExpr, operand: &Ty, field: &str) -> Result<Ty, TypeError> {
    match operand {
        Ty::Object(fields) => match fields.iter().find(|(name, _, _)| *name == field) {
            Some((_, ty, _)) => Ok(ty.clone()),
            None => {
                let known: Vec<&str> = fields.iter().map(|(name, _, _)| *name).collect();
                Err(error(
                    node,
                    format!(
                        "no field `{field}` here; the fields are {}",
                        known.join(", ")
                    ),
                ))
            }
        },
        Ty::Dyn => Ok(Ty::Dyn),
        other => Err(error(
            node,
            format!("a {} has no field `{field}`", other.name()),
        )),
    }
}

fn call_type(
    node: &IdedExpr,
    function: &str,
    target: Option<Ty>,
    args: &[Ty],
) -> Result<Ty, TypeError> {
    let mismatch = |what: &str| {
        let types: Vec<&str> = target.iter().chain(args).map(Ty::name).collect();
        error(node, format!("`{what}` cannot take ({})", types.join(", ")))
    };
    match (function, target.as_ref(), args) {
        (operators::LOGICAL_AND | operators::LOGICAL_OR, None, [a, b]) => {
            require_all(&[a, b], &Ty::Bool)
                .then_some(Ty::Bool)
                .ok_or_else(|| mismatch(function))
        }
        (operators::LOGICAL_NOT | operators::NOT_STRICTLY_FALSE, None, [a]) => {
            require_all(&[a], &Ty::Bool)
                .then_some(Ty::Bool)
                .ok_or_else(|| mismatch(function))
        }
        (operators::EQUALS | operators::NOT_EQUALS, None, [a, b]) => comparable(a, b)
            .then_some(Ty::Bool)
            .ok_or_else(|| mismatch(function)),
        (
            operators::LESS
            | operators::LESS_EQUALS
            | operators::GREATER
            | operators::GREATER_EQUALS,
            None,
            [a, b],
        ) => (ordered(a) && ordered(b) && comparable(a, b))
            .then_some(Ty::Bool)
            .ok_or_else(|| mismatch(function)),
        (operators::ADD, None, [a, b]) => match (a, b) {
            (Ty::String, Ty::String) => Ok(Ty::String),
            (Ty::List(_), Ty::List(_)) => Ok(Ty::Dyn),
            _ => arithmetic(a, b).ok_or_else(|| mismatch(function)),
        },
        (
            operators::SUBSTRACT | operators::MULTIPLY | operators::DIVIDE | operators::MODULO,
            None,
            [a, b],
        ) => arithmetic(a, b).ok_or_else(|| mismatch(function)),
        (operators::NEGATE, None, [a]) => arithmetic(a, a).ok_or_else(|| mismatch(function)),
        (operators::IN, None, [element, container]) => match container {
            Ty::List(inner) if comparable(element, inner) => Ok(Ty::Bool),
            Ty::Dyn => Ok(Ty::Bool),
            _ => Err(mismatch("in")),
        },
        (operators::INDEX, None, [container, _]) => match container {
            Ty::List(inner) => Ok((*inner).clone()),
            Ty::Dyn => Ok(Ty::Dyn),
            _ => Err(mismatch("[]")),
        },
        (operators::CONDITIONAL, None, [condition, then, otherwise]) => {
            if !require_all(&[condition], &Ty::Bool) {
                return Err(mismatch("?:"));
            }
            Ok(if then == otherwise {
                then.clone()
            } else {
                Ty::Dyn
            })
        }
        ("startsWith" | "endsWith" | "contains" | "matches", Some(on), [arg]) => {
            require_all(&[on, arg], &Ty::String)
                .then_some(Ty::Bool)
                .ok_or_else(|| mismatch(function))
        }
        ("matches", None, [text, pattern]) => require_all(&[text, pattern], &Ty::String)
            .then_some(Ty::Bool)
            .ok_or_else(|| mismatch(function)),
        ("size", None, [_]) | ("size", Some(_), []) => Ok(Ty::Int),
        ("int", None, [_]) | ("uint", None, [_]) => Ok(Ty::Int),
        ("double", None, [_]) => Ok(Ty::Double),
        ("string", None, [_]) => Ok(Ty::String),
        ("bool", None, [_]) => Ok(Ty::Bool),
        _ => Err(error(
            node,
            format!(
                "unknown function `{function}` with {} argument(s)",
                args.len() + usize::from(target.is_some())
            ),
        )),
    }
}

fn require_all(types: &[&Ty], wanted: &Ty) -> bool {
    types.iter().all(|ty| *ty == wanted || **ty == Ty::Dyn)
}

fn numeric(ty: &Ty) -> bool {
    matches!(ty, Ty::Int | Ty::Double | Ty::Dyn)
}

fn ordered(ty: &Ty) -> bool {
    numeric(ty) || *ty == Ty::String
}

/// Equal types, two numbers, or anything against `dyn`.
fn comparable(a: &Ty, b: &Ty) -> bool {
    a == b || *a == Ty::Dyn || *b == Ty::Dyn || (numeric(a) && numeric(b))
}

fn arithmetic(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Int, Ty::Int) => Some(Ty::Int),
        (Ty::Double, Ty::Double) => Some(Ty::Double),
        _ if numeric(a) && numeric(b) => Some(Ty::Dyn),
        _ => None,
    }
}

fn error(node: &IdedExpr, message: String) -> TypeError {
    TypeError {
        node: node.id,
        message,
    }
}

impl Ty {
    /// The same type with a static lifetime, for list elements; lists of
    /// lists and of objects are lists of `dyn`.
    fn as_static(&self) -> &'static Ty {
        match self {
            Ty::Bool => &Ty::Bool,
            Ty::Int => &Ty::Int,
            Ty::Double => &Ty::Double,
            Ty::String => &Ty::String,
            Ty::List(_) | Ty::Object(_) | Ty::Dyn => &Ty::Dyn,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Double => "double",
            Ty::String => "string",
            Ty::List(_) => "list",
            Ty::Object(_) => "object",
            Ty::Dyn => "dyn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule variables are documented where operators look for them
    /// (docs/configuration.md, "Rule expressions"), each by its full name.
    #[test]
    fn every_variable_is_documented() {
        let docs = include_str!("../../../../docs/configuration.md");
        let missing: Vec<String> = all_fields()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !docs.contains(&format!("| `{name}` |")))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/configuration.md does not document: {missing:?}"
        );
    }
}
