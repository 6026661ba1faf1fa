//! What one parameter of one endpoint usually carries, learned from the
//! values of exchanges that passed, and how a new value is judged against
//! it.
//!
//! A profile is warm, and judges, once it learned `warmup_values` values
//! from at least `quorum_clients` distinct clients. It keeps:
//! - the length in characters: a decaying average and deviation
//!   (`crate::baseline`), a value being too long above the larger of
//!   `factor` times the average, `deviations` deviations above it and
//!   `min_length`;
//! - for each character class ([`super::features::CLASSES`]) the decaying
//!   share of values that had it: a class in fewer than `rare_share` of
//!   them is unusual, and so is a value that is not hex-only where nearly
//!   all were (a hex-only value is never unusual for being one);
//! - the share of values that were numbers, and the lowest and highest
//!   number learned: in a numeric parameter a value that is no number, or a
//!   number past a bound by more than `range_slack` times the span (or the
//!   bound, or 1), is out of range.
//!
//! A warm profile learns only the values it judges normal, so an attack run
//! does not widen it; each client adds at most `per_client_values` values
//! until [`CONTRIBUTORS`] clients have added theirs (then the tally starts
//! over). A lasting change of the parameter (a new release sending longer
//! values) would be judged odd forever, so when most recent values (a
//! decaying share above one half) were odd and at least `quorum_clients`
//! distinct clients sent them, the profile starts learning again from
//! nothing; one client, however many values it sends, cannot do that.

use super::config::AnomalyConfig;
use super::features::{Features, CLASSES, HEX_ONLY};
use crate::baseline::{Baseline, Limits};
use crate::bounded::Stamped;

/// Clients whose contributions a profile tallies at once.
pub const CONTRIBUTORS: usize = 32;
/// The slowest gain of the class and number shares: a share follows a
/// change within a few hundred values.
const SHARE_GAIN: f32 = 1.0 / 256.0;
/// The gain of the share of odd values.
const ODD_GAIN: f32 = 1.0 / 64.0;
/// Above this share of odd recent values a profile may start over.
const RELEARN_SHARE: f32 = 0.5;
/// Below it, the clients that sent odd values are forgotten.
const CALM_SHARE: f32 = 0.05;

/// How a value is off, with what was learned.
#[derive(Debug, Clone, PartialEq)]
pub enum Odd {
    /// Longer than the threshold.
    Length {
        length: usize,
        mean: f64,
        deviation: f64,
        threshold: f64,
    },
    /// Classes the parameter rarely has (`unusual`), or not hex-only where
    /// nearly every value was (`not_hex`); with each unusual class's share.
    Classes {
        unusual: Vec<(&'static str, f32)>,
        not_hex: Option<f32>,
    },
    /// No number in a numeric parameter (`value` is `None`), or one past
    /// the allowed range.
    Range {
        value: Option<f64>,
        low: f64,
        high: f64,
        allowed: (f64, f64),
        numeric_share: f32,
    },
}

impl Odd {
    /// How far off, 1.0 when just past the line: the factor past the
    /// threshold for lengths and numbers, the number of unusual classes.
    pub fn how_far(&self) -> f64 {
        match self {
            Odd::Length {
                length, threshold, ..
            } => *length as f64 / threshold.max(1.0),
            Odd::Classes { unusual, not_hex } => {
                (unusual.len() + usize::from(not_hex.is_some())) as f64
            }
            Odd::Range { value: None, .. } => 1.0,
            Odd::Range {
                value: Some(v),
                allowed: (low, high),
                ..
            } => {
                let past = if v > high { v - high } else { low - v };
                1.0 + past / (high - low).abs().max(1.0)
            }
        }
    }
}

/// What [`ValueProfile::learn`] did with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    Yes,
    /// Its client had added its share already.
    ClientCap,
    /// The warm profile judged it odd.
    Odd,
    /// Odd, and the profile started over (a lasting change).
    Relearning,
}

#[derive(Debug, Clone)]
pub struct ValueProfile {
    last_seen: u64,
    length: Baseline,
    /// Per class bit (in [`CLASSES`] order), the share of values with it.
    shares: [f32; CLASSES.len()],
    number_share: f32,
    low: f64,
    high: f64,
    /// Distinct clients that added values, up to the quorum.
    witnesses: Vec<u64>,
    /// Values added per client since the tally last started over.
    contributions: Vec<(u64, u32)>,
    odd_share: f32,
    /// Distinct clients that sent odd values, up to the quorum.
    odd_witnesses: Vec<u64>,
}

impl Stamped for ValueProfile {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

fn length_limits(config: &AnomalyConfig) -> Limits {
    Limits {
        factor: config.factor,
        deviations: config.deviations,
        floor: config.min_length as f64,
    }
}

/// Adds `client` to `set` when absent and there is room under `cap`.
fn witness(set: &mut Vec<u64>, client: u64, cap: usize) {
    if set.len() < cap && !set.contains(&client) {
        set.push(client);
    }
}

/// Moves `share` toward `hit` (1 or 0) by `gain`.
fn follow(share: &mut f32, hit: bool, gain: f32) {
    *share += gain * (f32::from(u8::from(hit)) - *share);
}

impl ValueProfile {
    pub fn new(now: u64) -> Self {
        ValueProfile {
            last_seen: now,
            length: Baseline::new(now),
            shares: [0.0; CLASSES.len()],
            number_share: 0.0,
            low: f64::INFINITY,
            high: f64::NEG_INFINITY,
            witnesses: Vec::new(),
            contributions: Vec::new(),
            odd_share: 0.0,
            odd_witnesses: Vec::new(),
        }
    }

    pub fn learned(&self) -> u64 {
        self.length.samples()
    }

    pub fn clients(&self) -> usize {
        self.witnesses.len()
    }

    pub fn warm(&self, config: &AnomalyConfig) -> bool {
        self.learned() >= config.warmup_values as u64
            && self.witnesses.len() >= config.quorum_clients
    }

    /// How `value` is off, nothing while the profile is cold.
    pub fn judge(&self, value: &Features, config: &AnomalyConfig) -> Vec<Odd> {
        if !self.warm(config) {
            return Vec::new();
        }
        let mut odd = Vec::new();
        let length = self
            .length
            .judge(value.length as f64, 0, length_limits(config));
        if length.outlier {
            odd.push(Odd::Length {
                length: value.length,
                mean: length.mean,
                deviation: length.deviation,
                threshold: length.threshold,
            });
        }
        if value.length > 0 {
            let rare = config.rare_share as f32;
            let unusual: Vec<(&'static str, f32)> = CLASSES
                .iter()
                .zip(self.shares)
                .filter(|((bit, _), share)| {
                    *bit != HEX_ONLY && value.classes & bit != 0 && *share < rare
                })
                .map(|((_, name), share)| (*name, share))
                .collect();
            let hex_share = self.share(HEX_ONLY);
            let not_hex =
                (value.classes & HEX_ONLY == 0 && hex_share > 1.0 - rare).then_some(hex_share);
            if !unusual.is_empty() || not_hex.is_some() {
                odd.push(Odd::Classes { unusual, not_hex });
            }
        }
        if self.number_share >= config.numeric_share as f32 && self.low <= self.high {
            let slack =
                |bound: f64| config.range_slack * (self.high - self.low).max(bound.abs()).max(1.0);
            let allowed = (self.low - slack(self.low), self.high + slack(self.high));
            let outside = match value.number {
                Some(n) => n < allowed.0 || n > allowed.1,
                None => true,
            };
            if outside {
                odd.push(Odd::Range {
                    value: value.number,
                    low: self.low,
                    high: self.high,
                    allowed,
                    numeric_share: self.number_share,
                });
            }
        }
        odd
    }

    fn share(&self, bit: u8) -> f32 {
        CLASSES
            .iter()
            .zip(self.shares)
            .find(|((b, _), _)| *b == bit)
            .map_or(0.0, |(_, share)| share)
    }

    /// Learns `value` from `client` (a keyed hash), unless the client
    /// added its share or the warm profile judges the value odd.
    pub fn learn(
        &mut self,
        value: &Features,
        client: u64,
        config: &AnomalyConfig,
        now: u64,
    ) -> Learned {
        self.last_seen = now;
        if !self.contribute(client, config.per_client_values as u32) {
            return Learned::ClientCap;
        }
        let odd = !self.judge(value, config).is_empty();
        follow(&mut self.odd_share, odd, ODD_GAIN);
        if odd {
            witness(&mut self.odd_witnesses, client, config.quorum_clients);
            if self.odd_share > RELEARN_SHARE && self.odd_witnesses.len() >= config.quorum_clients {
                *self = ValueProfile::new(now);
                return Learned::Relearning;
            }
            return Learned::Odd;
        }
        if self.odd_share < CALM_SHARE {
            self.odd_witnesses.clear();
        }
        witness(&mut self.witnesses, client, config.quorum_clients);
        self.length.observe(
            value.length as f64,
            config.warmup_values as u64,
            length_limits(config),
            now,
        );
        let gain = (1.0 / self.learned() as f32).max(SHARE_GAIN);
        if value.length > 0 {
            for ((bit, _), share) in CLASSES.iter().zip(self.shares.iter_mut()) {
                follow(share, value.classes & bit != 0, gain);
            }
        }
        follow(&mut self.number_share, value.number.is_some(), gain);
        if let Some(n) = value.number {
            self.low = self.low.min(n);
            self.high = self.high.max(n);
        }
        Learned::Yes
    }

    /// Counts a value of `client`; false when it added `cap` already. A
    /// full tally starts over.
    fn contribute(&mut self, client: u64, cap: u32) -> bool {
        if let Some((_, count)) = self.contributions.iter_mut().find(|(c, _)| *c == client) {
            if *count >= cap {
                return false;
            }
            *count += 1;
            return true;
        }
        if self.contributions.len() >= CONTRIBUTORS {
            self.contributions.clear();
        }
        self.contributions.push((client, 1));
        true
    }

    /// The bytes one profile takes at most, besides its name: the struct
    /// and its three lists at their caps.
    pub fn max_bytes(quorum: usize) -> usize {
        std::mem::size_of::<ValueProfile>()
            + 2 * quorum * std::mem::size_of::<u64>()
            + CONTRIBUTORS * std::mem::size_of::<(u64, u32)>()
    }
}
