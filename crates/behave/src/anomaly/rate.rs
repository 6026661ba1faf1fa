//! How busy one endpoint usually is, and how busy one client on it
//! usually is: requests counted per minute, the counts of finished
//! minutes learned into two baselines (`crate::baseline`): the endpoint's
//! requests per minute (idle minutes count as zero, up to an hour of them)
//! and its clients' requests per minute each.
//!
//! The endpoint's rate is judged once `warmup_minutes` minutes were
//! learned, a client's once besides that `quorum_clients` client-minutes
//! were; either is unusual above the larger of `factor` times the usual,
//! `deviations` deviations above it and `min_rate` (half of it for a
//! client). The endpoint's signal is raised once per minute, by the
//! request that crossed the line; a client's on each of its requests past
//! its line.
//!
//! A warm baseline does not learn the minutes it judges unusual (a flood
//! does not raise what is usual) except that `warmup_minutes` unusual
//! minutes in a row mean the endpoint's traffic changed for good: both
//! baselines then start over. Clients are counted within the minute in a
//! map of at most `max_clients` entries; a client that finds it full is
//! not counted (and counted as dropped).

use super::config::AnomalyConfig;
use crate::baseline::{Baseline, Judged, Limits};
use std::collections::HashMap;

const MINUTE_MILLIS: u64 = 60_000;
/// Idle minutes learned as zero requests when traffic resumes.
const MAX_IDLE_MINUTES: u64 = 60;

/// A rate past its line: the requests counted this minute and what was
/// learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateOdd {
    pub count: u32,
    pub judged: Judged,
}

/// What counting one request found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counted {
    /// The endpoint crossed its line this minute with this request.
    pub endpoint: Option<RateOdd>,
    /// This client is past its line this minute.
    pub client: Option<RateOdd>,
    /// The client map was full: the client was not counted.
    pub client_dropped: bool,
}

/// What rolling minutes over left unlearned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rolled {
    /// Unusual minutes (of the endpoint, or of one client) not learned.
    pub unusual_minutes: u64,
    /// The baselines started over.
    pub relearning: bool,
}

#[derive(Debug, Clone)]
pub struct Rates {
    minute: u64,
    count: u32,
    endpoint: Baseline,
    per_client: Baseline,
    clients: HashMap<u64, u32>,
    /// The endpoint's signal was raised this minute.
    flagged: bool,
    /// Unusual endpoint minutes in a row.
    unusual_run: u64,
}

fn limits(config: &AnomalyConfig, floor: f64) -> Limits {
    Limits {
        factor: config.factor,
        deviations: config.deviations,
        floor,
    }
}

impl Rates {
    pub fn new(now: u64) -> Self {
        Rates {
            minute: now / MINUTE_MILLIS,
            count: 0,
            endpoint: Baseline::new(now),
            per_client: Baseline::new(now),
            clients: HashMap::new(),
            flagged: false,
            unusual_run: 0,
        }
    }

    /// Clients counted this minute.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    fn endpoint_limits(config: &AnomalyConfig) -> Limits {
        limits(config, config.min_rate as f64)
    }

    fn client_limits(config: &AnomalyConfig) -> Limits {
        limits(config, config.min_rate as f64 / 2.0)
    }

    fn warm(&self, config: &AnomalyConfig) -> bool {
        self.endpoint.samples() >= config.warmup_minutes as u64
    }

    fn client_warm(&self, config: &AnomalyConfig) -> bool {
        self.warm(config) && self.per_client.samples() >= config.quorum_clients as u64
    }

    /// Counts a request of `client` (a keyed hash) at `now`, after
    /// learning the minutes that ended since the last one.
    pub fn count(&mut self, client: u64, config: &AnomalyConfig, now: u64) -> (Counted, Rolled) {
        let rolled = self.roll(now / MINUTE_MILLIS, config, now);
        self.count = self.count.saturating_add(1);
        let mut counted = Counted::default();
        let room = self.clients.len() < config.max_clients;
        let mine = match self.clients.get_mut(&client) {
            Some(mine) => {
                *mine = mine.saturating_add(1);
                Some(*mine)
            }
            None if room => {
                self.clients.insert(client, 1);
                Some(1)
            }
            None => None,
        };
        counted.client_dropped = mine.is_none();
        let judged = self
            .endpoint
            .judge(f64::from(self.count), 0, Self::endpoint_limits(config));
        if self.warm(config) && judged.outlier && !self.flagged {
            self.flagged = true;
            counted.endpoint = Some(RateOdd {
                count: self.count,
                judged,
            });
        }
        if let (Some(mine), true) = (mine, self.client_warm(config)) {
            let judged = self
                .per_client
                .judge(f64::from(mine), 0, Self::client_limits(config));
            if judged.outlier {
                counted.client = Some(RateOdd {
                    count: mine,
                    judged,
                });
            }
        }
        (counted, rolled)
    }

    /// Learns the minutes that ended before `minute`.
    fn roll(&mut self, minute: u64, config: &AnomalyConfig, now: u64) -> Rolled {
        let mut rolled = Rolled::default();
        if minute <= self.minute {
            return rolled;
        }
        let idle = (minute - self.minute - 1).min(MAX_IDLE_MINUTES);
        let ended = std::iter::once(self.count).chain((0..idle).map(|_| 0));
        for count in ended {
            let value = f64::from(count);
            let limits = Self::endpoint_limits(config);
            if self.warm(config) && self.endpoint.judge(value, 0, limits).outlier {
                rolled.unusual_minutes += 1;
                self.unusual_run += 1;
            } else {
                self.unusual_run = 0;
                let warmup = config.warmup_minutes as u64;
                self.endpoint.observe(value, warmup, limits, now);
            }
        }
        for count in std::mem::take(&mut self.clients).into_values() {
            let (value, limits) = (f64::from(count), Self::client_limits(config));
            if self.client_warm(config) && self.per_client.judge(value, 0, limits).outlier {
                rolled.unusual_minutes += 1;
            } else {
                let warmup = config.quorum_clients as u64;
                self.per_client.observe(value, warmup, limits, now);
            }
        }
        if self.unusual_run >= config.warmup_minutes as u64 {
            *self = Rates::new(now);
            rolled.relearning = true;
        }
        self.minute = minute;
        self.count = 0;
        self.flagged = false;
        rolled
    }
}
