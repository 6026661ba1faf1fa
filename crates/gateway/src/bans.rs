//! The ban list as every request reads it: without a lock.
//!
//! Each request asks whether its client is banned, and each new connection
//! whether its peer is, so a lock around the list would be taken by every
//! worker on every request. Here changes (bans from the policy, deception
//! and the admin API, adoptions and lifts announced through Redis, sweeps)
//! are made one at a time on a master copy, which is then published as an
//! immutable snapshot (`arc-swap`); readers load the current snapshot. A
//! ban ends by its own time, checked at lookup, so expiry needs no change.
//!
//! A change clones the list: cheap for the thousands of entries a busy
//! gateway holds, proportional to `max_entries` at worst, and only paid when
//! someone is banned or lifted, never per request.

use crate::sync::lock;
use arc_swap::{ArcSwap, Guard};
use rampart_prevent::BanList;
use std::sync::{Arc, Mutex};

pub struct BanBook {
    master: Mutex<BanList>,
    published: ArcSwap<BanList>,
}

impl BanBook {
    pub fn new(list: BanList) -> Self {
        BanBook {
            published: ArcSwap::from_pointee(list.clone()),
            master: Mutex::new(list),
        }
    }

    /// The list as last published: for lookups, without a lock.
    pub fn current(&self) -> Guard<Arc<BanList>> {
        self.published.load()
    }

    /// Changes the list and publishes the result before returning, so the
    /// next lookup on any worker sees the change.
    pub fn change<R>(&self, change: impl FnOnce(&mut BanList) -> R) -> R {
        let mut master = lock(&self.master);
        let result = change(&mut master);
        self.published.store(Arc::new(master.clone()));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::ManualClock;
    use rampart_prevent::{BanConfig, BanTarget, ClientFacts};
    use std::time::Duration;

    #[test]
    fn a_change_is_seen_by_the_next_lookup_and_a_ban_ends_by_its_time() {
        let clock = Arc::new(ManualClock::at(1_700_000_000_000));
        let book = BanBook::new(BanList::new(&BanConfig::default(), clock.clone()).unwrap());
        let ip = "203.0.113.7".parse().unwrap();
        let client = ClientFacts::from_ip(ip);
        let before = book.current();
        book.change(|list| list.ban(&BanTarget::ip(ip), Arc::from("test")))
            .unwrap();
        assert!(
            before.is_banned(&client).is_none(),
            "a loaded snapshot never changes"
        );
        assert!(book.current().is_banned(&client).is_some());
        clock.advance(Duration::from_secs(60));
        assert!(
            book.current().is_banned(&client).is_none(),
            "expired without a change"
        );
        book.change(|list| list.ban(&BanTarget::ip(ip), Arc::from("again")))
            .unwrap();
        assert!(book.change(|list| list.unban(&BanTarget::ip(ip))));
        assert!(book.current().is_banned(&client).is_none());
    }
}
