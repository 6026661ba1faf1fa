//! Whole-value SQL fragments: values that are not an injection's full
//! payload but a piece only SQL writes (the tail of a query, a comparison
//! of two literals, the opening of a function call), and the spellings
//! that hide keywords (comments glued to them, a leading quote).

use super::lexer::{is_compare, is_name, word_in, Tok};
use super::vocabulary::SQL_FUNCTIONS;

/// `FROM t WHERE c = 1`, `` FROM `db`.`t` LIMIT ``, `FROM t GROUP BY c`,
/// `GROUP BY c HAVING`:
/// the tail of a query, a table named and then a clause only SQL writes.
pub(super) fn is_query_tail(tokens: &[Tok<'_>]) -> bool {
    let at = |i: usize| tokens.get(i).copied().unwrap_or(Tok::Other);
    if filters_groups(tokens) {
        return true;
    }
    let Some(from) = tokens.iter().position(|t| *t == Tok::Word("from")) else {
        return false;
    };
    let mut k = from + 1;
    let table_part =
        |t: Tok<'_>| is_name(&t) && !word_in(&t, &["where", "limit", "group", "order"]);
    while table_part(at(k)) || at(k) == Tok::Other && table_part(at(k + 1)) && k > from + 1 {
        k += 1;
    }
    let table = &tokens[from + 1..k];
    let backquoted = table.iter().any(|t| matches!(t, Tok::Ident(_)));
    !table.is_empty()
        && match at(k) {
            Tok::Word("where") => {
                // `WHERE t.c = 1`, `` WHERE `t`.`c` = 1 ``, `WHERE CONVERT(c ...`.
                let mut c = k + 1;
                while is_name(&at(c)) && at(c + 1) == Tok::Other && is_name(&at(c + 2)) {
                    c += 2;
                }
                is_name(&at(c)) && is_compare(&at(c + 1))
                    || at(c + 1) == Tok::Open && word_in(&at(c), SQL_FUNCTIONS)
            }
            Tok::Word("limit") => backquoted,
            Tok::Word("group" | "order") => at(k + 1) == Tok::Word("by") && is_name(&at(k + 2)),
            _ => false,
        }
}

/// `GROUP BY a, b HAVING`: an aggregate filter, only ever SQL.
fn filters_groups(tokens: &[Tok<'_>]) -> bool {
    let at = |i: usize| tokens.get(i).copied().unwrap_or(Tok::Other);
    let Some(group) = tokens
        .windows(2)
        .position(|w| w == [Tok::Word("group"), Tok::Word("by")])
    else {
        return false;
    };
    let mut k = group + 2;
    while is_name(&at(k)) && at(k + 1) == Tok::Comma {
        k += 2;
    }
    is_name(&at(k)) && at(k + 1) == Tok::Word("having")
}

/// `1=1`, `42 like 42`, `'1' not regexp '2'`, `1 is not 2`: the whole value
/// compares two literals, the probe of a boolean-based injection.
pub(super) fn is_literal_comparison(tokens: &[Tok<'_>]) -> bool {
    // A leading list (`b,1=1`) still ends in the probe.
    let mut start = 0;
    while matches!(tokens.get(start + 1), Some(Tok::Comma)) {
        start += 2;
    }
    let rest = tokens.get(start..).unwrap_or(&[]);
    let literal =
        |t: Option<&Tok<'_>>| matches!(t, Some(Tok::Num(_) | Tok::Str { closed: true, .. }));
    // `'x'!='y`: the query's own quote closes the last string.
    let last_literal = literal(rest.last())
        || matches!(rest.first(), Some(Tok::Str { closed: true, .. }))
            && matches!(rest.last(), Some(Tok::Str { closed: false, .. }));
    if rest.len() < 3 || !literal(rest.first()) || !last_literal {
        return false;
    }
    // Equality and pattern tests: ordering (`3 < 5`) and `==` are arithmetic
    // prose as often as SQL.
    match &rest[1..rest.len() - 1] {
        [op] => matches!(
            op,
            Tok::Op("=" | "!=" | "<>" | "<=>") | Tok::Word("like" | "is" | "glob" | "ilike")
        ),
        [Tok::Word("is"), Tok::Word("not")] => true,
        [Tok::Word("not"), Tok::Word("like" | "regexp" | "rlike" | "glob")] => true,
        _ => false,
    }
}

/// Operators a value may put between a function name and its parenthesis
/// (`length||(`, `md5\(`, `encode=(`); more is an expression, not a call.
const MAX_CALL_JUNK: usize = 2;

/// What follows a function name that makes the whole value the opening of
/// a call: its parenthesis, after at most a little operator junk, then
/// nothing (or an empty argument list).
pub(super) fn opens_call_at_end(rest: &[Tok<'_>]) -> bool {
    let junk = rest
        .iter()
        .take_while(|t| matches!(t, Tok::Op(_) | Tok::Other))
        .count();
    junk <= MAX_CALL_JUNK && matches!(&rest[junk..], [Tok::Open] | [Tok::Open, Tok::Close])
}

/// `' or abc!`, `" xor x`: the value's very first character closes the
/// string it lands in, and a boolean operator follows, whatever comes after.
pub(super) fn closes_then_joins(folded: &str) -> bool {
    let Some(rest) = folded.strip_prefix(['\'', '"']) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let word_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    matches!(&rest[..word_len], "or" | "and" | "xor") && rest[word_len..].starts_with(' ')
}

/// Keywords an attacker glues to a comment to avoid spaces a filter expects.
const COMMENT_GLUED_KEYWORDS: &[&str] = &[
    "select", "union", "from", "where", "drop", "insert", "update", "delete", "into", "values",
    "table", "order", "group", "having", "limit", "and", "or", "exec",
];

/// Comments read by the comment-gluing check; enough for any real payload.
const MAX_COMMENTS: usize = 32;

/// `DROP/*x*/t`, `SELECT/**/a/**/FROM`, `DR/**/OP`: a `/* */` comment glued
/// to an SQL keyword (or splitting one) stands in for whitespace, which
/// only a query needs; prose and code comments leave a space.
pub(super) fn comment_touches_keyword(text: &str) -> bool {
    let keyword = |w: &str| {
        COMMENT_GLUED_KEYWORDS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w))
    };
    let mut rest = text;
    for _ in 0..MAX_COMMENTS {
        let Some(open) = rest.find("/*") else {
            return false;
        };
        let Some(close) = rest[open + 2..].find("*/") else {
            return false;
        };
        let before = &rest[..open];
        // The word that ends where the comment opens (a multi-byte
        // character before it is not part of it, and not a place to cut).
        let before = &before[before
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
            .len()..];
        let after = &rest[open + 2 + close + 2..];
        let after = &after[..after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len())];
        let joined = format!("{before}{after}");
        if !before.is_empty() && !after.is_empty() && keyword(&joined)
            || keyword(before) && !after.is_empty()
            || keyword(after) && !before.is_empty()
        {
            return true;
        }
        rest = &rest[open + 2 + close + 2..];
    }
    false
}
