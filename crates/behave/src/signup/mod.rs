//! Fake accounts: bursts of sign-ups from one source, and look-alike
//! accounts from many.
//!
//! Fake accounts are made in bulk (for promotion abuse, spam, scalping,
//! review fraud) and each sign-up is an ordinary request. So every request
//! to a `sign_up` endpoint (discovery's business function) is counted,
//! before the API answers it, by its sources and by the account it asks
//! for ([`crate::tally`]):
//!
//! - `behave.signup.burst`: `per_source` sign-ups within `window` from one
//!   address, its /24 or /64, or one fingerprint seen from two addresses or
//!   more;
//! - `behave.signup.lookalike`: `lookalike_accounts` distinct accounts
//!   within `window` that share one skeleton ([`skeleton`]: digits
//!   collapsed, dots and `+tags` of the mailbox dropped, so `jo.e+7@x.io`,
//!   `joe12@x.io` and `joe13@x.io` are one) and came from two addresses or
//!   more: the campaign that rotates addresses to stay under a burst limit.
//!   It is weaker alone (a family may share a mail domain and a pattern) and
//!   adds up with other signals.
//!
//! A sign-up is counted when it is asked for, not when it succeeds: a bot
//! whose attempts fail (a taken name, a failed check) is still a burst.

mod config;
pub mod skeleton;
#[cfg(test)]
mod tests;

pub use config::SignupConfig;

use crate::flood::{FloodDetector, FloodRules};
use crate::grow;
use crate::sources::{shown, Source};
use crate::tally::{first_reaching, Counted, FloodCounts, TallyBounds, WindowCounts};
use crate::Signal;
use std::net::IpAddr;
use std::time::Duration;

pub const BURST: &str = "behave.signup.burst";
pub const LOOKALIKE: &str = "behave.signup.lookalike";

/// One sign-up request: who sent it and the account it asks for (its
/// email or user name, when the body carries one).
#[derive(Debug, Clone, Copy)]
pub struct SignUp<'a> {
    pub address: IpAddr,
    pub fingerprint: &'a str,
    pub account: Option<&'a str>,
}

/// Counts sign-ups and judges each by what its sources and its account's
/// look-alikes did within the window (this one included).
pub type SignupDetector = FloodDetector<SignupConfig>;

/// What a sign-up is counted as: the account it asks for (trimmed and
/// lower-cased, empty without one) and the account's skeleton.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    account: String,
    shape: Option<String>,
}

impl FloodRules for SignupConfig {
    type Request<'a> = SignUp<'a>;
    type Key = Asked;

    fn window(&self) -> Duration {
        self.window
    }

    fn bounds(&self) -> TallyBounds {
        self.bounds
    }

    fn key(request: &SignUp<'_>) -> Asked {
        let account = request.account.map(normalised).unwrap_or_default();
        let shape = skeleton::of(&account);
        Asked { account, shape }
    }

    /// The account is the item, its skeleton (else the account itself) the
    /// subject.
    fn counted<'k>(asked: &'k Asked, request: &'k SignUp<'_>) -> Counted<'k> {
        Counted {
            address: request.address,
            fingerprint: request.fingerprint,
            item: &asked.account,
            subject: asked.shape.as_deref().unwrap_or(&asked.account),
        }
    }

    fn verdict(&self, asked: &Asked, sources: &[Source], counts: &FloodCounts) -> Vec<Signal> {
        let c = self;
        let minutes = c.window.as_secs().div_ceil(60);
        let mut signals = Vec::new();
        let burst = first_reaching(sources, &counts.sources, c.per_source, |seen| seen.requests);
        if let Some((source, seen, count)) = burst {
            let growth = grow(count, c.per_source);
            signals.push(Signal {
                source: BURST,
                score: c.burst_score * growth,
                confidence: (0.6 + 0.15 * growth).min(0.95),
                evidence: format!(
                    "{} asked for {count} sign-ups ({} distinct accounts) within {minutes} min",
                    source.name, seen.subjects
                ),
            });
        }
        let WindowCounts {
            subjects: accounts,
            addresses,
            ..
        } = counts.subject;
        let lookalike = asked.shape.as_ref();
        if let Some(shape) =
            lookalike.filter(|_| accounts >= c.lookalike_accounts && addresses >= 2)
        {
            let growth = grow(accounts, c.lookalike_accounts);
            signals.push(Signal {
                source: LOOKALIKE,
                score: c.lookalike_score * growth,
                confidence: (0.4 + 0.15 * growth).min(0.8),
                evidence: format!(
                    "{accounts} accounts shaped {} asked for from {addresses} addresses within {minutes} min",
                    shown(shape)
                ),
            });
        }
        signals
    }
}

/// An account name as counted: trimmed and lower-cased.
fn normalised(account: &str) -> String {
    account.trim().to_lowercase()
}
