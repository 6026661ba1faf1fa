//! Requests of one kind counted twice over a sliding window: by the sources
//! that sent them (address, network, fingerprint: [`crate::sources`]) and
//! by the subject they were about (the account a sign-up creates, the phone
//! a one-time code is sent to). Flood detectors read both sides: many
//! requests from one source, many subjects from one source, many sources
//! for one subject.
//!
//! Only keyed hashes are kept; both maps are bounded and expire
//! (`crate::bounded`), and what the bounds removed is counted. Detectors
//! judge the [`FloodCounts`] a record leaves, so counts kept elsewhere
//! (in Redis, `crate::shared_tally`) are judged alike.

use crate::bounded::{millis, BoundedMap, Removals};
use crate::sources::{address_key, sources, Source};
use crate::window::{Only, Window};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::time::Duration;

/// Bounds of a tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TallyBounds {
    /// Sources (addresses, networks, fingerprints) tracked at once.
    pub max_sources: usize,
    /// Subjects tracked at once.
    pub max_subjects: usize,
    /// Requests remembered per source and per subject (the oldest go first).
    pub max_entries_per_key: usize,
}

impl Default for TallyBounds {
    fn default() -> Self {
        TallyBounds {
            max_sources: 100_000,
            max_subjects: 100_000,
            max_entries_per_key: 256,
        }
    }
}

/// What a tally holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TallyStats {
    pub sources: usize,
    pub subjects: usize,
    pub sources_removed: Removals,
    pub subjects_removed: Removals,
    /// Requests a key forgot because it held its cap.
    pub entries_dropped: u64,
}

/// One request as a tally records it.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub address: IpAddr,
    pub fingerprint: &'a str,
    /// What the windows of the sources count as distinct (the account, the
    /// recipient).
    pub item: &'a str,
    /// The subject map's key (the recipient itself, or what look-alike
    /// accounts share).
    pub subject: &'a str,
}

/// What one window holds once a request is recorded (that one included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowCounts {
    pub requests: usize,
    /// Distinct items (accounts, recipients).
    pub subjects: usize,
    pub addresses: usize,
}

impl WindowCounts {
    fn of(window: &Window) -> WindowCounts {
        WindowCounts {
            requests: window.count(Only::All),
            subjects: window.subjects(Only::All),
            addresses: window.addresses(Only::All),
        }
    }
}

/// The windows of one request: its sources' (address, network,
/// fingerprint, in that order) and its subject's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FloodCounts {
    pub sources: Vec<WindowCounts>,
    pub subject: WindowCounts,
}

pub(crate) struct Tally {
    window: u64,
    bounds: TallyBounds,
    hasher: RandomState,
    sources: BoundedMap<u64, Window>,
    subjects: BoundedMap<u64, Window>,
    stats: TallyStats,
}

impl Tally {
    pub(crate) fn new(window: Duration, bounds: TallyBounds) -> Tally {
        let window = millis(window);
        Tally {
            window,
            bounds,
            hasher: RandomState::new(),
            sources: BoundedMap::new(bounds.max_sources, window),
            subjects: BoundedMap::new(bounds.max_subjects, window),
            stats: TallyStats::default(),
        }
    }

    pub(crate) fn stats(&self) -> TallyStats {
        TallyStats {
            sources: self.sources.len(),
            subjects: self.subjects.len(),
            ..self.stats
        }
    }

    /// Records a request at `now` and returns its sources and what their
    /// windows and the subject's hold, all slid to `now`.
    pub(crate) fn record(&mut self, request: &Counted<'_>, now: u64) -> ([Source; 3], FloodCounts) {
        let item = self.hasher.hash_one(request.item);
        let address = address_key(&self.hasher, request.address);
        let cap = self.bounds.max_entries_per_key;
        let list = sources(&self.hasher, request.address, request.fingerprint);
        let mut by_source = Vec::with_capacity(list.len());
        for source in &list {
            let seen = self.sources.get_or_insert_with(
                source.key,
                now,
                || Window::new(now),
                &mut self.stats.sources_removed,
            );
            seen.slide(now, self.window);
            self.stats.entries_dropped += seen.record(item, address, false, now, cap);
            by_source.push(WindowCounts::of(seen));
        }
        let subject = self.hasher.hash_one(request.subject);
        let by_subject = self.subjects.get_or_insert_with(
            subject,
            now,
            || Window::new(now),
            &mut self.stats.subjects_removed,
        );
        by_subject.slide(now, self.window);
        self.stats.entries_dropped += by_subject.record(item, address, false, now, cap);
        let counts = FloodCounts {
            sources: by_source,
            subject: WindowCounts::of(by_subject),
        };
        (list, counts)
    }
}

/// The first of `sources` (address, then network, then fingerprint) that is
/// judged (`Scope::is_judged`) and whose window (in `counts`, in the same
/// order) has a `measure` reaching `threshold`, with that window.
pub(crate) fn first_reaching<'s, 'c>(
    sources: &'s [Source],
    counts: &'c [WindowCounts],
    threshold: usize,
    measure: impl Fn(&WindowCounts) -> usize,
) -> Option<(&'s Source, &'c WindowCounts, usize)> {
    sources.iter().zip(counts).find_map(|(source, seen)| {
        let count = measure(seen);
        (count >= threshold && source.scope.is_judged(seen.addresses))
            .then_some((source, seen, count))
    })
}
