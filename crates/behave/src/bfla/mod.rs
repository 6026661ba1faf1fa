//! Broken function-level authorisation (BFLA): principals calling
//! administrative or destructive endpoints they have no business with.
//!
//! Discovery classifies each endpoint by business function (`admin`,
//! `destructive`...); the detector learns, per principal (the user the
//! gateway read, else its API key), how many requests it made and which
//! functions, and whether it did admin work (an admin-class call answered
//! 2xx that raised no escalation). [`BflaDetector::judge`] sees a call
//! before the upstream does:
//!
//! - `behave.bfla.escalation`: an admin-class call by a principal that never
//!   did admin work. After `established_requests` requests of other
//!   functions the principal is known for what it does and the signal is
//!   strong (`escalation_score`, confidence 0.85); before, it is weak
//!   (`new_principal_score`, confidence 0.4), and an admin call answered
//!   2xx makes the principal an administrator;
//! - `behave.bfla.denied`: the API refused (401, 403) the principal's admin
//!   calls `denied_requests` times within `denied_window`: someone trying
//!   the doors.
//!
//! What it cannot see: an administrator whose first requests after a
//! restart or past `memory` are admin work looks like a new principal (a
//! weak signal, until its call succeeds); an attacker whose stolen token
//! starts with admin work is learned as an administrator once the API lets
//! it through (list known administrators in `admin_users` and
//! `admin_api_keys` to keep them out of learning). Endpoints discovery
//! has no function for, and requests without a principal, are not judged.
//! Every map is bounded and expires; what bounds removed is counted in
//! [`BflaStats`].

mod config;
#[cfg(test)]
mod tests;

pub use config::BflaConfig;

use crate::bola::Principal;
use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use crate::strikes::Strikes;
use crate::{grow, Signal};
use rampart_core::Clock;
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Arc;

pub const ESCALATION: &str = "behave.bfla.escalation";
pub const DENIED: &str = "behave.bfla.denied";

/// Functions remembered per principal (discovery has fewer).
const MAX_FUNCTIONS: usize = 24;

/// A call, as the detector judges it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub principal: Principal<'a>,
    pub template: &'a str,
    /// The endpoint's business function, when discovery inferred one.
    pub function: Option<&'a str>,
}

/// What the detector holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BflaStats {
    pub principals: usize,
    pub principals_removed: Removals,
    pub denials_removed: Removals,
    pub denials_dropped: u64,
}

/// What [`BflaDetector::judge`] says of a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    pub signals: Vec<Signal>,
    /// An established principal that never did admin work made an admin
    /// call: whatever the API answers, it proves no administrator.
    pub escalated: bool,
}

struct History {
    last_seen: u64,
    requests: u64,
    admin_work: bool,
    /// The functions it called, in first-use order.
    functions: Vec<Arc<str>>,
}

impl Stamped for History {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

pub struct BflaDetector {
    config: BflaConfig,
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    admins: HashSet<u64>,
    principals: BoundedMap<u64, History>,
    denials: Strikes,
    removed: Removals,
}

impl BflaDetector {
    pub fn new(config: BflaConfig, clock: Arc<dyn Clock>) -> Self {
        let hasher = RandomState::new();
        let admins = (config.admin_users.iter().map(|u| Principal::User(u)))
            .chain(config.admin_api_keys.iter().map(|k| Principal::ApiKey(k)))
            .map(|p| hasher.hash_one(p))
            .collect();
        BflaDetector {
            principals: BoundedMap::new(config.max_principals, millis(config.memory)),
            denials: Strikes::new(
                config.max_principals,
                config.denied_window,
                config.denied_requests * 2,
            ),
            removed: Removals::default(),
            admins,
            hasher,
            clock,
            config,
        }
    }

    pub fn stats(&self) -> BflaStats {
        BflaStats {
            principals: self.principals.len(),
            principals_removed: self.removed,
            denials_removed: self.denials.removed,
            denials_dropped: self.denials.dropped,
        }
    }

    /// Whether calls on an endpoint of `function` are admin work.
    fn is_admin(&self, function: Option<&str>) -> bool {
        function.is_some_and(|f| self.config.admin_functions.iter().any(|a| a == f))
    }

    /// Judges a call before the upstream sees it, and counts it in the
    /// principal's history.
    pub fn judge(&mut self, call: &Call<'_>) -> Verdict {
        let key = self.hasher.hash_one(call.principal);
        if self.admins.contains(&key) {
            return Verdict::default();
        }
        let now = self.clock.now_millis();
        let admin = self.is_admin(call.function);
        let denied = if admin {
            self.denials.count(key, now)
        } else {
            0
        };
        let history = self.principals.get_or_insert_with(
            key,
            now,
            || History {
                last_seen: now,
                requests: 0,
                admin_work: false,
                functions: Vec::new(),
            },
            &mut self.removed,
        );
        history.last_seen = now;
        let mut signals = Vec::new();
        let mut escalated = false;
        let c = &self.config;
        if admin && !history.admin_work {
            let established = history.requests >= c.established_requests as u64;
            escalated = established;
            let (score, confidence, past) = if established {
                let used: Vec<&str> = history.functions.iter().map(|f| &**f).collect();
                let used = if used.is_empty() {
                    "no known function".to_string()
                } else {
                    used.join(", ")
                };
                (
                    c.escalation_score,
                    0.85,
                    format!(
                        "after {} requests of other functions ({used})",
                        history.requests
                    ),
                )
            } else {
                (
                    c.new_principal_score,
                    0.4,
                    format!("with a history of {} request(s) only", history.requests),
                )
            };
            signals.push(Signal {
                source: ESCALATION,
                score,
                confidence,
                evidence: format!(
                    "{} called {} ({}) and never did admin work, {past}",
                    call.principal,
                    call.template,
                    call.function.unwrap_or_default()
                ),
            });
        }
        if denied >= c.denied_requests {
            let growth = grow(denied, c.denied_requests);
            signals.push(Signal {
                source: DENIED,
                score: c.denied_score * growth,
                confidence: (0.6 + 0.15 * growth).min(0.9),
                evidence: format!(
                    "{} was refused {denied} admin calls within {}s, now {}",
                    call.principal,
                    c.denied_window.as_secs(),
                    call.template
                ),
            });
        }
        history.requests += 1;
        if let Some(function) = call.function {
            if history.functions.len() < MAX_FUNCTIONS
                && !history.functions.iter().any(|f| &**f == function)
            {
                history.functions.push(Arc::from(function));
            }
        }
        Verdict { signals, escalated }
    }

    /// Learns how the API answered a call: an admin call answered 2xx
    /// that was not [`Verdict::escalated`] makes the principal an
    /// administrator; one refused with 401 or 403 is a strike.
    pub fn learn(&mut self, call: &Call<'_>, status: u16, escalated: bool) {
        if !self.is_admin(call.function) {
            return;
        }
        let key = self.hasher.hash_one(call.principal);
        let now = self.clock.now_millis();
        match status {
            200..=299 if !escalated => {
                if let Some(history) = self.principals.get_mut(&key, now) {
                    history.admin_work = true;
                }
            }
            401 | 403 => {
                self.denials.strike(key, now);
            }
            _ => {}
        }
    }
}
