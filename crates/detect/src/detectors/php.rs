//! PHP injection: open tags, calls of the functions that execute code or
//! commands (also through string-built names: `(sy.(st).em)('id')`,
//! `$a(1)`), a value that is only the opening of a call to a built-in of
//! one of PHP's extensions, superglobals, stream wrappers and serialized
//! objects.

use super::Hit;

const FUNCTIONS: &[&str] = &[
    "system",
    "exec",
    "strip_tags",
    "printf",
    "intval",
    "file_exists",
    "is_file",
    "is_dir",
    "addslashes",
    "urldecode",
    "rawurldecode",
    "json_decode",
    "var_export",
    "zlib_decode",
    "zlib_encode",
    "curl_init",
    "curl_setopt",
    "assert_options",
    "filegroup",
    "fileowner",
    "fileperms",
    "unpack",
    "pack",
    "get_defined_functions",
    "get_defined_constants",
    "ini_get",
    "ini_get_all",
    "ini_restore",
    "set_include_path",
    "stream_socket_client",
    "stream_context_create",
    "proc_nice",
    "proc_terminate",
    "pcntl_fork",
    "apache_setenv",
    "virtual",
    "gzfile",
    "fgets",
    "fread",
    "fputs",
    "fputcsv",
    "tmpfile",
    "tempnam",
    "touch",
    "chown",
    "chgrp",
    "lchown",
    "link",
    "readlink",
    "realpath",
    "stat",
    "lstat",
    "disk_free_space",
    "openlog",
    "syslog",
    "session_start",
    "settype",
    "create_function",
    "array_reduce",
    "preg_replace_callback",
    "mb_ereg_replace",
    "spl_autoload_register",
    "fsockopen",
    "substr",
    "strtolower",
    "implode",
    "explode",
    "sprintf",
    "serialize",
    "file",
    "bzdecompress",
    "bzopen",
    "gzopen",
    "call_user_method",
    "forward_static_call",
    "func_get_args",
    "array_walk",
    "iterator_apply",
    "ob_get_contents",
    "filter_var",
    "constant",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "pcntl_exec",
    "eval",
    "assert",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "preg_replace",
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "str_rot13",
    "file_put_contents",
    "file_get_contents",
    "fopen",
    "fwrite",
    "readfile",
    "include",
    "include_once",
    "require",
    "require_once",
    "phpinfo",
    "chr",
    "ord",
    "unserialize",
    "move_uploaded_file",
    "highlight_file",
    "show_source",
    "parse_str",
    "extract",
    "putenv",
    "ini_set",
    "mail",
    "dl",
    "array_map",
    "usort",
    "uasort",
    "array_filter",
    "register_shutdown_function",
    "ob_start",
    "fsockopen",
    "curl_exec",
    "posix_kill",
    "posix_setuid",
    "symlink",
    "chmod",
    "unlink",
    "rename",
    "copy",
    "mkdir",
    "scandir",
    "glob",
    "hex2bin",
    "bin2hex",
    "convert_uudecode",
    "str_replace",
    "strrev",
    "get_defined_vars",
    "getenv",
    "var_dump",
    "print_r",
    "escapeshellcmd",
    "escapeshellarg",
    "gzdecode",
    "stream_get_contents",
    "php_uname",
    "phpversion",
];

const SUPERGLOBALS: &[&str] = &[
    "$_get",
    "$_post",
    "$_server",
    "$_cookie",
    "$_request",
    "$_files",
    "$_env",
    "$_session",
    "$globals",
    "$http_raw_post_data",
];

/// Looks for PHP code in a folded value.
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    if folded.contains("[php]")
        || folded.contains("[/php]")
        || folded.contains("[\\php]")
        || folded.contains("${'")
        || folded.contains("${\"")
    {
        hits.push(Hit::new("php.open_tag", 5.0, 0.9, 1));
        return;
    }
    if folded.contains("<?php")
        || folded.contains("<?=")
        || folded.contains("{php}")
        || folded.contains("{/php}")
        || folded
            .match_indices("<?")
            .any(|(at, _)| opens_php(&folded[at + 2..]))
    {
        hits.push(Hit::new("php.open_tag", 5.0, 0.95, 1));
        return;
    }
    if sets_ini_directive(folded) {
        hits.push(Hit::new("php.ini_directive", 5.0, 0.75, 1));
        return;
    }
    if SUPERGLOBALS.iter().any(|g| folded.contains(g)) {
        hits.push(Hit::new("php.superglobal", 5.0, 0.85, 1));
        return;
    }
    if is_serialized_object(folded) {
        hits.push(Hit::new("php.serialized_object", 5.0, 0.85, 1));
        return;
    }
    let compact = strip_comments(&crate::decode::fold::fold_comments_only(
        &text.to_lowercase(),
    ));
    if compact.contains("${'") || compact.contains("${\"") || compact.contains("${$") {
        hits.push(Hit::new("php.variable_variable", 5.0, 0.85, 1));
        return;
    }
    let string_call = ["\"('", "\"(\"", "')('", "\")(\""]
        .iter()
        .any(|p| compact.contains(p))
        || compact
            .match_indices(")('")
            .chain(compact.match_indices(")(\""))
            .any(|(at, _)| {
                compact[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ']' || c == '$')
            });
    if string_call {
        hits.push(Hit::new("php.dynamic_call", 5.0, 0.8, 1));
        return;
    }
    if calls_known_function(&compact)
        || calls_hidden_function(&compact)
        || is_bare_extension_call(&compact)
    {
        hits.push(Hit::new("php.function_call", 5.0, 0.8, 1));
        return;
    }
    if compact.contains("posix_") && compact[compact.find("posix_").unwrap_or(0)..].contains('(') {
        hits.push(Hit::new("php.function_call", 5.0, 0.8, 1));
        return;
    }
    // Variable functions: `$a(1)`, `$$b(2)`; string-built names `(sy.(st).em)(`.
    let b = compact.as_bytes();
    for (i, _) in compact.match_indices('$') {
        let name_len = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'$')
            .count();
        let starts_like_name = b
            .get(i + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'$');
        let mut k = i + 1 + name_len;
        // Any index or brace groups: `$a[0]['x']`, `$O{0}`.
        while matches!(b.get(k), Some(b'[' | b'{')) {
            let mut depth = 0usize;
            while let Some(&c) = b.get(k) {
                k += 1;
                match c {
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        if name_len > 0 && starts_like_name && b.get(k) == Some(&b'(') {
            hits.push(Hit::new("php.variable_function", 5.0, 0.75, 1));
            return;
        }
    }
    if compact.contains(")(")
        && compact.starts_with('(')
        && (compact.contains(".(") || compact.contains(").") || compact.contains("')"))
    {
        hits.push(Hit::new("php.dynamic_call", 5.0, 0.7, 1));
    }
}

/// Whether what follows `<?` opens PHP code: anything but an XML
/// declaration (`<?xml version=...`) or another processing instruction name.
fn opens_php(after: &str) -> bool {
    match after.strip_prefix("xml") {
        Some(rest) => !rest.trim_start().starts_with("version"),
        None => {
            after.is_empty()
                || after.starts_with([' ', '\t', '\n', '\r'])
                || after.starts_with("php")
        }
    }
}

/// PHP configuration directives that change what the interpreter may do.
const INI_DIRECTIVES: &[&str] = &[
    "engine",
    "extension",
    "extension_dir",
    "auto_prepend_file",
    "auto_append_file",
    "allow_url_include",
    "allow_url_fopen",
    "open_basedir",
    "disable_functions",
    "disable_classes",
    "memory_limit",
    "max_execution_time",
    "include_path",
    "error_log",
    "display_errors",
    "precision",
    "smtp",
    "sendmail_path",
    "unserialize_max_depth",
    "short_open_tag",
    "file_uploads",
    "upload_tmp_dir",
    "user_ini.filename",
    "expose_php",
    "safe_mode",
];
const INI_SECTIONS: &[&str] = &[
    "opcache.",
    "mbstring.",
    "zend.",
    "pcre.",
    "phar.",
    "assert.",
];

/// `engine=true`, `opcache.jit=50`: a value that is a php.ini assignment.
fn sets_ini_directive(folded: &str) -> bool {
    let Some((name, _)) = folded.split_once('=') else {
        return false;
    };
    let name = name.trim();
    INI_DIRECTIVES.contains(&name)
        || INI_SECTIONS.iter().any(|s| {
            name.starts_with(s)
                && name[s.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
                && name.len() > s.len()
        })
}

/// Functions that execute code or commands whatever their argument.
const EXECUTES: &[&str] = &[
    "system",
    "exec",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "eval",
    "assert",
    "include",
    "require",
    "file",
];

/// Whether `compact` calls a known function: the identifier before each `(`
/// is a function name, or ends with a long or underscored one (`FOOgzinflate(`).
fn calls_known_function(compact: &str) -> bool {
    let b = compact.as_bytes();
    compact.match_indices('(').any(|(paren, _)| {
        // `shell_exec=(...)`: some parsers skip the `=`.
        let name_end = if paren > 0 && b[paren - 1] == b'=' {
            paren - 1
        } else {
            paren
        };
        let ident_start = b[..name_end]
            .iter()
            .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
            .map_or(0, |i| i + 1);
        let ident = &compact[ident_start..name_end];
        let before = b[..ident_start].last().copied();
        let arg = &compact[paren + 1..];
        // The whole value is one call: `fopen(x)`.
        let bare_call = ident_start == 0 && compact.ends_with(')');
        FUNCTIONS.iter().any(|f| {
            let exact = ident == *f && before.is_none_or(|c| !matches!(c, b'.' | b'-'));
            let suffix = (f.contains('_') || f.len() >= 7) && ident.ends_with(f);
            (exact || suffix)
                && (!arg.is_empty() || EXECUTES.contains(f) || f.contains('_'))
                && (EXECUTES.contains(f)
                    || bare_call
                    || arg.starts_with(['$', '"', '\'', ')', '_'])
                    || arg.bytes().next().is_some_and(|c| c.is_ascii_digit())
                    || f.contains('_'))
        })
    })
}

/// Name prefixes of PHP's bundled extensions (`array_`, `pg_`, `sodium_`...):
/// the namespaces its built-in functions live in.
const EXTENSION_PREFIXES: &[&str] = &[
    "array_",
    "str_",
    "date_",
    "mb_",
    "preg_",
    "posix_",
    "proc_",
    "pcntl_",
    "curl_",
    "mysqli_",
    "pg_",
    "ldap_",
    "odbc_",
    "sodium_",
    "openssl_",
    "tidy_",
    "zend_",
    "stream_",
    "socket_",
    "gethostby",
    "ftp_",
    "imap_",
    "xml_",
    "libxml_",
    "simplexml_",
    "finfo_",
    "apache_",
    "iconv_",
    "ini_",
    "ob_",
    "session_",
    "spl_",
    "func_",
    "call_user_func",
];

/// `array_diff (`, `ldap_get_entries()`: the whole value is the opening of a
/// call to a built-in of one of PHP's extensions, as a probe sends it.
fn is_bare_extension_call(compact: &str) -> bool {
    let name = compact
        .strip_suffix("()")
        .or_else(|| compact.strip_suffix('('))
        .unwrap_or("");
    name.len() > 4
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && EXTENSION_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `(system)(id)`, `"system"(id)`, `[system][0](ls)`: an executing function
/// named through a string, parentheses or an array, then called.
fn calls_hidden_function(compact: &str) -> bool {
    let b = compact.as_bytes();
    EXECUTES.iter().any(|f| {
        compact.match_indices(f).any(|(at, _)| {
            let opened = at > 0 && matches!(b[at - 1], b'(' | b'"' | b'\'' | b'[' | b'{');
            let rest = &b[at + f.len()..];
            let skipped = rest
                .iter()
                .take_while(|c| matches!(c, b')' | b']' | b'}' | b'"' | b'\'' | b'[' | b'0'..=b'9'))
                .count();
            opened && skipped > 0 && rest.get(skipped) == Some(&b'(')
        })
    })
}

/// Removes whitespace and `//`/`#` line comments (PHP lets both sit
/// between a function name and its parenthesis).
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_comment = false;
    let b = s.as_bytes();
    for (i, ch) in s.char_indices() {
        if in_comment {
            in_comment = ch != '\n';
            continue;
        }
        if (ch == '/' && b.get(i + 1) == Some(&b'/') && i > 0 && b[i - 1] != b':') || ch == '#' {
            in_comment = true;
            continue;
        }
        if !ch.is_whitespace() {
            out.push(ch);
        }
    }
    out
}

/// `O:8:"stdClass":0:{}`, `a:1:{s:1:"a";i:2;}`.
fn is_serialized_object(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        matches!(w[0], b'o' | b'a' | b'c')
            && w[1] == b':'
            && w[2].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && {
                let rest = &s[i + 2..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                rest[digits..].starts_with(":\"") || rest[digits..].starts_with(":{")
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        super::super::fires(detect, s)
    }

    #[test]
    fn catches_php_code() {
        for attack in [
            "<?php echo 1; ?>",
            "$_SERVER['test'];",
            "o:8:\"stdclass\":0:{}",
            "chr(123)",
            "eval($foo)",
            "$a(1)",
            "(sy.(st).em)('uname');",
            "base64_decode()",
            "array_diff (",
            "ldap_get_entries()",
        ] {
            assert!(fires(attack), "missed: {attack}");
        }
    }

    #[test]
    fn stays_quiet_on_text() {
        for benign in [
            "The system (v2) is down",
            "assert yourself",
            "costs $5 (approx)",
            "a:1 ratio",
            "include me (please)",
            "array_size is (3)",
            "str_",
        ] {
            assert!(!fires(benign), "false positive: {benign}");
        }
    }
}
