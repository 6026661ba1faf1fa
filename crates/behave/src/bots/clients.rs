//! What one client's requests over a window say about it: machine-regular
//! timing, one fingerprint from many addresses, scanning (4xx answers on
//! many distinct unknown paths), scraping (many distinct pages of list and
//! search endpoints, `coverage`), a declared user fetcher crawling, the
//! requests held against a declared rate, and refusals a client ignores.
//!
//! A client is keyed by its fingerprint (the gateway's client
//! fingerprint, so that rotating addresses does not make a new client).
//! Counters are kept per tumbling `window`; distinct paths and addresses are
//! keyed hashes in capped vectors, so a client costs a bounded few
//! kilobytes, and clients live in a `BoundedMap`.

use super::coverage::{Listing, Listings, PageNumber};
use crate::bounded::Stamped;

/// Intervals between requests kept per client for the timing signal.
pub const INTERVALS: usize = 16;

/// One client's counters in the current window.
#[derive(Debug, Clone)]
pub(crate) struct ClientState {
    pub(crate) last_seen: u64,
    window_start: u64,
    intervals: [u64; INTERVALS],
    interval_count: usize,
    addresses: Vec<u64>,
    /// Distinct pages of list and search endpoints, per endpoint.
    listings: Listings,
    requests: u64,
    /// Answers the gateway refused it (403, 429).
    refusals: usize,
    /// A signal or a refusal in this window: its coverage is not learned.
    flagged: bool,
    /// Distinct paths of any endpoint.
    paths: Vec<u64>,
    /// Distinct unknown paths answered 4xx.
    errors: Vec<u64>,
}

impl Stamped for ClientState {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

/// Adds `key` to a set capped at `cap`; returns its size.
fn insert(set: &mut Vec<u64>, key: u64, cap: usize) -> usize {
    if set.len() < cap && !set.contains(&key) {
        set.push(key);
    }
    set.len()
}

/// What a client did so far in its window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Counts {
    pub(crate) addresses: usize,
    /// Distinct pages over every list and search endpoint.
    pub(crate) pages: usize,
    /// This request's list or search endpoint, when it is one the client is followed on.
    pub(crate) listing: Option<Listing>,
    pub(crate) requests: u64,
    /// Since the window started.
    pub(crate) elapsed_millis: u64,
    pub(crate) refusals: usize,
    pub(crate) paths: usize,
    pub(crate) errors: usize,
    /// The coefficient of variation of the last intervals, once there are
    /// `INTERVALS` of them.
    pub(crate) variation: Option<f64>,
}

/// One request as the client state counts it (keys are keyed hashes).
pub(crate) struct Step {
    pub(crate) address: u64,
    pub(crate) path: u64,
    /// The list or search endpoint and the page (path and query) asked for.
    pub(crate) listing: Option<ListingStep>,
}

pub(crate) struct ListingStep {
    pub(crate) endpoint: u64,
    pub(crate) page: u64,
    pub(crate) number: Option<PageNumber>,
}

impl ClientState {
    pub(crate) fn new(now: u64) -> Self {
        ClientState {
            last_seen: now,
            window_start: now,
            intervals: [0; INTERVALS],
            interval_count: 0,
            addresses: Vec::new(),
            listings: Listings::default(),
            requests: 0,
            refusals: 0,
            flagged: false,
            paths: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Starts a new window when the current one is over; the pages the
    /// client reached per list endpoint in the window that closed, unless
    /// it was flagged in it.
    pub(crate) fn roll(&mut self, now: u64, window: u64) -> Vec<(u64, usize)> {
        if now.saturating_sub(self.window_start) < window {
            return Vec::new();
        }
        let closed = if self.flagged {
            Vec::new()
        } else {
            self.listings.per_endpoint().collect()
        };
        let last_seen = self.last_seen;
        *self = ClientState::new(now);
        self.last_seen = last_seen;
        closed
    }

    /// Marks the window's coverage as not one to learn from.
    pub(crate) fn flag(&mut self) {
        self.flagged = true;
    }

    /// Counts a refusal of the gateway's (the window rolled first).
    pub(crate) fn refused(&mut self) {
        self.refusals += 1;
        self.flagged = true;
    }

    /// Counts a request at `now` (the window rolled first); `cap` bounds
    /// every distinct set.
    pub(crate) fn step(&mut self, step: &Step, now: u64, cap: usize) -> Counts {
        if !self.paths.is_empty() {
            self.intervals[self.interval_count % INTERVALS] = now.saturating_sub(self.last_seen);
            self.interval_count += 1;
        }
        self.last_seen = now;
        insert(&mut self.addresses, step.address, cap);
        insert(&mut self.paths, step.path, cap);
        self.requests += 1;
        let listing = step
            .listing
            .as_ref()
            .and_then(|l| self.listings.visit(l.endpoint, l.page, l.number, cap));
        Counts {
            addresses: self.addresses.len(),
            pages: self.listings.total(),
            listing,
            requests: self.requests,
            elapsed_millis: now.saturating_sub(self.window_start),
            refusals: self.refusals,
            paths: self.paths.len(),
            errors: self.errors.len(),
            variation: self.variation(),
        }
    }

    /// Counts a 4xx answer on a path the inventory does not know (the
    /// window rolled first).
    pub(crate) fn error(&mut self, path: u64, cap: usize) {
        insert(&mut self.errors, path, cap);
    }

    fn variation(&self) -> Option<f64> {
        if self.interval_count < INTERVALS {
            return None;
        }
        let n = INTERVALS as f64;
        let mean = self.intervals.iter().map(|&i| i as f64).sum::<f64>() / n;
        if mean <= 0.0 {
            return Some(0.0);
        }
        let variance = self
            .intervals
            .iter()
            .map(|&i| (i as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        Some(variance.sqrt() / mean)
    }
}
