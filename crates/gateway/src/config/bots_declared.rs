//! `[[bots.declared]]`: the rates agents say they keep (from the operator's
//! documentation, or the `Crawl-delay` the site publishes), checked entry
//! by entry; the `bots` stage holds each agent to its rate.

use super::Validator;
use rampart_behave::bots::DeclaredRate;
use serde::Deserialize;
use std::time::Duration;

/// One `[[bots.declared]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeclared {
    pub agents: Vec<String>,
    pub rate: RawRate,
}

/// `rate = { requests = 1, per_seconds = 10 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRate {
    pub requests: u64,
    pub per_seconds: u64,
}

/// Most `[[bots.declared]]` entries, and agents per entry.
const MAX_DECLARED: usize = 256;
/// The longest period a rate is declared over: a day.
const MAX_PER_SECONDS: u64 = 86_400;
/// The most requests a rate declares per period.
const MAX_REQUESTS: u64 = 1_000_000;

impl Validator<'_> {
    /// The `[[bots.declared]]` entries that hold; the others are problems.
    pub(super) fn declared_rates(&mut self, raw: Vec<RawDeclared>) -> Vec<DeclaredRate> {
        if raw.len() > MAX_DECLARED {
            self.problem(
                "bots.declared",
                format!("expected at most {MAX_DECLARED} entries"),
            );
        }
        raw.into_iter()
            .take(MAX_DECLARED)
            .enumerate()
            .filter_map(|(i, entry)| self.declared_rate(i, entry))
            .collect()
    }

    fn declared_rate(&mut self, i: usize, entry: RawDeclared) -> Option<DeclaredRate> {
        let key = format!("bots.declared[{i}]");
        let mut valid = true;
        if entry.agents.is_empty() || entry.agents.len() > MAX_DECLARED {
            self.problem(
                format!("{key}.agents"),
                format!("expected 1 to {MAX_DECLARED} agent names"),
            );
            valid = false;
        }
        let RawRate {
            requests,
            per_seconds,
        } = entry.rate;
        if !(1..=MAX_REQUESTS).contains(&requests) {
            self.problem(
                format!("{key}.rate.requests"),
                format!("expected a number between 1 and {MAX_REQUESTS}, got {requests}"),
            );
            valid = false;
        }
        if !(1..=MAX_PER_SECONDS).contains(&per_seconds) {
            self.problem(
                format!("{key}.rate.per_seconds"),
                format!("expected a number of seconds between 1 and {MAX_PER_SECONDS}, got {per_seconds}"),
            );
            valid = false;
        }
        valid.then(|| DeclaredRate {
            agents: entry.agents,
            requests,
            per: Duration::from_secs(per_seconds),
        })
    }
}
