//! One-time-code floods: the endpoints that send an SMS, a call or an email
//! with a code cost money per request and reach a person's phone.
//!
//! Two abuses use them, both made of ordinary requests. SMS bombing points
//! many sends at one victim's number; SMS pumping (toll fraud) sends codes
//! to many numbers, often premium ranges the attacker is paid for. So every
//! request to an `otp` endpoint (discovery's business function) is counted,
//! before the API answers it, by its sources and by its recipient
//! ([`crate::tally`]):
//!
//! - `behave.otp.victim`: `per_recipient` sends to one recipient within
//!   `window`, whoever asked (a victim flooded from many addresses is still
//!   flooded); refusing past it costs the real owner nothing they need;
//! - `behave.otp.pumping`: `recipients_per_source` distinct recipients
//!   within `window` from one address, its /24 or /64, or one fingerprint
//!   seen from two addresses or more.
//!
//! A recipient is the first of `recipient_fields` in the body (JSON top
//! level or form), a phone number reduced to its digits (and leading `+`),
//! an email lower-cased. Requests without one (a code to the signed-in
//! user's own number) are counted by source only.

mod config;
#[cfg(test)]
mod tests;

pub use config::OtpConfig;

use crate::flood::{FloodDetector, FloodRules};
use crate::grow;
use crate::sources::{shown, Source};
use crate::tally::{first_reaching, Counted, FloodCounts, TallyBounds};
use crate::Signal;
use std::net::IpAddr;
use std::time::Duration;

pub const VICTIM: &str = "behave.otp.victim";
pub const PUMPING: &str = "behave.otp.pumping";

/// Leading characters of a recipient that evidence shows (the country
/// code and range of a phone number).
const SHOWN_PREFIX: usize = 4;

/// One request for a one-time code.
#[derive(Debug, Clone, Copy)]
pub struct CodeRequest<'a> {
    pub address: IpAddr,
    pub fingerprint: &'a str,
    pub recipient: Option<&'a str>,
}

/// Counts code requests and judges each by what its recipient received and
/// its sources asked for within the window (this one included).
pub type OtpDetector = FloodDetector<OtpConfig>;

/// What a code request is counted as: its recipient ([`recipient`]), when
/// the body names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    recipient: Option<String>,
}

impl FloodRules for OtpConfig {
    type Request<'a> = CodeRequest<'a>;
    type Key = Sent;

    fn window(&self) -> Duration {
        self.window
    }

    fn bounds(&self) -> TallyBounds {
        self.bounds
    }

    fn key(request: &CodeRequest<'_>) -> Sent {
        Sent {
            recipient: request.recipient.and_then(recipient),
        }
    }

    /// The recipient (empty without one) is both the item and the subject.
    fn counted<'k>(sent: &'k Sent, request: &'k CodeRequest<'_>) -> Counted<'k> {
        let key = sent.recipient.as_deref().unwrap_or_default();
        Counted {
            address: request.address,
            fingerprint: request.fingerprint,
            item: key,
            subject: key,
        }
    }

    fn verdict(&self, sent: &Sent, sources: &[Source], counts: &FloodCounts) -> Vec<Signal> {
        let c = self;
        let minutes = c.window.as_secs().div_ceil(60);
        let mut signals = Vec::new();
        if let Some(recipient) = &sent.recipient {
            let sends = counts.subject.requests;
            if sends >= c.per_recipient {
                let growth = grow(sends, c.per_recipient);
                signals.push(Signal {
                    source: VICTIM,
                    score: c.victim_score * growth,
                    confidence: (0.6 + 0.15 * growth).min(0.95),
                    evidence: format!(
                        "{sends} codes sent to {} from {} addresses within {minutes} min",
                        shown(&masked(recipient)),
                        counts.subject.addresses
                    ),
                });
            }
        }
        let pumping = first_reaching(sources, &counts.sources, c.recipients_per_source, |seen| {
            seen.subjects
        });
        if let Some((source, _, recipients)) = pumping {
            let growth = grow(recipients, c.recipients_per_source);
            signals.push(Signal {
                source: PUMPING,
                score: c.pumping_score * growth,
                confidence: (0.6 + 0.15 * growth).min(0.95),
                evidence: format!(
                    "{} asked for codes to {recipients} distinct recipients within {minutes} min",
                    source.name
                ),
            });
        }
        signals
    }
}

/// A recipient as counted: an email lower-cased; a phone number as its
/// digits, with its leading `+`. `None` when nothing is left.
pub fn recipient(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.contains('@') {
        return Some(raw.to_lowercase());
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(if raw.starts_with('+') || raw.starts_with("00") {
        format!("+{}", digits.trim_start_matches("00"))
    } else {
        digits
    })
}

/// A recipient as evidence shows it: the range and the last two
/// characters, so an event does not spread someone's number.
fn masked(recipient: &str) -> String {
    let chars: Vec<char> = recipient.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..SHOWN_PREFIX].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!(
        "{head}{}{tail}",
        "*".repeat(chars.len() - head.chars().count() - 2)
    )
}
