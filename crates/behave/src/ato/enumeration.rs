//! Account enumeration: a login or password-reset endpoint that answers
//! differently for accounts that exist, probed by a client trying many
//! usernames.
//!
//! Per client address and endpoint the detector keeps, over a sliding
//! `window`, the answers the client received: the username tried (hashed)
//! and the answer's shape, its status and its words (the body's first
//! [`MAX_SHAPE_BYTES`], lower case, the username taken out, only words of
//! three letters or more with a letter past `f`, so that ids, hex tokens,
//! numbers and timestamps do not make two answers of one kind differ).
//! [`EnumerationDetector::judge`] sees the next attempt before the API:
//!
//! - `behave.enumeration.accounts`: the client tried `usernames` distinct
//!   usernames and the answers that did not let it in came in two shapes
//!   or more (`Invalid password` for some, `No such user` for the others);
//!   on a login at least `failure_ratio` of its attempts failed, so that
//!   many people logging in behind one address, mostly successfully, are
//!   not probing. The endpoint is then counted as leaking account
//!   existence ([`EnumerationStats::leaking_endpoints`]).
//!
//! What it cannot see: a difference only in answer time, or past the
//! sampled bytes; probes spread over many addresses (each stays under
//! `usernames`); an API that answers one shape but sends a mail only to
//! existing accounts. Every map is bounded and expires; what bounds
//! removed is counted.

use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use crate::{grow, Signal};
use rampart_core::Clock;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub const ACCOUNTS: &str = "behave.enumeration.accounts";

/// How much of an answer its shape is read from.
pub const MAX_SHAPE_BYTES: usize = 1024;
/// How long an endpoint is remembered as leaking account existence.
const LEAK_MEMORY: Duration = Duration::from_secs(24 * 3600);
/// Answer shapes named in one signal's evidence.
const MAX_NAMED_SHAPES: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct EnumerationConfig {
    /// How long an answer counts.
    pub window: Duration,
    /// Distinct usernames one address tries on one endpoint before its
    /// answers are compared.
    pub usernames: usize,
    /// On a login, the share of the address's attempts that must have
    /// failed.
    pub failure_ratio: f64,
    /// The score at `usernames`; it grows with them, up to twice this.
    pub score: f64,
    /// Business functions whose answers are compared.
    pub functions: Vec<String>,
    pub max_sources: usize,
    /// Answers remembered per address and endpoint (the oldest go first).
    pub max_answers_per_source: usize,
    /// Endpoints remembered as leaking.
    pub max_leaking_endpoints: usize,
}

impl Default for EnumerationConfig {
    fn default() -> Self {
        EnumerationConfig {
            window: Duration::from_secs(900),
            usernames: 10,
            failure_ratio: 0.5,
            score: 5.0,
            functions: ["login", "password_reset"].map(String::from).to_vec(),
            max_sources: 100_000,
            max_answers_per_source: 256,
            max_leaking_endpoints: 1024,
        }
    }
}

/// An attempt on a login or password-reset endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    pub address: IpAddr,
    pub template: &'a str,
    /// A login (2xx lets the client in) rather than a password reset.
    pub login: bool,
    pub username: Option<&'a str>,
}

/// What the detector holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnumerationStats {
    pub sources: usize,
    /// Endpoints seen answering differently for existing accounts.
    pub leaking_endpoints: usize,
    pub sources_removed: Removals,
    pub leaking_removed: Removals,
    pub answers_dropped: u64,
}

#[derive(Debug, Clone, Copy)]
struct Answer {
    user: u64,
    /// `None` for a login that let the client in.
    shape: Option<u64>,
    status: u16,
    length: usize,
    at: u64,
}

struct Answers {
    answers: Vec<Answer>,
    last_seen: u64,
}

impl Stamped for Answers {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

pub struct EnumerationDetector {
    config: EnumerationConfig,
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    sources: BoundedMap<u64, Answers>,
    leaking: BoundedMap<u64, u64>,
    stats: EnumerationStats,
}

impl EnumerationDetector {
    pub fn new(config: EnumerationConfig, clock: Arc<dyn Clock>) -> Self {
        EnumerationDetector {
            sources: BoundedMap::new(config.max_sources, millis(config.window)),
            leaking: BoundedMap::new(config.max_leaking_endpoints, millis(LEAK_MEMORY)),
            hasher: RandomState::new(),
            stats: EnumerationStats::default(),
            clock,
            config,
        }
    }

    pub fn stats(&self) -> EnumerationStats {
        EnumerationStats {
            sources: self.sources.len(),
            leaking_endpoints: self.leaking.len(),
            ..self.stats
        }
    }

    fn source(&self, probe: &Probe<'_>) -> u64 {
        self.hasher.hash_one((probe.address, probe.template))
    }

    /// Judges an attempt before the API answers it, by the answers its
    /// address received on the endpoint within the window.
    pub fn judge(&mut self, probe: &Probe<'_>) -> Option<Signal> {
        let now = self.clock.now_millis();
        let window = millis(self.config.window);
        let key = self.source(probe);
        let seen = self.sources.get(&key, now)?;
        let live: Vec<&Answer> = seen
            .answers
            .iter()
            .filter(|a| a.at.saturating_add(window) > now)
            .collect();
        let c = &self.config;
        let users = live.iter().map(|a| a.user).collect::<HashSet<_>>().len();
        let failed: Vec<&&Answer> = live.iter().filter(|a| a.shape.is_some()).collect();
        let ratio = failed.len() as f64 / live.len().max(1) as f64;
        let mut shapes: HashMap<u64, (u16, usize, usize)> = HashMap::new();
        for answer in &failed {
            if let Some(shape) = answer.shape {
                shapes
                    .entry(shape)
                    .or_insert((answer.status, answer.length, 0))
                    .2 += 1;
            }
        }
        if users < c.usernames || shapes.len() < 2 || (probe.login && ratio < c.failure_ratio) {
            return None;
        }
        let mut named: Vec<(u16, usize, usize)> = shapes.into_values().collect();
        named.sort_by_key(|shape| std::cmp::Reverse(shape.2));
        let kinds = named.len();
        let described: Vec<String> = named
            .iter()
            .take(MAX_NAMED_SHAPES)
            .map(|(status, length, n)| format!("{status} ({length} bytes) x{n}"))
            .collect();
        *self.leaking.get_or_insert_with(
            self.hasher.hash_one(probe.template),
            now,
            || now,
            &mut self.stats.leaking_removed,
        ) = now;
        let growth = grow(users, c.usernames);
        Some(Signal {
            source: ACCOUNTS,
            score: c.score * growth,
            confidence: (0.6 + 0.15 * growth).min(0.9),
            evidence: format!(
                "address {} tried {users} distinct usernames on {} within {} min and got {kinds} distinct answers ({}): the endpoint tells existing accounts apart",
                probe.address,
                probe.template,
                c.window.as_secs().div_ceil(60),
                described.join(", ")
            ),
        })
    }

    /// Learns how an attempt was answered (its status and the start of its
    /// body); attempts without a username are not remembered.
    pub fn learn(&mut self, probe: &Probe<'_>, status: u16, body: &[u8]) {
        let Some(username) = probe.username else {
            return;
        };
        let now = self.clock.now_millis();
        let window = millis(self.config.window);
        let let_in = probe.login && (200..300).contains(&status);
        let (shape, length) = shape(status, body, username);
        let answer = Answer {
            user: self.hasher.hash_one(username),
            shape: (!let_in).then(|| self.hasher.hash_one(shape)),
            status,
            length,
            at: now,
        };
        let key = self.source(probe);
        let seen = self.sources.get_or_insert_with(
            key,
            now,
            || Answers {
                answers: Vec::new(),
                last_seen: now,
            },
            &mut self.stats.sources_removed,
        );
        seen.last_seen = now;
        seen.answers.retain(|a| a.at.saturating_add(window) > now);
        seen.answers.push(answer);
        let over = seen
            .answers
            .len()
            .saturating_sub(self.config.max_answers_per_source.max(1));
        seen.answers.drain(..over);
        self.stats.answers_dropped += over as u64;
    }
}

/// An answer's shape: its status and the words of its first
/// [`MAX_SHAPE_BYTES`] that name a kind of answer; and its length without
/// the username.
fn shape(status: u16, body: &[u8], username: &str) -> ((u16, Vec<String>), usize) {
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_SHAPE_BYTES)]).to_lowercase();
    let username = username.to_lowercase();
    let text = if username.is_empty() {
        text
    } else {
        text.replace(&username, " ")
    };
    let words = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3 && w.chars().any(|c| !('a'..='f').contains(&c)))
        .map(str::to_owned)
        .collect();
    ((status, words), text.trim().len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::ManualClock;
    use std::net::Ipv4Addr;

    struct Scenario {
        clock: Arc<ManualClock>,
        detector: EnumerationDetector,
    }

    const ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));

    impl Scenario {
        fn new() -> Self {
            let clock = Arc::new(ManualClock::at(1_000_000));
            let detector = EnumerationDetector::new(EnumerationConfig::default(), clock.clone());
            Scenario { clock, detector }
        }

        /// An attempt judged, then answered a second later.
        fn attempt(
            &mut self,
            address: IpAddr,
            template: &str,
            username: &str,
            status: u16,
            body: &str,
        ) -> Option<Signal> {
            let probe = Probe {
                address,
                template,
                login: template == "/login",
                username: Some(username),
            };
            let signal = self.detector.judge(&probe);
            self.clock.advance(Duration::from_secs(1));
            self.detector.learn(&probe, status, body.as_bytes());
            signal
        }
    }

    /// The vulnerable login: existing accounts say the password is wrong.
    fn answer(username: &str) -> (u16, String) {
        if username.contains('7') {
            (
                401,
                r#"{"error": "invalid password", "request": "5f2a-9"}"#.into(),
            )
        } else {
            (
                404,
                format!(r#"{{"error": "no account {username}", "request": "c0de-1"}}"#),
            )
        }
    }

    #[test]
    fn probing_usernames_against_two_answer_shapes_is_reported_and_the_endpoint_counted() {
        let mut s = Scenario::new();
        let mut first = None;
        for n in 0..20 {
            let user = format!("user{n}@mail.test");
            let (status, body) = answer(&user);
            if s.attempt(ADDRESS, "/login", &user, status, &body).is_some() && first.is_none() {
                first = Some(n);
            }
        }
        assert_eq!(first, Some(10), "judged once ten usernames were answered");
        let signal = s
            .detector
            .judge(&Probe {
                address: ADDRESS,
                template: "/login",
                login: true,
                username: Some("next"),
            })
            .expect("enumeration");
        assert_eq!(signal.source, ACCOUNTS);
        assert_eq!(signal.score, 10.0);
        assert!(
            signal.evidence.starts_with(
                "address 198.51.100.7 tried 20 distinct usernames on /login within 15 min and got 2 distinct answers (404"
            ),
            "{}",
            signal.evidence
        );
        assert!(signal.evidence.contains("401 ("), "{}", signal.evidence);
        assert_eq!(s.detector.stats().leaking_endpoints, 1);
    }

    #[test]
    fn a_password_reset_answering_differently_is_probed_even_with_2xx() {
        let mut s = Scenario::new();
        for n in 0..10 {
            let user = format!("u{n}");
            let (status, body) = if n % 4 == 0 {
                (200, "we sent you a reset link")
            } else {
                (200, "unknown email address")
            };
            s.attempt(ADDRESS, "/password/reset", &user, status, body);
        }
        let probe = Probe {
            address: ADDRESS,
            template: "/password/reset",
            login: false,
            username: Some("x"),
        };
        assert!(s.detector.judge(&probe).is_some());
    }

    #[test]
    fn one_answer_shape_a_mistyping_user_and_a_nat_logging_people_in_are_quiet() {
        let mut s = Scenario::new();
        for n in 0..30 {
            let user = format!("victim{n}");
            let body = format!(r#"{{"error": "invalid credentials", "id": "{n}"}}"#);
            assert!(s.attempt(ADDRESS, "/login", &user, 401, &body).is_none());
        }
        let mut s = Scenario::new();
        for _ in 0..2 {
            assert!(s
                .attempt(ADDRESS, "/login", "carol", 401, "invalid password")
                .is_none());
        }
        assert!(s
            .attempt(ADDRESS, "/login", "carol", 200, "{\"token\": \"abc\"}")
            .is_none());
        let nat = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));
        for n in 0..200 {
            let user = format!("employee{n}");
            if n % 10 == 0 {
                let (status, body) = answer(&user);
                assert!(
                    s.attempt(nat, "/login", &user, status, &body).is_none(),
                    "{n}"
                );
            }
            assert!(s
                .attempt(nat, "/login", &user, 200, "{\"token\": \"t\"}")
                .is_none());
        }
    }

    #[test]
    fn sources_and_answers_are_bounded_and_the_drops_counted() {
        let clock = Arc::new(ManualClock::at(0));
        let mut detector = EnumerationDetector::new(
            EnumerationConfig {
                max_sources: 4,
                max_answers_per_source: 3,
                ..EnumerationConfig::default()
            },
            clock.clone(),
        );
        for n in 0..8u8 {
            clock.advance(Duration::from_millis(1));
            let probe = Probe {
                address: IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)),
                template: "/login",
                login: true,
                username: Some("u"),
            };
            for _ in 0..5 {
                detector.learn(&probe, 401, b"no");
            }
        }
        let stats = detector.stats();
        assert!(stats.sources <= 4, "{stats:?}");
        assert!(stats.sources_removed.evicted > 0);
        assert_eq!(stats.answers_dropped, 16);
    }
}
