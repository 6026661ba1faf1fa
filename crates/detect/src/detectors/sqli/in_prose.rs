//! SQL that prose cannot produce. A value that reads as prose (see
//! `detectors::prose`) borrows SQL's words in sentence order ("select the
//! bread; drop by the bakery -- 2 or 1=1 loaves"); these steps look only
//! for what no sentence writes: a query's select list after `UNION
//! SELECT`, a whole statement stacked after `;`, a string closed and then
//! continued as a condition or cut off with a comment, an attack function
//! called where SQL calls it, the database's own catalogue and variables.
//! Anything else the judge found in prose counts as a notice, not a block.

use super::expressions as e;
use super::fragments::closes_then_joins;
use super::judge::{Finding, Reading, Step, TokenStep, CRITICAL};
use super::lexer::{is_compare, is_logic, is_name, tokenize, Tok};
use super::statements as s;
use super::vocabulary::{ATTACK_FUNCTIONS, SQL_FUNCTIONS};

/// How far after `UNION SELECT` its `FROM` may come.
const SELECT_REACH: usize = 12;

/// The token steps whose shapes no sentence writes, in the order they are
/// asked.
const PROSE_PROOF_STEPS: &[TokenStep] = &[
    union_select_list,
    whole_stacked_statement,
    called_attack_function,
    s::time_delay,
    s::file_write,
    s::execute_immediate,
    e::system_catalogue,
    e::system_variable,
    e::hex_in_string_function,
    e::numeric_obfuscation,
];

/// The finding that holds in prose, over every reading of the value.
pub(super) fn prose_proof(folded: &str) -> Option<Finding> {
    // `' and substring((select`: the value's first character closes its
    // string and a boolean operator follows; no sentence opens that way.
    if closes_then_joins(folded) {
        return Some(("sqli.string_breakout", CRITICAL));
    }
    let plain = tokenize(folded, None);
    if let Some(found) = token_steps(&plain).or_else(|| leading_tautology(&plain)) {
        return Some(found);
    }
    [b'\'', b'"']
        .into_iter()
        .filter(|q| folded.as_bytes().contains(q))
        .find_map(|quote| {
            let tokens = tokenize(folded, Some(quote));
            token_steps(&tokens)
                .or_else(|| condition_after_breakout(&tokens))
                .or_else(|| comment_cuts_after_quote(folded, quote))
        })
}

/// The first prose-proof token step that finds something.
fn token_steps(tokens: &[Tok<'_>]) -> Option<Finding> {
    let r = Reading {
        tokens,
        broke_out: false,
    };
    (0..tokens.len()).find_map(|i| {
        PROSE_PROOF_STEPS.iter().find_map(|step| match step(&r, i) {
            Step::Found(found) => Some(found),
            Step::Quiet | Step::Skip => None,
        })
    })
}

/// `UNION ALL SELECT password FROM users`, `union select null,1`: a second
/// query with its select list, either taken from a table or made of
/// literals. "the union, select a chair" has neither.
fn union_select_list(r: &Reading<'_, '_>, i: usize) -> Step {
    if r.at(i) != Tok::Word("union") {
        return Step::Skip;
    }
    let mut k = i + 1;
    while matches!(r.at(k), Tok::Word("all" | "distinct") | Tok::Open) {
        k += 1;
    }
    if r.at(k) != Tok::Word("select") {
        return Step::Skip;
    }
    let literal_list = matches!(
        r.at(k + 1),
        Tok::Num(_) | Tok::Str { .. } | Tok::Var(_) | Tok::Op("*") | Tok::Word("null")
    );
    let from = r.tokens[k..]
        .iter()
        .take(SELECT_REACH)
        .any(|t| *t == Tok::Word("from"));
    Step::critical_if(literal_list || from, "sqli.union_select")
}

/// `; DROP TABLE users`, `; delete from t`, `; exec xp_cmdshell`,
/// `; shutdown--`: a statement after `;` with the object it acts on, not a
/// clause that happens to start with a verb ("; drop by the bakery").
fn whole_stacked_statement(r: &Reading<'_, '_>, i: usize) -> Step {
    if r.at(i) != Tok::Semi {
        return Step::Skip;
    }
    let (verb, object, then) = (r.at(i + 1), r.at(i + 2), r.at(i + 3));
    let whole = match verb {
        Tok::Word("drop" | "truncate" | "alter" | "create") => {
            matches!(
                object,
                Tok::Word(
                    "table"
                        | "database"
                        | "schema"
                        | "view"
                        | "index"
                        | "user"
                        | "procedure"
                        | "function"
                        | "trigger"
                )
            ) && is_name(&then)
        }
        Tok::Word("delete") => object == Tok::Word("from") && is_name(&then),
        Tok::Word("insert") => object == Tok::Word("into") && is_name(&then),
        Tok::Word("update") => is_name(&object) && then == Tok::Word("set"),
        Tok::Word("exec" | "execute") => {
            matches!(object, Tok::Open | Tok::Var(_) | Tok::Str { .. })
                || matches!(object, Tok::Word(w) if w.starts_with("xp_") || w.starts_with("sp_") || w.starts_with("master."))
        }
        Tok::Word("shutdown") => matches!(object, Tok::Comment | Tok::Semi | Tok::Other),
        Tok::Word("declare") => matches!(object, Tok::Var(_)),
        Tok::Word("waitfor") => matches!(object, Tok::Word("delay" | "time")),
        // `; copy (select '') to program 'curl ...'`: PostgreSQL runs a program.
        Tok::Word("copy") => r.tokens[i..].contains(&Tok::Word("program")),
        // `; select 1,2`, `; select * from`, `; select @@version--`: a
        // select list, not a quoted label ("; select 'Delete' does nothing").
        Tok::Word("select") => {
            let literal_list = matches!(
                object,
                Tok::Num(_) | Tok::Str { .. } | Tok::Var(_) | Tok::Op("*")
            ) && (i + 3 == r.tokens.len()
                || matches!(
                    then,
                    Tok::Comma | Tok::Comment | Tok::Semi | Tok::Word("from" | "union" | "into")
                ));
            let attack_call = matches!(object, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w))
                && then == Tok::Open;
            literal_list || attack_call
        }
        _ => false,
    };
    Step::critical_if(whole, "sqli.stacked_query")
}

/// `and sleep(5)`, `select pg_sleep(5)`, `,extractvalue(1,`: an attack
/// function called where SQL calls one: after an operator, a keyword, a
/// parenthesis or a comma, with a literal first argument. "I need sleep (8
/// hours)" and "replace sleep(5) with a backoff" call nothing.
fn called_attack_function(r: &Reading<'_, '_>, i: usize) -> Step {
    if i == 0 || !matches!(r.at(i), Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w)) {
        return Step::Skip;
    }
    let before = r.at(i - 1);
    let sql_position = is_logic(&before)
        || is_compare(&before)
        || matches!(
            before,
            Tok::Open | Tok::Comma | Tok::Semi | Tok::Word("select" | "if" | "then" | "else")
        );
    let literal_argument = matches!(r.at(i + 2), Tok::Num(_) | Tok::Str { .. })
        && matches!(r.at(i + 3), Tok::Close | Tok::Comma);
    Step::critical_if(
        sql_position && r.at(i + 1) == Tok::Open && literal_argument,
        "sqli.attack_function",
    )
}

/// `1 or 1=1`, `5 and 2>1 --`: a value that opens with a number and then a
/// tautology, the numeric-context injection. Prose that says "2 or 1=1
/// loaves" says it mid-sentence.
fn leading_tautology(tokens: &[Tok<'_>]) -> Option<Finding> {
    let literal = |t: Option<&Tok<'_>>| matches!(t, Some(Tok::Num(_) | Tok::Str { .. }));
    let shape = matches!(tokens.first(), Some(Tok::Num(_)))
        && tokens.get(1).is_some_and(is_logic)
        && literal(tokens.get(2))
        && tokens.get(3).is_some_and(is_compare)
        && literal(tokens.get(4));
    shape.then_some(("sqli.tautology", CRITICAL))
}

/// After the value closes the string it sits in (and any parentheses), a
/// condition on literals: `' or '1'='1`, `' or 1=1`, `') or true--`.
fn condition_after_breakout(tokens: &[Tok<'_>]) -> Option<Finding> {
    let at = |i: usize| tokens.get(i).copied().unwrap_or(Tok::Other);
    let mut k = 1;
    while at(k) == Tok::Close {
        k += 1;
    }
    let literal = |t: Tok<'_>| matches!(t, Tok::Num(_) | Tok::Str { .. });
    let comparison = literal(at(k + 1)) && is_compare(&at(k + 2)) && literal(at(k + 3));
    let truth = matches!(at(k + 1), Tok::Num(_) | Tok::Word("true"))
        && matches!(at(k + 2), Tok::Comment | Tok::Semi | Tok::Other);
    // `' and password glob password;`: a condition that runs to the
    // statement's end or a comment, SQL to the last token.
    let terminated = matches!(tokens.last(), Some(Tok::Comment | Tok::Semi));
    // `' and substring((select`, `' or ascii(`: a condition on a call.
    let call = matches!(at(k + 1), Tok::Word(w) if SQL_FUNCTIONS.contains(&w) || ATTACK_FUNCTIONS.contains(&w))
        && at(k + 2) == Tok::Open;
    (is_logic(&at(k)) && (comparison || truth || terminated || call))
        .then_some(("sqli.string_breakout", CRITICAL))
}

/// `admin'--`, `x')#`, `name' -- ` at the very end: the value closes its
/// string and comments out the rest of the query, the comment glued to the
/// quote or ending the value. A sentence puts words after its dashes
/// ("the students' -- all of them -- passed").
fn comment_cuts_after_quote(folded: &str, quote: u8) -> Option<Finding> {
    let at = folded.bytes().position(|b| b == quote)?;
    let after = folded.get(at + 1..)?.trim_start_matches(')');
    let glued = after.starts_with("--") || after.starts_with('#');
    let spaced = after.trim_start();
    let trailing = spaced
        .strip_prefix("--")
        .or_else(|| spaced.strip_prefix('#'))
        .is_some_and(|rest| rest.trim().is_empty());
    (glued || trailing).then_some(("sqli.string_breakout", CRITICAL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::fold::fold;

    fn proof(s: &str) -> Option<&'static str> {
        prose_proof(&fold(s)).map(|(rule, _)| rule)
    }

    #[test]
    fn attacks_in_prose_are_still_proof() {
        for (attack, rule) in [
            (
                "great product' UNION SELECT password FROM users--",
                "sqli.union_select",
            ),
            (
                "nice recipe union all select null,username from users",
                "sqli.union_select",
            ),
            (
                "please update my address'; DROP TABLE users--",
                "sqli.stacked_query",
            ),
            ("order 12; drop table orders", "sqli.stacked_query"),
            ("nice shop; select * from users--", "sqli.stacked_query"),
            ("nice shop; select 1,2,3--", "sqli.stacked_query"),
            (
                "hello team'; exec xp_cmdshell 'whoami'--",
                "sqli.stacked_query",
            ),
            ("LGTM overall' AND SLEEP(5)--", "sqli.attack_function"),
            ("great product' or '1'='1", "sqli.string_breakout"),
            ("Mix eggs and milk' OR 1=1--", "sqli.string_breakout"),
            ("see you')) or 1=1--", "sqli.string_breakout"),
            ("1 or 1=1 and then some words here", "sqli.tautology"),
            ("thanks, admin'-- see you", "sqli.string_breakout"),
            ("it was fine' --", "sqli.string_breakout"),
            (
                "admin@juice-sh.op' and password glob password;",
                "sqli.string_breakout",
            ),
            (
                "' and email not similar to the id of the user--",
                "sqli.string_breakout",
            ),
            (
                "the export x' and 1=(select count(*) from information_schema.tables)--",
                "sqli.system_catalogue",
            ),
            ("note: x' waitfor delay '0:0:5'--", "sqli.time_delay"),
            (
                "great product' and extractvalue(1,concat(0x7e,version()))--",
                "sqli.attack_function",
            ),
        ] {
            assert_eq!(proof(attack), Some(rule), "{attack}");
        }
    }

    #[test]
    fn sql_words_in_sentence_order_are_not() {
        for prose in [
            "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
            "ok so it's 2 or 3 of us tonight; union square at 7? drop me a line",
            "Don't drop the ball; update me later",
            "The retry loop sleeps 5 seconds; make it exponential (sleep(2^n)) and cap it.",
            "replace sleep(5) with a backoff please",
            "Please don't use `1=1` as a placeholder in the WHERE builder",
            "the students' -- all of them -- passed",
            "Grandma's trick: eggs or milk = same result; it's all about the flour.",
            "In SQL you select columns from a table: pick name and sort by it.",
            "LGTM, but the migration drops the index before the update; swap the two steps",
            "I tried to delete my account but nothing happened; select 'Delete' does nothing.",
        ] {
            assert_eq!(proof(prose), None, "{prose}");
        }
    }
}
