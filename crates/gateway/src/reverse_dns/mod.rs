//! `[bots.dns]`: crawler claims checked by forward-confirmed reverse DNS,
//! without a request ever waiting on the network.
//!
//! The `bots` stage reads `bot.*` in `request_headers`, before anything
//! asynchronous, so the detector asks [`ReverseDnsLookups`] (a
//! [`ReverseDnsSource`]) and gets what is cached for the address, or
//! nothing: then one background lookup of that address is started
//! (coalesced: never two for one address), and the claim is `pending`.
//! Lookups run on a runtime of their own (one thread), so no worker's
//! runtime carries them, and at most `max_in_flight` at once; past that
//! none is started, which is counted (`skipped`).
//!
//! What a lookup found is kept for its records' TTL, clamped between a
//! minute and `positive_ttl` (a verified name) or `negative_ttl` (no PTR,
//! or no name that verifies). A lookup that times out or fails is not
//! kept: an unreachable resolver is not held against the client, whose
//! requests ask again from [`RETRY_AFTER`] later (so that a reverse zone
//! that always fails costs one lookup per address per delay, not one a
//! request).
//!
//! - `lookup`: one lookup with `hickory-resolver`.

mod lookup;
#[cfg(test)]
mod tests;

use crate::config::DnsSettings;
use crate::sync::lock;
use crate::telemetry;
use hickory_resolver::TokioResolver;
use lookup::{forward_confirmed, Found, LookupError};
use rampart_behave::bots::reverse_dns::{Cached, ReverseDnsCache};
use rampart_behave::bots::{ReverseDns, ReverseDnsSource};
use rampart_core::Clock;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The least time a lookup's answer is kept, whatever its records' TTL,
/// so that a zero TTL does not mean a lookup a request.
const MIN_KEPT: Duration = Duration::from_secs(60);
/// How long after a failed lookup an address's next one may start.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);

/// What the lookups share with their tasks.
struct Shared {
    settings: DnsSettings,
    /// Every configured domain: only PTR names in one are looked up forward.
    domains: Vec<String>,
    resolver: TokioResolver,
    cache: Mutex<ReverseDnsCache>,
    in_flight: AtomicUsize,
    clock: Arc<dyn Clock>,
}

/// The lookups of one configuration, and the thread they run on.
pub struct ReverseDnsLookups {
    shared: Arc<Shared>,
    /// Taken on drop to shut down in the background (a runtime dropped
    /// on a worker's runtime would panic).
    runtime: Option<tokio::runtime::Runtime>,
}

fn count(result: &'static str) {
    metrics::counter!(telemetry::BOTS_DNS_LOOKUPS, "result" => result).increment(1);
}

impl ReverseDnsLookups {
    /// Lookups asking `settings.resolver` (which must be set) about the
    /// PTR names in `domains`.
    pub fn new(
        settings: &DnsSettings,
        domains: Vec<String>,
        clock: &Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let nameserver = settings.resolver.ok_or("bots.dns: no resolver to ask")?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("rampart-dns")
            .enable_all()
            .build()
            .map_err(|e| format!("bots.dns: cannot start the lookup thread: {e}"))?;
        let resolver = {
            let _inside = runtime.enter();
            lookup::resolver(nameserver, settings)?
        };
        let longest = settings.positive_ttl.max(settings.negative_ttl);
        Ok(ReverseDnsLookups {
            shared: Arc::new(Shared {
                settings: settings.clone(),
                domains,
                resolver,
                cache: Mutex::new(ReverseDnsCache::new(settings.max_entries, longest)),
                in_flight: AtomicUsize::new(0),
                clock: Arc::clone(clock),
            }),
            runtime: Some(runtime),
        })
    }

    /// Whether these lookups serve `settings` and `domains` as they are.
    pub fn serves(&self, settings: &DnsSettings, domains: &[String]) -> bool {
        self.shared.settings == *settings && self.shared.domains == domains
    }

    /// Addresses whose lookups are kept or running.
    pub fn entries(&self) -> usize {
        lock(&self.shared.cache).len()
    }

    /// Starts the lookup of `address` unless `max_in_flight` are running;
    /// called with the cache locked, so that one address gets one lookup.
    fn start(&self, address: IpAddr, cache: &mut ReverseDnsCache) {
        let shared = &self.shared;
        let admitted = shared
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < shared.settings.max_in_flight).then_some(n + 1)
            });
        let Some(runtime) = self.runtime.as_ref().filter(|_| admitted.is_ok()) else {
            count("skipped");
            return;
        };
        cache.start(address, shared.clock.now_millis());
        metrics::gauge!(telemetry::BOTS_DNS_CACHED).set(cache.len() as f64);
        let shared = Arc::clone(shared);
        runtime.spawn(async move {
            let found = forward_confirmed(&shared.resolver, address, &shared.domains).await;
            shared.finish(address, found);
            shared.in_flight.fetch_sub(1, Ordering::AcqRel);
        });
    }
}

impl Shared {
    fn finish(&self, address: IpAddr, found: Result<Found, LookupError>) {
        let now = self.clock.now_millis();
        let mut cache = lock(&self.cache);
        match found {
            Ok(Found { reverse_dns, ttl }) => {
                let (result, longest) = match &reverse_dns {
                    ReverseDns::NoPtr => ("no_ptr", self.settings.negative_ttl),
                    found if found.confirmed() => ("verified", self.settings.positive_ttl),
                    _ => ("failed", self.settings.negative_ttl),
                };
                count(result);
                let kept = ttl.clamp(MIN_KEPT.min(longest), longest);
                cache.store(address, reverse_dns, kept, now);
            }
            Err(error) => {
                count(match error {
                    LookupError::Timeout => "timeout",
                    LookupError::Failed => "error",
                });
                cache.retry_after(address, RETRY_AFTER, now);
            }
        }
        metrics::gauge!(telemetry::BOTS_DNS_CACHED).set(cache.len() as f64);
    }
}

impl ReverseDnsSource for ReverseDnsLookups {
    fn reverse_dns(&self, address: IpAddr) -> Option<Arc<ReverseDns>> {
        let mut cache = lock(&self.shared.cache);
        match cache.get(address, self.shared.clock.now_millis()) {
            Cached::Known(found) => Some(found),
            Cached::Waiting => None,
            Cached::Unknown => {
                self.start(address, &mut cache);
                None
            }
        }
    }
}

impl Drop for ReverseDnsLookups {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
