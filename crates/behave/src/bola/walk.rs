//! One principal's walk over the ids of one endpoint template: the distinct
//! ids it asked for that it had never been shown, in a sliding window, and
//! how much they look like enumeration.
//!
//! A walk is measured by its effective size: each unfamiliar id counts one,
//! and counts up to two when the numeric ids are dense (1001, 1002, 1003...:
//! density 1; every tenth number: 0.1), because nobody is handed a run of
//! consecutive ids that are not theirs by chance.

use crate::bounded::Stamped;

/// A step of the walk.
#[derive(Debug, Clone, Copy)]
struct Step {
    id: u64,
    numeric: Option<u64>,
    at: u64,
}

#[derive(Debug)]
pub(crate) struct Walk {
    steps: Vec<Step>,
    last_seen: u64,
}

impl Stamped for Walk {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

/// What a walk looks like after a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Extent {
    /// Distinct unfamiliar ids in the window.
    pub distinct: usize,
    /// 0.0 (no numeric ids, or scattered) to 1.0 (consecutive numbers).
    pub density: f64,
    /// `distinct * (1 + density)`.
    pub effective: f64,
}

impl Walk {
    pub(crate) fn new(now: u64) -> Self {
        Walk {
            steps: Vec::new(),
            last_seen: now,
        }
    }

    /// Adds a request for the id hashed as `id` (`numeric` when it is a
    /// number) at `now`, forgetting steps older than `window`; at most
    /// `max_steps` distinct ids are kept (the oldest go first), which is
    /// returned as `true` when it happened.
    pub(crate) fn step(
        &mut self,
        id: u64,
        numeric: Option<u64>,
        now: u64,
        window: u64,
        max_steps: usize,
    ) -> (Extent, bool) {
        self.last_seen = now;
        self.steps.retain(|s| s.at.saturating_add(window) > now);
        let mut dropped = false;
        match self.steps.iter_mut().find(|s| s.id == id) {
            Some(seen) => seen.at = now,
            None => {
                if self.steps.len() >= max_steps {
                    let oldest = self
                        .steps
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, s)| s.at)
                        .map(|(i, _)| i);
                    if let Some(oldest) = oldest {
                        self.steps.swap_remove(oldest);
                        dropped = true;
                    }
                }
                self.steps.push(Step {
                    id,
                    numeric,
                    at: now,
                });
            }
        }
        (self.extent(), dropped)
    }

    fn extent(&self) -> Extent {
        let distinct = self.steps.len();
        let mut numbers: Vec<u64> = self.steps.iter().filter_map(|s| s.numeric).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let density = match (numbers.first(), numbers.last()) {
            (Some(low), Some(high)) if numbers.len() >= 2 && high > low => {
                let packed = (numbers.len() - 1) as f64 / (high - low) as f64;
                packed.min(1.0) * numbers.len() as f64 / distinct as f64
            }
            _ => 0.0,
        };
        Extent {
            distinct,
            density,
            effective: distinct as f64 * (1.0 + density),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: u64 = 60_000;

    #[test]
    fn consecutive_ids_weigh_double_and_scattered_ones_less() {
        let mut run = Walk::new(0);
        let mut extent = None;
        for n in 1001..=1005u64 {
            extent = Some(run.step(n, Some(n), 0, WINDOW, 64).0);
        }
        let extent = extent.unwrap();
        assert_eq!(extent.distinct, 5);
        assert_eq!(extent.density, 1.0);
        assert_eq!(extent.effective, 10.0);

        let mut scattered = Walk::new(0);
        let mut last = None;
        for n in [10u64, 110, 210, 310, 410] {
            last = Some(scattered.step(n, Some(n), 0, WINDOW, 64).0);
        }
        let last = last.unwrap();
        assert!((last.density - 0.01).abs() < 1e-9, "{last:?}");

        let mut opaque = Walk::new(0);
        let (extent, _) = opaque.step(1, None, 0, WINDOW, 64);
        assert_eq!(extent.density, 0.0);
        assert_eq!(extent.effective, 1.0);
    }

    #[test]
    fn repeats_count_once_and_old_steps_leave_the_window() {
        let mut walk = Walk::new(0);
        walk.step(1, None, 0, WINDOW, 64);
        let (extent, _) = walk.step(1, None, 10, WINDOW, 64);
        assert_eq!(extent.distinct, 1);
        walk.step(2, None, 20, WINDOW, 64);
        let (extent, _) = walk.step(3, None, WINDOW + 15, WINDOW, 64);
        assert_eq!(extent.distinct, 2, "id 1 (last at 10) left; 2 and 3 remain");
    }

    #[test]
    fn a_walk_keeps_at_most_its_cap_of_ids() {
        let mut walk = Walk::new(0);
        let mut dropped = false;
        for n in 0..10u64 {
            let (extent, hit) = walk.step(n, Some(n), n, WINDOW, 4);
            assert!(extent.distinct <= 4);
            dropped |= hit;
        }
        assert!(dropped);
    }
}
