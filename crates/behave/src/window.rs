//! What one key (a source, an account, a recipient) did or received within
//! a sliding window: the entries, each a subject (a username, an account, a
//! phone number: hashed), the address it came from and whether it was
//! flagged (a failed login), and the counts detectors judge by.
//!
//! Entries are kept in arrival order, at most `cap` of them (the oldest go
//! first, counted), so every count is exact within the cap.

use crate::bounded::Stamped;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy)]
struct Entry {
    subject: u64,
    address: u64,
    flagged: bool,
    at: u64,
}

/// Which entries a count reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Only {
    All,
    Flagged,
}

impl Only {
    fn admits(self, entry: &Entry) -> bool {
        self == Only::All || entry.flagged
    }
}

#[derive(Debug)]
pub(crate) struct Window {
    entries: Vec<Entry>,
    last_seen: u64,
}

impl Stamped for Window {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

impl Window {
    pub(crate) fn new(now: u64) -> Self {
        Window {
            entries: Vec::new(),
            last_seen: now,
        }
    }

    /// Forgets entries at or before `now - window`.
    pub(crate) fn slide(&mut self, now: u64, window: u64) {
        self.entries.retain(|e| e.at.saturating_add(window) > now);
    }

    /// Records an entry (`subject`, `address`: hashes); returns how many old
    /// entries left to keep `cap`.
    pub(crate) fn record(
        &mut self,
        subject: u64,
        address: u64,
        flagged: bool,
        now: u64,
        cap: usize,
    ) -> u64 {
        self.last_seen = now;
        self.entries.push(Entry {
            subject,
            address,
            flagged,
            at: now,
        });
        let over = self.entries.len().saturating_sub(cap.max(1));
        self.entries.drain(..over);
        over as u64
    }

    /// Entries, all or flagged.
    pub(crate) fn count(&self, only: Only) -> usize {
        self.entries.iter().filter(|e| only.admits(e)).count()
    }

    /// Entries for `subject`.
    pub(crate) fn count_for(&self, subject: u64, only: Only) -> usize {
        self.entries
            .iter()
            .filter(|e| only.admits(e) && e.subject == subject)
            .count()
    }

    /// Distinct subjects.
    pub(crate) fn subjects(&self, only: Only) -> usize {
        self.distinct(|e| only.admits(e).then_some(e.subject))
    }

    /// Distinct addresses.
    pub(crate) fn addresses(&self, only: Only) -> usize {
        self.distinct(|e| only.admits(e).then_some(e.address))
    }

    fn distinct(&self, key: impl Fn(&Entry) -> Option<u64>) -> usize {
        self.entries
            .iter()
            .filter_map(key)
            .collect::<HashSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hold_within_the_window_and_the_cap() {
        let mut window = Window::new(0);
        assert_eq!(window.record(1, 10, true, 0, 3), 0);
        assert_eq!(window.record(1, 11, true, 5, 3), 0);
        assert_eq!(window.record(2, 11, false, 6, 3), 0);
        assert_eq!(window.count_for(1, Only::Flagged), 2);
        assert_eq!(window.count(Only::All), 3);
        assert_eq!(window.subjects(Only::Flagged), 1);
        assert_eq!(window.subjects(Only::All), 2);
        assert_eq!(window.addresses(Only::Flagged), 2);
        assert_eq!(window.addresses(Only::All), 2);
        assert_eq!(window.record(3, 12, true, 7, 3), 1, "the oldest left");
        assert_eq!(window.count_for(1, Only::Flagged), 1);
        window.slide(106, 100);
        assert_eq!(
            window.count_for(1, Only::Flagged),
            0,
            "at 5, out of (6, 106]"
        );
        assert_eq!(window.subjects(Only::Flagged), 1);
    }
}
