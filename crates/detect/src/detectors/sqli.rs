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

mod fragments;

use super::Hit;
use fragments::{
    closes_then_joins, comment_touches_keyword, is_literal_comparison, is_query_tail,
    opens_call_at_end,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A string literal; `closed` when its closing quote was in the value.
    Str {
        closed: bool,
    },
    Num(&'a str),
    Word(&'a str),
    Op(&'a str),
    Open,
    Close,
    Comma,
    Semi,
    Comment,
    /// `@name` / `@@name` variables.
    Var(&'a str),
    /// A backquoted identifier (MySQL), by its content.
    Ident(&'a str),
    Other,
}

const MAX_TOKENS: usize = 512;

/// Tokenises folded (lower-case) SQL. With `inside` set, the text starts
/// inside a string opened by that quote.
fn tokenize(s: &str, inside: Option<u8>) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    if let Some(q) = inside {
        match b.iter().position(|&c| c == q) {
            Some(end) => {
                out.push(Tok::Str { closed: true });
                i = end + 1;
            }
            None => return out,
        }
    }
    while i < b.len() && out.len() < MAX_TOKENS {
        let c = b[i];
        match c {
            b' ' => i += 1,
            b'\'' | b'"' | b'`' => {
                let q = c;
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => break,
                        Some(&x) if x == q && b.get(j + 1) == Some(&q) => j += 2,
                        Some(&b'\\') => j += 2,
                        Some(&x) if x == q => break,
                        _ => j += 1,
                    }
                }
                let closed = j < b.len();
                // Backquoted names are identifiers in MySQL.
                out.push(if q == b'`' {
                    Tok::Ident(&s[i + 1..j.min(b.len())])
                } else {
                    Tok::Str { closed }
                });
                i = (j + 1).min(b.len());
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Tok::Num(&s[start..i]));
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Tok::Num(&s[start..i]));
            }
            b'a'..=b'z' | b'_' | b'$' => {
                let start = i;
                // `select.1`: a dot before a digit starts a number.
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$' | b'.'))
                    && !(b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                {
                    i += 1;
                }
                out.push(Tok::Word(s[start..i].trim_end_matches('.')));
            }
            b'@' => {
                let start = i;
                while i < b.len() && b[i] == b'@' {
                    i += 1;
                }
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(Tok::Var(&s[start..i]));
            }
            b'(' | b')' | b',' | b';' => {
                out.push(match c {
                    b'(' => Tok::Open,
                    b')' => Tok::Close,
                    b',' => Tok::Comma,
                    _ => Tok::Semi,
                });
                i += 1;
            }
            b'#' => {
                out.push(Tok::Comment);
                break;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                out.push(Tok::Comment);
                break;
            }
            b'=' | b'<' | b'>' | b'!' | b'|' | b'&' | b'^' | b'+' | b'-' | b'*' | b'/' | b'%'
            | b'~' | b':' | b'?' => {
                let start = i;
                // An operator run ends where a `--` comment starts.
                while i < b.len()
                    && i - start < 3
                    && b"=<>!|&^+-*/%~:@?".contains(&b[i])
                    && !(i > start && b[i] == b'-' && b.get(i + 1) == Some(&b'-'))
                {
                    i += 1;
                }
                out.push(Tok::Op(&s[start..i]));
            }
            _ => {
                out.push(Tok::Other);
                i += s[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

fn is_logic(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Word("or" | "and" | "xor" | "div" | "not" | "rlike" | "regexp" | "like" | "sounds")
            | Tok::Op("||" | "&&")
    )
}

fn is_compare(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Op("=" | "<" | ">" | "<=" | ">=" | "<>" | "!=" | "<=>" | "==")
            | Tok::Word("like" | "is" | "in" | "between" | "ilike" | "glob" | "notnull" | "isnull")
    )
}

/// A comparison as any C-like grammar writes it (`===`, `!==`, `=!`), for
/// fragments whose dialect is unknown.
fn is_loose_compare(t: &Tok<'_>) -> bool {
    is_compare(t)
        || matches!(t, Tok::Op(op) if op.contains(['=', '<', '>']) && op.bytes().all(|b| b"=<>!".contains(&b)))
}

/// A name a clause can refer to: a plain or backquoted identifier.
fn is_name(t: &Tok<'_>) -> bool {
    matches!(t, Tok::Word(_) | Tok::Ident(_))
}

fn is_operand(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Str { .. }
            | Tok::Num(_)
            | Tok::Open
            | Tok::Var(_)
            | Tok::Word("true" | "false" | "null" | "select" | "not")
    )
}

const STATEMENTS: &[&str] = &[
    "select", "insert", "update", "delete", "drop", "exec", "execute", "declare", "shutdown",
    "waitfor", "create", "alter", "truncate", "grant", "revoke", "union", "replace", "load",
    "call", "handler", "rename",
];

/// Functions whose only use in a request value is timing or exfiltration.
const ATTACK_FUNCTIONS: &[&str] = &[
    "sleep",
    "benchmark",
    "pg_sleep",
    "load_file",
    "extractvalue",
    "updatexml",
    "xmltype",
    "utl_http.request",
    "utl_inaddr.get_host_address",
    "dbms_pipe.receive_message",
    "sys_eval",
    "sys_exec",
    "xp_cmdshell",
    "dbms_lock.sleep",
    "lo_get",
    "lo_export",
    "pg_read_file",
    "pg_ls_dir",
    "lo_import",
    "randomblob",
    "geometrycollection",
    "multipoint",
    "polygon",
    "linestring",
    "name_const",
    "make_set",
    "elt",
    "exp",
    "json_keys",
    "gtid_subset",
    "procedure",
    "sp_executesql",
    "openrowset",
    "opendatasource",
    "dbms_xmlgen.getxml",
    "ctxsys.drithsx.sn",
];

/// SQL functions that also appear in ordinary text: evidence only together
/// with other SQL structure.
const SQL_FUNCTIONS: &[&str] = &[
    "char",
    "chr",
    "concat",
    "concat_ws",
    "group_concat",
    "ascii",
    "ord",
    "substring",
    "substr",
    "mid",
    "version",
    "database",
    "user",
    "current_user",
    "system_user",
    "schema",
    "count",
    "cast",
    "convert",
    "hex",
    "unhex",
    "if",
    "ifnull",
    "iif",
    "length",
    "len",
    "lower",
    "upper",
    "md5",
    "sha1",
    "floor",
    "rand",
    "isnull",
    "coalesce",
    "nullif",
    "char_length",
    "instr",
    "locate",
    "left",
    "right",
    "strcmp",
    "exists",
    "decode",
    "encode",
    "insert",
    "pow",
    "power",
    "rtrim",
    "ltrim",
    "trim",
    "sin",
    "cos",
    "tan",
    "abs",
    "round",
    "ceil",
    "log",
    "sqrt",
    "reverse",
    "repeat",
    "space",
    "replace",
    "lpad",
    "rpad",
    "format",
    "now",
    "sysdate",
    "current_timestamp",
    "last_insert_id",
    "row_count",
    "found_rows",
    "connection_id",
    "uuid",
    "bit_length",
    "octet_length",
    "soundex",
    "quote",
    "aes_encrypt",
    "aes_decrypt",
    "des_encrypt",
    "encrypt",
    "compress",
    "uncompress",
    "password",
    "old_password",
    "to_base64",
    "from_base64",
    "crc32",
    "sha2",
    "conv",
    "oct",
    "bin",
    "field",
    "export_set",
    "char_to_nchar",
    "to_char",
    "to_number",
    "to_date",
    "nvl",
    "nvl2",
    "instrb",
    "stuff",
    "charindex",
    "patindex",
    "datalength",
    "str",
    "quotename",
    "difference",
    "unicode",
    "nchar",
    "string_agg",
    "listagg",
    "xmlagg",
    "array_agg",
];

/// Built-in aggregate, date and arithmetic functions whose names are
/// ordinary words: only a value that is nothing but the opening of a call
/// to one of them (`MAX(`, `time (`) reads as SQL.
const CALL_ONLY_FUNCTIONS: &[&str] = &[
    "max",
    "min",
    "sum",
    "avg",
    "date",
    "time",
    "timestamp",
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "second",
    "pi",
    "ln",
    "mod",
    "sign",
    "default",
    "values",
];

const CATALOGUES: &[&str] = &[
    "information_schema",
    "pg_catalog",
    "tempdb",
    "msdb",
    "mysql.db",
    "pg_authid",
    "sysobjects",
    "syscolumns",
    "sysusers",
    "sysdatabases",
    "mysql.user",
    "sqlite_master",
    "sqlite_schema",
    "pg_shadow",
    "pg_user",
    "pg_database",
    "all_tables",
    "all_tab_columns",
    "user_tables",
    "dba_users",
    "msysaccessobjects",
    "msysobjects",
    "sys.tables",
    "sys.objects",
    "information_schema.tables",
    "information_schema.columns",
    "master..sysdatabases",
    "xp_cmdshell",
    "xp_dirtree",
    "xp_regread",
    "sp_password",
    "sp_oacreate",
];

/// `0x616263`: a hexadecimal literal long enough to carry text.
fn is_hex_literal(n: &str) -> bool {
    n.strip_prefix("0x")
        .is_some_and(|h| h.len() >= 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn word_in(t: &Tok<'_>, list: &[&str]) -> bool {
    matches!(t, Tok::Word(w) if list.contains(w))
}

/// The strongest SQL structure in one reading of the value.
fn judge(tokens: &[Tok<'_>], broke_out: bool) -> Option<(&'static str, f64)> {
    let at = |i: usize| tokens.get(i).copied().unwrap_or(Tok::Other);
    let mut best: Option<(&'static str, f64)> = None;
    let mut raise = |rule: &'static str, score: f64| {
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((rule, score));
        }
    };
    // A value that starts as the continuation of a condition: `AND 1=2`, `or 'a' <`, `OR 1#`.
    if !broke_out && is_logic(&at(0)) && at(0) != Tok::Word("like") {
        let lhs = at(1);
        let op = at(2);
        if matches!(lhs, Tok::Num(_) | Tok::Str { .. })
            && (is_compare(&op) || matches!(op, Tok::Comment | Tok::Semi))
            || matches!(lhs, Tok::Word(_)) && is_compare(&op) && is_operand(&at(3))
        {
            raise("sqli.condition_continuation", 5.0);
        }
    }
    // `OR (7319=8742)`, `||(null!=`, `&& setPath !=`: a boolean operator
    // joining a comparison, in whichever C-like dialect.
    if !broke_out
        && matches!(
            at(0),
            Tok::Word("or" | "and" | "xor") | Tok::Op("||" | "&&")
        )
    {
        let mut k = 1;
        while at(k) == Tok::Open {
            k += 1;
        }
        if (matches!(at(k), Tok::Num(_) | Tok::Str { .. } | Tok::Var(_)) || is_name(&at(k)))
            && is_loose_compare(&at(k + 1))
        {
            raise("sqli.condition_continuation", 5.0);
        }
    }
    // `HAVING 1=`: a group condition on a literal.
    if at(0) == Tok::Word("having")
        && matches!(at(1), Tok::Num(_) | Tok::Str { .. })
        && is_compare(&at(2))
    {
        raise("sqli.condition_continuation", 5.0);
    }
    // `DELETE FROM t;`, `DELETE FROM t WHERE`: a whole statement.
    if at(0) == Tok::Word("delete")
        && at(1) == Tok::Word("from")
        && is_name(&at(2))
        && matches!(at(3), Tok::Semi | Tok::Comment | Tok::Word("where"))
    {
        raise("sqli.dml", 5.0);
    }
    if !broke_out && is_query_tail(tokens) {
        raise("sqli.query_tail", 5.0);
    }
    if !broke_out && is_literal_comparison(tokens) {
        raise("sqli.literal_comparison", 5.0);
    }
    if !broke_out
        && matches!(at(0), Tok::Word("drop" | "truncate" | "alter"))
        && is_name(&at(1))
        && (matches!(at(2), Tok::Semi | Tok::Comment) || is_name(&at(2)))
    {
        raise("sqli.ddl", 5.0);
    }
    if broke_out {
        // The value closed the string it was put in; what follows decides.
        let mut k = 1;
        while at(k) == Tok::Close {
            k += 1;
        }
        let next = at(k);
        match next {
            Tok::Comment | Tok::Semi => raise("sqli.string_breakout", 5.0),
            Tok::Word("not")
                if matches!(
                    at(k + 1),
                    Tok::Word("like" | "glob" | "regexp" | "rlike" | "in" | "between")
                ) =>
            {
                raise("sqli.string_breakout", 5.0)
            }
            t if is_logic(&t) && (is_operand(&at(k + 1)) || at(k + 1) == Tok::Comment) => {
                raise("sqli.string_breakout", 5.0)
            }
            // `x' and email ! all (select email)--`: a condition, commented to the end.
            t if is_logic(&t) && tokens.last() == Some(&Tok::Comment) => {
                raise("sqli.string_breakout", 5.0)
            }
            // `' notnull --`, `user' collate nocase--`: postfix tests and collations.
            Tok::Word("notnull" | "isnull" | "collate")
                if matches!(
                    at(k + 1),
                    Tok::Comment | Tok::Semi | Tok::Word(_) | Tok::Ident(_) | Tok::Str { .. }
                ) =>
            {
                raise("sqli.string_breakout", 5.0)
            }
            t if is_logic(&t)
                && is_name(&at(k + 1))
                && (is_compare(&at(k + 2)) || at(k + 2) == Tok::Open) =>
            {
                raise("sqli.string_breakout", 5.0)
            }
            t if is_compare(&t) && is_operand(&at(k + 1)) => raise("sqli.string_breakout", 5.0),
            t if word_in(&t, STATEMENTS)
                || word_in(
                    &t,
                    &["order", "group", "having", "into", "limit", "procedure"],
                ) =>
            {
                raise("sqli.string_breakout", 5.0)
            }
            // `x'-col--`: an expression continued past the quote with a binary
            // operator (`~` and `!` are unary), the rest commented out.
            Tok::Op(op)
                if !matches!(op, "~" | "!")
                    && matches!(at(k + 1), Tok::Word(_) | Tok::Num(_))
                    && at(k + 2) == Tok::Comment =>
            {
                raise("sqli.string_breakout", 5.0)
            }
            Tok::Op("||" | "+" | "|") if matches!(at(k + 1), Tok::Open | Tok::Word(_)) => {
                raise("sqli.string_breakout", 5.0)
            }
            _ => {}
        }
    }
    for i in 0..tokens.len() {
        let t = at(i);
        match t {
            Tok::Word("union") => {
                let mut k = i + 1;
                while matches!(at(k), Tok::Word("all" | "distinct") | Tok::Open) {
                    k += 1;
                }
                if at(k) == Tok::Word("select") {
                    raise("sqli.union_select", 5.0);
                }
            }
            // The other set operators, where what follows is certainly a query.
            Tok::Word("except" | "intersect")
                if at(i + 1) == Tok::Word("values") && at(i + 2) == Tok::Open
                    || at(i + 1) == Tok::Word("select")
                        && matches!(at(i + 2), Tok::Num(_) | Tok::Str { .. } | Tok::Op("*")) =>
            {
                raise("sqli.union_select", 5.0)
            }
            Tok::Word("select") => {
                let next = at(i + 1);
                // `select pg_sleep`: a function no prose names.
                let attack_name = matches!(next, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) && w.contains(['_', '.']));
                let strong_next = attack_name
                    || matches!(
                        next,
                        Tok::Op("*") | Tok::Var(_) | Tok::Num(_) | Tok::Str { .. } | Tok::Open
                    )
                    || (matches!(next, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) || SQL_FUNCTIONS.contains(&w))
                        && at(i + 2) == Tok::Open);
                let has_from = tokens[i..].iter().take(12).any(|t| *t == Tok::Word("from"));
                let calls = matches!(next, Tok::Word(_)) && at(i + 2) == Tok::Open
                    || next == Tok::Open && matches!(at(i + 2), Tok::Word("case" | "select"));
                // `select 0x616263`: text written as a hexadecimal literal.
                let hex = matches!(next, Tok::Num(n) if is_hex_literal(n));
                if strong_next && (has_from || i > 0 || calls || attack_name || hex) {
                    raise("sqli.select", 5.0);
                } else if has_from && (i > 0 || tokens.len() > 4) {
                    raise("sqli.select", 3.0);
                }
            }
            Tok::Semi => {
                let next = at(i + 1);
                let after = at(i + 2);
                let stacked = match next {
                    Tok::Word("drop" | "create" | "alter" | "truncate") => is_name(&after),
                    Tok::Word("insert" | "replace") => after == Tok::Word("into"),
                    Tok::Word("delete") => after == Tok::Word("from"),
                    Tok::Word("update") => {
                        tokens[i..].iter().take(6).any(|t| *t == Tok::Word("set"))
                    }
                    Tok::Word("select") => {
                        is_operand(&after) || is_name(&after) || after == Tok::Op("*")
                    }
                    Tok::Word("exec" | "execute" | "declare" | "shutdown" | "waitfor" | "call") => {
                        true
                    }
                    _ => false,
                };
                if stacked {
                    raise("sqli.stacked_query", 5.0);
                }
            }
            // `) WHEN 234 THEN`: a searched-case branch closing a subexpression.
            Tok::Close
                if at(i + 1) == Tok::Word("when")
                    && matches!(at(i + 2), Tok::Num(_) | Tok::Str { .. })
                    && at(i + 3) == Tok::Word("then") =>
            {
                raise("sqli.conditional", 5.0)
            }
            // `concat(0x3c62723e,`: text smuggled as a hexadecimal literal into a
            // string function.
            Tok::Word(w)
                if at(i + 1) == Tok::Open
                    && SQL_FUNCTIONS.contains(&w)
                    && matches!(at(i + 2), Tok::Num(n) if is_hex_literal(n)) =>
            {
                raise("sqli.hex_literal", 5.0)
            }
            // A conditional whose test is a comparison of literals: `if(2=2,`, `iif(1>0`.
            Tok::Word("if" | "iif")
                if at(i + 1) == Tok::Open
                    && matches!(at(i + 2), Tok::Num(_) | Tok::Str { .. } | Tok::Var(_))
                    && is_compare(&at(i + 3))
                    && (i + 4 == tokens.len()
                        || matches!(at(i + 4), Tok::Num(_) | Tok::Str { .. } | Tok::Var(_))) =>
            {
                raise("sqli.conditional", 5.0)
            }
            // `CASE WHEN <test> THEN`: the searched-case grammar.
            Tok::Word("case")
                if at(i + 1) == Tok::Word("when")
                    && tokens[i..].iter().take(16).any(|t| *t == Tok::Word("then")) =>
            {
                raise("sqli.conditional", 5.0)
            }
            Tok::Word(w) if at(i + 1) == Tok::Open && ATTACK_FUNCTIONS.contains(&w) => {
                let arg = at(i + 2);
                let value_ends = i + 2 == tokens.len();
                if value_ends
                    || matches!(
                        arg,
                        Tok::Num(_)
                            | Tok::Str { .. }
                            | Tok::Word(_)
                            | Tok::Open
                            | Tok::Op(_)
                            | Tok::Var(_)
                    )
                {
                    raise("sqli.attack_function", 5.0);
                }
            }
            Tok::Word(w)
                if CATALOGUES
                    .iter()
                    .any(|c| w == *c || w.starts_with(c) && w[c.len()..].starts_with('.')) =>
            {
                raise("sqli.system_catalogue", 5.0)
            }
            Tok::Word(w)
                if i == 0
                    && opens_call_at_end(&tokens[1..])
                    && (SQL_FUNCTIONS.contains(&w)
                        || ATTACK_FUNCTIONS.contains(&w)
                        || CALL_ONLY_FUNCTIONS.contains(&w)) =>
            {
                raise("sqli.function_call", 5.0)
            }
            Tok::Word("waitfor") if matches!(at(i + 1), Tok::Word("delay" | "time")) => {
                raise("sqli.time_delay", 5.0)
            }
            Tok::Word("into") if matches!(at(i + 1), Tok::Word("outfile" | "dumpfile")) => {
                raise("sqli.file_write", 5.0)
            }
            Tok::Word("execute") if at(i + 1) == Tok::Word("immediate") => {
                raise("sqli.dynamic_sql", 5.0)
            }
            Tok::Word("exec" | "execute")
                if matches!(at(i + 1), Tok::Open | Tok::Var(_))
                    || matches!(at(i + 1), Tok::Word(w) if w.starts_with("xp_") || w.starts_with("sp_") || w.starts_with("master.")) =>
            {
                raise("sqli.dynamic_sql", 5.0)
            }
            Tok::Word("create")
                if matches!(at(i + 1), Tok::Word("function" | "procedure" | "trigger")) =>
            {
                raise("sqli.ddl", 5.0)
            }
            Tok::Word("insert")
                if at(i + 1) == Tok::Word("into") && tokens[i..].contains(&Tok::Word("values")) =>
            {
                raise("sqli.dml", 5.0)
            }
            Tok::Var(v)
                if v.starts_with("@@")
                    && [
                        "version",
                        "datadir",
                        "hostname",
                        "basedir",
                        "tmpdir",
                        "servername",
                        "user",
                        "global",
                        "session",
                        "identity",
                        "spid",
                        "language",
                        "port",
                        "secure_file_priv",
                    ]
                    .iter()
                    .any(|n| v[2..].starts_with(n)) =>
            {
                raise("sqli.system_variable", 5.0)
            }
            Tok::Num(n)
                if (n.ends_with('e') || n.ends_with(".e"))
                    && matches!(at(i + 1), Tok::Open | Tok::Word(_)) =>
            {
                raise("sqli.numeric_obfuscation", 5.0)
            }
            Tok::Op("::")
                if matches!(
                    at(i + 1),
                    Tok::Word("jsonb" | "json" | "text" | "int" | "regclass")
                ) && i > 0
                    && matches!(at(i - 1), Tok::Str { .. }) =>
            {
                raise("sqli.json_operator", 5.0)
            }
            Tok::Close if at(i + 1) == Tok::Word("like") && at(i + 2) == Tok::Open => {
                raise("sqli.conditional", 5.0)
            }
            Tok::Close
                if at(i + 1) == Tok::Word("as")
                    && (is_name(&at(i + 2)) || matches!(at(i + 2), Tok::Str { .. }))
                    && at(i + 3) == Tok::Word("from") =>
            {
                raise("sqli.subquery_alias", 5.0)
            }
            Tok::Str { closed: true }
                if matches!(
                    at(i + 1),
                    Tok::Op("->" | "->>" | "#>" | "#>>" | "@>" | "<@" | "?" | "?|" | "?&")
                ) && matches!(at(i + 2), Tok::Str { .. } | Tok::Word("array")) =>
            {
                raise("sqli.json_operator", 5.0)
            }
            Tok::Word("declare") if matches!(at(i + 1), Tok::Var(_)) => {
                raise("sqli.dynamic_sql", 5.0)
            }
            Tok::Close | Tok::Word(_)
                if at(i + 1) == Tok::Op("::")
                    && matches!(
                        at(i + 2),
                        Tok::Word(
                            "int"
                                | "integer"
                                | "text"
                                | "jsonb"
                                | "json"
                                | "varchar"
                                | "bigint"
                                | "regclass"
                                | "bool"
                                | "boolean"
                                | "numeric"
                        )
                    ) =>
            {
                raise("sqli.type_cast", 5.0)
            }
            Tok::Word("procedure") if at(i + 1) == Tok::Word("analyse") => {
                raise("sqli.procedure_analyse", 5.0)
            }
            Tok::Num(_)
                if at(i + 1) == Tok::Word("as")
                    && matches!(at(i + 2), Tok::Str { .. })
                    && at(i + 3) == Tok::Word("from") =>
            {
                raise("sqli.select", 5.0)
            }
            Tok::Word(
                "database"
                | "db_name"
                | "schema_name"
                | "user_name"
                | "current_database"
                | "current_schema"
                | "session_user"
                | "find_in_set"
                | "sqlite_version"
                | "sqlite_compileoption_used"
                | "sqlite_compileoption_get"
                | "json_extract"
                | "json_unquote"
                | "jsonb_path_query"
                | "starts_with"
                | "table_name"
                | "column_name"
                | "object_id"
                | "object_name"
                | "has_dbaccess"
                | "is_srvrolemember"
                | "host_name"
                | "suser_sname"
                | "pg_client_encoding"
                | "inet_server_addr"
                | "dbms_xmlgen",
            ) if at(i + 1) == Tok::Open => raise("sqli.fingerprint_function", 5.0),
            t if is_logic(&t) && i > 0 => {
                // Tautology: `1 or 1=1`, `x' or 'a'='a`, `) or (1=1`.
                let before = at(i - 1);
                let lhs = at(i + 1);
                let op = at(i + 2);
                let rhs = at(i + 3);
                let closes = matches!(before, Tok::Num(_) | Tok::Str { closed: true } | Tok::Close);
                let literal_truth = matches!(lhs, Tok::Word("true" | "false") | Tok::Num(_))
                    && matches!(op, Tok::Comment | Tok::Other | Tok::Semi | Tok::Close);
                if closes
                    && matches!(
                        lhs,
                        Tok::Num(_) | Tok::Str { .. } | Tok::Open | Tok::Word(_)
                    )
                    && is_compare(&op)
                    && matches!(
                        rhs,
                        Tok::Num(_) | Tok::Str { .. } | Tok::Word(_) | Tok::Open
                    )
                    && (matches!(lhs, Tok::Num(_) | Tok::Str { .. })
                        || matches!(rhs, Tok::Num(_) | Tok::Str { .. }))
                    || closes && literal_truth
                {
                    raise("sqli.tautology", 5.0);
                } else if closes
                    && (matches!(lhs, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) || SQL_FUNCTIONS.contains(&w))
                        && op == Tok::Open)
                {
                    raise("sqli.boolean_function", 5.0);
                }
            }
            _ => {}
        }
    }
    best
}

/// Looks for SQL injection in a folded value.
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    let mut best: Option<(&'static str, f64)> = None;
    let mut consider = |found: Option<(&'static str, f64)>| {
        if let Some(f) = found {
            if best.is_none_or(|(_, s)| f.1 > s) {
                best = Some(f);
            }
        }
    };
    read_as_sql(folded, &mut consider);
    // Typographic quotes are everywhere in prose: they are read as SQL
    // quotes only around a comparison, the shape their injections take.
    if !folded.is_ascii()
        && folded.contains(['=', '<', '>'])
        && folded.contains(APOSTROPHE_LOOKALIKES)
    {
        read_as_sql(&folded.replace(APOSTROPHE_LOOKALIKES, "'"), &mut consider);
    }
    if text.contains("/*!") {
        consider(Some(("sqli.mysql_executable_comment", 5.0)));
    }
    if closes_then_joins(folded) {
        consider(Some(("sqli.string_breakout", 5.0)));
    }
    if comment_touches_keyword(text) {
        consider(Some(("sqli.comment_obfuscation", 5.0)));
    }
    if let Some((rule, score)) = best {
        hits.push(Hit::new(
            rule,
            score,
            if score >= 5.0 { 0.9 } else { 0.5 },
            1,
        ));
    }
}

/// Quotes that best-fit conversion to a legacy character set (or a lenient
/// collation) turns into an apostrophe before the database sees them.
const APOSTROPHE_LOOKALIKES: [char; 4] = ['\u{2018}', '\u{2019}', '\u{00b4}', '\u{02bc}'];

/// Reads the value as it is and as if it sat inside each kind of string.
fn read_as_sql(folded: &str, consider: &mut impl FnMut(Option<(&'static str, f64)>)) {
    consider(judge(&tokenize(folded, None), false));
    for quote in [b'\'', b'"'] {
        if folded.as_bytes().contains(&quote) {
            consider(judge(&tokenize(folded, Some(quote)), true));
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
            "1.e(ascii 1.e(substring(1.e(select password from users limit 1 1.e,1 1.e) 1.e,1 1.e,1 1.e)1.e)1.e) = 70 or'1'='2",
        ] {
            assert!(fires(attack).is_some(), "missed: {attack}");
        }
    }

    #[test]
    fn stays_quiet_on_prose() {
        for benign in [
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
    }
}
