//! The sign-up and one-time-code tallies (`crate::tally`) as several
//! gateways share them (in Redis, through `rampart-store`): the keys every
//! gateway computes alike ([`crate::keyed`]: no address, fingerprint,
//! account or phone number is written as it is), and the verdict on the
//! counts shared state returns, which is the local detectors' own verdict
//! on the same counts.

use crate::ato::Attempt;
use crate::flood::FloodRules;
use crate::keyed::{AtoSecret, Keyer};
use crate::sources::{sources, Source};
use crate::tally::{Counted, FloodCounts};
use crate::Signal;
use std::collections::hash_map::RandomState;

/// A request's keys in shared state: its sources' windows (address,
/// network, fingerprint) and its subject's, and the ids its entries record.
#[derive(Debug, Clone)]
pub struct FloodKeys {
    /// One per source, address first.
    pub sources: Vec<u128>,
    /// The subject's window (a sign-up's skeleton or account, a recipient).
    pub subject: u128,
    /// The item (account, recipient), as the entries of a window record it.
    pub item: u64,
    /// The address, as the entries of a window record it.
    pub address: u64,
    /// The sources as evidence names them.
    named: Vec<Source>,
}

/// Computes shared keys of floods and judges shared counts.
pub struct SharedTally {
    keyer: Keyer,
    /// Only for the sources' names.
    names: RandomState,
}

impl SharedTally {
    pub fn new(secret: &AtoSecret) -> SharedTally {
        SharedTally {
            keyer: Keyer::new(secret),
            names: RandomState::new(),
        }
    }

    fn keys_of(&self, counted: &Counted<'_>) -> FloodKeys {
        let named = sources(&self.names, counted.address, counted.fingerprint).to_vec();
        let from = Attempt {
            address: counted.address,
            fingerprint: counted.fingerprint,
            username: None,
            asn: None,
        };
        FloodKeys {
            sources: self.keyer.sources(&named, &from),
            subject: self.keyer.subject(counted.subject),
            item: self.keyer.subject(counted.item) as u64,
            address: self.keyer.address(counted.address) as u64,
            named,
        }
    }

    /// The keys of a request of flood `R`, the same on every gateway with
    /// this secret.
    pub fn keys<R: FloodRules>(&self, request: &R::Request<'_>) -> FloodKeys {
        let key = R::key(request);
        self.keys_of(&R::counted(&key, request))
    }
}

/// What [`crate::FloodDetector::judge`] says of a request whose windows
/// hold `counts`.
pub fn judge<R: FloodRules>(
    rules: &R,
    request: &R::Request<'_>,
    keys: &FloodKeys,
    counts: &FloodCounts,
) -> Vec<Signal> {
    rules.verdict(&R::key(request), &keys.named, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signup::{self, SignUp, SignupConfig};
    use crate::tally::WindowCounts;

    fn shared(secret: &str) -> SharedTally {
        SharedTally::new(&AtoSecret::new(secret.to_string()).unwrap())
    }

    fn sign_up<'a>(address: &str, account: &'a str) -> SignUp<'a> {
        SignUp {
            address: address.parse().unwrap(),
            fingerprint: "fp-1",
            account: Some(account),
        }
    }

    #[test]
    fn keys_agree_between_gateways_and_look_alikes_share_a_subject() {
        let (one, two) = (
            shared("a shared secret, 32 characters.."),
            shared("a shared secret, 32 characters.."),
        );
        let other = shared("another secret of some length");
        let a = sign_up("203.0.113.7", "Promo.User17@mail.test");
        let b = sign_up("203.0.113.9", "promouser18@mail.test");
        let keys = |tally: &SharedTally, request| tally.keys::<SignupConfig>(request);
        let (k1, k2) = (keys(&one, &a), keys(&two, &a));
        assert_eq!(
            (&k1.sources, k1.subject, k1.item, k1.address),
            (&k2.sources, k2.subject, k2.item, k2.address)
        );
        assert_ne!(k1.sources, keys(&other, &a).sources);
        let kb = keys(&one, &b);
        assert_eq!(k1.subject, kb.subject, "one skeleton, one subject window");
        assert_ne!(k1.item, kb.item, "two accounts");
        assert_eq!(k1.sources[1], kb.sources[1], "the same /24");
        assert_ne!(k1.sources[0], kb.sources[0]);
    }

    #[test]
    fn shared_counts_are_judged_as_the_local_tally_is() {
        let a = sign_up("203.0.113.7", "promo.user17@mail.test");
        let keys = shared("a shared secret, 32 characters..").keys::<SignupConfig>(&a);
        let burst = WindowCounts {
            requests: 10,
            subjects: 10,
            addresses: 1,
        };
        let counts = FloodCounts {
            sources: vec![burst, burst, burst],
            subject: WindowCounts {
                requests: 8,
                subjects: 8,
                addresses: 3,
            },
        };
        let signals = judge(&SignupConfig::default(), &a, &keys, &counts);
        let found: Vec<&str> = signals.iter().map(|s| s.source).collect();
        assert_eq!(found, [signup::BURST, signup::LOOKALIKE]);
        assert!(
            signals[0]
                .evidence
                .starts_with("address 203.0.113.7 asked for 10 sign-ups"),
            "{}",
            signals[0].evidence
        );
    }
}
