//! The keys of behaviour counts several gateways share (in Redis, through
//! `rampart-store`): account takeover (`ato::shared`), sign-ups and
//! one-time codes (`shared_tally`).
//!
//! Local windows are keyed by hashes under a random per-process key; shared
//! ones must be keyed alike on every gateway, and usernames, accounts and
//! phone numbers, chosen by clients, must not reach Redis as they are.
//! Every key and id is therefore an HMAC-SHA256 (cut to 128 or 64 bits)
//! under one secret all gateways are given (`[behave.ato] secret`), over an
//! explicit byte encoding (not `std::hash`, whose output may differ between
//! builds) that starts with a tag per kind of value. Whoever reads Redis
//! without the secret can neither read a value back nor test a guess
//! against it, nor make two values share a key.

use crate::ato::Attempt;
use crate::sources::{prefix, Scope, Source};
use ring::hmac;
use std::net::IpAddr;

/// The shortest secret accepted.
pub const MIN_SECRET_CHARS: usize = 16;

/// The key of the shared hashes; never shown (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct AtoSecret(String);

impl AtoSecret {
    /// A secret of at least [`MIN_SECRET_CHARS`] characters, else `None`.
    pub fn new(secret: String) -> Option<AtoSecret> {
        (secret.chars().count() >= MIN_SECRET_CHARS).then_some(AtoSecret(secret))
    }
}

impl std::fmt::Debug for AtoSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtoSecret(..)")
    }
}

/// What each tag keys.
const ADDRESS: u8 = 1;
const PREFIX: u8 = 2;
const FINGERPRINT: u8 = 3;
const ACCOUNT: u8 = 4;
const ASN: u8 = 5;
/// An account asked for at sign-up, its skeleton, or a code's recipient.
const SUBJECT: u8 = 6;

/// Computes the ids of shared counts.
pub(crate) struct Keyer(hmac::Key);

impl Keyer {
    pub(crate) fn new(secret: &AtoSecret) -> Keyer {
        Keyer(hmac::Key::new(hmac::HMAC_SHA256, secret.0.as_bytes()))
    }

    /// The HMAC of `tag` then `bytes`, cut to 128 bits.
    fn id(&self, tag: u8, bytes: &[u8]) -> u128 {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(&[tag]);
        context.update(bytes);
        let tag = context.sign();
        let mut cut = [0u8; 16];
        cut.copy_from_slice(&tag.as_ref()[..16]);
        u128::from_be_bytes(cut)
    }

    fn address_id(&self, tag: u8, address: IpAddr) -> u128 {
        match address {
            IpAddr::V4(v4) => self.id(tag, &[&[4u8][..], &v4.octets()].concat()),
            IpAddr::V6(v6) => self.id(tag, &[&[6u8][..], &v6.octets()].concat()),
        }
    }

    pub(crate) fn address(&self, address: IpAddr) -> u128 {
        self.address_id(ADDRESS, address)
    }

    pub(crate) fn account(&self, username: &str) -> u128 {
        self.id(ACCOUNT, username.as_bytes())
    }

    pub(crate) fn subject(&self, subject: &str) -> u128 {
        self.id(SUBJECT, subject.as_bytes())
    }

    /// The ids of `named` (sources of a request from `from`), in order.
    pub(crate) fn sources(&self, named: &[Source], from: &Attempt<'_>) -> Vec<u128> {
        named
            .iter()
            .map(|source| match source.scope {
                Scope::Address => self.address(from.address),
                Scope::Prefix => self.address_id(PREFIX, prefix(from.address)),
                Scope::Fingerprint => self.id(FINGERPRINT, from.fingerprint.as_bytes()),
                Scope::Asn => self.id(ASN, &from.asn.unwrap_or_default().to_be_bytes()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused_and_never_shown() {
        assert!(AtoSecret::new("too short".into()).is_none());
        let long = AtoSecret::new("sixteen chars ok".into()).unwrap();
        assert_eq!(format!("{long:?}"), "AtoSecret(..)");
    }

    #[test]
    fn each_kind_of_value_has_its_own_ids() {
        let keyer = Keyer::new(&AtoSecret::new("a shared secret, 32 characters..".into()).unwrap());
        assert_ne!(keyer.account("ann"), keyer.subject("ann"));
        assert_eq!(keyer.subject("ann"), keyer.subject("ann"));
    }
}
