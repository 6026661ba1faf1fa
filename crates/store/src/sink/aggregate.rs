//! Folding repeats: a flood from one client (the same action on the same
//! route, method and path, for the same reasons, again and again) becomes
//! one event per window instead of one per request.
//!
//! The first event of a series is written at once, so an operator sees an
//! attack start without waiting; the repeats that follow within the window
//! are held and written as one event with a [`Repeats`] count and the times
//! of the first and the last, when the window ends. The series then starts
//! afresh. State is bounded: past `max_series` open series, new ones are
//! written as they come.

use rampart_core::event::rfc3339_millis;
use rampart_core::{Repeats, SecurityEvent};
use std::collections::HashMap;

/// Open series at most; enough for thousands of distinct attackers.
pub(super) const MAX_SERIES: usize = 10_000;

/// What makes two events repeats of each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SeriesKey {
    client_ip: String,
    action: String,
    route: String,
    method: String,
    path: String,
    /// The reasons' sources, in order.
    sources: Vec<String>,
}

impl SeriesKey {
    fn of(event: &SecurityEvent) -> SeriesKey {
        SeriesKey {
            client_ip: event.client_ip.clone(),
            action: event.action.clone(),
            route: event.route.clone(),
            method: event.method.clone(),
            path: event.path.clone(),
            sources: event.reasons.iter().map(|r| r.source.clone()).collect(),
        }
    }
}

struct Series {
    /// When the first event was let through (the window's start).
    opened_millis: u64,
    /// The first repeat, and how many repeats since.
    held: Option<(SecurityEvent, u64)>,
    last_millis: u64,
}

pub(super) struct Aggregator {
    window_millis: u64,
    max_series: usize,
    series: HashMap<SeriesKey, Series>,
    /// Repeats that will not be written as events of their own (every
    /// repeat of a series but the one that carries the count).
    folded: u64,
}

impl Aggregator {
    /// A window of zero folds nothing.
    pub(super) fn new(window_millis: u64, max_series: usize) -> Aggregator {
        Aggregator {
            window_millis,
            max_series,
            series: HashMap::new(),
            folded: 0,
        }
    }

    /// Events folded so far into another one's count.
    pub(super) fn folded(&self) -> u64 {
        self.folded
    }

    /// Takes an event that arrived at `now_millis`: returns it when it is
    /// to be written now, `None` when it was folded into its series.
    pub(super) fn admit(&mut self, event: SecurityEvent, now_millis: u64) -> Option<SecurityEvent> {
        if self.window_millis == 0 {
            return Some(event);
        }
        let key = SeriesKey::of(&event);
        match self.series.get_mut(&key) {
            Some(series) => {
                series.last_millis = now_millis;
                match &mut series.held {
                    Some((_, count)) => {
                        *count += 1;
                        self.folded += 1;
                    }
                    None => series.held = Some((event, 1)),
                }
                None
            }
            None => {
                if self.series.len() < self.max_series {
                    self.series.insert(
                        key,
                        Series {
                            opened_millis: now_millis,
                            held: None,
                            last_millis: now_millis,
                        },
                    );
                }
                Some(event)
            }
        }
    }

    /// Moves the folded repeats of every series whose window has ended by
    /// `now_millis` to `out`, and closes those series.
    pub(super) fn flush_ended(&mut self, now_millis: u64, out: &mut Vec<SecurityEvent>) {
        let window = self.window_millis;
        self.series.retain(|_, series| {
            if now_millis.saturating_sub(series.opened_millis) < window {
                return true;
            }
            out.extend(folded(series));
            false
        });
    }

    /// Moves every folded series to `out` (at shutdown).
    pub(super) fn flush_all(&mut self, out: &mut Vec<SecurityEvent>) {
        out.extend(self.series.drain().filter_map(|(_, mut s)| folded(&mut s)));
    }
}

/// The one event that stands for a series' repeats, if it had any.
fn folded(series: &mut Series) -> Option<SecurityEvent> {
    let (mut event, count) = series.held.take()?;
    if count > 1 {
        event.repeats = Some(Repeats {
            count,
            first_time: event.time.clone(),
            last_time: rfc3339_millis(series.last_millis),
        });
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Reason;

    fn event(client: &str, path: &str, n: u64) -> SecurityEvent {
        SecurityEvent {
            time: rfc3339_millis(n),
            request_id: format!("req-{n}"),
            client_ip: client.to_string(),
            method: "GET".to_string(),
            host: "api.example".to_string(),
            path: path.to_string(),
            route: "api".to_string(),
            action: "block".to_string(),
            status: Some(403),
            reasons: vec![Reason::new("detect.sqli.union", "query.q", "x", 5.0)],
            score: 5.0,
            repeats: None,
            bot: None,
            ja4: None,
        }
    }

    fn ids(events: &[SecurityEvent]) -> Vec<&str> {
        events.iter().map(|e| e.request_id.as_str()).collect()
    }

    #[test]
    fn a_flood_is_its_first_event_then_one_per_window() {
        let mut aggregator = Aggregator::new(10_000, MAX_SERIES);
        let mut written = Vec::new();
        for n in 0..1_000u64 {
            let now = n * 15;
            aggregator.flush_ended(now, &mut written);
            written.extend(aggregator.admit(event("192.0.2.1", "/x", now), now));
        }
        aggregator.flush_all(&mut written);
        // 15 s of requests, 10 s windows: two series, each its first event
        // and one event for its repeats.
        assert_eq!(written.len(), 4, "{:?}", ids(&written));
        assert_eq!(written[0].repeats, None);
        assert_eq!(written[0].request_id, "req-0");
        let repeats = written[1].repeats.as_ref().expect("folded");
        assert_eq!(written[1].request_id, "req-15");
        assert_eq!(repeats.count, 666, "requests 1..=666 of the first window");
        assert_eq!(repeats.first_time, rfc3339_millis(15));
        assert_eq!(repeats.last_time, rfc3339_millis(9_990));
        let total: u64 = written
            .iter()
            .map(|e| e.repeats.as_ref().map_or(1, |r| r.count))
            .sum();
        assert_eq!(total, 1_000, "every exchange is accounted for");
        assert_eq!(aggregator.folded(), 1_000 - 4);
    }

    #[test]
    fn different_clients_paths_and_reasons_are_different_series() {
        let mut aggregator = Aggregator::new(10_000, MAX_SERIES);
        let mut other_reason = event("192.0.2.1", "/x", 3);
        other_reason.reasons[0].source = "detect.xss.script".to_string();
        let mut written: Vec<SecurityEvent> = [
            event("192.0.2.1", "/x", 0),
            event("192.0.2.2", "/x", 1),
            event("192.0.2.1", "/y", 2),
            other_reason,
        ]
        .into_iter()
        .filter_map(|e| aggregator.admit(e, 5))
        .collect();
        assert_eq!(written.len(), 4);
        aggregator.flush_all(&mut written);
        assert_eq!(written.len(), 4, "nothing was folded");
    }

    #[test]
    fn a_single_repeat_is_written_as_itself() {
        let mut aggregator = Aggregator::new(1_000, MAX_SERIES);
        let mut written = Vec::new();
        written.extend(aggregator.admit(event("192.0.2.1", "/x", 0), 0));
        assert!(aggregator.admit(event("192.0.2.1", "/x", 1), 500).is_none());
        aggregator.flush_ended(999, &mut written);
        assert_eq!(written.len(), 1, "the window has not ended");
        aggregator.flush_ended(1_000, &mut written);
        assert_eq!(ids(&written), ["req-0", "req-1"]);
        assert_eq!(written[1].repeats, None);
    }

    #[test]
    fn past_the_bound_new_series_are_written_as_they_come() {
        let mut aggregator = Aggregator::new(10_000, 2);
        let mut written = Vec::new();
        for round in 0..3 {
            for client in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
                written.extend(aggregator.admit(event(client, "/x", round), round));
            }
        }
        assert_eq!(
            written
                .iter()
                .filter(|e| e.client_ip == "192.0.2.3")
                .count(),
            3,
            "the third client found no room: every event written"
        );
        assert_eq!(written.len(), 5);
        aggregator.flush_all(&mut written);
        assert_eq!(written.len(), 7);
    }

    #[test]
    fn a_zero_window_folds_nothing() {
        let mut aggregator = Aggregator::new(0, MAX_SERIES);
        for n in 0..5 {
            assert!(aggregator.admit(event("192.0.2.1", "/x", n), n).is_some());
        }
    }
}
