//! What the account-takeover detector is told: its windows, thresholds,
//! scores, bounds and how it reads a login. The gateway reads these from
//! `[behave.ato]` and checks their ranges; the defaults let a person mistype
//! a password a few times and a shared address log many people in.

use crate::sources::Scope;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct AtoConfig {
    /// How long a login attempt counts; sources and accounts with no
    /// attempt in this window are forgotten.
    pub window: Duration,
    /// Failures for one username from one address that are brute force.
    pub brute_force_failures: usize,
    /// Distinct usernames failing from one address, /24 or /64, or one
    /// fingerprint across addresses, that are credential stuffing...
    pub stuffing_usernames: usize,
    /// Distinct usernames failing from one autonomous system, across two
    /// addresses or more, that are credential stuffing (with the same
    /// ratio): higher than `stuffing_usernames`, as one provider serves
    /// many people who mistype passwords.
    pub stuffing_usernames_per_asn: usize,
    /// ...when at least this share of that source's attempts failed.
    pub stuffing_failure_ratio: f64,
    /// Distinct addresses failing for one username that are a distributed
    /// attack on the account.
    pub distributed_sources: usize,
    /// The score of each signal at its threshold; it grows with the count,
    /// up to twice this.
    pub brute_force_score: f64,
    pub stuffing_score: f64,
    /// The distributed signal's score, which does not grow: the account's
    /// owner gets it too.
    pub distributed_score: f64,
    /// Sources (addresses, prefixes, fingerprints) tracked at once.
    pub max_sources: usize,
    /// Usernames tracked at once.
    pub max_accounts: usize,
    /// Attempts remembered per source and per account (the oldest go first).
    pub max_attempts_per_key: usize,
    /// Body fields (JSON top level or form) whose value is the username.
    pub username_fields: Vec<String>,
    /// Words that make a `400` answer to a login a failed attempt
    /// (case-insensitive, in the first bytes of its body).
    pub failure_words: Vec<String>,
}

impl AtoConfig {
    /// The distinct failing usernames that make a source of `scope`
    /// credential stuffing.
    pub(crate) fn stuffing_threshold(&self, scope: Scope) -> usize {
        match scope {
            Scope::Asn => self.stuffing_usernames_per_asn,
            Scope::Address | Scope::Prefix | Scope::Fingerprint => self.stuffing_usernames,
        }
    }
}

impl Default for AtoConfig {
    fn default() -> Self {
        AtoConfig {
            window: Duration::from_secs(900),
            brute_force_failures: 10,
            stuffing_usernames: 10,
            stuffing_usernames_per_asn: 50,
            stuffing_failure_ratio: 0.5,
            distributed_sources: 10,
            brute_force_score: 5.0,
            stuffing_score: 5.0,
            distributed_score: 3.0,
            max_sources: 100_000,
            max_accounts: 100_000,
            max_attempts_per_key: 256,
            username_fields: ["username", "email", "login", "user"]
                .map(String::from)
                .to_vec(),
            failure_words: [
                "invalid credentials",
                "invalid password",
                "wrong password",
                "incorrect password",
                "invalid username",
                "authentication failed",
                "login failed",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}
