//! The words the classifier reads: path words with their position, and
//! field names reduced to words and a compact form.

use crate::segment::is_version;

/// Weight of a path word by position, in tenths: the last word of the path
/// says what the endpoint does (`/users/v1/login`), the other words of the
/// last segment qualify it (`accounts:signInWithPassword`), earlier
/// segments give the context (`/auth/...`).
pub(super) const LAST: u32 = 10;
pub(super) const LAST_SEGMENT: u32 = 8;
pub(super) const EARLIER: u32 = 5;

/// Two words that mean one (`sign in`, `log out`, `delete all`).
const COMPOUNDS: &[(&str, &str, &str)] = &[
    ("sign", "in", "signin"),
    ("sign", "on", "signin"),
    ("log", "in", "login"),
    ("log", "on", "login"),
    ("sign", "up", "signup"),
    ("sign", "out", "signout"),
    ("log", "out", "logout"),
    ("log", "off", "logout"),
    ("two", "factor", "2fa"),
    ("multi", "factor", "multifactor"),
    ("create", "account", "signup"),
    ("health", "check", "healthcheck"),
    ("check", "out", "checkout"),
    ("delete", "all", "deleteall"),
    ("remove", "all", "removeall"),
    ("factory", "reset", "factoryreset"),
    ("refresh", "token", "refreshtoken"),
    ("token", "refresh", "refreshtoken"),
    ("change", "email", "changeemail"),
    ("update", "email", "changeemail"),
    ("change", "phone", "changephone"),
    ("update", "phone", "changephone"),
];

/// File extensions that end a segment without meaning (`/users.json`).
const FORMATS: &[&str] = &[
    "json", "xml", "yaml", "yml", "html", "htm", "php", "asp", "aspx", "jsp", "js", "do", "cgi",
];

/// Splits `loginWithToken`, `forget-password`, `check_otp` into lower-case words.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One word of the path and how much its position counts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PathWord {
    pub text: String,
    pub position: u32,
    /// The word is its segment (`/user`, not `addUser`).
    pub alone: bool,
}

/// The words of the path's literal segments (and of a GraphQL operation
/// name, read as a last segment), versions, numbers and file extensions
/// left out, compounds joined.
pub(super) fn path_words(literals: &[&str], operation: Option<&str>) -> Vec<PathWord> {
    let operation = operation.map(|op| {
        let mut parts = op.splitn(2, ' ');
        match (parts.next(), parts.next()) {
            (Some("query" | "mutation" | "subscription"), Some(name)) => name,
            _ => op,
        }
    });
    let segments: Vec<Vec<String>> = literals
        .iter()
        .copied()
        .chain(operation)
        .filter(|s| !is_version(s))
        .map(segment_words)
        .filter(|w| !w.is_empty())
        .collect();
    let count = segments.len();
    let mut out = Vec::new();
    for (i, segment) in segments.into_iter().enumerate() {
        let len = segment.len();
        for (j, text) in segment.into_iter().enumerate() {
            let position = match (i + 1 == count, j + 1 == len) {
                (true, true) => LAST,
                (true, false) => LAST_SEGMENT,
                _ => EARLIER,
            };
            out.push(PathWord {
                text,
                position,
                alone: len == 1,
            });
        }
    }
    join_compounds(out)
}

fn segment_words(segment: &str) -> Vec<String> {
    let mut found: Vec<String> = words(segment)
        .into_iter()
        .filter(|w| w.chars().any(char::is_alphabetic) && !is_version(w))
        .collect();
    if found.len() > 1 && found.last().is_some_and(|w| FORMATS.contains(&w.as_str())) {
        found.pop();
    }
    found
}

fn join_compounds(words: Vec<PathWord>) -> Vec<PathWord> {
    let mut out: Vec<PathWord> = Vec::with_capacity(words.len());
    for word in words {
        let joined = out.last().and_then(|prev| {
            COMPOUNDS
                .iter()
                .find(|(a, b, _)| prev.text == *a && word.text == *b)
                .map(|(_, _, whole)| *whole)
        });
        match (joined, out.last_mut()) {
            (Some(whole), Some(prev)) => {
                prev.text = whole.to_owned();
                prev.position = word.position;
                prev.alone = false;
            }
            _ => out.push(word),
        }
    }
    out
}

/// A request or response field name: its words (`new_password` is `new`,
/// `password`) and its compact form (`newpassword`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FieldName<'a> {
    pub raw: &'a str,
    pub words: Vec<String>,
    pub compact: String,
}

impl<'a> FieldName<'a> {
    pub fn new(raw: &'a str) -> Self {
        let words = words(raw);
        let compact = words.concat();
        FieldName {
            raw,
            words,
            compact,
        }
    }

    pub fn has_word(&self, list: &[&str]) -> bool {
        self.words.iter().any(|w| list.contains(&w.as_str()))
    }

    pub fn is(&self, list: &[&str]) -> bool {
        list.contains(&self.compact.as_str())
    }
}

/// `users`, `repositories`, `pods`; not `status`, `access`, `analysis`.
pub(super) fn is_plural(word: &str) -> bool {
    word.len() > 3
        && word.ends_with('s')
        && !["ss", "us", "is", "ics"].iter().any(|s| word.ends_with(s))
        && !["news", "series", "species"].contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(literals: &[&str], operation: Option<&str>) -> Vec<(String, u32)> {
        path_words(literals, operation)
            .into_iter()
            .map(|w| (w.text, w.position))
            .collect()
    }

    #[test]
    fn splits_words() {
        assert_eq!(words("loginWithToken"), ["login", "with", "token"]);
        assert_eq!(words("check_otp-v2"), ["check", "otp", "v2"]);
        assert_eq!(words("auth.revoke"), ["auth", "revoke"]);
        assert_eq!(words("accounts:signUp"), ["accounts", "sign", "up"]);
    }

    #[test]
    fn path_words_drop_versions_and_formats_and_join_compounds() {
        assert_eq!(
            texts(&["users", "v1", "login"], None),
            [("users".into(), EARLIER), ("login".into(), LAST)]
        );
        assert_eq!(
            texts(&["accounts:signInWithPassword"], None),
            [
                ("accounts".into(), LAST_SEGMENT),
                ("signin".into(), LAST_SEGMENT),
                ("with".into(), LAST_SEGMENT),
                ("password".into(), LAST),
            ]
        );
        assert_eq!(
            texts(&["2010-04-01", "Accounts", "Messages.json"], None),
            [("accounts".into(), EARLIER), ("messages".into(), LAST)]
        );
        assert_eq!(
            texts(&["oauth.v2.access"], None),
            [("oauth".into(), LAST_SEGMENT), ("access".into(), LAST)]
        );
        assert_eq!(
            texts(&["graphql"], Some("mutation tokenRefresh")),
            [("graphql".into(), EARLIER), ("refreshtoken".into(), LAST)]
        );
    }

    #[test]
    fn plurals() {
        assert!(is_plural("users") && is_plural("pods") && is_plural("entries"));
        assert!(!is_plural("status") && !is_plural("access") && !is_plural("ids"));
    }
}
