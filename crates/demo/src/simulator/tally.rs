//! What one actor's requests got back, as counters by answer (no per-request
//! memory), and the one-line summary the simulator logs.

use std::sync::atomic::{AtomicU64, Ordering};

/// Answers counted by status; `failed` is no answer at all (connection
/// refused, timeout).
#[derive(Debug, Default)]
pub(super) struct Tally {
    sent: AtomicU64,
    ok: AtomicU64,
    unauthorized: AtomicU64,
    forbidden: AtomicU64,
    not_found: AtomicU64,
    limited: AtomicU64,
    other_client_errors: AtomicU64,
    server_errors: AtomicU64,
    failed: AtomicU64,
}

impl Tally {
    pub(super) fn answered(&self, status: u16) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let counter = match status {
            401 => &self.unauthorized,
            403 => &self.forbidden,
            404 => &self.not_found,
            429 => &self.limited,
            400..=499 => &self.other_client_errors,
            500.. => &self.server_errors,
            _ => &self.ok,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn failed(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    /// E.g. `120 requests: 40 ok, 60 forbidden (403), 20 limited (429)`;
    /// answers that never came are left out.
    pub(super) fn summary(&self) -> String {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let parts = [
            (read(&self.ok), "ok"),
            (read(&self.unauthorized), "unauthorized (401)"),
            (read(&self.forbidden), "forbidden (403)"),
            (read(&self.not_found), "not found (404)"),
            (read(&self.limited), "limited (429)"),
            (read(&self.other_client_errors), "other 4xx"),
            (read(&self.server_errors), "5xx"),
            (read(&self.failed), "no answer"),
        ];
        let counts: Vec<String> = parts
            .iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, what)| format!("{count} {what}"))
            .collect();
        let sent = read(&self.sent);
        if counts.is_empty() {
            format!("{sent} requests")
        } else {
            format!("{sent} requests: {}", counts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_answers_by_kind() {
        let tally = Tally::default();
        assert_eq!(tally.summary(), "0 requests");
        for status in [200, 201, 403, 429, 429, 400] {
            tally.answered(status);
        }
        tally.failed();
        assert_eq!(
            tally.summary(),
            "7 requests: 2 ok, 1 forbidden (403), 2 limited (429), 1 other 4xx, 1 no answer"
        );
    }
}
