//! What the one-time-code flood detector is told. The gateway reads these
//! from `[behave.otp]` and checks their ranges; the defaults let a person
//! ask for a code again a few times and a shared address verify several
//! people's numbers.

use crate::tally::TallyBounds;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct OtpConfig {
    /// How long a code request counts.
    pub window: Duration,
    /// Codes sent to one recipient that are a flood against it.
    pub per_recipient: usize,
    /// Distinct recipients from one address, /24 or /64, or one
    /// fingerprint across addresses, that are pumping.
    pub recipients_per_source: usize,
    /// Scores at the thresholds; they grow with the count, up to twice.
    pub victim_score: f64,
    pub pumping_score: f64,
    pub bounds: TallyBounds,
    /// Body fields (JSON top level or form) naming the recipient.
    pub recipient_fields: Vec<String>,
}

impl Default for OtpConfig {
    fn default() -> Self {
        OtpConfig {
            window: Duration::from_secs(900),
            per_recipient: 5,
            recipients_per_source: 10,
            victim_score: 5.0,
            pumping_score: 5.0,
            bounds: TallyBounds::default(),
            recipient_fields: [
                "phone",
                "phone_number",
                "phoneNumber",
                "mobile",
                "msisdn",
                "to",
                "recipient",
                "email",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}
