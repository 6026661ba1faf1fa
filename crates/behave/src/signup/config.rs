//! What the fake-account detector is told. The gateway reads these from
//! `[behave.signup]` and checks their ranges; the defaults let an office or
//! a family behind one address sign a few people up in an hour.

use crate::tally::TallyBounds;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct SignupConfig {
    /// How long a sign-up counts.
    pub window: Duration,
    /// Sign-ups from one address, /24 or /64, or one fingerprint across
    /// addresses, that are a burst.
    pub per_source: usize,
    /// Distinct accounts of one skeleton, from two addresses or more, that
    /// are a look-alike campaign.
    pub lookalike_accounts: usize,
    /// Scores at the thresholds; they grow with the count, up to twice.
    pub burst_score: f64,
    pub lookalike_score: f64,
    pub bounds: TallyBounds,
    /// Body fields (JSON top level or form) naming the account.
    pub account_fields: Vec<String>,
}

impl Default for SignupConfig {
    fn default() -> Self {
        SignupConfig {
            window: Duration::from_secs(3600),
            per_source: 10,
            lookalike_accounts: 8,
            burst_score: 5.0,
            lookalike_score: 3.0,
            bounds: TallyBounds::default(),
            account_fields: ["email", "username", "login", "user", "phone"]
                .map(String::from)
                .to_vec(),
        }
    }
}
