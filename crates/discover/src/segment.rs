//! What one path segment looks like: an identifier, a version, or a word.
//!
//! Templating starts here. Values that can only be identifiers (integers,
//! UUIDs, ULIDs, Mongo ids, hex digests, prefixed ids such as `cus_...`,
//! random tokens, dates, emails, IP addresses) become parameters on sight.
//! Versions (`v2`, `1.0`), dotted RPC names and reserved words always stay
//! literal. Everything else is a word: a resource name or a word-like id
//! (`atlas`, `repo-7`), which only the tree can tell apart, on evidence.

use serde::{Deserialize, Serialize};

/// The class of a segment's value, as far as its text alone can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Integer,
    Uuid,
    Ulid,
    MongoId,
    Hex,
    PrefixedId,
    Token,
    Date,
    DateTime,
    Email,
    IpAddress,
    /// A host name (`example.com`, `mg.acme.dev`): a value, never structure.
    Hostname,
    /// A release number (`1.19.29`, or `2.0` after a parameter): a value.
    Release,
    /// Text no resource name would contain (`:`, `@`, quotes, very long).
    Opaque,
    /// A short word carrying digits or upper-case codes (`repo-7`, `EX-3`, `BR`).
    WeakId,
    /// A word: resource name or word-like id; decided by evidence.
    Word,
    /// `admin.users.list` (an RPC method) or `example.com` (a value): literal
    /// where the API's structure is (under `/api`), a value under a collection.
    DottedName,
    /// `v2`, `1.0`, `2010-04-01` in version position, dotted RPC names and
    /// reserved words: never a parameter.
    Literal,
}

impl ValueKind {
    /// True when the value is an identifier whatever its neighbours are.
    pub fn is_identifier(self) -> bool {
        !matches!(
            self,
            ValueKind::WeakId | ValueKind::Word | ValueKind::DottedName | ValueKind::Literal
        )
    }

    /// OpenAPI `type` and `format` of a parameter holding values of this kind.
    pub fn openapi_type(self) -> (&'static str, Option<&'static str>) {
        match self {
            ValueKind::Integer => ("integer", None),
            ValueKind::Uuid => ("string", Some("uuid")),
            ValueKind::Date => ("string", Some("date")),
            ValueKind::DateTime => ("string", Some("date-time")),
            ValueKind::Email => ("string", Some("email")),
            ValueKind::IpAddress => ("string", Some("ip")),
            ValueKind::Hostname => ("string", Some("hostname")),
            _ => ("string", None),
        }
    }
}

/// Longest segment classified; longer ones are opaque by length alone.
const MAX_CLASSIFIED_LEN: usize = 256;

/// Words that name API structure, never an object.
const RESERVED_WORDS: &[&str] = &[
    "api",
    "apis",
    "rest",
    "graphql",
    "rpc",
    "admin",
    "auth",
    "oauth",
    "oauth2",
    "login",
    "logout",
    "signup",
    "register",
    "search",
    "health",
    "healthz",
    "metrics",
    "public",
    "internal",
    "static",
    "assets",
    "new",
    "edit",
    "count",
    "batch",
    "bulk",
    "export",
    "import",
    "upload",
    "download",
    "settings",
    "config",
    "v",
    // Item aliases are reserved too: `ITEM_ALIASES`.
    // Actions on a resource (`/orders/{id}/cancel`).
    "accept",
    "approve",
    "archive",
    "cancel",
    "close",
    "confirm",
    "decline",
    "disable",
    "enable",
    "lock",
    "open",
    "publish",
    "reject",
    "restart",
    "restore",
    "resume",
    "retry",
    "revoke",
    "start",
    "stop",
    "suspend",
    "unarchive",
    "unlock",
    "unpublish",
    "validate",
    "verify",
];

/// Reserved words that name one item of a collection (the caller's own,
/// `/users/me`, `/customers/my/balance`; the newest): literal when
/// learned, but a value where a spec declares a parameter
/// (`/users/{user_gid}` takes `me`).
pub const ITEM_ALIASES: &[&str] = &["me", "my", "mine", "self", "current", "latest"];

/// Longest reserved word: longer text skips the list.
const MAX_RESERVED_WORD_LEN: usize = 9;

/// Percent-decodes a raw path segment; invalid escapes are kept as written.
pub fn percent_decode(raw: &str) -> String {
    if !raw.contains('%') {
        return raw.to_owned();
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Classifies one decoded segment; `in_version_position` says that no
/// parameter precedes it and it is among the first segments, where dates
/// are API versions (`/2010-04-01/Accounts`).
pub fn classify(segment: &str, in_version_position: bool) -> ValueKind {
    let s = segment.trim_matches('"');
    if s.is_empty() {
        return ValueKind::Literal;
    }
    if s.len() > MAX_CLASSIFIED_LEN {
        return ValueKind::Opaque;
    }
    if is_version(s) {
        // Three numbers are a release (`/pypi/{p}/1.19.29/json`,
        // `/tags/v4.2.5`); APIs name their own versions `v2`, `1.0`.
        return if s.split('.').count() >= 3 {
            ValueKind::Release
        } else {
            ValueKind::Literal
        };
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return ValueKind::Integer;
    }
    if is_date(s) {
        return if in_version_position {
            ValueKind::Literal
        } else {
            ValueKind::Date
        };
    }
    if is_date_time(s) {
        return ValueKind::DateTime;
    }
    if is_uuid(s) {
        return ValueKind::Uuid;
    }
    if s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return ValueKind::MongoId;
    }
    if is_ulid(s) {
        return ValueKind::Ulid;
    }
    if is_hex_id(s) {
        return ValueKind::Hex;
    }
    if is_email(s) {
        return ValueKind::Email;
    }
    if s.parse::<std::net::IpAddr>().is_ok() {
        return ValueKind::IpAddress;
    }
    if s.len() <= MAX_RESERVED_WORD_LEN
        && (RESERVED_WORDS.contains(&s) || ITEM_ALIASES.contains(&s))
    {
        return ValueKind::Literal;
    }
    if is_hostname(s) {
        return ValueKind::Hostname;
    }
    if is_dotted_name(s) {
        return ValueKind::DottedName;
    }
    if is_prefixed_id(s) {
        return ValueKind::PrefixedId;
    }
    if is_token(s) {
        return ValueKind::Token;
    }
    if s.bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'))
        || s.len() > 48
    {
        return ValueKind::Opaque;
    }
    if is_weak_id(s) {
        return ValueKind::WeakId;
    }
    ValueKind::Word
}

/// `v2`, `v1beta`, `v2.7`, `1.0`, `2.1.3`.
pub fn is_version(s: &str) -> bool {
    let rest = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let digits_and_dots = |t: &str| {
        !t.is_empty()
            && t.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && !t.ends_with('.')
            && !t.contains("..")
    };
    if rest.len() < s.len() {
        // `v` + number, optionally followed by alpha/beta/rc tags (`v1beta2`).
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tag) = rest.split_at(number_end);
        return number.len() <= 6
            && digits_and_dots(number)
            && ["", "alpha", "beta", "rc", "preview"].iter().any(|t| {
                tag.strip_prefix(t)
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                    && tag.len() <= 12
            });
    }
    s.contains('.') && s.len() <= 8 && digits_and_dots(s)
}

pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
        && (1..=12).contains(&((b[5] - b'0') * 10 + (b[6] - b'0')))
        && (1..=31).contains(&((b[8] - b'0') * 10 + (b[9] - b'0')))
}

fn is_date_time(s: &str) -> bool {
    s.len() > 10
        && s.is_char_boundary(10)
        && is_date(&s[..10])
        && matches!(s.as_bytes()[10], b'T' | b't' | b' ')
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_hexdigit);
    match b.len() {
        36 => {
            b[8] == b'-'
                && b[13] == b'-'
                && b[18] == b'-'
                && b[23] == b'-'
                && hex(0..8)
                && hex(9..13)
                && hex(14..18)
                && hex(19..23)
                && hex(24..36)
        }
        32 => {
            hex(0..32) && b.iter().any(u8::is_ascii_digit) && b.iter().any(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

fn is_ulid(s: &str) -> bool {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    s.len() == 26
        && s.as_bytes()[0] <= b'7'
        && s.bytes()
            .all(|b| CROCKFORD.contains(&b.to_ascii_uppercase()))
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// Hex digests and short commit ids (`8ca2948`, `9f1c0ab3...`), and hex
/// in hyphenated groups that is not a canonical UUID
/// (`a1e1549f-12c2-c9c8-bf1f-0d9`): no word is sixteen hex digits long.
/// One pass that stops at the first other byte: most words fail at once.
fn is_hex_id(s: &str) -> bool {
    let (mut hex_digits, mut digits, mut dashes) = (0usize, 0usize, 0usize);
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                hex_digits += 1;
            }
            b'a'..=b'f' | b'A'..=b'F' => hex_digits += 1,
            b'-' => dashes += 1,
            _ => return false,
        }
    }
    if digits == 0 {
        return false;
    }
    if dashes > 0 {
        return hex_digits >= 16 && s.split('-').all(|group| !group.is_empty());
    }
    s.len() >= 7 && (hex_digits > digits || s.len() >= 16)
}

pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// Top-level domains that end host names in paths; not `.info`, `.test`,
/// `.list` or `.zip`, which end RPC method and file names as often.
const HOST_SUFFIXES: &[&str] = &[
    "com", "net", "org", "io", "dev", "app", "co", "ai", "cloud", "edu", "gov", "uk", "de", "fr",
    "nl", "eu", "us", "ca", "au", "jp", "in", "br", "ch", "se", "es", "it", "tech", "site",
    "online", "xyz", "local", "internal", "example",
];

/// `example.com`, `mg.acme.dev`: lower-case labels ending in a common
/// top-level domain.
fn is_hostname(s: &str) -> bool {
    let mut labels = s.split('.');
    let Some(tld) = labels.next_back() else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    s.contains('.') && HOST_SUFFIXES.contains(&tld) && labels.all(label_ok)
}

/// `admin.users.list`, `chat.postMessage`: RPC method names, always literal.
fn is_dotted_name(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

/// `cus_NffrFeUfNV2Hib`, `pi_3MtwBw...`, `VA` + 32 hex (Twilio SIDs).
fn is_prefixed_id(s: &str) -> bool {
    if let Some((prefix, rest)) = s.split_once('_').or_else(|| s.split_once('-')) {
        if (1..=8).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && rest.len() >= 8
            && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            && (rest.bytes().any(|b| b.is_ascii_digit())
                || looks_random(rest)
                || case_changes(rest) >= 2
                || scattered_capitals(rest))
        {
            return true;
        }
    }
    let upper = s.bytes().take_while(u8::is_ascii_uppercase).count();
    (1..=4).contains(&upper)
        && s.len() - upper >= 16
        && s[upper..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Base62 tokens: long, mixed letters and digits, not a compound word
/// (`response_time_50p` is words joined by separators, all lower-case).
fn is_token(s: &str) -> bool {
    let compound = s.contains(['_', '-']) && !s.bytes().any(|b| b.is_ascii_uppercase());
    s.len() >= 10
        && !compound
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && looks_random(s)
}

/// Random-looking text: digits among letters, or case changes no camelCase
/// word makes (two upper-case letters then lower-case, repeatedly).
fn looks_random(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits >= 2 && letters >= 2 {
        return true;
    }
    let upper_runs = s
        .as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
        .count();
    s.len() >= 12 && upper_runs >= 2 && case_changes(s) >= 2
}

/// Capitals scattered through lower-case text after a prefix, as random
/// ids have them (`NwncxvjcnqcMUP`), not as one capitalised word does.
fn scattered_capitals(rest: &str) -> bool {
    let later_capitals = rest.bytes().skip(1).filter(u8::is_ascii_uppercase).count();
    let lower = rest.bytes().filter(u8::is_ascii_lowercase).count();
    rest.len() >= 10 && later_capitals >= 2 && lower >= 2
}

/// Changes from a lower-case letter to an upper-case one (`efUgtuprHd`: 2).
fn case_changes(s: &str) -> usize {
    s.as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count()
}

/// Short codes carrying digits or all in capitals: `repo-7`, `EX-3`, `1ZZ`, `BR`.
fn is_weak_id(s: &str) -> bool {
    let has_digit = s.bytes().any(|b| b.is_ascii_digit());
    let all_upper = s
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    has_digit || (all_upper && s.len() <= 4)
}

/// How much a word looks like the API's own vocabulary rather than a
/// value: 2 for `camelCase` names starting with a word (`findByStatus`,
/// `scanAll`) and names starting with an action verb (`change-email`),
/// which values almost never are; 1 for `snake_case`
/// (`cpu_percentage`, `load_15`), which APIs name things with but values
/// (`my_repo`) sometimes are too; 0 for single words and `kebab-case`,
/// the usual shape of slugs, user and repository names.
pub fn vocabulary_weight(s: &str) -> usize {
    let camel = is_camel_case(s);
    // The first word: a letter, then lower-case letters (`Approve` in
    // `ApproveChallenge`, `change` in `change-email`).
    let first_word_len = s
        .bytes()
        .enumerate()
        .take_while(|&(i, b)| b.is_ascii_lowercase() || (i == 0 && b.is_ascii_uppercase()))
        .count();
    if first_word_len < 2 || !s.bytes().take(2).all(|b| b.is_ascii_alphabetic()) {
        return 0;
    }
    let first_word = s[..first_word_len].to_ascii_lowercase();
    if camel || ACTION_VERBS.contains(&first_word.as_str()) {
        2
    } else if s.contains('_') && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        1
    } else {
        0
    }
}

/// `findByStatus`, `ApproveChallenge`: a lower-case letter then an
/// upper-case one somewhere.
pub fn is_camel_case(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Verbs that start action names (`change-email`, `reset_password`,
/// `convert`): an API's operations, never the values it stores.
const ACTION_VERBS: &[&str] = &[
    "activate",
    "add",
    "apply",
    "assign",
    "attach",
    "authorize",
    "bulk",
    "calculate",
    "change",
    "check",
    "clear",
    "clone",
    "compute",
    "convert",
    "copy",
    "create",
    "deactivate",
    "delete",
    "detach",
    "duplicate",
    "estimate",
    "evaluate",
    "fetch",
    "find",
    "forgot",
    "generate",
    "get",
    "invite",
    "link",
    "lint",
    "list",
    "move",
    "preview",
    "recover",
    "refresh",
    "remove",
    "rename",
    "renew",
    "request",
    "resend",
    "reset",
    "resize",
    "resubmit",
    "rotate",
    "run",
    "scan",
    "send",
    "set",
    "submit",
    "sync",
    "terminate",
    "test",
    "toggle",
    "trigger",
    "unlink",
    "update",
    "upgrade",
    "upsert",
];

/// The lexical shape of a word: letter runs as `a`/`A`, digit runs as `9`,
/// separators kept (`repo-7` -> `a-9`). Values of one parameter share it.
pub fn lexical_shape(s: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in s.chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_ascii_uppercase() {
            'A'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if last != Some(class) || !matches!(class, '9' | 'A' | 'a') {
            out.push(class);
        }
        last = Some(class);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_recognised() {
        let cases = [
            ("123", ValueKind::Integer),
            ("9f1c5d2e-0b7a-4c3d-8e9f-1a2b3c4d5e6f", ValueKind::Uuid),
            ("01ARZ3NDEKTSV4RRFFQ69G5FAV", ValueKind::Ulid),
            ("507f1f77bcf86cd799439011", ValueKind::MongoId),
            ("8ca2948", ValueKind::Hex),
            ("a1e1549f-12c2-c9c8-bf1f-0d9", ValueKind::Hex),
            ("cus_NffrFeUfNV2Hib", ValueKind::PrefixedId),
            ("ent_efUgtuprHdxbfi", ValueKind::PrefixedId),
            ("nod_NwncxvjcnqcMUP", ValueKind::PrefixedId),
            ("VAcbbe80c46d1fb6dfbdb0ae0755281220", ValueKind::PrefixedId),
            ("rlVRPYrh1XbceFFRGIykt8", ValueKind::Token),
            ("2024-05-01", ValueKind::Date),
            ("2024-05-01T10:00:00Z", ValueKind::DateTime),
            ("jo@example.com", ValueKind::Email),
            ("36.22.21.53", ValueKind::IpAddress),
            ("example.com", ValueKind::Hostname),
            ("mg.acme-mail.dev", ValueKind::Hostname),
            ("1.19.29", ValueKind::Release),
            ("81:22:0e:08", ValueKind::Opaque),
        ];
        for (value, kind) in cases {
            assert_eq!(classify(value, false), kind, "{value}");
            assert!(kind.is_identifier());
        }
    }

    #[test]
    fn versions_rpc_names_and_words_stay_literal_or_words() {
        for v in ["v2", "v1beta2", "1.0", "v2.7", "api"] {
            assert_eq!(classify(v, false), ValueKind::Literal, "{v}");
        }
        for v in [
            "admin.users.list",
            "chat.postMessage",
            "users.info",
            "config.zip",
        ] {
            assert_eq!(classify(v, false), ValueKind::DottedName, "{v}");
        }
        assert_eq!(vocabulary_weight("findByStatus"), 2);
        assert_eq!(vocabulary_weight("scanAll"), 2);
        assert_eq!(vocabulary_weight("cpu_percentage"), 1);
        assert_eq!(vocabulary_weight("load_15"), 1);
        assert_eq!(vocabulary_weight("change-email"), 2);
        assert_eq!(vocabulary_weight("convert"), 2);
        assert_eq!(vocabulary_weight("ember-tango"), 0);
        assert_eq!(vocabulary_weight("onyx"), 0);
        assert_eq!(classify("2010-04-01", true), ValueKind::Literal);
        for w in [
            "users",
            "findByStatus",
            "removeCustomFieldSetting",
            "atlas",
            "ridge-beacon",
            "login-with-token",
        ] {
            assert_eq!(classify(w, false), ValueKind::Word, "{w}");
        }
        for w in ["repo-7", "EX-3", "1ZZ", "BR", "1-clicks", "cafe-2-bad"] {
            assert_eq!(classify(w, false), ValueKind::WeakId, "{w}");
        }
    }

    #[test]
    fn the_reserved_word_length_bound_covers_every_word() {
        assert!(RESERVED_WORDS
            .iter()
            .all(|w| w.len() <= MAX_RESERVED_WORD_LEN));
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("a%3Ab"), "a:b");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%22x%22"), "\"x\"");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn lexical_shapes_group_values() {
        assert_eq!(lexical_shape("repo-7"), lexical_shape("repo-12"));
        assert_ne!(lexical_shape("repo-7"), lexical_shape("1-clicks"));
    }
}
