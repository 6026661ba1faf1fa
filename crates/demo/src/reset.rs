//! Password-reset tickets: single-use, expiring, and bounded in number, as a
//! real reset flow would keep them (the "email" that would carry the ticket is
//! not sent; the ticket is only reachable through the API's owner).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Outstanding tickets kept at most; the one closest to expiry is dropped first.
pub const MAX_TICKETS: usize = 1024;
/// How long a ticket stays valid.
pub const TICKET_TTL_MILLIS: u64 = 15 * 60 * 1000;

struct Ticket {
    user_id: u64,
    expires_at: u64,
}

#[derive(Default)]
pub struct ResetTickets {
    tickets: Mutex<HashMap<String, Ticket>>,
}

impl ResetTickets {
    /// Records `ticket` for `user_id`, valid from `now` for [`TICKET_TTL_MILLIS`].
    pub fn issue(&self, ticket: String, user_id: u64, now: u64) {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        tickets.retain(|_, t| t.expires_at > now);
        if tickets.len() >= MAX_TICKETS {
            let soonest = tickets
                .iter()
                .min_by_key(|(_, t)| t.expires_at)
                .map(|(k, _)| k.clone());
            if let Some(key) = soonest {
                tickets.remove(&key);
            }
        }
        tickets.insert(
            ticket,
            Ticket {
                user_id,
                expires_at: now.saturating_add(TICKET_TTL_MILLIS),
            },
        );
    }

    /// Consumes the ticket; returns the user it was issued for if still valid.
    pub fn redeem(&self, ticket: &str, now: u64) -> Option<u64> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let found = tickets.remove(ticket)?;
        (found.expires_at > now).then_some(found.user_id)
    }

    /// The newest valid ticket for a user; how the tests read the "email".
    #[cfg(test)]
    pub fn latest_for(&self, user_id: u64) -> Option<String> {
        let tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        tickets
            .iter()
            .filter(|(_, t)| t.user_id == user_id)
            .max_by_key(|(_, t)| t.expires_at)
            .map(|(k, _)| k.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_single_use_and_expire() {
        let tickets = ResetTickets::default();
        tickets.issue("a".to_owned(), 7, 1_000);
        assert_eq!(tickets.redeem("a", 2_000), Some(7));
        assert_eq!(tickets.redeem("a", 2_000), None);
        tickets.issue("b".to_owned(), 8, 1_000);
        assert_eq!(tickets.redeem("b", 1_000 + TICKET_TTL_MILLIS), None);
        assert_eq!(tickets.redeem("unknown", 0), None);
    }

    #[test]
    fn the_number_of_tickets_is_bounded() {
        let tickets = ResetTickets::default();
        for i in 0..(MAX_TICKETS as u64 + 10) {
            tickets.issue(format!("t{i}"), i, 1_000 + i);
        }
        let kept = tickets.tickets.lock().unwrap().len();
        assert_eq!(kept, MAX_TICKETS);
        // The oldest ones were dropped, the newest kept.
        assert_eq!(tickets.redeem("t0", 2_000), None);
        assert_eq!(
            tickets.redeem(&format!("t{}", MAX_TICKETS + 9), 2_000),
            Some(MAX_TICKETS as u64 + 9)
        );
    }
}
