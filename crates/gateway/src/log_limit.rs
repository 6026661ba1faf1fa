//! Repeated log lines, bounded: a failure that repeats on every request
//! (an upstream that is down) is logged once per interval and per key, the
//! next line saying how many were suppressed in between.

use crate::sync::lock;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most; past it, lines for new keys are let through.
const MAX_KEYS: usize = 1024;

/// One call site's limiter, keyed by what the line is about.
pub struct LogLimiter {
    interval: Duration,
    /// Per key: when a line was last let through, and how many were
    /// suppressed since.
    last: Mutex<HashMap<String, (Instant, u64)>>,
}

impl LogLimiter {
    pub fn new(interval: Duration) -> LogLimiter {
        LogLimiter {
            interval,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a line about `key` may be written at `now`: `Some(n)` with
    /// the lines suppressed since the last one, `None` to stay quiet.
    pub fn admit(&self, key: &str, now: Instant) -> Option<u64> {
        let mut last = lock(&self.last);
        match last.get_mut(key) {
            Some((at, suppressed)) if now.saturating_duration_since(*at) < self.interval => {
                *suppressed += 1;
                None
            }
            Some((at, suppressed)) => {
                *at = now;
                Some(std::mem::take(suppressed))
            }
            None => {
                if last.len() < MAX_KEYS {
                    last.insert(key.to_owned(), (now, 0));
                }
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_and_key_with_the_count_suppressed() {
        let limiter = LogLimiter::new(Duration::from_secs(10));
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        assert_eq!(limiter.admit("api", at(0)), Some(0));
        for second in 1..10 {
            assert_eq!(limiter.admit("api", at(second)), None);
        }
        assert_eq!(limiter.admit("other", at(5)), Some(0), "keys are apart");
        assert_eq!(limiter.admit("api", at(10)), Some(9));
        assert_eq!(limiter.admit("api", at(11)), None);
        assert_eq!(limiter.admit("api", at(30)), Some(1));
    }
}
