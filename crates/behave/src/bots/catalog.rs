//! The embedded catalogue of declared bot identities and the per-request
//! classifier built from it.
//!
//! Two third-party lists (MIT, see `data/bots/SOURCE.md`) are parsed once:
//! `ai-robots.json` (AI crawlers and agents by user-agent token, with
//! operator and purpose) and `crawler-user-agents.json` (crawler, monitoring
//! and HTTP-library patterns, with tags). Matching a user-agent costs one
//! pass of one automaton over the literal tokens and patterns; the few
//! patterns that are real regular expressions run only when a literal they
//! require was seen (`prefilter`). AI tokens match case-insensitively as
//! whole words (`Code` is not found in `Claude-Code`); crawler patterns keep
//! their source's case-sensitive substring meaning. An AI-list match wins
//! over a crawler-list match (it knows the purpose), then the longest.

use super::class::BotClass;
use super::prefilter::{Candidates, PatternSet};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;

const AI_ROBOTS: &str = include_str!("../../data/bots/ai-robots.json");
const CRAWLERS: &str = include_str!("../../data/bots/crawler-user-agents.json");

/// Entries read from one list; the lists hold a few hundred to a few thousand.
pub const MAX_ENTRIES: usize = 10_000;
/// Longest token or pattern kept.
pub const MAX_PATTERN_CHARS: usize = 256;
/// Headless browsers and browser-automation drivers name themselves so.
const HEADLESS_MARKERS: [&str; 6] = [
    "HeadlessChrome",
    "PhantomJS",
    "Puppeteer",
    "Playwright",
    "Selenium",
    "Headless",
];

/// Longest operator name kept.
const MAX_OPERATOR_CHARS: usize = 120;

/// A declared identity: what the client's user-agent says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The token or pattern that matched, e.g. `GPTBot`, `Googlebot`.
    pub name: Box<str>,
    pub class: BotClass,
    /// Who runs it, when the list says (`OpenAI`, `google.com`); else empty.
    pub operator: Box<str>,
}

/// Why the catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("bots catalogue {list}: {message}")]
    Invalid { list: &'static str, message: String },
}

#[derive(Deserialize)]
struct AiEntry {
    #[serde(default)]
    operator: String,
    #[serde(default)]
    function: String,
}

#[derive(Deserialize)]
struct CrawlerEntry {
    pattern: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The classifier: every agent and the matchers that find them.
pub struct Catalog {
    agents: Vec<Agent>,
    /// AI tokens (case-insensitive, whole words); pattern `i` is agent `i`.
    ai: PatternSet,
    /// Crawler patterns; pattern `i` is agent `ai_count + i`.
    crawlers: PatternSet,
    ai_count: usize,
    headless: AhoCorasick,
}

impl Catalog {
    /// The catalogue of the lists embedded in this crate.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        Catalog::from_lists(AI_ROBOTS, CRAWLERS)
    }

    /// A catalogue of lists in the formats of `ai-robots.json` and
    /// `crawler-user-agents.json`.
    pub fn from_lists(ai_robots: &str, crawlers: &str) -> Result<Catalog, CatalogError> {
        let invalid =
            |list: &'static str| move |message: String| CatalogError::Invalid { list, message };
        let ai: BTreeMap<String, AiEntry> =
            serde_json::from_str(ai_robots).map_err(|e| invalid("ai-robots")(e.to_string()))?;
        let crawler_entries: Vec<CrawlerEntry> =
            serde_json::from_str(crawlers).map_err(|e| invalid("crawlers")(e.to_string()))?;
        if ai.len() > MAX_ENTRIES || crawler_entries.len() > MAX_ENTRIES {
            return Err(invalid("lists")(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut agents = Vec::new();
        let mut ai_tokens = Vec::new();
        for (token, entry) in ai.into_iter().filter(|(t, _)| usable(t)) {
            agents.push(Agent {
                class: BotClass::of_purpose(&token, &entry.function),
                operator: operator_name(&entry.operator).into(),
                name: token.as_str().into(),
            });
            ai_tokens.push(token);
        }
        let ai_count = agents.len();
        let mut patterns = Vec::new();
        for entry in crawler_entries.into_iter().filter(|e| usable(&e.pattern)) {
            agents.push(Agent {
                name: display_name(&entry.pattern).into(),
                class: BotClass::of_tags(&entry.tags),
                operator: entry.url.as_deref().map(host_of).unwrap_or_default().into(),
            });
            patterns.push(entry.pattern);
        }
        Ok(Catalog {
            ai: PatternSet::words(&ai_tokens).map_err(invalid("ai-robots"))?,
            crawlers: PatternSet::patterns(&patterns).map_err(invalid("crawlers"))?,
            headless: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(HEADLESS_MARKERS)
                .map_err(|e| invalid("headless markers")(e.to_string()))?,
            agents,
            ai_count,
        })
    }

    /// How many identities it knows.
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    /// The headless-browser or automation-driver marker a user-agent carries.
    pub fn headless_marker<'a>(&self, user_agent: &'a str) -> Option<&'a str> {
        let user_agent = super::bounded_text(user_agent);
        self.headless
            .find(user_agent)
            .map(|m| &user_agent[m.range()])
    }

    /// Expressions that run on every user-agent, for want of a literal.
    pub fn unfiltered(&self) -> usize {
        self.crawlers.unfiltered()
    }

    /// The identity a user-agent declares, if it names a known bot. Only
    /// the first `MAX_USER_AGENT_BYTES` are read.
    pub fn classify(&self, user_agent: &str) -> Option<&Agent> {
        let user_agent = super::bounded_text(user_agent);
        let best = |found: Candidates| found.best();
        if let Some(i) = best(self.ai.find(user_agent)) {
            return self.agents.get(i);
        }
        best(self.crawlers.find(user_agent)).and_then(|i| self.agents.get(self.ai_count + i))
    }
}

fn usable(pattern: &str) -> bool {
    !pattern.trim().is_empty() && pattern.chars().count() <= MAX_PATTERN_CHARS
}

/// `[OpenAI](https://openai.com)` is `OpenAI`; "Unclear at this time." is unknown.
fn operator_name(text: &str) -> String {
    let text = text.trim();
    if text.starts_with("Unclear") || text.starts_with("Unknown") {
        return String::new();
    }
    let name = match text.strip_prefix('[').and_then(|t| t.split_once(']')) {
        Some((name, _)) => name,
        None => text,
    };
    name.chars().take(MAX_OPERATOR_CHARS).collect()
}

/// `Googlebot\/` is named `Googlebot`; a real expression keeps its text.
fn display_name(pattern: &str) -> String {
    let plain: String = pattern.replace("\\/", "/").replace("\\.", ".");
    plain
        .trim_start_matches('^')
        .trim_end_matches(['/', ' ', '$'])
        .to_string()
}

/// `http://www.google.com/bot.html` is operated by `google.com`.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    host.trim_start_matches("www.")
        .chars()
        .take(MAX_OPERATOR_CHARS)
        .collect()
}
