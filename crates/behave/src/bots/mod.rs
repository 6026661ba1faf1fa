//! Bots, scrapers and AI agents: what a client says it is, whether that
//! claim holds, and what its requests over time say it does.
//!
//! - **Declared identity** (`catalog`): the user-agent is matched against
//!   the embedded lists of AI agents and crawlers and given a [`BotClass`]
//!   and an operator, which policy reads as `bot.class` and `bot.operator`.
//! - **Verification** (`ranges`): a claim of an agent that has a configured
//!   address list is [`Verification::Verified`] from inside it and
//!   [`Verification::Failed`] from outside, which is the signal
//!   `bots.claim_unverified`; other claims are `Unverifiable` (believed by
//!   nobody: `bot.verified` is false).
//! - **Markers of one request**: `bots.automation` (an HTTP library or
//!   automation tool says so), `bots.headless` (a headless browser marker),
//!   `bots.browser_headers_missing` (a browser user-agent without the
//!   headers browsers send).
//! - **Behaviour over a window** (`clients`): `bots.regular_timing`,
//!   `bots.address_rotation`, `bots.scanning`, `bots.scraping` (judged
//!   per endpoint against its normal clients' coverage, `coverage`),
//!   `bots.purpose_mismatch` (a declared user fetcher crawling, or an AI
//!   search agent or user fetcher with a scraper's coverage),
//!   `bots.rate_mismatch` (beyond the rate the agent declares, `declared`)
//!   and `bots.ignores_refusal` (a declared or marked bot refused again
//!   and again, still asking).
//!
//! - **Signed agents** (`signature`): a Web Bot Auth signature (RFC 9421)
//!   that verifies with a key of a configured directory names the agent
//!   as [`Verification::Verified`]; one that does not is the signal
//!   `bots.signature_invalid` and fails the user-agent's claim.
//!
//! Every signal carries its evidence; every map is bounded and expires.

mod catalog;
mod class;
mod clients;
mod config;
mod coverage;
mod declared;
mod prefilter;
mod ranges;
pub mod signature;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod window_tests;

pub use crate::bounded::Removals;
pub use catalog::{Agent, Catalog, CatalogError, MAX_ENTRIES, MAX_PATTERN_CHARS};
pub use class::BotClass;
pub use config::{BotsConfig, SignedAgent, VerifiedRanges};
pub use coverage::{
    page_number, PageNumber, ENDPOINT_MEMORY, MAX_ENDPOINTS, MAX_LISTINGS, MAX_QUERY_BYTES,
    PAGINATION_PARAMETERS,
};
pub use declared::{DeclaredRate, RATE_TOLERANCE};
pub use ranges::{AddressRanges, RangeError, MAX_RANGES, MAX_RANGE_FILE_BYTES};

use crate::bounded::{millis, BoundedMap};
use clients::{ClientState, Counts, ListingStep, Step};
use coverage::Coverage;
use rampart_core::Clock;
use signature::{Message, SignatureCheck};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;

/// The part of a user-agent that is read.
pub const MAX_USER_AGENT_BYTES: usize = 1024;

/// The first `MAX_USER_AGENT_BYTES` of `text`, cut at a character boundary.
pub(crate) fn bounded_text(text: &str) -> &str {
    if text.len() <= MAX_USER_AGENT_BYTES {
        return text;
    }
    let mut end = MAX_USER_AGENT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub const CLAIM_UNVERIFIED: &str = "bots.claim_unverified";
pub const AUTOMATION: &str = "bots.automation";
pub const HEADLESS: &str = "bots.headless";
pub const BROWSER_HEADERS_MISSING: &str = "bots.browser_headers_missing";
pub const REGULAR_TIMING: &str = "bots.regular_timing";
pub const ADDRESS_ROTATION: &str = "bots.address_rotation";
pub const SCANNING: &str = "bots.scanning";
pub const SCRAPING: &str = "bots.scraping";
pub const PURPOSE_MISMATCH: &str = "bots.purpose_mismatch";
pub const SIGNATURE_INVALID: &str = "bots.signature_invalid";
pub const RATE_MISMATCH: &str = "bots.rate_mismatch";
pub const IGNORES_REFUSAL: &str = "bots.ignores_refusal";

/// Whether a declared identity's claim was checked, and how it came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// No address list is configured for the claimed agent.
    Unverifiable,
    Verified,
    /// The claim came from outside the agent's published addresses.
    Failed,
}

impl Verification {
    /// The name rules compare `bot.verification` with.
    pub fn name(self) -> &'static str {
        match self {
            Verification::Unverifiable => "unverifiable",
            Verification::Verified => "verified",
            Verification::Failed => "failed",
        }
    }
}

/// What the client declares and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub agent: Agent,
    pub verification: Verification,
}

/// The headers browsers send that a bot pretending to be one often lacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrowserHeaders {
    pub accept_language: bool,
    /// `sec-ch-ua` (Chromium browsers, on secure origins).
    pub sec_ch_ua: bool,
    /// Any `sec-fetch-*` header (on secure origins).
    pub sec_fetch: bool,
}

/// One request, as the detector judges it.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub user_agent: Option<&'a str>,
    pub address: IpAddr,
    /// The client's fingerprint: what the state of a client that shows a
    /// bot marker is kept under (with its user-agent), so that rotating
    /// addresses does not make it a new client; others are kept by address.
    pub client: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// The inventory endpoint (template) the request belongs to, whose
    /// usual coverage a list or search request is judged against; without
    /// one, every list (or search) request counts as one endpoint.
    pub endpoint: Option<&'a str>,
    /// The endpoint's business function, when discovery inferred one.
    pub function: Option<&'a str>,
    pub headers: BrowserHeaders,
    /// The request as a signature covers it, to check a Web Bot Auth
    /// signature when it carries one.
    pub message: Option<&'a dyn Message>,
}

/// One signal, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct BotSignal {
    pub source: &'static str,
    /// Where the evidence was read: `header.user-agent`, `client_ip`, `path`.
    pub location: &'static str,
    pub score: f64,
    pub evidence: String,
}

/// The detector's judgement of one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub identity: Option<Identity>,
    pub signals: Vec<BotSignal>,
    /// Whom the request was counted for, to learn its answer with.
    pub client: ClientKey,
}

/// The key a client's state is kept under (keyed hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientKey(u64);

/// What the detector holds and what its bound removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BotsStats {
    pub clients: usize,
    pub clients_removed: Removals,
    /// List and search endpoints whose usual coverage is learned.
    pub endpoints: usize,
    pub endpoints_removed: Removals,
}

/// Scores of each signal (their sum is compared with `[bots] block_score`).
pub mod scores {
    pub const CLAIM_UNVERIFIED: f64 = 5.0;
    pub const AUTOMATION: f64 = 1.0;
    pub const HEADLESS: f64 = 3.0;
    pub const BROWSER_HEADERS_MISSING: f64 = 2.0;
    pub const REGULAR_TIMING: f64 = 2.0;
    pub const ADDRESS_ROTATION: f64 = 3.0;
    pub const SCANNING: f64 = 5.0;
    pub const SCRAPING: f64 = 5.0;
    pub const PURPOSE_MISMATCH: f64 = 3.0;
    pub const SIGNATURE_INVALID: f64 = 5.0;
    pub const RATE_MISMATCH: f64 = 3.0;
    /// Below the default `block_score`, so that the policy answers it
    /// (`govern-bots` with decoys) rather than the stage refusing it again.
    pub const IGNORES_REFUSAL: f64 = 3.0;
}

pub struct BotsDetector {
    config: BotsConfig,
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    clients: BoundedMap<u64, ClientState>,
    coverage: Coverage,
    stats: BotsStats,
}

impl BotsDetector {
    pub fn new(config: BotsConfig, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        BotsDetector {
            clients: BoundedMap::new(config.max_clients, millis(config.memory)),
            coverage: Coverage::new(config.scrape_warmup, config.scrape_floor),
            hasher: RandomState::new(),
            stats: BotsStats::default(),
            catalog,
            clock,
            config,
        }
    }

    pub fn config(&self) -> &BotsConfig {
        &self.config
    }

    pub fn stats(&self) -> BotsStats {
        BotsStats {
            clients: self.clients.len(),
            endpoints: self.coverage.len(),
            endpoints_removed: self.coverage.removed,
            ..self.stats
        }
    }

    /// The declared identity of a user-agent and whether `address` may claim it.
    pub fn identify(&self, user_agent: &str, address: IpAddr) -> Option<Identity> {
        let agent = self.catalog.classify(user_agent)?;
        let verification = self
            .config
            .verify
            .iter()
            .find(|v| v.agents.iter().any(|a| a.eq_ignore_ascii_case(&agent.name)))
            .map_or(Verification::Unverifiable, |v| {
                if v.ranges.contains(address) {
                    Verification::Verified
                } else {
                    Verification::Failed
                }
            });
        Some(Identity {
            agent: agent.clone(),
            verification,
        })
    }

    /// Judges one request and counts it in its client's window.
    pub fn judge(&mut self, request: &Request<'_>) -> Judgement {
        let user_agent = bounded_text(request.user_agent.unwrap_or(""));
        let mut identity = self.identify(user_agent, request.address);
        let forged = request
            .message
            .and_then(|message| self.signed(message, &mut identity));
        let mut signals = self.markers(user_agent, identity.as_ref(), request);
        if let Some(forged) = forged {
            if let Some(identity) = &mut identity {
                identity.verification = Verification::Failed;
            }
            signals.push(forged);
        }
        let client = ClientKey(if identity.is_some() || !signals.is_empty() {
            self.hasher.hash_one((request.client, user_agent))
        } else {
            self.hasher.hash_one(request.address)
        });
        self.behaviour(request, client, identity.as_ref(), &mut signals);
        Judgement {
            identity,
            signals,
            client,
        }
    }

    /// Learns a request's answer: a 4xx on a path the inventory does not
    /// know counts toward a scan.
    pub fn learn(&mut self, client: ClientKey, path: &str, status: u16, known_endpoint: bool) {
        if known_endpoint || !(400..500).contains(&status) {
            return;
        }
        let now = self.clock.now_millis();
        let path = self.hasher.hash_one(path);
        let cap = self.config.distinct_cap();
        if let Some(state) = self.rolled(client.0, now) {
            state.error(path, cap);
        }
    }

    /// Learns that the gateway refused the client's request (403, 429):
    /// after `persist_after_refusals` of them in a window, a client that
    /// keeps coming ignores them.
    pub fn refused(&mut self, client: ClientKey) {
        let now = self.clock.now_millis();
        if let Some(state) = self.rolled(client.0, now) {
            state.refused();
        }
    }

    /// The live state of a client, its window rolled and the coverage of
    /// the window that closed learned.
    fn rolled(&mut self, key: u64, now: u64) -> Option<&mut ClientState> {
        let state = self.clients.get_mut(&key, now)?;
        for (endpoint, pages) in state.roll(now, millis(self.config.window)) {
            self.coverage.learn(endpoint, pages, now);
        }
        Some(state)
    }

    /// A Web Bot Auth signature: verified, it names the agent (whatever the
    /// user-agent says); failed, it is a signal and fails the user-agent's
    /// claim (after the claim's own markers, so that it counts once).
    fn signed(&self, message: &dyn Message, identity: &mut Option<Identity>) -> Option<BotSignal> {
        if self.config.signed.is_empty() {
            return None;
        }
        let now = i64::try_from(self.clock.now_millis() / 1000).unwrap_or(i64::MAX);
        let directories: Vec<&signature::KeyDirectory> =
            self.config.signed.iter().map(|s| &s.directory).collect();
        match signature::check(message, &directories, now)? {
            SignatureCheck::UnknownAgent => None,
            SignatureCheck::Verified { directory, .. } => {
                *identity = self.config.signed.get(directory).map(|signed| Identity {
                    agent: signed.agent.clone(),
                    verification: Verification::Verified,
                });
                None
            }
            SignatureCheck::Failed(why) => Some(BotSignal {
                source: SIGNATURE_INVALID,
                location: "header.signature",
                score: scores::SIGNATURE_INVALID,
                evidence: format!("a Web Bot Auth signature that does not hold: {why}"),
            }),
        }
    }

    fn markers(
        &self,
        user_agent: &str,
        identity: Option<&Identity>,
        request: &Request<'_>,
    ) -> Vec<BotSignal> {
        let mut signals = Vec::new();
        let signal = |source, location, score, evidence: String| BotSignal {
            source,
            location,
            score,
            evidence,
        };
        if let Some(identity) = identity {
            let agent = &identity.agent;
            if identity.verification == Verification::Failed {
                signals.push(signal(
                    CLAIM_UNVERIFIED,
                    "client_ip",
                    scores::CLAIM_UNVERIFIED,
                    format!(
                        "claims to be {} but {} is outside its published addresses",
                        agent.name, request.address
                    ),
                ));
            }
            if agent.class == BotClass::HttpLibrary {
                signals.push(signal(
                    AUTOMATION,
                    "header.user-agent",
                    scores::AUTOMATION,
                    format!("user-agent names the automation tool {}", agent.name),
                ));
            }
        }
        if let Some(marker) = self.catalog.headless_marker(user_agent) {
            signals.push(signal(
                HEADLESS,
                "header.user-agent",
                scores::HEADLESS,
                format!("user-agent carries the headless marker {marker:?}"),
            ));
        } else if identity.is_none() && user_agent.starts_with("Mozilla/5.0") {
            let headers = request.headers;
            let mut missing = Vec::new();
            if !headers.accept_language {
                missing.push("accept-language");
            }
            if user_agent.contains("Chrome/") && !headers.sec_ch_ua && !headers.sec_fetch {
                missing.extend(["sec-ch-ua", "sec-fetch-*"]);
            }
            if !missing.is_empty() {
                signals.push(signal(
                    BROWSER_HEADERS_MISSING,
                    "header.user-agent",
                    scores::BROWSER_HEADERS_MISSING,
                    format!("a browser user-agent without {}", missing.join(", ")),
                ));
            }
        }
        signals
    }

    fn behaviour(
        &mut self,
        request: &Request<'_>,
        client: ClientKey,
        identity: Option<&Identity>,
        signals: &mut Vec<BotSignal>,
    ) {
        let now = self.clock.now_millis();
        let listing = matches!(request.function, Some("list" | "search")).then(|| ListingStep {
            endpoint: self
                .hasher
                .hash_one(request.endpoint.or(request.function).unwrap_or_default()),
            page: self.hasher.hash_one((request.path, request.query)),
            number: request.query.and_then(coverage::page_number),
        });
        let step = Step {
            address: self.hasher.hash_one(request.address),
            path: self.hasher.hash_one(request.path),
            listing,
        };
        self.clients.get_or_insert_with(
            client.0,
            now,
            || ClientState::new(now),
            &mut self.stats.clients_removed,
        );
        let cap = self.config.distinct_cap();
        let Some(state) = self.rolled(client.0, now) else {
            return;
        };
        let counts = state.step(&step, now, cap);
        let marked = identity.is_some() || !signals.is_empty();
        self.window_signals(&counts, identity, marked, now, signals);
        if !signals.is_empty() {
            if let Some(state) = self.clients.get_mut(&client.0, now) {
                state.flag();
            }
        }
    }

    /// What a client's counts in its window say about it; `marked`: it
    /// declares an identity or shows a bot marker.
    fn window_signals(
        &self,
        counts: &Counts,
        identity: Option<&Identity>,
        marked: bool,
        now: u64,
        signals: &mut Vec<BotSignal>,
    ) {
        let config = &self.config;
        let window_secs = config.window.as_secs();
        let mut push = |source, location, score, evidence: String| {
            signals.push(BotSignal {
                source,
                location,
                score,
                evidence,
            })
        };
        if let Some(variation) = counts.variation.filter(|v| *v < config.regular_variation) {
            push(
                REGULAR_TIMING,
                "client",
                scores::REGULAR_TIMING,
                format!("its last {} requests came at machine-regular intervals (variation {variation:.3})", clients::INTERVALS),
            );
        }
        if counts.addresses >= config.rotation_addresses {
            push(
                ADDRESS_ROTATION,
                "client_ip",
                scores::ADDRESS_ROTATION,
                format!(
                    "one fingerprint from {} addresses within {window_secs}s",
                    counts.addresses
                ),
            );
        }
        if counts.errors >= config.scan_paths {
            push(
                SCANNING,
                "path",
                scores::SCANNING,
                format!(
                    "{} distinct unknown paths answered 4xx within {window_secs}s",
                    counts.errors
                ),
            );
        }
        let scraping = self.scraping(counts, now);
        if let Some(evidence) = &scraping {
            push(SCRAPING, "path", scores::SCRAPING, evidence.clone());
        }
        let declared = |classes: &[BotClass]| identity.filter(|i| classes.contains(&i.agent.class));
        if let Some(fetcher) =
            declared(&[BotClass::UserFetcher]).filter(|_| counts.paths >= config.fetcher_paths)
        {
            push(
                PURPOSE_MISMATCH,
                "path",
                scores::PURPOSE_MISMATCH,
                format!(
                    "{} declares it fetches for a user but asked for {} distinct paths within {window_secs}s",
                    fetcher.agent.name, counts.paths
                ),
            );
        } else if let (Some(agent), Some(_)) = (
            declared(&[BotClass::UserFetcher, BotClass::AiSearch]),
            &scraping,
        ) {
            push(
                PURPOSE_MISMATCH,
                "path",
                scores::PURPOSE_MISMATCH,
                format!(
                    "{} declares itself {} but covers list and search pages as a scraper does ({} distinct pages within {window_secs}s)",
                    agent.agent.name,
                    agent.agent.class.name(),
                    counts.listing.map_or(counts.pages, |l| l.pages)
                ),
            );
        }
        if let Some(identity) = identity {
            let name = &identity.agent.name;
            let exceeded = config
                .declared
                .iter()
                .filter(|d| d.names(name))
                .find_map(|d| Some((d, d.exceeded(counts.requests, counts.elapsed_millis)?)));
            if let Some((declared, exceeded)) = exceeded {
                let seconds = exceeded.elapsed_millis as f64 / 1000.0;
                push(
                    RATE_MISMATCH,
                    "client",
                    scores::RATE_MISMATCH,
                    format!(
                        "{name} declares at most {} but sent {} requests within {seconds:.1}s (more than {:.1}, {RATE_TOLERANCE} times its declared rate)",
                        declared.describe(),
                        exceeded.requests,
                        exceeded.allowed,
                    ),
                );
            }
        }
        // A person refused by a limit who retries is no crawler: only a
        // marked client ignores refusals.
        if marked && counts.refusals >= config.persist_after_refusals {
            push(
                IGNORES_REFUSAL,
                "client",
                scores::IGNORES_REFUSAL,
                format!(
                    "refused {} times within {window_secs}s and still asking",
                    counts.refusals
                ),
            );
        }
    }

    /// Why the client's coverage of list and search endpoints is scraping:
    /// beyond what the endpoint's normal clients reach, once learned, or
    /// at the fixed `scrape_pages`.
    fn scraping(&self, counts: &Counts, now: u64) -> Option<String> {
        let config = &self.config;
        let window_secs = config.window.as_secs();
        let walk = counts
            .listing
            .and_then(|l| l.walk.describe())
            .map(|w| format!("; {w}"))
            .unwrap_or_default();
        if let Some(listing) = counts.listing {
            if let Some(usual) = self.coverage.usual(listing.endpoint, now) {
                let threshold = usual.threshold.min(config.scrape_pages as f64);
                if listing.pages as f64 > threshold {
                    return Some(format!(
                        "{} distinct pages of one list endpoint within {window_secs}s, {:.1} times what its normal clients reach (mean {:.1} pages, threshold {threshold:.0}, learned over {} windows){walk}",
                        listing.pages,
                        listing.pages as f64 / usual.mean.max(1.0),
                        usual.mean,
                        usual.windows,
                    ));
                }
            }
        }
        (counts.pages >= config.scrape_pages).then(|| {
            format!(
                "{} distinct pages of list and search endpoints within {window_secs}s (the fixed threshold scrape_pages){walk}",
                counts.pages
            )
        })
    }
}
