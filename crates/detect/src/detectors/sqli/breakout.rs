//! The step for a value that closed the string it was put in: what comes
//! right after the closing quote (and any closing parentheses) decides
//! whether the value goes on as SQL. Prose with an apostrophe closes the
//! string too ("O'Brien"), but goes on with a word, not with an operator,
//! a comment or a statement.

use super::judge::{Finding, Reading, CRITICAL};
use super::lexer::{is_compare, is_inert_tail, is_logic, is_name, is_operand, word_in, Tok};
use super::vocabulary::STATEMENTS;

/// Clause keywords that can only continue a query past a closed string.
const CLAUSES: &[&str] = &["order", "group", "having", "into", "limit", "procedure"];

/// `x'--`, `x' or 1=1`, `x' union select`, `x'||(`: the break-out reading
/// continued as SQL.
pub(super) fn after_breakout(r: &Reading<'_, '_>) -> Option<Finding> {
    if !r.broke_out {
        return None;
    }
    let mut k = 1;
    while r.at(k) == Tok::Close {
        k += 1;
    }
    continues_as_sql(r, k).then_some(("sqli.string_breakout", CRITICAL))
}

/// Whether the tokens from `k` (the first after the closed string) go on
/// as SQL.
fn continues_as_sql(r: &Reading<'_, '_>, k: usize) -> bool {
    let next = r.at(k);
    let then = r.at(k + 1);
    if is_inert_tail(&then) && (is_logic(&next) || is_keyword(&next)) {
        // `"or" sneakers`, `the "union" jack`: a quoted word in prose; as
        // SQL, a condition or clause on words, false or a syntax error.
        return false;
    }
    match next {
        // `x';`, `x'--`: the statement ends or the rest is commented out.
        Tok::Comment | Tok::Semi => true,
        // `x' not like`: a negated pattern or range test.
        Tok::Word("not")
            if matches!(
                then,
                Tok::Word("like" | "glob" | "regexp" | "rlike" | "in" | "between")
            ) =>
        {
            true
        }
        // `x' or 1`, `x' and --`: a boolean operator on an operand.
        t if is_logic(&t) && (is_operand(&then) || then == Tok::Comment) => true,
        // `x' and email ! all (select email)--`: a condition, commented to the end.
        t if is_logic(&t) && r.tokens.last() == Some(&Tok::Comment) => true,
        // `' notnull --`, `user' collate nocase--`: postfix tests and collations.
        Tok::Word("notnull" | "isnull" | "collate")
            if matches!(
                then,
                Tok::Comment | Tok::Semi | Tok::Word(_) | Tok::Ident(_) | Tok::Str { .. }
            ) =>
        {
            true
        }
        // `x' or name = `, `x' and f(`: a boolean operator on a column or call.
        t if is_logic(&t)
            && is_name(&then)
            && (is_compare(&r.at(k + 2)) || r.at(k + 2) == Tok::Open) =>
        {
            true
        }
        // `x' = 'y`: a comparison.
        t if is_compare(&t) && is_operand(&then) => true,
        // `x' union`, `x' order by`: a statement or clause keyword.
        t if is_keyword(&t) => true,
        // `x'-col--`: an expression continued past the quote with a binary
        // operator (`~` and `!` are unary), the rest commented out.
        Tok::Op(op)
            if !matches!(op, "~" | "!")
                && matches!(then, Tok::Word(_) | Tok::Num(_))
                && r.at(k + 2) == Tok::Comment =>
        {
            true
        }
        // `x'||(`, `x'+name`: concatenation or arithmetic on a call or a name.
        Tok::Op("||" | "+" | "|") => matches!(then, Tok::Open | Tok::Word(_)),
        _ => false,
    }
}

/// A statement or clause keyword.
fn is_keyword(t: &Tok<'_>) -> bool {
    word_in(t, STATEMENTS) || word_in(t, CLAUSES)
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn breaks_out(s: &str) -> bool {
        let tokens = tokenize(s, Some(b'\''));
        after_breakout(&Reading {
            tokens: &tokens,
            broke_out: true,
        })
        .is_some()
    }

    #[test]
    fn a_closed_string_continued_as_sql_is_found() {
        for attack in [
            "admin'--",
            "x';",
            "x' or 1=1",
            "x' not like 'a",
            "z'or email notnull--",
            "user'collate nocase--",
            "x' or name = 'a",
            "x' = 'y",
            "x' union select 1",
            "x') order by 3",
            "x'-col--",
            "x'||(select 1)",
            // An open string that means something as a condition.
            "x' or '1",
            "x'or'true",
            "x' having '1",
            "a'or'a",
        ] {
            assert!(breaks_out(attack), "missed: {attack}");
        }
    }

    #[test]
    fn an_apostrophe_followed_by_words_is_prose() {
        for prose in [
            "o'brien",
            "don't drop the ball",
            "it's -- as they say -- fine",
            "x'~email--",
            "rock 'n' roll or jazz",
            // A SQL word quoted in prose, put inside a single-quoted string.
            "'select' brand shoes",
            "the 'select' range",
            "'union' jack flag",
            "'or' sneakers",
        ] {
            assert!(!breaks_out(prose), "false positive: {prose}");
        }
        // Not a break-out reading at all.
        assert_eq!(
            after_breakout(&Reading {
                tokens: &tokenize("x'--", None),
                broke_out: false
            }),
            None
        );
    }
}
