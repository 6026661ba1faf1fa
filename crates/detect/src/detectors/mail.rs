//! Mail protocol command injection: a value carrying a line break and then
//! a line an IMAP, POP3 or SMTP server would execute (`a001 UID STORE ...`,
//! `RETR 123`, `RCPT TO:<...>`). Applications that relay a field into a
//! mail session (webmail, contact forms) pass the line on as a command.
//!
//! A line only counts in the shape the protocol gives it: IMAP commands
//! after a tag, POP3 message commands with numeric arguments, SMTP
//! envelope commands with their colon. "List 3 things" is prose.

use super::Hit;

/// IMAP commands (RFC 9051), which follow a client tag such as `a001`.
const IMAP: &[&str] = &[
    "capability",
    "noop",
    "logout",
    "starttls",
    "authenticate",
    "login",
    "select",
    "examine",
    "create",
    "delete",
    "rename",
    "subscribe",
    "unsubscribe",
    "list",
    "lsub",
    "status",
    "append",
    "check",
    "close",
    "expunge",
    "search",
    "fetch",
    "store",
    "copy",
    "move",
    "uid",
    "idle",
];

/// POP3 commands (RFC 1939) whose arguments are message numbers.
const POP3_NUMBERED: &[&str] = &["retr", "list", "top", "dele", "uidl"];

/// Lines read after the first line break; enough for any injected session.
const MAX_LINES: usize = 32;

/// Looks for mail protocol commands on the lines after a line break.
pub fn detect(text: &str, hits: &mut Vec<Hit>) {
    let injects = text
        .split(['\r', '\n'])
        .skip(1)
        .take(MAX_LINES)
        .any(|line| is_mail_command(&line.trim().to_ascii_lowercase()));
    if injects {
        hits.push(Hit::new("cmdi.mail_command", 5.0, 0.8, 1));
    }
}

fn is_mail_command(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().take(8).collect();
    let Some((&first, rest)) = words.split_first() else {
        return false;
    };
    // IMAP: `tag COMMAND`, the tag a letter-and-digit token (`a001`, `A1`).
    let tagged = first.bytes().any(|b| b.is_ascii_digit())
        && first.bytes().all(|b| b.is_ascii_alphanumeric())
        && first
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic());
    if tagged && rest.first().is_some_and(|c| IMAP.contains(c)) {
        return true;
    }
    // POP3: `RETR 123`, `TOP 1 2`; `APOP name digest`; `AUTH mechanism`.
    if POP3_NUMBERED.contains(&first)
        && !rest.is_empty()
        && rest.iter().all(|a| a.bytes().all(|b| b.is_ascii_digit()))
    {
        return true;
    }
    if first == "apop"
        && rest.len() == 2
        && rest[1].len() == 32
        && rest[1].bytes().all(|b| b.is_ascii_hexdigit())
    {
        return true;
    }
    if first == "auth"
        && rest.first().is_some_and(|m| {
            ["plain", "login", "cram-md5", "xoauth2"].contains(m) || rest.len() == 2
        })
        && rest.len() <= 2
    {
        return true;
    }
    // SMTP envelope: `MAIL FROM:<`, `RCPT TO:<`.
    line.starts_with("mail from:") || line.starts_with("rcpt to:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        let mut hits = Vec::new();
        detect(s, &mut hits);
        !hits.is_empty()
    }

    #[test]
    fn catches_commands_on_injected_lines() {
        for attack in [
            "\r\na001 authenticate PLAIN\r\n",
            "\r\nA1 APPEND saved-messages (\\Seen) {310}",
            "\r\nRETR 123",
            "x\r\nTOP 1 2",
            "\r\nAPOP corerulest 7d0a3bd8e5b2abcfb3e256633c23b891",
            "hello\r\nRCPT TO:<victim@example.com>",
        ] {
            assert!(fires(attack), "missed: {attack:?}");
        }
    }

    #[test]
    fn multi_line_prose_is_not_a_session() {
        for benign in [
            "Go to store.\nAt the store, shop.",
            "Shopping\nList 3 things to buy",
            "Top 10 tips\nSelect a plan",
            "RETR 123",
            "Line one\nauth is required for this page, see docs",
        ] {
            assert!(!fires(benign), "false positive: {benign:?}");
        }
    }
}
