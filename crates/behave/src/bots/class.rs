//! The classes of automated clients that policy names (`bot.class`), and how
//! the catalogue's purposes and tags map to them.

/// What kind of automated client a declared identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BotClass {
    /// Collects content to train models (`GPTBot`, `CCBot`, `ClaudeBot`).
    TrainingCrawler,
    /// Indexes for an AI search or answer engine (`OAI-SearchBot`, `PerplexityBot`).
    AiSearch,
    /// An assistant fetching a page because a user asked (`ChatGPT-User`).
    UserFetcher,
    /// An agent acting on its own (`ChatGPT Agent`, coding agents).
    AiAgent,
    /// A web search engine (`Googlebot`, `bingbot`).
    SearchEngine,
    /// Uptime and performance probes (`Pingdom`, `UptimeRobot`).
    Monitoring,
    /// An HTTP library or automation tool (`curl`, `python-requests`, `HeadlessChrome`).
    HttpLibrary,
    /// Any other declared bot (SEO tools, feed readers, link previews, scanners).
    UnknownBot,
}

impl BotClass {
    pub const ALL: [BotClass; 8] = [
        BotClass::TrainingCrawler,
        BotClass::AiSearch,
        BotClass::UserFetcher,
        BotClass::AiAgent,
        BotClass::SearchEngine,
        BotClass::Monitoring,
        BotClass::HttpLibrary,
        BotClass::UnknownBot,
    ];

    /// The name rules compare `bot.class` with.
    pub fn name(self) -> &'static str {
        match self {
            BotClass::TrainingCrawler => "training_crawler",
            BotClass::AiSearch => "ai_search",
            BotClass::UserFetcher => "user_fetcher",
            BotClass::AiAgent => "ai_agent",
            BotClass::SearchEngine => "search_engine",
            BotClass::Monitoring => "monitoring",
            BotClass::HttpLibrary => "http_library",
            BotClass::UnknownBot => "unknown_bot",
        }
    }

    /// The class of an `ai-robots.json` entry from its stated purpose
    /// (`function`), in this order: search, then agents, then assistants
    /// fetching for a user (or a `-User` token), else training and data
    /// collection.
    pub(crate) fn of_purpose(token: &str, purpose: &str) -> BotClass {
        let purpose = purpose.to_ascii_lowercase();
        let says = |words: &[&str]| words.iter().any(|w| purpose.contains(w));
        if says(&["search"]) {
            BotClass::AiSearch
        } else if says(&["agent", "takes action"]) {
            BotClass::AiAgent
        } else if says(&["assistant", "user", "prompt"]) || token.ends_with("-User") {
            BotClass::UserFetcher
        } else {
            BotClass::TrainingCrawler
        }
    }

    /// The class of a `crawler-user-agents.json` entry from its tags.
    pub(crate) fn of_tags(tags: &[String]) -> BotClass {
        let has = |tag: &str| tags.iter().any(|t| t == tag);
        if has("ai-crawler") {
            BotClass::TrainingCrawler
        } else if has("search-engine") {
            BotClass::SearchEngine
        } else if has("monitoring") {
            BotClass::Monitoring
        } else if has("http-library") || has("browser-automation") {
            BotClass::HttpLibrary
        } else {
            BotClass::UnknownBot
        }
    }
}
