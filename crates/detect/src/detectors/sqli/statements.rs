//! Token steps for whole statements and clauses, wherever in the value
//! they start: `UNION SELECT`, a `SELECT` list, a statement stacked after
//! `;`, `WAITFOR DELAY`, `INTO OUTFILE`, dynamic SQL, routines, `INSERT
//! ... VALUES`, aliases that only a query's select list writes.

use super::judge::{Reading, Step, CRITICAL};
use super::lexer::{is_hex_literal, is_inert_tail, is_name, is_operand, Tok};
use super::vocabulary::{ATTACK_FUNCTIONS, SQL_FUNCTIONS};

/// How far after `SELECT` a `FROM` still belongs to it.
const SELECT_REACH: usize = 12;

/// How far after `; UPDATE` its `SET` must come.
const UPDATE_REACH: usize = 6;

/// `UNION SELECT`, `union all (select`: a second query joined to the first.
pub(super) fn union_select(r: &Reading<'_, '_>, i: usize) -> Step {
    if r.at(i) != Tok::Word("union") {
        return Step::Skip;
    }
    let mut k = i + 1;
    while matches!(r.at(k), Tok::Word("all" | "distinct") | Tok::Open) {
        k += 1;
    }
    if r.at(k) == Tok::Word("select") {
        Step::Found(("sqli.union_select", CRITICAL))
    } else {
        Step::Quiet
    }
}

/// `EXCEPT VALUES(`, `INTERSECT SELECT 1`: the other set operators, where
/// what follows is certainly a query.
pub(super) fn set_operator(r: &Reading<'_, '_>, i: usize) -> Step {
    let values = r.at(i + 1) == Tok::Word("values") && r.at(i + 2) == Tok::Open;
    let literal_select = r.at(i + 1) == Tok::Word("select")
        && matches!(r.at(i + 2), Tok::Num(_) | Tok::Str { .. } | Tok::Op("*"));
    Step::critical_if(
        matches!(r.at(i), Tok::Word("except" | "intersect")) && (values || literal_select),
        "sqli.union_select",
    )
}

/// `SELECT *`, `select 1,2 from`, `select pg_sleep`, `select 0x616263`: a
/// select list of what only a query selects. A `SELECT` that only names
/// words before a `FROM` is weaker evidence (score 3): menus and sentences
/// write "select size from the list".
pub(super) fn select_list(r: &Reading<'_, '_>, i: usize) -> Step {
    if r.at(i) != Tok::Word("select") {
        return Step::Skip;
    }
    let next = r.at(i + 1);
    // `select pg_sleep`: a function no prose names.
    let attack_name =
        matches!(next, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) && w.contains(['_', '.']));
    let calls_known = matches!(next, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) || SQL_FUNCTIONS.contains(&w))
        && r.at(i + 2) == Tok::Open;
    // `the "select" range`: a quoted word and prose in an open string.
    let strong_next = attack_name
        || calls_known
        || !is_inert_tail(&next)
            && matches!(
                next,
                Tok::Op("*") | Tok::Var(_) | Tok::Num(_) | Tok::Str { .. } | Tok::Open
            );
    let has_from = r.tokens[i..]
        .iter()
        .take(SELECT_REACH)
        .any(|t| *t == Tok::Word("from"));
    let calls = matches!(next, Tok::Word(_)) && r.at(i + 2) == Tok::Open
        || next == Tok::Open && matches!(r.at(i + 2), Tok::Word("case" | "select"));
    // `select 0x616263`: text written as a hexadecimal literal.
    let hex = matches!(next, Tok::Num(n) if is_hex_literal(n));
    // `SHOP* SELECT 2`: a card statement's `PREFIX* SUFFIX` form; no
    // query multiplies by a select.
    let follows_something = i > 0 && r.at(i - 1) != Tok::Op("*");
    if strong_next && (has_from || follows_something || calls || attack_name || hex) {
        Step::Found(("sqli.select", CRITICAL))
    } else if has_from && (i > 0 || r.tokens.len() > 4) {
        Step::Found(("sqli.select", 3.0))
    } else {
        Step::Quiet
    }
}

/// `; DROP TABLE t`, `; insert into`, `; exec`: a second statement after
/// the first one's end.
pub(super) fn stacked_query(r: &Reading<'_, '_>, i: usize) -> Step {
    if r.at(i) != Tok::Semi {
        return Step::Skip;
    }
    let after = r.at(i + 2);
    let stacked = match r.at(i + 1) {
        Tok::Word("drop" | "create" | "alter" | "truncate") => is_name(&after),
        Tok::Word("insert" | "replace") => after == Tok::Word("into"),
        Tok::Word("delete") => after == Tok::Word("from"),
        Tok::Word("update") => r.tokens[i..]
            .iter()
            .take(UPDATE_REACH)
            .any(|t| *t == Tok::Word("set")),
        Tok::Word("select") => is_operand(&after) || is_name(&after) || after == Tok::Op("*"),
        Tok::Word("exec" | "execute" | "declare" | "shutdown" | "waitfor" | "call") => true,
        _ => false,
    };
    if stacked {
        Step::Found(("sqli.stacked_query", CRITICAL))
    } else {
        Step::Quiet
    }
}

/// `WAITFOR DELAY`, `waitfor time`: SQL Server's sleep.
pub(super) fn time_delay(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("waitfor") && matches!(r.at(i + 1), Tok::Word("delay" | "time")),
        "sqli.time_delay",
    )
}

/// `INTO OUTFILE`, `into dumpfile`: a query result written to disk.
pub(super) fn file_write(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("into") && matches!(r.at(i + 1), Tok::Word("outfile" | "dumpfile")),
        "sqli.file_write",
    )
}

/// `EXECUTE IMMEDIATE`: Oracle's dynamic SQL.
pub(super) fn execute_immediate(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("execute") && r.at(i + 1) == Tok::Word("immediate"),
        "sqli.dynamic_sql",
    )
}

/// `EXEC(@q)`, `exec @q`, `exec xp_cmdshell`, `exec master..`: a stored or
/// dynamic procedure run.
pub(super) fn exec_procedure(r: &Reading<'_, '_>, i: usize) -> Step {
    let procedure = matches!(r.at(i + 1), Tok::Word(w) if w.starts_with("xp_") || w.starts_with("sp_") || w.starts_with("master."));
    Step::critical_if(
        matches!(r.at(i), Tok::Word("exec" | "execute"))
            && (matches!(r.at(i + 1), Tok::Open | Tok::Var(_)) || procedure),
        "sqli.dynamic_sql",
    )
}

/// `CREATE FUNCTION`, `create trigger`: code planted in the database.
pub(super) fn create_routine(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("create")
            && matches!(r.at(i + 1), Tok::Word("function" | "procedure" | "trigger")),
        "sqli.ddl",
    )
}

/// `INSERT INTO t (c) VALUES`: a whole insert.
pub(super) fn insert_values(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("insert")
            && r.at(i + 1) == Tok::Word("into")
            && r.tokens[i..].contains(&Tok::Word("values")),
        "sqli.dml",
    )
}

/// `) AS x FROM`: a derived table's alias.
pub(super) fn subquery_alias(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Close
            && r.at(i + 1) == Tok::Word("as")
            && (is_name(&r.at(i + 2)) || matches!(r.at(i + 2), Tok::Str { .. }))
            && r.at(i + 3) == Tok::Word("from"),
        "sqli.subquery_alias",
    )
}

/// `DECLARE @q`: a variable for dynamic SQL.
pub(super) fn declare_variable(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("declare") && matches!(r.at(i + 1), Tok::Var(_)),
        "sqli.dynamic_sql",
    )
}

/// `PROCEDURE ANALYSE`: MySQL's column-type probe.
pub(super) fn procedure_analyse(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        r.at(i) == Tok::Word("procedure") && r.at(i + 1) == Tok::Word("analyse"),
        "sqli.procedure_analyse",
    )
}

/// `1 ORDER BY 10-- -`: sorting by a column number, the probe that counts
/// a query's columns before a `UNION`, after a number that ends the
/// application's value (`1 order by 10`) or cut off by a comment. Prose
/// that says "order by 10" neither starts with a bare number nor ends in a
/// comment.
pub(super) fn order_by_column(r: &Reading<'_, '_>, i: usize) -> Step {
    if !(matches!(r.at(i), Tok::Word("order" | "group"))
        && r.at(i + 1) == Tok::Word("by")
        && matches!(r.at(i + 2), Tok::Num(_)))
    {
        return Step::Skip;
    }
    let after_value = i == 1 && matches!(r.at(0), Tok::Num(_) | Tok::Str { closed: true, .. });
    let cut_off = r.tokens[i + 3..]
        .iter()
        .any(|t| matches!(t, Tok::Comment | Tok::Semi));
    Step::critical_if(after_value || cut_off, "sqli.order_by_probe")
}

/// `1 AS 'x' FROM`: a literal column with an alias, the select list of an
/// injected query.
pub(super) fn literal_select_alias(r: &Reading<'_, '_>, i: usize) -> Step {
    Step::critical_if(
        matches!(r.at(i), Tok::Num(_))
            && r.at(i + 1) == Tok::Word("as")
            && matches!(r.at(i + 2), Tok::Str { .. })
            && r.at(i + 3) == Tok::Word("from"),
        "sqli.select",
    )
}

#[cfg(test)]
mod tests {
    use super::super::judge::{first_finding, TokenStep};
    use super::super::lexer::tokenize;
    use super::*;

    fn step(f: TokenStep, s: &str) -> Option<(&'static str, f64)> {
        first_finding(f, s)
    }

    fn rule(f: TokenStep, s: &str) -> Option<&'static str> {
        step(f, s).map(|(rule, _)| rule)
    }

    #[test]
    fn each_statement_step_reads_its_own_shape() {
        assert_eq!(
            rule(union_select, "1 union all select null"),
            Some("sqli.union_select")
        );
        assert_eq!(rule(union_select, "the union of select members"), None);
        assert_eq!(
            rule(set_operator, "except values(1,2)"),
            Some("sqli.union_select")
        );
        assert_eq!(rule(set_operator, "except select few"), None);
        assert_eq!(
            rule(stacked_query, "1; drop table users"),
            Some("sqli.stacked_query")
        );
        assert_eq!(
            rule(stacked_query, "x; update t set a=1"),
            Some("sqli.stacked_query")
        );
        assert_eq!(rule(stacked_query, "done; update me later"), None);
        assert_eq!(
            rule(time_delay, "x waitfor delay '0:0:5'"),
            Some("sqli.time_delay")
        );
        assert_eq!(
            rule(file_write, "into outfile '/tmp/x'"),
            Some("sqli.file_write")
        );
        assert_eq!(rule(file_write, "into the file"), None);
        assert_eq!(
            rule(execute_immediate, "execute immediate 'x'"),
            Some("sqli.dynamic_sql")
        );
        assert_eq!(
            rule(exec_procedure, "exec xp_cmdshell 'dir'"),
            Some("sqli.dynamic_sql")
        );
        assert_eq!(rule(exec_procedure, "exec summary"), None);
        assert_eq!(rule(create_routine, "create function f"), Some("sqli.ddl"));
        assert_eq!(
            rule(insert_values, "insert into t (a) values"),
            Some("sqli.dml")
        );
        assert_eq!(rule(insert_values, "insert into the slot"), None);
        assert_eq!(
            rule(subquery_alias, "(select 1) as x from"),
            Some("sqli.subquery_alias")
        );
        assert_eq!(
            rule(declare_variable, "declare @q varchar"),
            Some("sqli.dynamic_sql")
        );
        assert_eq!(
            rule(procedure_analyse, "procedure analyse()"),
            Some("sqli.procedure_analyse")
        );
        assert_eq!(
            rule(literal_select_alias, "1 as 'a' from"),
            Some("sqli.select")
        );
    }

    #[test]
    fn a_select_of_words_is_weaker_than_a_select_of_values() {
        assert_eq!(
            step(select_list, "x select * from users"),
            Some(("sqli.select", CRITICAL))
        );
        assert_eq!(
            step(select_list, "select pg_sleep"),
            Some(("sqli.select", CRITICAL))
        );
        assert_eq!(
            step(select_list, "select size from the list"),
            Some(("sqli.select", 3.0))
        );
        assert_eq!(step(select_list, "select the union"), None);
        assert_eq!(step(select_list, "shop* select 2 or 3"), None);
        assert_eq!(step(select_list, "'x' select ' brand shoes"), None);
        assert_eq!(
            rule(order_by_column, "1 order by 10-- -"),
            Some("sqli.order_by_probe")
        );
        assert_eq!(
            rule(order_by_column, "x group by 3#"),
            Some("sqli.order_by_probe")
        );
        assert_eq!(
            rule(order_by_column, "1 order by 3"),
            Some("sqli.order_by_probe")
        );
        assert_eq!(
            rule(order_by_column, "sort the list in order by 10 am"),
            None
        );
        assert_eq!(
            step(select_list, "'x' select 'a' from t"),
            Some(("sqli.select", CRITICAL))
        );
        assert_eq!(
            step(select_list, "1 select 2"),
            Some(("sqli.select", CRITICAL))
        );
    }

    #[test]
    fn a_union_without_select_claims_its_token_quietly() {
        let tokens = tokenize("union jack", None);
        let r = Reading {
            tokens: &tokens,
            broke_out: false,
        };
        assert_eq!(union_select(&r, 0), Step::Quiet);
        assert_eq!(union_select(&r, 1), Step::Skip);
    }
}
