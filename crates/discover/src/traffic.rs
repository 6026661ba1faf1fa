//! Requests per minute of one endpoint, for the console's traffic chart:
//! the latest [`MAX_MINUTES`] minutes that saw requests, keyed by the
//! minute of the record's timestamp as written (`2026-12-06T14:05`; the
//! gateway writes UTC). Older minutes are dropped as new ones come, so the
//! series is bounded whatever the traffic.

use serde::{Deserialize, Serialize};

/// Minutes kept per endpoint.
pub const MAX_MINUTES: usize = 60;

/// `YYYY-MM-DDTHH:MM`: the length of a minute's key.
const MINUTE_KEY_LEN: usize = 16;

/// Requests per minute, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCounts(Vec<(Box<str>, u64)>);

impl MinuteCounts {
    /// Adds `count` requests to the minute of the RFC 3339 time `ts`
    /// (ignored when it is too short to name one, or older than every
    /// minute kept when the series is full).
    pub fn add(&mut self, ts: &str, count: u64) {
        let Some(minute) = ts.get(..MINUTE_KEY_LEN) else {
            return;
        };
        match self.0.binary_search_by(|(m, _)| (**m).cmp(minute)) {
            Ok(i) => self.0[i].1 += count,
            Err(0) if self.0.len() >= MAX_MINUTES => {}
            Err(i) => {
                self.0.insert(i, (minute.into(), count));
                if self.0.len() > MAX_MINUTES {
                    self.0.remove(0);
                }
            }
        }
    }

    /// Adds another endpoint's series (two endpoints joined).
    pub fn merge(&mut self, other: &MinuteCounts) {
        for (minute, count) in &other.0 {
            self.add(minute, *count);
        }
    }

    /// Each minute with its requests, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(m, c)| (&**m, *c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_add_up_per_minute_and_only_the_latest_minutes_are_kept() {
        let mut counts = MinuteCounts::default();
        counts.add("2026-12-06T14:05:10Z", 1);
        counts.add("2026-12-06T14:05:59.999Z", 1);
        counts.add("2026-12-06T14:04:00Z", 1);
        counts.add("short", 1);
        let series: Vec<_> = counts.iter().collect();
        assert_eq!(
            series,
            vec![("2026-12-06T14:04", 1), ("2026-12-06T14:05", 2)]
        );
        for minute in 0..MAX_MINUTES + 5 {
            counts.add(
                &format!("2026-12-07T{:02}:{:02}:00Z", minute / 60, minute % 60),
                1,
            );
        }
        assert_eq!(counts.iter().count(), MAX_MINUTES);
        assert_eq!(counts.iter().next().unwrap().0, "2026-12-07T00:05");
        counts.add("2026-12-06T14:05:00Z", 1);
        assert_eq!(
            counts.iter().count(),
            MAX_MINUTES,
            "older than all: dropped"
        );
    }
}
