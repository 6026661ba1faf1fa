//! The traffic simulator of `rampart demo`: small actors that send real HTTP
//! requests through the gateway's listener on loopback, so that the
//! inventory fills and real mitigations show up within a minute of starting
//! the demo, without anyone typing a command.
//!
//! Each actor is a module with one job:
//! - [`shoppers`]: legitimate customers logging in and browsing their own
//!   accounts and orders, searching, signing up, at a human pace;
//! - [`stuffing`]: credential stuffing against the login;
//! - [`enumeration`]: one customer walking everyone's bank accounts (BOLA);
//! - [`scraper`]: a scraper on the search and listing endpoints;
//! - [`injection`]: SQL, script, command injection and path traversal, then
//!   a honeypot;
//! - [`crawler`]: an AI crawler walking the catalogue and the profiles.
//!
//! Each actor is one task sending one request at a time (fixed concurrency),
//! every request waits for a turn under one total rate cap ([`pace`]), every
//! loop is bounded, and nothing is kept per request but counters
//! ([`tally`]). Simulated clients are told apart by the gateway through
//! `X-Forwarded-For`, which it believes from 127.0.0.1 in the demo's
//! configuration; each actor owns a /24 of 198.18.0.0/15 ([`Actor::network`]),
//! a range reserved for benchmarks and never routed on the Internet.
//! Randomness is seeded, so a run makes the same choices in the same order.

mod client;
mod crawler;
mod enumeration;
mod injection;
mod pace;
mod scraper;
mod shoppers;
mod stuffing;
mod tally;

use client::Http;
use pace::Pacer;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tally::Tally;
use tokio::task::JoinSet;

/// Requests per second all actors together send at most, at rate 1.
const TOTAL_RATE_CAP: f64 = 40.0;
/// How often `rampart demo` logs each actor's summary.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(15);
/// The slowest and fastest `rate` accepted.
pub const RATE_RANGE: std::ops::RangeInclusive<f64> = 0.1..=10.0;

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The gateway's listener, in front of the demo API.
    pub gateway: SocketAddr,
    /// Speeds every actor up (above 1) or slows it down (below 1), within
    /// [`RATE_RANGE`]; the total rate cap scales with it.
    pub rate: f64,
    /// The seed of the demo API's data (the shoppers' accounts come from it)
    /// and of the actors' choices.
    pub seed: u64,
    /// How often each actor's one-line summary is logged.
    pub summary_every: Duration,
}

impl SimulatorConfig {
    /// The defaults `rampart demo` runs with, against `gateway`.
    pub fn new(gateway: SocketAddr) -> Self {
        SimulatorConfig {
            gateway,
            rate: 1.0,
            seed: crate::DEFAULT_SEED,
            summary_every: SUMMARY_EVERY,
        }
    }
}

/// The simulator's actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Shoppers,
    CredentialStuffing,
    Enumeration,
    Scraper,
    Injection,
    AiCrawler,
}

impl Actor {
    pub const ALL: [Actor; 6] = [
        Actor::Shoppers,
        Actor::CredentialStuffing,
        Actor::Enumeration,
        Actor::Scraper,
        Actor::Injection,
        Actor::AiCrawler,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Actor::Shoppers => "shoppers",
            Actor::CredentialStuffing => "credential stuffing",
            Actor::Enumeration => "account enumeration",
            Actor::Scraper => "scraper",
            Actor::Injection => "injection",
            Actor::AiCrawler => "AI crawler",
        }
    }

    /// The third octet of the actor's /24 in 198.18.0.0/15.
    fn octet(self) -> u8 {
        match self {
            Actor::Shoppers => 1,
            Actor::CredentialStuffing => 2,
            Actor::Enumeration => 3,
            Actor::Scraper => 4,
            Actor::Injection => 5,
            Actor::AiCrawler => 6,
        }
    }

    /// The /24 the actor's client addresses come from, e.g. `198.18.2.0/24`.
    pub fn network(self) -> String {
        format!("198.18.{}.0/24", self.octet())
    }

    /// Whether `ip` is one of the actor's client addresses.
    pub fn owns(self, ip: IpAddr) -> bool {
        matches!(ip, IpAddr::V4(v4) if v4.octets()[..3] == [198, 18, self.octet()])
    }

    /// The actor's client address with this last octet.
    fn address(self, host: u8) -> Ipv4Addr {
        Ipv4Addr::new(198, 18, self.octet(), host)
    }

    /// What the actor does and what the demo gateway does about it, one
    /// line, for the walkthrough.
    pub fn story(self) -> &'static str {
        match self {
            Actor::Shoppers => "five customers log in, look at their own accounts and orders, search, sign up friends: let through",
            Actor::CredentialStuffing => "many emails, a few common passwords, addresses rotating in one /24: refused 403 by `behave` (account takeover) after about ten usernames",
            Actor::Enumeration => "a signed-up customer walks /api/accounts/{id} through everyone's accounts: refused 403 by `behave` (BOLA) after a few",
            Actor::Scraper => "a headless browser pages through the catalogue, the search and the user directory ten times a second: limited 429 by `limit-browsing`",
            Actor::Injection => "SQL, script and command injection, path traversal in query, JSON body and headers: blocked 403 by `detect`; then /admin/backup: a fake answer, and the address is banned (403)",
            Actor::AiCrawler => "GPTBot walks the catalogue and every profile three pages a second: the `bots` stage knows it as a training crawler, and the `govern-bots` preset refuses it (403, rule `govern-bots-training`), then, once it has ignored ten refusals, feeds it decoys (rule `govern-bots-ignores-refusal`)",
        }
    }
}

/// What every actor is handed: its HTTP client and counters, the pace, the
/// seed, the rate.
#[derive(Clone)]
struct Stage {
    http: Http,
    pacer: Arc<Pacer>,
    seed: u64,
    rate: f64,
}

impl Stage {
    /// A client at `address` announcing `user_agent`.
    fn visitor(
        &self,
        address: Ipv4Addr,
        user_agent: &'static str,
        tally: &Arc<Tally>,
    ) -> client::Visitor {
        client::Visitor::new(
            self.http.clone(),
            Arc::clone(&self.pacer),
            address,
            user_agent,
            Arc::clone(tally),
        )
    }

    /// `base` scaled by the rate.
    fn pause(&self, base: Duration) -> Duration {
        base.div_f64(self.rate)
    }

    /// A seed of its own for `actor`.
    fn seed_for(&self, actor: Actor) -> u64 {
        self.seed ^ (u64::from(actor.octet()) << 32)
    }
}

/// Runs every actor against `config.gateway` until `shutdown` completes,
/// logging each actor's summary every `config.summary_every` and once more
/// at the end. A `rate` outside [`RATE_RANGE`] is clamped into it.
pub async fn run(config: SimulatorConfig, shutdown: impl Future<Output = ()>) {
    let rate = config.rate.clamp(*RATE_RANGE.start(), *RATE_RANGE.end());
    let stage = Stage {
        http: Http::new(config.gateway),
        pacer: Arc::new(Pacer::new(TOTAL_RATE_CAP * rate)),
        seed: config.seed,
        rate,
    };
    let tallies: Vec<(Actor, Arc<Tally>)> = Actor::ALL
        .iter()
        .map(|&actor| (actor, Arc::new(Tally::default())))
        .collect();
    let mut actors = JoinSet::new();
    for (actor, tally) in &tallies {
        let stage = stage.clone();
        let tally = Arc::clone(tally);
        match actor {
            Actor::Shoppers => actors.spawn(shoppers::run(stage, tally)),
            Actor::CredentialStuffing => actors.spawn(stuffing::run(stage, tally)),
            Actor::Enumeration => actors.spawn(enumeration::run(stage, tally)),
            Actor::Scraper => actors.spawn(scraper::run(stage, tally)),
            Actor::Injection => actors.spawn(injection::run(stage, tally)),
            Actor::AiCrawler => actors.spawn(crawler::run(stage, tally)),
        };
    }
    tracing::info!(gateway = %config.gateway, rate, "traffic simulator started");
    let mut summaries = tokio::time::interval(config.summary_every);
    summaries.tick().await;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = summaries.tick() => log_summaries(&tallies),
        }
    }
    actors.shutdown().await;
    log_summaries(&tallies);
    tracing::info!("traffic simulator stopped");
}

fn log_summaries(tallies: &[(Actor, Arc<Tally>)]) {
    for (actor, tally) in tallies {
        tracing::info!("traffic simulator: {}: {}", actor.name(), tally.summary());
    }
}
