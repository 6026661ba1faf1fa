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
//!   one source (the address, its /24 or /64, or one client fingerprint seen
//!   from two addresses or more), when most of that source's attempts fail;
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
#[cfg(test)]
mod tests;
mod window;

pub use crate::bounded::Removals;
pub use config::AtoConfig;
pub use login::{outcome, username, Outcome, MAX_FAILURE_BODY_BYTES, MAX_USERNAME_CHARS};

use crate::bounded::{millis, BoundedMap};
use crate::grow;
use rampart_core::Clock;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use window::Window;

pub const BRUTE_FORCE: &str = "behave.ato.brute_force";
pub const CREDENTIAL_STUFFING: &str = "behave.ato.credential_stuffing";
pub const DISTRIBUTED: &str = "behave.ato.distributed";

/// A login attempt: who sent it and which username it tried.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub address: IpAddr,
    /// The client fingerprint (survives address rotation).
    pub fingerprint: &'a str,
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

/// The sources an attempt is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope {
    Address,
    /// The /24 (IPv4) or /64 (IPv6) of the address.
    Prefix,
    Fingerprint,
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
    sources: [(Scope, u64, String); 3],
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
        let prefix = prefix(attempt.address);
        let fingerprint: String = attempt.fingerprint.chars().take(16).collect();
        let address = self.hasher.hash_one((Scope::Address, attempt.address));
        Keys {
            user: attempt.username.map(|u| self.hasher.hash_one(u)),
            address,
            sources: [
                (
                    Scope::Address,
                    address,
                    format!("address {}", attempt.address),
                ),
                (
                    Scope::Prefix,
                    self.hasher.hash_one((Scope::Prefix, prefix)),
                    format!("network {prefix}/{}", prefix_len(prefix)),
                ),
                (
                    Scope::Fingerprint,
                    self.hasher
                        .hash_one((Scope::Fingerprint, attempt.fingerprint)),
                    format!("fingerprint {fingerprint}"),
                ),
            ],
        }
    }

    /// Judges a login attempt before it is answered, by what its sources
    /// and its account did within the window.
    pub fn judge(&mut self, attempt: &Attempt<'_>) -> Vec<AtoSignal> {
        let now = self.clock.now_millis();
        let window = millis(self.config.window);
        let keys = self.keys(attempt);
        let c = &self.config;
        let minutes = c.window.as_secs().div_ceil(60);
        let mut signals = Vec::new();
        let [(_, address, address_name), ..] = &keys.sources;
        if let (Some(user), Some(name), Some(seen)) = (
            keys.user,
            attempt.username,
            self.sources.get_mut(address, now),
        ) {
            seen.slide(now, window);
            let failures = seen.failures_for(user);
            if failures >= c.brute_force_failures {
                let growth = grow(failures, c.brute_force_failures);
                signals.push(AtoSignal {
                    source: BRUTE_FORCE,
                    score: c.brute_force_score * growth,
                    confidence: (0.7 + 0.1 * growth).min(0.95),
                    evidence: format!(
                        "{address_name} failed {failures} logins as {} within {minutes} min",
                        shown(name)
                    ),
                });
            }
        }
        for (scope, key, name) in &keys.sources {
            let Some(seen) = self.sources.get_mut(key, now) else {
                continue;
            };
            seen.slide(now, window);
            let users = seen.failing_users();
            let ratio = seen.failure_ratio();
            let addresses = seen.addresses();
            let across = *scope != Scope::Fingerprint || addresses >= 2;
            if users >= c.stuffing_usernames && ratio >= c.stuffing_failure_ratio && across {
                let growth = grow(users, c.stuffing_usernames);
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
        if let (Some(user), Some(name)) = (keys.user, attempt.username) {
            if let Some(seen) = self.accounts.get_mut(&user, now) {
                seen.slide(now, window);
                let addresses = seen.failing_addresses();
                if addresses >= c.distributed_sources {
                    let growth = grow(addresses, c.distributed_sources);
                    signals.push(AtoSignal {
                        source: DISTRIBUTED,
                        score: c.distributed_score * growth,
                        confidence: (0.5 + 0.2 * growth).min(0.9),
                        evidence: format!(
                            "logins as {} failed from {addresses} distinct addresses within {minutes} min",
                            shown(name)
                        ),
                    });
                }
            }
        }
        signals
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
        for (_, key, _) in &keys.sources {
            let seen = self.sources.get_or_insert_with(
                *key,
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

/// A username as evidence shows it: quoted, at most 64 characters.
fn shown(username: &str) -> String {
    let cut: String = username.chars().take(64).collect();
    format!("{cut:?}")
}

/// The /24 of an IPv4 address, the /64 of an IPv6 one.
fn prefix(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & 0xffff_ff00).into()),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

fn prefix_len(prefix: IpAddr) -> u8 {
    if prefix.is_ipv4() {
        24
    } else {
        64
    }
}
