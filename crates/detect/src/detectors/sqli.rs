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

use super::Hit;

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
                    Tok::Word("`")
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
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$' | b'.'))
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
                while i < b.len() && i - start < 3 && b"=<>!|&^+-*/%~:@?".contains(&b[i]) {
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
            | Tok::Word("like" | "is" | "in" | "between")
    )
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
    if !broke_out
        && matches!(at(0), Tok::Word("drop" | "truncate" | "alter"))
        && matches!(at(1), Tok::Word(_))
        && matches!(at(2), Tok::Semi | Tok::Comment | Tok::Word(_))
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
            t if is_logic(&t) && is_operand(&at(k + 1)) => raise("sqli.string_breakout", 5.0),
            t if is_logic(&t)
                && matches!(at(k + 1), Tok::Word(_))
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
            Tok::Word("select") => {
                let next = at(i + 1);
                let strong_next = matches!(
                    next,
                    Tok::Op("*") | Tok::Var(_) | Tok::Num(_) | Tok::Str { .. } | Tok::Open
                ) || (matches!(next, Tok::Word(w) if ATTACK_FUNCTIONS.contains(&w) || SQL_FUNCTIONS.contains(&w))
                    && at(i + 2) == Tok::Open);
                let has_from = tokens[i..].iter().take(12).any(|t| *t == Tok::Word("from"));
                let calls = matches!(next, Tok::Word(_)) && at(i + 2) == Tok::Open;
                if strong_next && (has_from || i > 0 || calls) {
                    raise("sqli.select", 5.0);
                } else if has_from && (i > 0 || tokens.len() > 4) {
                    raise("sqli.select", 3.0);
                }
            }
            Tok::Semi => {
                let next = at(i + 1);
                let after = at(i + 2);
                let stacked = match next {
                    Tok::Word("drop" | "create" | "alter" | "truncate") => {
                        matches!(after, Tok::Word(_))
                    }
                    Tok::Word("insert" | "replace") => after == Tok::Word("into"),
                    Tok::Word("delete") => after == Tok::Word("from"),
                    Tok::Word("update") => {
                        tokens[i..].iter().take(6).any(|t| *t == Tok::Word("set"))
                    }
                    Tok::Word("select") => {
                        is_operand(&after) || matches!(after, Tok::Word(_) | Tok::Op("*"))
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
                if tokens.len() == 2
                    && at(1) == Tok::Open
                    && (SQL_FUNCTIONS.contains(&w) || ATTACK_FUNCTIONS.contains(&w)) =>
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
                    && matches!(at(i + 2), Tok::Word(_) | Tok::Str { .. })
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
    consider(judge(&tokenize(folded, None), false));
    for quote in [b'\'', b'"'] {
        if folded.as_bytes().contains(&quote) {
            consider(judge(&tokenize(folded, Some(quote)), true));
        }
    }
    if text.contains("/*!") {
        consider(Some(("sqli.mysql_executable_comment", 5.0)));
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
}
