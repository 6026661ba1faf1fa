//! Token steps for expressions only SQL writes, wherever in the value they
//! stand: conditionals (`CASE WHEN`, `IF(1=1,`), calls to functions whose
//! only use in a request is an attack, system catalogues and variables,
//! casts and JSON operators, and the tautology after `OR`.

use super::fragments::opens_call_at_end;
use super::judge::{Reading, Step, CRITICAL};
use super::lexer::{is_compare, is_hex_literal, is_logic, Tok};
use super::vocabulary::{
    ATTACK_FUNCTIONS, CALL_ONLY_FUNCTIONS, CATALOGUES, FINGERPRINT_FUNCTIONS, SQL_FUNCTIONS,
    SYSTEM_VARIABLES, TYPE_NAMES,
};

/// How far after `CASE WHEN` its `THEN` must come.
const CASE_REACH: usize = 16;

/// `) WHEN 234 THEN`: a searched-case branch closing a subexpression.
pub(super) fn case_branch_after_close(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Close
            && r.at(i + 1) == Tok::Word("when")
            && matches!(r.at(i + 2), Tok::Num(_) | Tok::Str { .. })
            && r.at(i + 3) == Tok::Word("then"),
        "sqli.conditional",
    )
}

/// `concat(0x3c62723e,`: text smuggled as a hexadecimal literal into a
/// string function.
pub(super) fn hex_in_string_function(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Word(w) if SQL_FUNCTIONS.contains(&w))
            && r.at(i + 1) == Tok::Open
            && matches!(r.at(i + 2), Tok::Num(n) if is_hex_literal(n)),
        "sqli.hex_literal",
    )
}

/// `if(2=2,`, `iif(1>0`: a conditional whose test compares literals.
pub(super) fn literal_conditional(r: &Reading<'_, '_>, i: usize) -> Step {
    let literal = |t: Tok<'_>| matches!(t, Tok::Num(_) | Tok::Str { .. } | Tok::Var(_));
    Step::critical_if(
        matches!(r.at(i), Tok::Word("if" | "iif"))
            && r.at(i + 1) == Tok::Open
            && literal(r.at(i + 2))
            && is_compare(&r.at(i + 3))
            && (i + 4 == r.tokens.len() || literal(r.at(i + 4))),
        "sqli.conditional",
    )
}

/// `CASE WHEN <test> THEN`: the searched-case grammar.
pub(super) fn searched_case(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("case")
            && r.at(i + 1) == Tok::Word("when")
            && r.tokens[i..]
                .iter()
                .take(CASE_REACH)
                .any(|t| *t == Tok::Word("then")),
        "sqli.conditional",
    )
}

/// `sleep(5)`, `extractvalue(1,`, `benchmark(`: a call to a function whose
/// only use in a request value is timing or exfiltration. The name and its
/// parenthesis claim the token; an argument no call takes (`sleep()`,
/// `sleep(,`) leaves it quiet.
pub(super) fn attack_function(r: &Reading<'_, '_>, i: usize) -> Step {
    if !matches!(r.at(i), Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w)) || r.at(i + 1) != Tok::Open
    {
        return Step::Skip;
    }
    let value_ends = i + 2 == r.tokens.len();
    let argument = matches!(
        r.at(i + 2),
        Tok::Num(_) | Tok::Str { .. } | Tok::Word(_) | Tok::Open | Tok::Op(_) | Tok::Var(_)
    );
    if value_ends || argument {
        Step::Found(("sqli.attack_function", CRITICAL))
    } else {
        Step::Quiet
    }
}

/// `information_schema.tables`, `pg_catalog`, `sysobjects`: the database's
/// own catalogue, or one of its members.
pub(super) fn system_catalogue(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Word(w) if CATALOGUES
            .iter()
            .any(|c| w == *c || w.starts_with(c) && w[c.len()..].starts_with('.'))),
        "sqli.system_catalogue",
    )
}

/// `MAX(`, `version()`, `char (`: a value that is nothing but the opening
/// of a call to a known SQL function.
pub(super) fn whole_value_call(r: &Reading<'_, '_>, i: usize) -> Step {
    let known = |w: &str| {
        SQL_FUNCTIONS.contains(&w)
            || ATTACK_FUNCTIONS.contains(&w)
            || CALL_ONLY_FUNCTIONS.contains(&w)
    };
    Step::critical_if(
        i == 0 && matches!(r.at(0), Tok::Word(w) if known(w)) && opens_call_at_end(&r.tokens[1..]),
        "sqli.function_call",
    )
}

/// `@@version`, `@@datadir`: a server variable, read to fingerprint it.
pub(super) fn system_variable(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Var(v) if v.starts_with("@@")
            && SYSTEM_VARIABLES.iter().any(|n| v[2..].starts_with(n))),
        "sqli.system_variable",
    )
}

/// `1.e(`, `1e select`: MySQL's empty exponent, a number glued to a word
/// to hide it from filters.
pub(super) fn numeric_obfuscation(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Num(n) if n.ends_with('e') || n.ends_with(".e"))
            && matches!(r.at(i + 1), Tok::Open | Tok::Word(_)),
        "sqli.numeric_obfuscation",
    )
}

/// `'{"a":1}'::jsonb`: a string literal cast, PostgreSQL's JSON injection.
pub(super) fn string_cast(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Op("::")
            && matches!(
                r.at(i + 1),
                Tok::Word("jsonb" | "json" | "text" | "int" | "regclass")
            )
            && i > 0
            && matches!(r.at(i - 1), Tok::Str { .. }),
        "sqli.json_operator",
    )
}

/// `) LIKE (`: a pattern test between two subexpressions.
pub(super) fn like_subexpression(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Close && r.at(i + 1) == Tok::Word("like") && r.at(i + 2) == Tok::Open,
        "sqli.conditional",
    )
}

/// `'a'->'b'`, `'x' ?| array`: PostgreSQL's JSON operators on a literal.
pub(super) fn json_operator(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Str { closed: true, .. })
            && matches!(
                r.at(i + 1),
                Tok::Op("->" | "->>" | "#>" | "#>>" | "@>" | "<@" | "?" | "?|" | "?&")
            )
            && matches!(r.at(i + 2), Tok::Str { .. } | Tok::Word("array")),
        "sqli.json_operator",
    )
}

/// `version()::text`, `x::int`: PostgreSQL's cast of a name or call.
pub(super) fn type_cast(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Close | Tok::Word(_))
            && r.at(i + 1) == Tok::Op("::")
            && matches!(r.at(i + 2), Tok::Word(w) if TYPE_NAMES.contains(&w)),
        "sqli.type_cast",
    )
}

/// `db_name(`, `sqlite_version(`: a call that fingerprints the database.
pub(super) fn fingerprint_function(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Word(w) if FINGERPRINT_FUNCTIONS.contains(&w))
            && r.at(i + 1) == Tok::Open,
        "sqli.fingerprint_function",
    )
}

/// `1 or 1=1`, `x' or 'a'='a`, `) or (1=1`, `1 or true--`: a boolean
/// operator after something that closed (a number, a string, a
/// parenthesis) and then a comparison with a literal side, or a bare
/// truth value. After the same opening, a call (`' or sleep(`) is a
/// boolean function.
pub(super) fn tautology(r: &Reading<'_, '_>, i: usize) -> Step {
    if i == 0 || !is_logic(&r.at(i)) {
        return Step::Skip;
    }
    let (before, lhs, op, rhs) = (r.at(i - 1), r.at(i + 1), r.at(i + 2), r.at(i + 3));
    let closes = matches!(
        before,
        Tok::Num(_) | Tok::Str { closed: true, .. } | Tok::Close
    );
    if !closes {
        return Step::Quiet;
    }
    let literal = |t: Tok<'_>| matches!(t, Tok::Num(_) | Tok::Str { .. });
    let side = |t: Tok<'_>| literal(t) || matches!(t, Tok::Open | Tok::Word(_));
    let comparison = side(lhs) && is_compare(&op) && side(rhs) && (literal(lhs) || literal(rhs))
        || arithmetic_comparison(r, i + 1);
    let literal_truth = matches!(lhs, Tok::Word("true" | "false") | Tok::Num(_))
        && matches!(op, Tok::Comment | Tok::Other | Tok::Semi | Tok::Close);
    if comparison || literal_truth {
        Step::Found(("sqli.tautology", CRITICAL))
    } else if matches!(lhs, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) || SQL_FUNCTIONS.contains(&w))
        && op == Tok::Open
    {
        Step::Found(("sqli.boolean_function", CRITICAL))
    } else {
        Step::Quiet
    }
}

/// `3*2=6`, `7-1>2`: a comparison between arithmetic on numbers, at `i`,
/// which is a condition whatever the row (`x or 3*2=6`).
fn arithmetic_comparison(r: &Reading<'_, '_>, i: usize) -> bool {
    let Some(end) = arithmetic_end(r, i) else {
        return false;
    };
    is_compare(&r.at(end)) && arithmetic_end(r, end + 1).is_some()
}

/// The position after `n (op n)*`, a run of numbers joined by arithmetic
/// operators starting at `i`, when there is one.
fn arithmetic_end(r: &Reading<'_, '_>, i: usize) -> Option<usize> {
    if !matches!(r.at(i), Tok::Num(_)) {
        return None;
    }
    let mut end = i + 1;
    while matches!(r.at(end), Tok::Op("+" | "-" | "*" | "/" | "%"))
        && matches!(r.at(end + 1), Tok::Num(_))
    {
        end += 2;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::super::judge::{first_finding, TokenStep};
    use super::*;

    fn rule(f: TokenStep, s: &str) -> Option<&'static str> {
        first_finding(f, s).map(|(rule, _)| rule)
    }

    #[test]
    fn each_expression_step_reads_its_own_shape() {
        let conditional = Some("sqli.conditional");
        assert_eq!(
            rule(case_branch_after_close, ") when 234 then"),
            conditional
        );
        assert_eq!(
            rule(case_branch_after_close, "(soon) when 5 then"),
            conditional
        );
        assert_eq!(rule(case_branch_after_close, "when 5 then"), None);
        assert_eq!(
            rule(hex_in_string_function, "concat(0x223e,"),
            Some("sqli.hex_literal")
        );
        assert_eq!(rule(hex_in_string_function, "concat(0x1f"), None);
        assert_eq!(rule(literal_conditional, "if(2=2,sleep(5),0)"), conditional);
        assert_eq!(rule(literal_conditional, "if (2 = yes) go on"), None);
        assert_eq!(
            rule(searched_case, "case when 1=1 then 'a' end"),
            conditional
        );
        assert_eq!(rule(searched_case, "in case when you arrive"), None);
        assert_eq!(
            rule(attack_function, "x sleep(5)"),
            Some("sqli.attack_function")
        );
        assert_eq!(
            rule(attack_function, "benchmark("),
            Some("sqli.attack_function")
        );
        assert_eq!(rule(attack_function, "sleep()"), None);
        assert_eq!(
            rule(system_catalogue, "from information_schema.tables"),
            Some("sqli.system_catalogue")
        );
        assert_eq!(rule(system_catalogue, "pg_catalogue"), None);
        assert_eq!(rule(whole_value_call, "max("), Some("sqli.function_call"));
        assert_eq!(rule(whole_value_call, "max(3, 4) people"), None);
        assert_eq!(
            rule(system_variable, "select @@version"),
            Some("sqli.system_variable")
        );
        assert_eq!(rule(system_variable, "@@mention"), None);
        assert_eq!(
            rule(numeric_obfuscation, "1.e(ascii"),
            Some("sqli.numeric_obfuscation")
        );
        assert_eq!(rule(numeric_obfuscation, "1.5e3 units"), None);
        assert_eq!(rule(string_cast, "'{}'::jsonb"), Some("sqli.json_operator"));
        assert_eq!(rule(like_subexpression, "(a) like (b)"), conditional);
        assert_eq!(rule(json_operator, "'a'->'b'"), Some("sqli.json_operator"));
        assert_eq!(rule(type_cast, "version()::text"), Some("sqli.type_cast"));
        assert_eq!(rule(type_cast, "std::string"), None);
        assert_eq!(
            rule(fingerprint_function, "db_name("),
            Some("sqli.fingerprint_function")
        );
        assert_eq!(rule(fingerprint_function, "database is down"), None);
    }

    #[test]
    fn a_tautology_needs_something_closed_before_the_operator() {
        assert_eq!(rule(tautology, "1234 or 1=1"), Some("sqli.tautology"));
        assert_eq!(rule(tautology, "1) or 'a'='a"), Some("sqli.tautology"));
        assert_eq!(rule(tautology, "1 or true--"), Some("sqli.tautology"));
        assert_eq!(rule(tautology, "-1 or 3*2=6"), Some("sqli.tautology"));
        assert_eq!(rule(tautology, "1 and 7-1>2"), Some("sqli.tautology"));
        assert_eq!(rule(tautology, "2 or 3 apples"), None);
        assert_eq!(
            rule(tautology, "1 and sleep(5)"),
            Some("sqli.boolean_function")
        );
        assert_eq!(rule(tautology, "tea or coffee = 2"), None);
        assert_eq!(rule(tautology, "I'd like 2 or 3 items"), None);
    }
}
