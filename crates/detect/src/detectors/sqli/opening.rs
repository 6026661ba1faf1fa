//! Steps that read a value by how it opens: a value that is the middle of
//! a query (`AND 1=2`, `HAVING 1=`, `FROM t WHERE c = 1`), or a whole short
//! statement (`DELETE FROM t;`, `DROP TABLE t`). Each is asked once per
//! reading; those that assume the value is not inside a string skip the
//! break-out reading.

use super::fragments::{is_literal_comparison, is_query_tail};
use super::judge::{Finding, Reading, WholeStep, CRITICAL};
use super::lexer::{is_compare, is_logic, is_loose_compare, is_name, is_operand, word_in, Tok};
use super::vocabulary::SCHEMA_OBJECTS;

/// The opening steps, in the order they are asked.
pub(super) const OPENING_STEPS: &[WholeStep] = &[
    condition_continuation,
    boolean_join,
    having_literal,
    whole_delete,
    query_tail,
    literal_comparison,
    ddl_statement,
];

fn critical_if(shape: bool, rule: &'static str) -> Option<Finding> {
    shape.then_some((rule, CRITICAL))
}

/// `AND 1=2`, `or 'a' <`, `OR 1#`: a value that starts as the continuation
/// of a condition, a boolean operator and then a comparison (or a comment
/// or statement end after a literal).
fn condition_continuation(r: &Reading<'_, '_>) -> Option<Finding> {
    if r.broke_out || !is_logic(&r.at(0)) || r.at(0) == Tok::Word("like") {
        return None;
    }
    let (lhs, op) = (r.at(1), r.at(2));
    let literal_lhs = matches!(lhs, Tok::Num(_) | Tok::Str { .. })
        && (is_compare(&op) || matches!(op, Tok::Comment | Tok::Semi));
    let named_lhs = matches!(lhs, Tok::Word(_)) && is_compare(&op) && is_operand(&r.at(3));
    critical_if(literal_lhs || named_lhs, "sqli.condition_continuation")
}

/// `OR (7319=8742)`, `||(null!=`, `&& setPath !=`: a boolean operator
/// joining a comparison, in whichever C-like dialect.
fn boolean_join(r: &Reading<'_, '_>) -> Option<Finding> {
    if r.broke_out
        || !matches!(
            r.at(0),
            Tok::Word("or" | "and" | "xor") | Tok::Op("||" | "&&")
        )
    {
        return None;
    }
    let mut k = 1;
    while r.at(k) == Tok::Open {
        k += 1;
    }
    let operand =
        matches!(r.at(k), Tok::Num(_) | Tok::Str { .. } | Tok::Var(_)) || is_name(&r.at(k));
    critical_if(
        operand && is_loose_compare(&r.at(k + 1)),
        "sqli.condition_continuation",
    )
}

/// `HAVING 1=`: a group condition on a literal.
fn having_literal(r: &Reading<'_, '_>) -> Option<Finding> {
    critical_if(
        r.at(0) == Tok::Word("having")
            && matches!(r.at(1), Tok::Num(_) | Tok::Str { .. })
            && is_compare(&r.at(2)),
        "sqli.condition_continuation",
    )
}

/// `DELETE FROM t;`, `DELETE FROM t WHERE`: a whole statement.
fn whole_delete(r: &Reading<'_, '_>) -> Option<Finding> {
    critical_if(
        r.at(0) == Tok::Word("delete")
            && r.at(1) == Tok::Word("from")
            && is_name(&r.at(2))
            && matches!(r.at(3), Tok::Semi | Tok::Comment | Tok::Word("where")),
        "sqli.dml",
    )
}

/// The tail of a query (see [`is_query_tail`]), outside any string.
fn query_tail(r: &Reading<'_, '_>) -> Option<Finding> {
    critical_if(!r.broke_out && is_query_tail(r.tokens), "sqli.query_tail")
}

/// A comparison of two literals (see [`is_literal_comparison`]), outside
/// any string.
fn literal_comparison(r: &Reading<'_, '_>) -> Option<Finding> {
    critical_if(
        !r.broke_out && is_literal_comparison(r.tokens),
        "sqli.literal_comparison",
    )
}

/// `DROP TABLE t`, `truncate t;`, `alter t --`: a schema statement that is
/// the whole value.
fn ddl_statement(r: &Reading<'_, '_>) -> Option<Finding> {
    // `DROP TABLE t`: the object's kind and its name; or `drop t;`: a name
    // and the statement's end. "Drop Coffee Gift Box" names a product.
    let object = word_in(&r.at(1), SCHEMA_OBJECTS) && is_name(&r.at(2));
    let ended = is_name(&r.at(1)) && matches!(r.at(2), Tok::Semi | Tok::Comment);
    critical_if(
        !r.broke_out
            && matches!(r.at(0), Tok::Word("drop" | "truncate" | "alter"))
            && (object || ended),
        "sqli.ddl",
    )
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn step(f: WholeStep, s: &str) -> Option<&'static str> {
        f(&Reading {
            tokens: &tokenize(s, None),
            broke_out: false,
        })
        .map(|(rule, _)| rule)
    }

    #[test]
    fn each_opening_step_reads_its_own_shape() {
        let continuation = Some("sqli.condition_continuation");
        assert_eq!(step(condition_continuation, "and 1=2"), continuation);
        assert_eq!(step(condition_continuation, "or 1#"), continuation);
        assert_eq!(step(condition_continuation, "or maybe later"), None);
        assert_eq!(step(boolean_join, "or (7319=8742)"), continuation);
        assert_eq!(step(boolean_join, "&& setpath !="), continuation);
        assert_eq!(step(boolean_join, "and then some"), None);
        assert_eq!(step(having_literal, "having 1="), continuation);
        assert_eq!(step(having_literal, "having fun"), None);
        assert_eq!(step(whole_delete, "delete from t;"), Some("sqli.dml"));
        assert_eq!(step(whole_delete, "delete from my list please"), None);
        assert_eq!(step(ddl_statement, "drop table users"), Some("sqli.ddl"));
        assert_eq!(step(ddl_statement, "drop it."), None);
        assert_eq!(step(ddl_statement, "truncate t;"), Some("sqli.ddl"));
        assert_eq!(
            step(ddl_statement, "alter user admin identified"),
            Some("sqli.ddl")
        );
        assert_eq!(step(ddl_statement, "drop coffee gift box"), None);
    }

    #[test]
    fn opening_steps_skip_the_breakout_reading() {
        let tokens = tokenize("x' and 1=2", Some(b'\''));
        let reading = Reading {
            tokens: &tokens,
            broke_out: true,
        };
        for step in [
            condition_continuation,
            boolean_join,
            query_tail,
            literal_comparison,
            ddl_statement,
        ] {
            assert_eq!(step(&reading), None);
        }
    }
}
