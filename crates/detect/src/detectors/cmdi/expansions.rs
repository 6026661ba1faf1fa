//! Steps that find a command run through the shell's expansions rather
//! than written out: Shellshock's function definition, command and
//! arithmetic substitution, `cmd.exe` conditions and loops, brace, tilde
//! and history expansion, aliases. Each reads the unquoted value whole and
//! returns its finding; the first that finds one decides.

use super::evasion::is_glob_path;
use super::{batch_words, command_word, is_command, COMMANDS};
use crate::detectors::Hit;

/// A step over the whole unquoted value.
pub(super) type Step = fn(&str) -> Option<Hit>;

/// The expansion steps, in the order they are asked.
pub(super) const EXPANSION_STEPS: &[Step] = &[
    bracket_substitution,
    substitution,
    windows_control,
    brace_expansion,
    tilde_expansion,
    alias,
    history_expansion,
];

/// `() {`: a function definition in a variable, Shellshock's carrier.
pub(super) fn shellshock(folded: &str) -> Option<Hit> {
    (folded.contains("() {") || folded.contains("(){"))
        .then(|| Hit::new("cmdi.shellshock", 5.0, 0.95, 1))
}

/// `$[1+1]`: the old arithmetic substitution.
fn bracket_substitution(s: &str) -> Option<Hit> {
    (s.contains("$[") && s.contains(']')).then(|| Hit::new("cmdi.substitution", 5.0, 0.8, 1))
}

/// `$(id)`, `<(cat x)`, `${PATH:0:1}`, `$((1+1))`: command, process,
/// parameter or arithmetic substitution around a command or a name.
fn substitution(s: &str) -> Option<Hit> {
    let opens = (s.contains("$(") || s.contains("<(") || s.contains(">(")) && s.contains(')')
        || s.contains("${") && s.contains('}') && !s.contains("${jndi");
    if !opens {
        return None;
    }
    let inner = s.split(['(', '{']).nth(1).unwrap_or("");
    let (word, _) = command_word(inner);
    // `${var#pattern}`, `${var:-x}`, `$((1+1))`: parameter and arithmetic expansion.
    let name_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let expansion = s.contains("$((")
        || name_len > 0 && inner[name_len..].starts_with(['#', '%', '/', ':', '^', ',', '~']);
    let named = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (expansion || is_command(word) || named).then(|| Hit::new("cmdi.substitution", 5.0, 0.85, 1))
}

/// `if exist c:\x`, `if /i "%a%"=="b"`, `for %i in (x) do`: a `cmd.exe`
/// condition or loop.
fn windows_control(s: &str) -> Option<Hit> {
    let windows_if = s
        .trim_start()
        .strip_prefix("if")
        .filter(|rest| rest.starts_with([' ', '/']))
        .is_some_and(|rest| {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("/i").unwrap_or(rest).trim_start();
            let rest = rest.strip_prefix("not ").unwrap_or(rest).trim_start();
            let words = batch_words(rest);
            ["exist", "defined", "errorlevel", "cmdextversion"]
                .iter()
                .any(|k| words.first() == Some(k))
                || words
                    .get(1)
                    .is_some_and(|op| ["equ", "neq", "lss", "leq", "gtr", "geq", "=="].contains(op))
                || words.first().is_some_and(|w| w.contains("=="))
        });
    let for_loop = s.trim_start().starts_with("for ") && s.contains(" in (") && s.contains(" do ");
    (windows_if || for_loop || batch_loop_variable(s))
        .then(|| Hit::new("cmdi.windows_for_loop", 5.0, 0.9, 1))
}

/// `... %%g in (list) do ...` wherever it stands (after `&`, inside a
/// header's list or a token): a `for` loop's one-character variable, the
/// list it walks and the `do` after it, which is `cmd.exe`'s grammar and
/// nothing else's (`50% in (most) cases` has no variable).
fn batch_loop_variable(s: &str) -> bool {
    let Some(first_for) = s.find("for ") else {
        return false;
    };
    // The first `)` at or after the list being looked at (`s.len()` when
    // there is none), found once for every list it closes: one pass.
    let mut close = 0;
    s.match_indices(" in (").any(|(at, _)| {
        let variable = s[..at].rsplit(' ').next().unwrap_or_default();
        let name = variable.trim_start_matches('%');
        let is_variable = variable.starts_with('%') && variable.len() - name.len() <= 2;
        if !(is_variable && name.chars().count() == 1 && first_for + 4 <= at) {
            return false;
        }
        if close < at {
            close = s[at..].find(')').map_or(s.len(), |c| at + c);
        }
        let rest = s.get(close + 1..).map(str::trim_start);
        rest.is_some_and(|rest| rest == "do" || rest.starts_with("do "))
    })
}

/// Whether a `cmd.exe` condition or loop found in prose is one: any is,
/// but a C-like test (`if (user == null || id <= 0) return;`), which a
/// code review quotes, uses words and operators `cmd.exe` has not.
pub(super) fn batch_control_in_prose(s: &str) -> bool {
    const C_ONLY: &[&str] = &["return", "null", "!=", "<=", ">=", "{"];
    !C_ONLY.iter().any(|c| s.contains(c))
}

/// `{l,-lh}s`, `c{a,oun}t`, `{cat,/etc/passwd}`: brace expansion that
/// spells a command or a sensitive path.
fn brace_expansion(s: &str) -> Option<Hit> {
    let open = s.find('{')?;
    let close = s[open..].find('}')?;
    let inner = &s[open + 1..open + close];
    let shaped = inner.contains(',')
        && !inner.contains(' ')
        && !inner.contains(':')
        // JSON-like `{"a","b"}` is data; `$"..."` is shell quoting.
        && (!inner.contains('"') || inner.contains("$\""));
    if !shaped {
        return None;
    }
    let expanded = inner.split(',').next().unwrap_or("");
    let joined = format!("{}{}{}", &s[..open], expanded, &s[open + close + 1..]);
    let (word, _) = command_word(&joined);
    let names = inner.split(',').any(|w| {
        let w = w.trim_start_matches('$').trim_matches(['\'', '"']);
        is_glob_path(w)
            || COMMANDS.contains(&w.trim_start_matches('/').rsplit('/').next().unwrap_or(""))
    });
    (is_command(word) || names).then(|| Hit::new("cmdi.brace_expansion", 5.0, 0.8, 1))
}

/// `~+`, `~-`: the current and previous directory, as only a shell writes them.
fn tilde_expansion(s: &str) -> Option<Hit> {
    let trimmed = s.trim();
    (trimmed.starts_with("~+") || trimmed.starts_with("~-"))
        .then(|| Hit::new("cmdi.tilde_expansion", 5.0, 0.7, 1))
}

/// `alias x='cat /etc/passwd'`: a command defined under another name.
fn alias(s: &str) -> Option<Hit> {
    let trimmed = s.trim();
    trimmed
        .strip_prefix("alias ")
        .is_some_and(|rest| rest.split_whitespace().any(|w| w.contains('=')))
        .then(|| Hit::new("cmdi.alias", 5.0, 0.8, 1))
}

/// `!-2`, `!-1 !-2`: history expansion re-running earlier commands.
fn history_expansion(s: &str) -> Option<Hit> {
    (s.contains("!-") && s.matches('!').count() >= 2 && s.trim().starts_with('!'))
        .then(|| Hit::new("cmdi.history_expansion", 5.0, 0.7, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(step: Step, s: &str) -> Option<&'static str> {
        step(s).map(|h| h.rule)
    }

    #[test]
    fn each_expansion_step_reads_its_own_shape() {
        assert!(shellshock("() { :; }; /bin/id").is_some());
        assert_eq!(
            rule(bracket_substitution, "$[1+1]"),
            Some("cmdi.substitution")
        );
        assert_eq!(rule(substitution, "x $(id)"), Some("cmdi.substitution"));
        assert_eq!(rule(substitution, "${path:0:1}"), Some("cmdi.substitution"));
        assert_eq!(rule(substitution, "a (b) c"), None);
        assert_eq!(
            rule(windows_control, "if exist c:\\boot.ini"),
            Some("cmdi.windows_for_loop")
        );
        assert_eq!(
            rule(windows_control, "for %i in (a) do echo"),
            Some("cmdi.windows_for_loop")
        );
        assert_eq!(rule(windows_control, "if you want, for sure"), None);
        assert_eq!(
            rule(windows_control, "& for %/ in (a,b,c)do cmd"),
            Some("cmdi.windows_for_loop")
        );
        assert_eq!(
            rule(windows_control, "bearer for /f %%g in ('x') do echo %%g"),
            Some("cmdi.windows_for_loop")
        );
        assert_eq!(
            rule(windows_control, "good for 50% in (most) cases do check"),
            None
        );
        assert!(batch_control_in_prose("for %i in (a) do echo"));
        assert!(batch_control_in_prose("if not exist c:\\x echo"));
        assert!(batch_control_in_prose("if %errorlevel% neq 0 echo test"));
        assert!(!batch_control_in_prose(
            "if (user == null || id <= 0) return;"
        ));
        assert_eq!(
            rule(brace_expansion, "{cat,/etc/passwd}"),
            Some("cmdi.brace_expansion")
        );
        assert_eq!(rule(brace_expansion, "{\"a\",\"b\"}"), None);
        assert_eq!(rule(tilde_expansion, "~+/x"), Some("cmdi.tilde_expansion"));
        assert_eq!(rule(alias, "alias x=id"), Some("cmdi.alias"));
        assert_eq!(rule(alias, "alias of the user"), None);
        assert_eq!(
            rule(history_expansion, "!-2 !-1"),
            Some("cmdi.history_expansion")
        );
        assert_eq!(rule(history_expansion, "wow!-great!"), None);
    }
}
