//! The tarpit: answers held back for a while, so that an attacker's tools
//! wait instead of working.
//!
//! Holding a connection costs the gateway a socket and a task, so the number
//! held at once is capped. [`Tarpit::try_hold`] hands out a permit while
//! fewer than `max_held` are out, lock-free; the permit gives the slot back
//! when dropped, however the exchange ends (answered, client gone, task
//! cancelled). When the cap is reached the caller answers at once with its
//! fallback (the gateway: the configured block). Waiting is the caller's:
//! this module does no I/O and never sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Holds answers back, at most `max_held` at once.
#[derive(Debug)]
pub struct Tarpit {
    delay: Duration,
    max_held: usize,
    held: Arc<AtomicUsize>,
}

/// One held answer; the slot is free again when this is dropped.
#[derive(Debug)]
#[must_use = "the slot is released as soon as the permit is dropped"]
pub struct TarpitPermit {
    delay: Duration,
    held: Arc<AtomicUsize>,
}

impl Tarpit {
    pub fn new(delay: Duration, max_held: usize) -> Self {
        Tarpit {
            delay,
            max_held,
            held: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A permit to hold one answer for [`TarpitPermit::delay`], or `None`
    /// when `max_held` answers are held already.
    pub fn try_hold(&self) -> Option<TarpitPermit> {
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                (held < self.max_held).then_some(held + 1)
            })
            .ok()
            .map(|_| TarpitPermit {
                delay: self.delay,
                held: Arc::clone(&self.held),
            })
    }

    /// How many answers are held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }

    pub fn max_held(&self) -> usize {
        self.max_held
    }
}

impl TarpitPermit {
    /// How long to hold the answer.
    pub fn delay(&self) -> Duration {
        self.delay
    }
}

impl Drop for TarpitPermit {
    fn drop(&mut self) {
        self.held.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_carry_the_delay() {
        let tarpit = Tarpit::new(Duration::from_secs(7), 1);
        let permit = tarpit.try_hold().unwrap();
        assert_eq!(permit.delay(), Duration::from_secs(7));
        assert_eq!(tarpit.held(), 1);
    }
}
