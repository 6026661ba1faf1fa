//! The deception secret, and every keyed value derived from it.
//!
//! One secret feeds three things: the seeds of fake answers (so an attacker
//! cannot predict them, yet gets the same fake twice), the fingerprints of
//! clients a decoy token was minted for, and the decoy tokens' signatures.
//! Each use derives its value under its own label, with every input
//! length-prefixed, so no input of one use can stand for another's.
//! Gateways configured with the same secret derive the same values, so they
//! recognise each other's decoys and show an attacker the same fakes.

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

/// The shortest configured secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The key every deception value is derived from.
#[derive(Clone)]
pub struct DeceptionKey(hmac::Key);

/// Why no key could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("deception.secret: no system randomness to generate one; configure a secret")]
pub struct NoRandomness;

impl DeceptionKey {
    /// A key from a configured secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        DeceptionKey(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// A random key, for a gateway that shares its decoys with nobody.
    pub fn generate() -> Result<Self, NoRandomness> {
        let mut secret = [0u8; MIN_SECRET_BYTES];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| NoRandomness)?;
        Ok(Self::from_secret(&secret))
    }

    /// HMAC-SHA256 of `label` and `parts`, each length-prefixed.
    pub(crate) fn derive(&self, label: &str, parts: &[&[u8]]) -> [u8; 32] {
        let mut context = hmac::Context::with_key(&self.0);
        for part in std::iter::once(label.as_bytes()).chain(parts.iter().copied()) {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(context.sign().as_ref());
        out
    }

    /// The first eight bytes of [`Self::derive`], as a number.
    pub(crate) fn derive_u64(&self, label: &str, parts: &[&[u8]]) -> u64 {
        let bytes = self.derive(label, parts);
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[..8]);
        u64::from_be_bytes(first)
    }

    /// A sub-key for one use, e.g. signing decoy tokens.
    pub(crate) fn subkey(&self, label: &str) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.derive(label, &[]))
    }
}

impl fmt::Debug for DeceptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeceptionKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_depends_on_the_secret_the_label_and_the_part_boundaries() {
        let key = DeceptionKey::from_secret(&[7; 32]);
        let other = DeceptionKey::from_secret(&[8; 32]);
        let base = key.derive("fake", &[b"ab", b"c"]);
        assert_eq!(base, key.derive("fake", &[b"ab", b"c"]));
        assert_ne!(base, other.derive("fake", &[b"ab", b"c"]));
        assert_ne!(base, key.derive("token", &[b"ab", b"c"]));
        assert_ne!(base, key.derive("fake", &[b"a", b"bc"]));
    }

    #[test]
    fn generated_keys_differ() {
        let a = DeceptionKey::generate().unwrap();
        let b = DeceptionKey::generate().unwrap();
        assert_ne!(a.derive("x", &[]), b.derive("x", &[]));
    }
}
