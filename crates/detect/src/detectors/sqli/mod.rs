//! SQL injection, found by tokenising the value as SQL and reading its
//! structure, the way libinjection does, not by looking for keywords.
//!
//! A value is read three ways: as it is (numeric context), and as if it sat
//! inside a single- or double-quoted SQL string (the usual injection point).
//! Injection is a value that, read that way, closes its context and goes on
//! as SQL: a string break-out followed by an operator, a comment or a new
//! statement; a tautology after `OR`; `UNION SELECT`; a stacked statement; a
//! call to a timing or exfiltration function; a system catalogue. Prose with
//! apostrophes ("O'Brien", "select the union") never closes a context and then
//! continues as SQL, which is what keeps it quiet.

mod breakout;
mod expressions;
mod fragments;
mod in_prose;
mod judge;
mod lexer;
mod opening;
mod statements;
mod vocabulary;

use super::prose::{reads_as_prose, PROSE_SCORE};
use super::Hit;
use fragments::{closes_then_joins, comment_touches_keyword};
use judge::{judge, Finding, Strongest, CRITICAL};
use lexer::tokenize;

/// Looks for SQL injection in a folded value.
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    let Some(found) = strongest_finding(folded, text) else {
        return;
    };
    // Asked only once something is found: clean values pay nothing.
    let (rule, score) = if reads_as_prose(text) {
        judged_as_prose(folded, text, found)
    } else {
        found
    };
    hits.push(Hit::new(
        rule,
        score,
        if score >= CRITICAL { 0.9 } else { 0.5 },
        1,
    ));
}

/// In a value that reads as prose, the finding that prose cannot produce
/// (see `in_prose`), or else the judge's finding as a notice.
fn judged_as_prose(folded: &str, text: &str, found: Finding) -> Finding {
    in_prose::prose_proof(folded)
        .or_else(|| {
            text.contains("/*!")
                .then_some(("sqli.mysql_executable_comment", CRITICAL))
        })
        .or_else(|| comment_touches_keyword(text).then_some(("sqli.comment_obfuscation", CRITICAL)))
        .unwrap_or((found.0, found.1.min(PROSE_SCORE)))
}

/// The strongest finding over every reading of the value and the checks
/// that read its text whole.
fn strongest_finding(folded: &str, text: &str) -> Option<Finding> {
    let mut best = Strongest::default();
    read_as_sql(folded, &mut best);
    // Typographic quotes are everywhere in prose: they are read as SQL
    // quotes only around a comparison, the shape their injections take.
    if !folded.is_ascii()
        && folded.contains(['=', '<', '>'])
        && folded.contains(APOSTROPHE_LOOKALIKES)
    {
        read_as_sql(&folded.replace(APOSTROPHE_LOOKALIKES, "'"), &mut best);
    }
    let critical = |shape: bool, rule| shape.then_some((rule, CRITICAL));
    best.raise(critical(
        text.contains("/*!"),
        "sqli.mysql_executable_comment",
    ));
    best.raise(critical(
        closes_then_joins(folded) || closes_into_open_comment(text),
        "sqli.string_breakout",
    ));
    best.raise(critical(
        comment_touches_keyword(text),
        "sqli.comment_obfuscation",
    ));
    best.get()
}

/// `admin'/*`, `x')/*`: a closed string whose query the value then comments
/// out with a comment it never closes (SQLite reads one to the end of the
/// query). Folding drops such a comment, so the raw text is read.
fn closes_into_open_comment(text: &str) -> bool {
    // A comment opened after the last `*/` is never closed.
    let last_close = text.rfind("*/");
    text.match_indices("/*").any(|(at, _)| {
        let before = text[..at].trim_end().trim_end_matches(')');
        before.ends_with(['\'', '"']) && last_close.is_none_or(|close| close < at + 2)
    })
}

/// Quotes that best-fit conversion to a legacy character set (or a lenient
/// collation) turns into an apostrophe before the database sees them.
const APOSTROPHE_LOOKALIKES: [char; 4] = ['\u{2018}', '\u{2019}', '\u{00b4}', '\u{02bc}'];

/// Reads the value as it is and as if it sat inside each kind of string.
fn read_as_sql(folded: &str, best: &mut Strongest) {
    best.raise(judge(&tokenize(folded, None), false));
    for quote in [b'\'', b'"'] {
        if folded.as_bytes().contains(&quote) {
            best.raise(judge(&tokenize(folded, Some(quote)), true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::fold::fold;

    fn fires(s: &str) -> Option<&'static str> {
        let mut hits = Vec::new();
        detect(&fold(s), s, &mut hits);
        hits.into_iter().find(|h| h.score >= 5.0).map(|h| h.rule)
    }

    #[test]
    fn catches_structural_injection() {
        for attack in [
            "1234 OR 1=1",
            "-1839' or '1'='1",
            "admin'--",
            "admin@juice-sh.op';",
            "1 union all select null,version()--",
            "sleep(534543)",
            "SELECT BENCHMARK(1000000,1+1);",
            "; INSERT INTO table (col) VALUES",
            "pg_catalog",
            "x\" WAITFOR DELAY '0:0:20'--",
            "9999 or {if length((/*!5000select username/*!50000from*/user where id=1))>0}",
            "') or ('a'='a",
            " case when 1=1 then 'a' end",
            "if(2=2,sleep(5),0)",
            "if(1234=",
            "x'^email--",
            "admin'/*",
            "x\")/*",
            "1.e(ascii 1.e(substring(1.e(select password from users limit 1 1.e,1 1.e) 1.e,1 1.e,1 1.e)1.e)1.e) = 70 or'1'='2",
        ] {
            assert!(fires(attack).is_some(), "missed: {attack}");
        }
    }

    #[test]
    fn stays_quiet_on_prose() {
        for benign in [
            "the files in 'docs/*",
            "quote \"/* glob\" */ done",
            "O'Brien",
            "select the union",
            "SELECT Specialty Hospital, Room 12",
            "L'assurance de rouler autrement",
            "Rock 'n' roll or jazz",
            "where can I find the \"best\" deals?",
            "I'd like to order 2 or 3 items",
            "price (incl. tax) is 12.5",
            "Don't drop the ball; update me later",
            "in case when you arrive, call me",
            "if (2 = yes) go on",
            "it's -- as they say -- fine",
            "x'~email--",
        ] {
            assert_eq!(fires(benign), None, "false positive: {benign}");
        }
    }

    #[test]
    fn reads_fragments_that_only_sql_writes() {
        for (attack, rule) in [
            ("OR (7319=8742)", "sqli.condition_continuation"),
            ("||(null!=", "sqli.condition_continuation"),
            ("&& setPath !=", "sqli.condition_continuation"),
            ("HAVING 1=", "sqli.condition_continuation"),
            ("from `information_schema`.tables limit", "sqli.query_tail"),
            (
                "FROM ack_variable WHERE name=\"cron_last\";",
                "sqli.query_tail",
            ),
            (
                "SELECT x GROUP BY y HAVING COUNT(Id) >= 9",
                "sqli.query_tail",
            ),
            ("DELETE FROM users;--", "sqli.dml"),
            ("42 like 42", "sqli.literal_comparison"),
            ("1 is not 2", "sqli.literal_comparison"),
            ("'x'!='y", "sqli.literal_comparison"),
            ("except values(1,2)", "sqli.union_select"),
            (") when 234 then", "sqli.conditional"),
            ("concat(0x223e3c62723e,version())", "sqli.hex_literal"),
            ("z'or email notnull--", "sqli.string_breakout"),
            ("user'collate nocase--", "sqli.string_breakout"),
            ("a'or?--", "sqli.string_breakout"),
            ("' or abc!", "sqli.string_breakout"),
        ] {
            assert_eq!(fires(attack), Some(rule), "{attack}");
        }
    }

    #[test]
    fn fragments_of_prose_stay_quiet() {
        for benign in [
            "or maybe (later)",
            "and then some",
            "from home, where it is quiet",
            "from `notes` to the team",
            "1 in 10 people",
            "12 x 4",
            "delete from my list please",
            "sort them into a group by size and having fun",
            "when 5 then",
            "it is your parents' and yours",
            "0x1f is a byte",
            "rock 'n' roll and more",
            "301280 == 254088",
            "3 < 5",
            "of \u{2018}#ifndef LBR$_HDRTRUNC\u{2019} to pacify the compiler",
            "\"Orwell\" and \"Huxley\"",
        ] {
            assert_eq!(fires(benign), None, "false positive: {benign}");
        }
    }

    #[test]
    fn reads_lookalike_quotes_and_glued_comments() {
        assert_eq!(
            fires("1\u{2019} OR \u{2019}1\u{2019}=\u{2019}1"),
            Some("sqli.string_breakout")
        );
        assert_eq!(
            fires("DROP/*comment*/sampletable"),
            Some("sqli.comment_obfuscation")
        );
        assert_eq!(
            fires("DR/**/OP/*bypass*/sampletable"),
            Some("sqli.comment_obfuscation")
        );
        assert_eq!(
            fires("If you\u{2019}re looking, if you\u{2019}re willing"),
            None
        );
        assert_eq!(fires("int x = 1; /* select a value */"), None);
        // Found by the `prose` fuzz target: a multi-byte character right
        // before a comment's word once cut the text inside the character.
        assert_eq!(fires("\u{fffd}/*'%/*/!u\u{fffd}*"), None);
        assert_eq!(fires("\u{e9}DROP/**/t"), Some("sqli.comment_obfuscation"));
    }
}
