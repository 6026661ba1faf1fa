//! Detectors: each reads one kind of attack, by structure.
//!
//! Value detectors (`sqli`, `xss`, ...) read one decoded value; a literal
//! prefilter (one Aho-Corasick pass over the folded value) decides which of
//! them can possibly fire, so most values of most requests run none.
//! Request detectors (`protocol`, `scanner`, `graphql`) read the request as
//! a whole. Every finding is a [`Detection`]: rule, category, location,
//! masked evidence, score and confidence.

pub mod cmdi;
pub mod generic;
pub mod graphql;
pub mod java;
pub mod ldap;
pub mod mail;
pub mod nosql;
pub mod php;
pub mod prose;
pub mod protocol;
pub mod scanner;
pub mod sqli;
pub mod ssrf;
pub mod ssti;
pub mod traversal;
pub mod upload;
pub mod xss;
pub mod xxe;

use crate::contract::{FieldKind, LearnedShape};
use crate::location::{Layer, Location};
use crate::parse::Value;
use crate::shape;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Serialize;

/// Test helper: whether `detect` finds anything in `text` (given its folded
/// form and the text itself, as the engine does).
#[cfg(test)]
pub(crate) fn fires(detect: impl FnOnce(&str, &str, &mut Vec<Hit>), text: &str) -> bool {
    let mut hits = Vec::new();
    detect(&crate::decode::fold::fold(text), text, &mut hits);
    !hits.is_empty()
}

/// One finding inside a detector, before it is tied to a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub rule: &'static str,
    /// Contribution to the anomaly score (5 critical, 4 error, 3 warning, 2 notice).
    pub score: f64,
    /// How sure the detector is, 0 to 1 (reported; the score already accounts for it).
    pub confidence: f64,
    /// Lowest paranoia level at which this finding counts.
    pub paranoia: u8,
    /// Reported as what it would do, never enforced (a check in monitor
    /// mode while the endpoint enforces).
    pub monitor_only: bool,
}

impl Hit {
    pub fn new(rule: &'static str, score: f64, confidence: f64, paranoia: u8) -> Self {
        Hit {
            rule,
            score,
            confidence,
            paranoia,
            monitor_only: false,
        }
    }

    /// The same hit, counted towards a `monitor` verdict but never a block.
    pub fn monitored(self) -> Self {
        Hit {
            monitor_only: true,
            ..self
        }
    }
}

/// Attack families, as reported in verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Sqli,
    Xss,
    Traversal,
    Lfi,
    Rfi,
    Ssrf,
    Cmdi,
    Ssti,
    Nosql,
    Ldap,
    Xpath,
    Xxe,
    Java,
    Php,
    Generic,
    SessionFixation,
    Protocol,
    Scanner,
    Graphql,
    Contract,
}

impl Category {
    /// The category a rule name belongs to (its prefix).
    pub fn of_rule(rule: &str) -> Category {
        match rule.split('.').next().unwrap_or(rule) {
            "sqli" => Category::Sqli,
            "xss" => Category::Xss,
            "traversal" => Category::Traversal,
            "lfi" => Category::Lfi,
            "rfi" => Category::Rfi,
            "ssrf" => Category::Ssrf,
            "cmdi" => Category::Cmdi,
            "ssti" => Category::Ssti,
            "nosql" => Category::Nosql,
            "ldap" => Category::Ldap,
            "xpath" => Category::Xpath,
            "xxe" => Category::Xxe,
            "java" => Category::Java,
            "php" => Category::Php,
            "session_fixation" => Category::SessionFixation,
            "scanner" => Category::Scanner,
            "graphql" => Category::Graphql,
            "contract" => Category::Contract,
            "generic" => Category::Generic,
            _ => Category::Protocol,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Sqli => "sqli",
            Category::Xss => "xss",
            Category::Traversal => "traversal",
            Category::Lfi => "lfi",
            Category::Rfi => "rfi",
            Category::Ssrf => "ssrf",
            Category::Cmdi => "cmdi",
            Category::Ssti => "ssti",
            Category::Nosql => "nosql",
            Category::Ldap => "ldap",
            Category::Xpath => "xpath",
            Category::Xxe => "xxe",
            Category::Java => "java",
            Category::Php => "php",
            Category::Generic => "generic",
            Category::SessionFixation => "session-fixation",
            Category::Protocol => "protocol",
            Category::Scanner => "scanner",
            Category::Graphql => "graphql",
            Category::Contract => "contract",
        }
    }
}

/// One explained finding of the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    pub rule: String,
    pub category: Category,
    pub location: String,
    /// Short, masked excerpt of the decoded value.
    pub evidence: String,
    pub score: f64,
    pub confidence: f64,
    #[serde(skip)]
    pub paranoia: u8,
    /// The placement the score is counted against ([`Location::placement`]):
    /// a rule counts once per placement however many decoded forms of it
    /// show the same payload.
    #[serde(skip)]
    pub placement: String,
    /// Decoding steps from the placement to the value (0: as sent).
    #[serde(skip)]
    pub steps: usize,
    /// Counts towards what enforce mode would do, never blocks.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub monitor_only: bool,
}

impl Detection {
    pub fn new(hit: &Hit, location: &Location, evidence: String) -> Self {
        Detection {
            rule: hit.rule.to_owned(),
            category: Category::of_rule(hit.rule),
            location: location.to_string(),
            placement: location.placement().to_string(),
            steps: location.depth(),
            evidence,
            score: hit.score,
            confidence: hit.confidence,
            paranoia: hit.paranoia,
            monitor_only: hit.monitor_only,
        }
    }
}

/// Value detectors, each with the literals without which it cannot fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueDetector {
    Sqli,
    Xss,
    Traversal,
    Ssrf,
    Cmdi,
    Ssti,
    Nosql,
    Ldap,
    Xxe,
    Java,
    Php,
    Generic,
}

const ALL: [ValueDetector; 12] = [
    ValueDetector::Sqli,
    ValueDetector::Xss,
    ValueDetector::Traversal,
    ValueDetector::Ssrf,
    ValueDetector::Cmdi,
    ValueDetector::Ssti,
    ValueDetector::Nosql,
    ValueDetector::Ldap,
    ValueDetector::Xxe,
    ValueDetector::Java,
    ValueDetector::Php,
    ValueDetector::Generic,
];

impl ValueDetector {
    /// Literals a detector already keeps as its own vocabulary.
    fn shared_triggers(self) -> &'static [&'static [&'static str]] {
        match self {
            ValueDetector::Java => &[java::RUNTIME_MARKERS],
            ValueDetector::Ssrf => &[ssrf::SLASHLESS_SCHEMES],
            ValueDetector::Xss => &[xss::JS_CALLS, xss::JS_SINKS],
            _ => &[],
        }
    }

    fn triggers(self) -> &'static [&'static str] {
        match self {
            ValueDetector::Sqli => &[
                "sp_",
                "xor",
                "drop",
                "declare",
                "procedure",
                "tempdb",
                "msdb",
                "mysql.db",
                "case ",
                "'",
                "\"",
                ";",
                "--",
                "#",
                "@@",
                "(",
                "=",
                "<",
                ">",
                "||",
                " or ",
                " and ",
                "union",
                "select",
                "waitfor",
                "information_schema",
                "pg_",
                "sys",
                "sqlite",
                "mysql",
                "exec",
                "xp_",
                "::",
                "from",
                ") when",
            ],
            ValueDetector::Xss => &[
                "import",
                "self[",
                "top[",
                "parent[",
                "this[",
                "url(",
                "<",
                "javascript",
                "vbscript",
                "livescript",
                "data:",
                "=",
                "script",
                "+adw-",
                "[]",
                "@import",
                "expression(",
                "binding",
                "document",
                "window",
                "location",
                "${",
            ],
            ValueDetector::Traversal => &[
                "..",
                "/.",
                "[",
                "etc/",
                "proc/",
                "sys/",
                "boot.ini",
                "win.ini",
                "system32",
                ".ht",
                ".git",
                ".svn",
                ".env",
                ".ssh",
                "id_rsa",
                "web.config",
                "/var/log",
                ".aws",
                ".claude",
                ".cursor",
                ".idea",
                ".vscode",
                "system.ini",
                "wp-config",
                "inetpub",
                ".bash",
                "my.cnf",
                "history",
                ".kube",
                ".docker",
                ".npmrc",
                ".netrc",
                ".pgpass",
                "docker-compose",
                "php.ini",
                "master.passwd",
                "authorized_keys",
                "id_dsa",
            ],
            ValueDetector::Ssrf => &[
                "file?",
                "ftp?",
                "ftps?",
                "http?",
                "https?",
                "lvh.me",
                "loopback",
                ".internal",
                "localdomain",
                ".local",
                "kubernetes",
                "://",
                "localhost",
                "169.254",
                "metadata",
                "file:",
                "gopher:",
                "dict:",
                "ldap",
                "jar:",
                "netdoc:",
                "tftp:",
                "expect:",
                "phar:",
                "zip:",
                "glob:",
                "ssh2.",
                "rar:",
                "ogg:",
                "php:",
                "data:",
                "127.",
                "0x",
                "nip.io",
                "xip.io",
                "sslip.io",
                "localtest.me",
                "lvh.me",
                "[::",
                "100.100",
                "instance-data",
            ],
            // Commands at the start of a value are found by `cmdi::starts_with_command`.
            ValueDetector::Cmdi => &[
                ";", "|", "&", "`", "$(", "$[", "[", "${", "<(", ">(", "{", "!-", "(){", "() {",
                "~+", "~-", "$shell", "bin/", " do ", "for /", "for %", "''", "\"\"",
            ],
            ValueDetector::Ssti => &["{{", "${", "<%", "#{", "{%", "*{", "@("],
            ValueDetector::Nosql => &["$"],
            ValueDetector::Ldap => &[
                ") (",
                ")(",
                ")!(",
                ")&(",
                ")|(",
                "*)",
                "::",
                "name()",
                "count(",
                "string-length(",
                "/text()",
                "@*",
            ],
            ValueDetector::Xxe => &[
                "schemalocation",
                "<!entity",
                "<!doctype",
                "xinclude",
                "xi:include",
                "xmlns:xi",
            ],
            ValueDetector::Java => &[
                "kztaau",
                "cs7qaf",
                "${",
                "ro0ab",
                "\u{ac}\u{ed}",
                "h4siaaaaaaaa",
                "java",
                "jdk.",
                "sun.",
                "org.",
                "com.",
                "bsh.",
                "ognl",
                "freemarker",
                "clojure.",
                "runtime",
                "transformer",
                "%{",
            ],
            ValueDetector::Php => &[
                "=",
                "{php}",
                "{/php}",
                "php]",
                "<?",
                "$_",
                "$globals",
                "$http_raw",
                "o:",
                "a:",
                "c:",
                "(",
                "$",
            ],
            ValueDetector::Generic => &[
                "require",
                " http/",
                "@{",
                "cakephp",
                "sess",
                "login_token",
                "process",
                "console",
                "token",
                "rack.",
                "function",
                "constructor",
                "module.exports",
                "child_process",
                "require(",
                "session",
                ".sid",
                "__proto__",
                "prototype",
                "_$$nd_func$$_",
                "__js_function",
                "process.",
                "kernel.",
                "io.popen",
                "open3.",
                "%x(",
                "while",
                "cookie",
                "\n",
                "\r",
                "sessionid",
                "sessid",
                "cfid",
                "cftoken",
            ],
        }
    }
}

/// Headers whose values name hosts, addresses or URLs by definition.
const ADDRESS_HEADERS: &[&str] = &[
    "host",
    "referer",
    "origin",
    "location",
    "content-location",
    "link",
    "forwarded",
    "via",
];

/// Whether SSRF rules read `text` at `location`. Token claims name their
/// issuer, and address headers (`Referer`, `X-Forwarded-For`...) name hosts
/// and URLs by definition: neither asks for something to be fetched. The
/// whole path is a path; a segment, or another header, is a value that
/// carries a URL only when it starts with a scheme (`gopher://`,
/// `http:0251.0376.0251.0376`), and then it is read like an argument, as is
/// content decoded out of a header (base64, JSON).
fn ssrf_reads(location: &Location, text: &str) -> bool {
    if location.has_step(|l| matches!(l, Layer::Part(p) if p.starts_with("jwt"))) {
        return false;
    }
    let content = location.has_step(|l| matches!(l, Layer::Base64 | Layer::Zlib | Layer::Json(_)));
    match location.root() {
        Location::Path(None) => false,
        Location::Path(Some(_)) => content || starts_with_scheme(text),
        Location::Header(name) => {
            let address = ADDRESS_HEADERS.contains(&name.as_str())
                || [
                    "x-forwarded-",
                    "x-real-",
                    "x-original-",
                    "sec-",
                    "access-control-",
                ]
                .iter()
                .any(|p| name.starts_with(p));
            content || (!address && starts_with_scheme(text))
        }
        _ => true,
    }
}

/// `scheme:` at the start of `text` (RFC 3986: a letter, then letters,
/// digits, `+`, `-`, `.`).
fn starts_with_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    scheme.len() >= 2
        && scheme.len() <= 16
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// What is known about the field a value sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldContext {
    pub kind: Option<FieldKind>,
    /// The shape an identifier field was learned to have.
    pub shape: Option<LearnedShape>,
    /// The field is declared or learned to carry text people write, so
    /// plain prose there counts little. A free-text kind guessed from the
    /// header alone (a User-Agent's product list) is not: machines write
    /// those, and an injection in one is no sentence.
    pub people_write: bool,
}

/// Most a finding counts in plain prose sent to a prose field.
const PLAIN_PROSE_SCORE: f64 = 2.0;

/// Score of the finding that a value breaks its field's learned shape,
/// added only where a detector already found something in the value.
const SHAPE_BREAK_SCORE: f64 = 2.0;

impl FieldContext {
    /// Reads the findings of one value with what is known about its field.
    ///
    /// Prose fields: in plain prose (`shape::is_plain_prose`) every
    /// finding counts at most `PLAIN_PROSE_SCORE`. Other values of prose
    /// fields, and identifier values with the learned shape: only findings
    /// that cannot be misreadings (confidence 0.8 and up) keep full weight. An identifier value that breaks its shape and
    /// woke a detector gets one more finding naming the shape it broke, so
    /// an attack in an id field stands out; a broken shape alone is not a
    /// finding (a new client may send a new format).
    fn weigh(&self, text: &str, hits: &mut Vec<Hit>, start: usize) {
        if hits.len() <= start {
            return;
        }
        let broken = self.shape.map(|s| (s.shape, s.broken_by(text)));
        let prose_field = self.kind == Some(FieldKind::FreeText);
        if prose_field && self.people_write && shape::is_plain_prose(text) {
            // What a person wrote with none of the syntax an injection
            // needs: SQL words, `;`, `--` and `1=1` are words and dashes.
            // Each finding counts a little; several families together
            // still add up.
            for hit in hits[start..].iter_mut() {
                hit.score = hit.score.min(PLAIN_PROSE_SCORE);
                hit.confidence = hit.confidence.min(0.5);
            }
            return;
        }
        let cap = prose_field || matches!(broken, Some((_, false)));
        if cap {
            for hit in hits[start..].iter_mut() {
                if hit.confidence < 0.8 {
                    hit.score = hit.score.min(3.0);
                }
            }
        }
        if let Some((shape, true)) = broken {
            let paranoia = hits[start..].iter().map(|h| h.paranoia).min().unwrap_or(1);
            hits.push(Hit::new(
                shape.break_rule(),
                SHAPE_BREAK_SCORE,
                0.9,
                paranoia,
            ));
        }
    }
}

/// A word of letters, digits, `_`, `-` and `.` only: what a field name
/// usually is.
fn is_bare_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The value detectors behind one literal prefilter.
#[derive(Debug)]
pub struct ValueDetectors {
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the detector it wakes.
    owners: Vec<ValueDetector>,
}

impl ValueDetectors {
    pub fn new() -> Self {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for detector in ALL {
            let shared = detector
                .shared_triggers()
                .iter()
                .flat_map(|list| list.iter());
            for t in detector.triggers().iter().chain(shared) {
                patterns.push(*t);
                owners.push(detector);
            }
        }
        // The patterns are fixed literals; building cannot fail on them. A
        // DFA: every value of every request goes through this automaton, and
        // a DFA's one table lookup per byte beats the NFA's transitions
        // (the set is a few hundred short literals, so the table stays small).
        let prefilter = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .unwrap_or_else(|e| unreachable!("static prefilter patterns: {e}"));
        ValueDetectors { prefilter, owners }
    }

    /// Runs the detectors a value can wake; pushes what they find.
    pub fn inspect(&self, value: &Value, context: FieldContext, hits: &mut Vec<Hit>) {
        let start = hits.len();
        let folded = value.decoded.folded();
        let text = value.decoded.text.as_str();
        let mut awake = [false; ALL.len()];
        for m in self.prefilter.find_overlapping_iter(folded) {
            let detector = self.owners[m.pattern().as_usize()];
            awake[detector as usize] = true;
        }
        if text.contains(['\r', '\n']) {
            awake[ValueDetector::Generic as usize] = true;
            awake[ValueDetector::Cmdi as usize] = true;
        }
        // Tabs and line breaks split scheme and tag names (`ja\tvascript:`)
        // past the literal prefilter; markup gets read whole.
        if text.contains(['\t', '\n']) {
            awake[ValueDetector::Xss as usize] = true;
        }
        if !awake[ValueDetector::Cmdi as usize] && cmdi::starts_with_command(folded) {
            awake[ValueDetector::Cmdi as usize] = true;
        }
        // Secrets (tokens, passwords) are random text that shell and template
        // grammars misread; asked only when those detectors are awake.
        let secret = || crate::evidence::is_secret(&value.location);
        let is_name = value.location.is_name();
        let in_path = value.location.in_path();
        let kind = context.kind;
        for detector in ALL {
            if !awake[detector as usize] {
                continue;
            }
            match detector {
                ValueDetector::Sqli => sqli::detect(folded, text, hits),
                ValueDetector::Xss => xss::detect(folded, text, hits),
                ValueDetector::Traversal => traversal::detect(text, in_path, hits),
                ValueDetector::Ssrf if !is_name && ssrf_reads(&value.location, text) => {
                    let path_field = value
                        .location
                        .field_name()
                        .is_some_and(ssrf::names_local_path);
                    ssrf::detect(folded, kind == Some(FieldKind::Url), path_field, hits)
                }
                // A key named like a command (`{"uname": ...}`, a client
                // library describing its host) is a name, not a probe; a
                // name with shell syntax in it is still read.
                ValueDetector::Cmdi if !(secret() || is_name && is_bare_word(text)) => {
                    cmdi::detect(folded, text, hits)
                }
                ValueDetector::Ssti if !secret() => ssti::detect(folded, hits),
                ValueDetector::Nosql => nosql::detect(folded, is_name, hits),
                ValueDetector::Ldap => ldap::detect(folded, hits),
                ValueDetector::Xxe => xxe::detect(folded, hits),
                ValueDetector::Java => java::detect(folded, text, hits),
                ValueDetector::Php => php::detect(folded, text, hits),
                ValueDetector::Generic => generic::detect(
                    folded,
                    text,
                    match value.location {
                        Location::QueryName(_) => generic::ArgumentName::Query,
                        Location::FormName(_) => generic::ArgumentName::Form,
                        Location::JsonKey(_) => generic::ArgumentName::Key,
                        _ => generic::ArgumentName::No,
                    },
                    hits,
                ),
                _ => {}
            }
        }
        let file_name = match &value.location {
            Location::FileName(_) => true,
            Location::Header(n) => {
                let n = n.replace(['.', '_'], "-");
                matches!(
                    n.as_str(),
                    "x-filename" | "x-file-name" | "x-upload-filename" | "x-file"
                )
            }
            _ => false,
        };
        if file_name {
            upload::detect(text, hits);
        }
        if text.contains(['\r', '\n']) {
            mail::detect(text, hits);
        }
        context.weigh(text, hits, start);
    }
}

impl Default for ValueDetectors {
    fn default() -> Self {
        Self::new()
    }
}
