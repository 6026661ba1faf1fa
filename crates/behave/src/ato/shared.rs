//! The account-takeover windows as several gateways share them (in Redis,
//! through `rampart-store`): the keys every gateway must compute alike, and
//! the verdict on the counts shared state returns.
//!
//! Local windows are keyed by hashes under a random per-process key; shared
//! ones must be keyed alike on every gateway, and usernames, chosen by
//! clients, must not reach Redis as they are. Every key and id is therefore
//! an HMAC-SHA256 (cut to 128 or 64 bits) under a secret all gateways are
//! given (`[behave.ato] secret`, [`crate::keyed`]).

pub use crate::keyed::{AtoSecret, MIN_SECRET_CHARS};

use super::{verdict, AtoConfig, AtoSignal, Attempt, Tallies};
use crate::keyed::Keyer;
use crate::sources::{asn_source, sources, Source};
use std::collections::hash_map::RandomState;

/// An attempt's keys in shared state: its sources' windows (address,
/// network, fingerprint, autonomous system when known) and its account's,
/// and the ids its entries record.
#[derive(Debug, Clone)]
pub struct SharedKeys {
    /// One per source, in the order [`Tallies::sources`] answers them.
    pub sources: Vec<u128>,
    /// The account's window, when the attempt names a username.
    pub account: Option<u128>,
    /// The username, as the entries of a window record it.
    pub user: Option<u64>,
    /// The address, as the entries of a window record it.
    pub address: u64,
    /// The sources as evidence names them.
    named: Vec<Source>,
}

/// Computes shared keys and judges shared counts.
pub struct SharedAto {
    keyer: Keyer,
    /// Only for the sources' names ([`sources`] keys them too).
    names: RandomState,
}

impl SharedAto {
    pub fn new(secret: &AtoSecret) -> SharedAto {
        SharedAto {
            keyer: Keyer::new(secret),
            names: RandomState::new(),
        }
    }

    /// The keys of `attempt`, the same on every gateway with this secret.
    pub fn keys(&self, attempt: &Attempt<'_>) -> SharedKeys {
        let named: Vec<Source> = sources(&self.names, attempt.address, attempt.fingerprint)
            .into_iter()
            .chain(asn_source(&self.names, attempt.asn))
            .collect();
        let sources = self.keyer.sources(&named, attempt);
        let address = self.keyer.address(attempt.address);
        let account = attempt.username.map(|name| self.keyer.account(name));
        SharedKeys {
            sources,
            account,
            user: account.map(|id| id as u64),
            address: address as u64,
            named,
        }
    }

    /// The signals the shared `tallies` of `attempt` (whose keys are
    /// `keys`) call for: what [`super::AtoDetector::judge`] says on the
    /// same counts.
    pub fn judge(
        &self,
        config: &AtoConfig,
        attempt: &Attempt<'_>,
        keys: &SharedKeys,
        tallies: &Tallies,
    ) -> Vec<AtoSignal> {
        verdict(config, attempt, &keys.named, tallies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ato::SourceTally;

    fn secret(text: &str) -> AtoSecret {
        AtoSecret::new(text.to_string()).unwrap()
    }

    fn attempt<'a>(address: &str, username: Option<&'a str>) -> Attempt<'a> {
        Attempt {
            address: address.parse().unwrap(),
            fingerprint: "fp-1",
            username,
            asn: None,
        }
    }

    #[test]
    fn keys_agree_between_gateways_with_one_secret_and_differ_with_another() {
        let one = SharedAto::new(&secret("a shared secret, 32 characters.."));
        let two = SharedAto::new(&secret("a shared secret, 32 characters.."));
        let other = SharedAto::new(&secret("another secret of some length"));
        let a = attempt("203.0.113.7", Some("ann"));
        let (k1, k2, k3) = (one.keys(&a), two.keys(&a), other.keys(&a));
        assert_eq!(k1.sources, k2.sources, "two gateways, one key");
        assert_eq!(
            (k1.account, k1.user, k1.address),
            (k2.account, k2.user, k2.address)
        );
        assert_ne!(k1.sources, k3.sources);
        assert_ne!(k1.account, k3.account);
        let neighbour = one.keys(&attempt("203.0.113.200", None));
        assert_ne!(k1.sources[0], neighbour.sources[0], "another address");
        assert_eq!(k1.sources[1], neighbour.sources[1], "the same /24");
        assert_eq!(k1.sources[2], neighbour.sources[2], "the same fingerprint");
        assert_eq!(neighbour.account, None);
        assert_eq!(neighbour.user, None);
        let scopes: std::collections::HashSet<u128> = k1.sources.iter().copied().collect();
        assert_eq!(scopes.len(), 3, "each scope its own key");
        assert!(!scopes.contains(&k1.account.unwrap()));
    }

    #[test]
    fn an_autonomous_system_is_one_more_source_keyed_alike_on_every_gateway() {
        let one = SharedAto::new(&secret("a shared secret, 32 characters.."));
        let two = SharedAto::new(&secret("a shared secret, 32 characters.."));
        let of = |address: &str, asn: u32| Attempt {
            asn: Some(asn),
            ..attempt(address, Some("ann"))
        };
        let (a, b) = (
            one.keys(&of("203.0.113.7", 64_500)),
            two.keys(&of("198.51.100.9", 64_500)),
        );
        assert_eq!(a.sources.len(), 4, "address, network, fingerprint, ASN");
        assert_eq!(
            a.sources[3], b.sources[3],
            "one ASN, one key, from any address"
        );
        assert_ne!(a.sources[0], b.sources[0]);
        let other = one.keys(&of("203.0.113.7", 64_501));
        assert_ne!(a.sources[3], other.sources[3]);
        assert_eq!(a.named[3].name, "AS64500");
    }

    #[test]
    fn shared_counts_are_judged_as_local_windows_are() {
        let shared = SharedAto::new(&secret("a shared secret, 32 characters.."));
        let a = attempt("203.0.113.7", Some("victim@mail.test"));
        let keys = shared.keys(&a);
        let stuffed = SourceTally {
            failed_usernames: 10,
            attempts: 10,
            failures: 10,
            addresses: 1,
        };
        let tallies = Tallies {
            brute_force_failures: 9,
            sources: vec![SourceTally::default(), stuffed, stuffed],
            failing_addresses: 10,
        };
        let signals = shared.judge(&AtoConfig::default(), &a, &keys, &tallies);
        let found: Vec<&str> = signals.iter().map(|s| s.source).collect();
        assert_eq!(
            found,
            [super::super::CREDENTIAL_STUFFING, super::super::DISTRIBUTED],
            "nine failures are no brute force; the network is judged, the fingerprint from one address is not"
        );
        assert!(
            signals[0].evidence.starts_with(
                "network 203.0.113.0/24 failed logins for 10 distinct usernames from 1 addresses"
            ),
            "{}",
            signals[0].evidence
        );
    }
}
