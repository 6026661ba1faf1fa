//! Account takeover: credential stuffing and brute force on login
//! endpoints.
//!
//! Each attempt of such an attack is an ordinary login, so the detector
//! remembers, over a sliding `window`, the attempts each source made and
//! each account received, and how they were answered (learned in
//! [`AtoDetector::learn`]). A new attempt is judged ([`AtoDetector::judge`])
//! before the API answers it, so an attack is refused once it is clear:
//!
//! - `behave.ato.brute_force`: many failures for one username from one
//!   address;
//! - `behave.ato.credential_stuffing`: many distinct usernames failing from
//!   one source (the address, its /24 or /64, one client fingerprint seen
//!   from two addresses or more, or, against a higher threshold, one
//!   autonomous system), when most of that source's attempts fail;
//!   a shared address logging many people in mostly succeeds;
//! - `behave.ato.distributed`: failures for one username from many
//!   addresses.
//!
//!
//! Account enumeration (`behave.enumeration.accounts`, answers that tell
//! existing accounts apart, on login and password-reset endpoints) is its
//! own detector in [`enumeration`].
//!
//! Only hashes are kept (keyed: usernames are chosen by clients); every map
//! is bounded and expires (`crate::bounded`), and what bounds removed is
//! counted in [`AtoStats`].

mod config;
pub mod enumeration;
mod login;
pub mod shared;
#[cfg(test)]
mod tests;

pub use crate::bounded::Removals;
pub use config::AtoConfig;
pub use login::{outcome, username, Outcome, MAX_FAILURE_BODY_BYTES, MAX_USERNAME_CHARS};

use crate::bounded::{millis, BoundedMap};
use crate::grow;
use crate::sources::{address_key, asn_source, shown, sources, Scope, Source};
use crate::window::{Only, Window};
use rampart_core::Clock;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;

pub const BRUTE_FORCE: &str = "behave.ato.brute_force";
pub const CREDENTIAL_STUFFING: &str = "behave.ato.credential_stuffing";
pub const DISTRIBUTED: &str = "behave.ato.distributed";

/// A login attempt: who sent it and which username it tried.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub address: IpAddr,
    /// The client fingerprint (survives address rotation).
    pub fingerprint: &'a str,
    /// The autonomous system of the address, when an ASN database says.
    pub asn: Option<u32>,
    pub username: Option<&'a str>,
}

/// One account-takeover signal ([`BRUTE_FORCE`], [`CREDENTIAL_STUFFING`],
/// [`DISTRIBUTED`]): which source, which username, how many, over how long.
pub type AtoSignal = crate::Signal;

/// What the detector holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtoStats {
    pub sources: usize,
    pub accounts: usize,
    pub sources_removed: Removals,
    pub accounts_removed: Removals,
    /// Attempts a source or an account forgot because it held its cap.
    pub attempts_dropped: u64,
}

pub struct AtoDetector {
    config: AtoConfig,
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    sources: BoundedMap<u64, Window>,
    accounts: BoundedMap<u64, Window>,
    stats: AtoStats,
}

/// An attempt's keys: its sources, with what evidence calls them.
struct Keys {
    user: Option<u64>,
    address: u64,
    /// The address, its network, its fingerprint, then its autonomous
    /// system when known.
    sources: Vec<Source>,
}

impl AtoDetector {
    pub fn new(config: AtoConfig, clock: Arc<dyn Clock>) -> Self {
        let window = millis(config.window);
        AtoDetector {
            sources: BoundedMap::new(config.max_sources, window),
            accounts: BoundedMap::new(config.max_accounts, window),
            hasher: RandomState::new(),
            stats: AtoStats::default(),
            clock,
            config,
        }
    }

    pub fn config(&self) -> &AtoConfig {
        &self.config
    }

    pub fn stats(&self) -> AtoStats {
        AtoStats {
            sources: self.sources.len(),
            accounts: self.accounts.len(),
            ..self.stats
        }
    }

    fn keys(&self, attempt: &Attempt<'_>) -> Keys {
        Keys {
            user: attempt.username.map(|u| self.hasher.hash_one(u)),
            address: address_key(&self.hasher, attempt.address),
            sources: sources(&self.hasher, attempt.address, attempt.fingerprint)
                .into_iter()
                .chain(asn_source(&self.hasher, attempt.asn))
                .collect(),
        }
    }

    /// Judges a login attempt before it is answered, by what its sources
    /// and its account did within the window.
    pub fn judge(&mut self, attempt: &Attempt<'_>) -> Vec<AtoSignal> {
        let now = self.clock.now_millis();
        let window = millis(self.config.window);
        let keys = self.keys(attempt);
        let by_address = keys.sources[0].key;
        let brute_force_failures =
            match (keys.user, slid(&mut self.sources, &by_address, now, window)) {
                (Some(user), Some(seen)) => seen.count_for(user, Only::Flagged),
                _ => 0,
            };
        let sources = keys
            .sources
            .iter()
            .map(|source| {
                slid(&mut self.sources, &source.key, now, window)
                    .map_or_else(SourceTally::default, SourceTally::of)
            })
            .collect();
        let failing_addresses = keys
            .user
            .and_then(|user| slid(&mut self.accounts, &user, now, window))
            .map_or(0, |seen| seen.addresses(Only::Flagged));
        let tallies = Tallies {
            brute_force_failures,
            sources,
            failing_addresses,
        };
        verdict(&self.config, attempt, &keys.sources, &tallies)
    }

    /// Learns how an attempt was answered; attempts without a username or
    /// with an [`Outcome::Unknown`] answer are not remembered.
    pub fn learn(&mut self, attempt: &Attempt<'_>, outcome: Outcome) {
        let failed = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Unknown => return,
        };
        let keys = self.keys(attempt);
        let Some(user) = keys.user else {
            return;
        };
        let now = self.clock.now_millis();
        let window = millis(self.config.window);
        let cap = self.config.max_attempts_per_key;
        for source in &keys.sources {
            let seen = self.sources.get_or_insert_with(
                source.key,
                now,
                || Window::new(now),
                &mut self.stats.sources_removed,
            );
            seen.slide(now, window);
            self.stats.attempts_dropped += seen.record(user, keys.address, failed, now, cap);
        }
        let seen = self.accounts.get_or_insert_with(
            user,
            now,
            || Window::new(now),
            &mut self.stats.accounts_removed,
        );
        seen.slide(now, window);
        self.stats.attempts_dropped += seen.record(user, keys.address, failed, now, cap);
    }
}

/// The live window under `key`, slid to `now`.
fn slid<'m>(
    map: &'m mut BoundedMap<u64, Window>,
    key: &u64,
    now: u64,
    window: u64,
) -> Option<&'m Window> {
    let seen = map.get_mut(key, now)?;
    seen.slide(now, window);
    Some(seen)
}

/// What a source's window holds, as the credential-stuffing signal reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceTally {
    /// Distinct usernames that failed.
    pub failed_usernames: usize,
    pub attempts: usize,
    pub failures: usize,
    /// Distinct addresses, failed or not (a fingerprint is judged only once
    /// seen from two).
    pub addresses: usize,
}

impl SourceTally {
    fn of(seen: &Window) -> SourceTally {
        SourceTally {
            failed_usernames: seen.subjects(Only::Flagged),
            attempts: seen.count(Only::All),
            failures: seen.count(Only::Flagged),
            addresses: seen.addresses(Only::All),
        }
    }

    /// The share of attempts that failed (0 without attempts).
    fn failure_ratio(&self) -> f64 {
        if self.attempts == 0 {
            return 0.0;
        }
        self.failures as f64 / self.attempts as f64
    }
}

/// The counts an attempt is judged by, over the window: kept in this
/// process ([`AtoDetector`]) or in shared state ([`shared`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    /// Failures for the attempt's username from its address.
    pub brute_force_failures: usize,
    /// One per source of the attempt, in their order: the address, its
    /// network, its fingerprint, its autonomous system when known.
    pub sources: Vec<SourceTally>,
    /// Distinct addresses that failed for the attempt's username.
    pub failing_addresses: usize,
}

/// The signals `tallies` call for, named as `sources` (the attempt's, in
/// the tallies' order) and `attempt` say.
fn verdict(
    c: &AtoConfig,
    attempt: &Attempt<'_>,
    sources: &[Source],
    tallies: &Tallies,
) -> Vec<AtoSignal> {
    let minutes = c.window.as_secs().div_ceil(60);
    let mut signals = Vec::new();
    let failures = tallies.brute_force_failures;
    if let (Some(name), Some(by_address)) = (attempt.username, sources.first()) {
        if failures >= c.brute_force_failures {
            let growth = grow(failures, c.brute_force_failures);
            signals.push(AtoSignal {
                source: BRUTE_FORCE,
                score: c.brute_force_score * growth,
                confidence: (0.7 + 0.1 * growth).min(0.95),
                evidence: format!(
                    "{} failed {failures} logins as {} within {minutes} min",
                    by_address.name,
                    shown(name)
                ),
            });
        }
    }
    for (Source { scope, name, .. }, tally) in sources.iter().zip(&tallies.sources) {
        let users = tally.failed_usernames;
        let ratio = tally.failure_ratio();
        let addresses = tally.addresses;
        let threshold = c.stuffing_threshold(*scope);
        if users >= threshold && ratio >= c.stuffing_failure_ratio && scope.is_judged(addresses) {
            let growth = grow(users, threshold);
            let spread = if *scope == Scope::Address {
                String::new()
            } else {
                format!(" from {addresses} addresses")
            };
            signals.push(AtoSignal {
                source: CREDENTIAL_STUFFING,
                score: c.stuffing_score * growth,
                confidence: (0.5 + 0.4 * ratio + 0.05 * growth).min(0.99),
                evidence: format!(
                    "{name} failed logins for {users} distinct usernames{spread} within {minutes} min ({:.0}% of its attempts failed)",
                    ratio * 100.0
                ),
            });
            break;
        }
    }
    let addresses = tallies.failing_addresses;
    if let Some(name) = attempt.username {
        if addresses >= c.distributed_sources {
            let growth = grow(addresses, c.distributed_sources);
            // The score stays put, only the confidence grows: every
            // attempt at the account gets this signal, its owner's too,
            // and a score grown past `block_score` would lock the owner out.
            signals.push(AtoSignal {
                source: DISTRIBUTED,
                score: c.distributed_score,
                confidence: (0.5 + 0.2 * growth).min(0.9),
                evidence: format!(
                    "logins as {} failed from {addresses} distinct addresses within {minutes} min",
                    shown(name)
                ),
            });
        }
    }
    signals
}
