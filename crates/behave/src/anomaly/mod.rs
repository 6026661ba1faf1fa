//! A learned model of what each endpoint usually receives, and of how
//! busy it and each of its clients usually are: values and rates far from
//! what was learned are signals (`behave.anomaly.*`, class `anomaly`),
//! weak ones that tell a policy where to look rather than refuse alone.
//!
//! Signature detection (`rampart-detect`) knows attacks; contract checks
//! know what the spec declares. Neither knows that `qty` on `POST /orders`
//! is always 1 to 5, that `q` is a few words, or that `/search` gets 30
//! requests a minute: only the traffic does, and this module learns it.
//! Field profiles in detection (`rampart_detect::field_profile`) learn
//! prose and identifier shapes to read detections in context; this model
//! judges the values themselves, and rates.
//!
//! # Model
//!
//! Per endpoint (method and template, from discovery, as the other
//! behaviour detectors key it):
//! - per parameter (query parameter, form field, JSON leaf; see
//!   [`params`]) a [`profile::ValueProfile`]: value length (decaying
//!   average and deviation), character classes with the share of values
//!   having each, the share of numbers and their learned range; a value is
//!   judged only once the profile learned `warmup_values` values from
//!   `quorum_clients` distinct clients;
//! - the request rate ([`rate`]): requests per minute of the endpoint and
//!   of each client on it, against baselines of both.
//!
//! Signals, each with the endpoint, the parameter, a short redacted
//! excerpt (`rampart_core::redact`), what was learned, how far off and the
//! score: [`LENGTH`], [`CLASSES`], [`RANGE`], [`ENDPOINT_RATE`],
//! [`CLIENT_RATE`]. Each scores `score` just past its line, growing with
//! how far off (one order of magnitude adds `score`) up to three times it.
//!
//! # Not learning an attack as normal
//!
//! - The gateway learns only from exchanges that passed: let through
//!   without a refusal or a held-back decision, no positive-score signal
//!   from any other detector, and answered 2xx or 3xx by the upstream
//!   ([`AnomalyDetector::learn`], called from the `logging` phase).
//! - A warm profile or rate baseline learns only what it judges normal, so
//!   an attack run does not widen it.
//! - Each client adds at most `per_client_values` values to a profile
//!   until [`CONTRIBUTORS`] clients have added theirs, and a profile needs
//!   `quorum_clients` distinct clients to warm up: one client cannot make
//!   its values normal, whether it sends them during the warm-up or after.
//! - A lasting change is followed by starting over, never by widening: a
//!   profile whose recent values were mostly odd, from `quorum_clients`
//!   distinct clients, and a rate unusual for `warmup_minutes` minutes in
//!   a row, learn again from nothing.
//! - Shares decay slowly (by 1/256 a value), averages as `baseline` does.
//!
//! # Memory bound
//!
//! At most `max_endpoints` endpoints, `max_parameters` profiles per
//! endpoint and `max_clients` clients counted per endpoint within a
//! minute; endpoints and profiles unused for `memory` expire. Evictions and
//! expiries are counted in [`AnomalyStats`], and so are clients not
//! counted because their endpoint's map was full. A profile takes at most
//! [`ValueProfile::max_bytes`] (768 bytes with the default quorum of 5:
//! 176 for itself, 512 for its tally of [`CONTRIBUTORS`] clients, 16 per
//! quorum client for its two witness lists), about 1 KB with its map
//! entry; an endpoint about 300 bytes plus 20 to 40 per client counted in
//! the minute. The defaults (1,000 endpoints, 32 parameters, 1,000
//! clients) bound the model near 70 MB in the worst case, and an API of 50
//! endpoints with 5 parameters each and 100 clients a minute to about half
//! a megabyte.
//!
//! # What it does not see
//!
//! Headers, cookies and path segments (detection reads those); values past
//! the buffered body prefix; parameters beyond [`params::MAX_PARAMS`] in
//! one request or `max_parameters` per endpoint; odd values during warm-up
//! (one client's share of it at most); an attacker with `quorum_clients`
//! identities sending mostly odd values on a quiet parameter (which then
//! starts over); and anything normal-looking: a valid `qty` of 3 on
//! someone else's order is BOLA's business.

mod config;
mod features;
pub mod params;
mod profile;
mod rate;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod traffic;

pub use config::AnomalyConfig;
pub use features::Features;
pub use params::{parameters, Param, Sources};
pub use profile::{ValueProfile, CONTRIBUTORS};

use crate::bounded::{millis, BoundedMap, Removals, Stamped};
use crate::Signal;
use profile::{Learned, Odd};
use rampart_core::Clock;
use rate::{RateOdd, Rates};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;

pub const LENGTH: &str = "behave.anomaly.length";
pub const CLASSES: &str = "behave.anomaly.classes";
pub const RANGE: &str = "behave.anomaly.range";
pub const ENDPOINT_RATE: &str = "behave.anomaly.endpoint_rate";
pub const CLIENT_RATE: &str = "behave.anomaly.client_rate";

/// Findings of one request at most: one value of every parameter odd in
/// every way is still a handful of reasons.
const MAX_FINDINGS: usize = 16;
const VALUE_CONFIDENCE: f64 = 0.5;
const RATE_CONFIDENCE: f64 = 0.4;

/// One request as the model reads it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub template: &'a str,
    /// Who sent it, as the gateway names clients (the principal, else the
    /// address and fingerprint).
    pub client: &'a str,
    pub params: &'a [Param],
}

/// A signal and where its evidence sits (`query.q`, `client`, `endpoint`).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub location: String,
    pub signal: Signal,
}

/// What the model holds, what its bounds removed, and what it learned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnomalyStats {
    pub endpoints: usize,
    pub parameters: usize,
    /// Clients counted within the current minute, over all endpoints.
    pub clients: usize,
    pub endpoints_removed: Removals,
    pub parameters_removed: Removals,
    /// Clients not counted: their endpoint's map was full.
    pub clients_dropped: u64,
    pub values_learned: u64,
    /// Values not learned: their client had added its share.
    pub values_capped: u64,
    /// Values not learned: a warm profile judged them odd.
    pub values_odd: u64,
    /// Profiles and rate baselines that started over after a lasting change.
    pub relearned: u64,
    /// Unusual minutes (of an endpoint or a client) not learned.
    pub unusual_minutes: u64,
    /// Exchanges not learned from: refused, flagged or not answered 2xx/3xx.
    pub exchanges_skipped: u64,
}

struct Endpoint {
    last_seen: u64,
    rates: Rates,
    /// Profiles by the keyed hash of the parameter's name.
    params: BoundedMap<u64, ValueProfile>,
}

impl Stamped for Endpoint {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

pub struct AnomalyDetector {
    config: AnomalyConfig,
    clock: Arc<dyn Clock>,
    /// Keyed hashing: endpoints, parameters and clients are named by
    /// requests.
    hasher: RandomState,
    endpoints: BoundedMap<u64, Endpoint>,
    stats: AnomalyStats,
}

/// A signal's growth with how far off it is: 1 just past the line, one
/// more per order of magnitude, 3 at most.
fn growth(how_far: f64) -> f64 {
    (1.0 + how_far.max(1.0).log10()).min(3.0)
}

impl AnomalyDetector {
    pub fn new(config: AnomalyConfig, clock: Arc<dyn Clock>) -> Self {
        AnomalyDetector {
            endpoints: BoundedMap::new(config.max_endpoints, millis(config.memory)),
            hasher: RandomState::new(),
            stats: AnomalyStats::default(),
            clock,
            config,
        }
    }

    pub fn stats(&self) -> AnomalyStats {
        let mut stats = self.stats;
        stats.endpoints = self.endpoints.len();
        (stats.parameters, stats.clients) = self.endpoints.values().fold((0, 0), |(p, c), e| {
            (p + e.params.len(), c + e.rates.clients())
        });
        stats
    }

    /// An exchange the gateway does not learn from (see
    /// [`AnomalyDetector::learn`]), counted.
    pub fn skip(&mut self) {
        self.stats.exchanges_skipped += 1;
    }

    fn endpoint_key(&self, request: &Request<'_>) -> u64 {
        self.hasher.hash_one((request.method, request.template))
    }

    /// Counts the request toward its endpoint's and its client's rates and
    /// judges its values against their warm profiles.
    pub fn judge(&mut self, request: &Request<'_>) -> Vec<Finding> {
        let now = self.clock.now_millis();
        let key = self.endpoint_key(request);
        let client = self.hasher.hash_one(request.client);
        let config = &self.config;
        let endpoint = self.endpoints.get_or_insert_with(
            key,
            now,
            || Endpoint {
                last_seen: now,
                rates: Rates::new(now),
                params: BoundedMap::new(config.max_parameters, millis(config.memory)),
            },
            &mut self.stats.endpoints_removed,
        );
        endpoint.last_seen = now;
        let (counted, rolled) = endpoint.rates.count(client, config, now);
        self.stats.clients_dropped += u64::from(counted.client_dropped);
        self.stats.unusual_minutes += rolled.unusual_minutes;
        self.stats.relearned += u64::from(rolled.relearning);
        let mut findings = Vec::new();
        let named = Named { request, config };
        if let Some(odd) = counted.endpoint {
            findings.push(named.endpoint_rate(&odd));
        }
        if let Some(odd) = counted.client {
            findings.push(named.client_rate(&odd));
        }
        for param in request.params {
            let Some(profile) = endpoint.params.get(&self.hasher.hash_one(&param.name), now) else {
                continue;
            };
            for odd in profile.judge(&param.features, config) {
                if findings.len() >= MAX_FINDINGS {
                    return findings;
                }
                findings.push(named.value(param, profile, &odd));
            }
        }
        findings
    }

    /// Learns the values of a request that passed (see the module docs).
    pub fn learn(&mut self, request: &Request<'_>) {
        let now = self.clock.now_millis();
        let key = self.endpoint_key(request);
        let client = self.hasher.hash_one(request.client);
        let config = &self.config;
        let Some(endpoint) = self.endpoints.get_mut(&key, now) else {
            return;
        };
        for param in request.params {
            let profile = endpoint.params.get_or_insert_with(
                self.hasher.hash_one(&param.name),
                now,
                || ValueProfile::new(now),
                &mut self.stats.parameters_removed,
            );
            let counter = match profile.learn(&param.features, client, config, now) {
                Learned::Yes => &mut self.stats.values_learned,
                Learned::ClientCap => &mut self.stats.values_capped,
                Learned::Odd => &mut self.stats.values_odd,
                Learned::Relearning => &mut self.stats.relearned,
            };
            *counter += 1;
        }
    }
}

/// Evidence for one request's findings.
struct Named<'a> {
    request: &'a Request<'a>,
    config: &'a AnomalyConfig,
}

impl Named<'_> {
    fn signal(
        &self,
        source: &'static str,
        how_far: f64,
        confidence: f64,
        evidence: String,
    ) -> Signal {
        Signal {
            source,
            score: self.config.score * growth(how_far),
            confidence,
            evidence,
        }
    }

    fn endpoint(&self) -> String {
        format!("{} {}", self.request.method, self.request.template)
    }

    fn value(&self, param: &Param, profile: &ValueProfile, odd: &Odd) -> Finding {
        let r = self.request;
        let head = format!(
            "{} {} {:?} from {}",
            self.endpoint(),
            param.name,
            param.excerpt,
            r.client
        );
        let learned = format!(
            "learned from {} values of {}+ clients",
            profile.learned(),
            profile.clients()
        );
        let how_far = odd.how_far();
        let (source, what) = match odd {
            Odd::Length { length, mean, deviation, threshold } => (
                LENGTH,
                format!("{head}: {length} characters, {how_far:.1}x the threshold {threshold:.0} (usual {mean:.1}, deviation {deviation:.1}; {learned})"),
            ),
            Odd::Classes { unusual, not_hex } => {
                let mut parts: Vec<String> = unusual
                    .iter()
                    .map(|(name, share)| format!("{name} (in {:.1}% of values)", share * 100.0))
                    .collect();
                if let Some(share) = not_hex {
                    parts.push(format!("not hex-only (where {:.1}% were)", share * 100.0));
                }
                (CLASSES, format!("{head}: unusual characters: {} ({learned})", parts.join(", ")))
            }
            Odd::Range { value: None, numeric_share, .. } => (
                RANGE,
                format!("{head}: not a number where {:.1}% of values were ({learned})", numeric_share * 100.0),
            ),
            Odd::Range { value: Some(value), low, high, allowed, .. } => (
                RANGE,
                format!("{head}: {value} outside {:.0}..{:.0} (learned {low}..{high}; {how_far:.1}x the span past it; {learned})", allowed.0, allowed.1),
            ),
        };
        let evidence = format!("{what}; score {:.1}", self.config.score * growth(how_far));
        Finding {
            location: param.name.clone(),
            signal: self.signal(source, how_far, VALUE_CONFIDENCE, evidence),
        }
    }

    fn endpoint_rate(&self, odd: &RateOdd) -> Finding {
        let what = format!("{} had {} requests this minute", self.endpoint(), odd.count);
        let crossed = format!("; crossed by {}", self.request.client);
        self.rate(ENDPOINT_RATE, "endpoint", odd, (what, "usual", crossed))
    }

    fn client_rate(&self, odd: &RateOdd) -> Finding {
        let what = format!(
            "{} sent {} requests to {} this minute",
            self.request.client,
            odd.count,
            self.endpoint()
        );
        let usual = "its clients usually send";
        self.rate(CLIENT_RATE, "client", odd, (what, usual, String::new()))
    }

    /// A rate finding: `what` happened, against the baseline `usual` names,
    /// then `tail`.
    fn rate(
        &self,
        source: &'static str,
        location: &str,
        odd: &RateOdd,
        (what, usual, tail): (String, &str, String),
    ) -> Finding {
        let j = &odd.judged;
        let how_far = f64::from(odd.count) / j.threshold.max(1.0);
        let evidence = format!(
            "{what}, past the threshold {:.0} ({usual} {:.1}/min, deviation {:.1}){tail}; score {:.1}",
            j.threshold,
            j.mean,
            j.deviation,
            self.config.score * growth(how_far)
        );
        Finding {
            location: location.into(),
            signal: self.signal(source, how_far, RATE_CONFIDENCE, evidence),
        }
    }
}
