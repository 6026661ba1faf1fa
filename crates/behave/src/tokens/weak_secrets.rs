//! Finds `HS*` tokens signed with a secret anyone can guess, from a
//! built-in list of well-known defaults and placeholders
//! (`weak_secrets.txt`, with its origin), so that an API whose tokens can be
//! forged is reported before anyone forges one.
//!
//! Trying the list costs one HMAC per entry, so traffic is checked once per
//! distinct signature (a bounded memory of signatures already tried), and a
//! finding is new only once per issuer and secret; what repeats is a known
//! finding the caller counts. Configured secrets are checked at load.

use super::algorithm::Algorithm;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

const LIST: &str = include_str!("weak_secrets.txt");

/// Signatures remembered as already tried (the memory is emptied when full).
const MAX_REMEMBERED_SIGNATURES: usize = 4096;
/// Distinct (issuer, secret) findings remembered as reported.
const MAX_REPORTED: usize = 1024;
/// Bytes of a signature that identify it (HMAC outputs are unforgeable).
const SIGNATURE_KEY_BYTES: usize = 16;
/// Longest issuer kept in a finding.
const MAX_ISSUER_CHARS: usize = 128;

/// Which weak secret signed a token: its place in the list and its length,
/// enough to find it again without writing the secret into logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeakSecret {
    /// 1-based line among the list's entries.
    pub entry: usize,
    pub length: usize,
}

impl std::fmt::Display for WeakSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {} of the built-in weak-secret list ({} characters)",
            self.entry, self.length
        )
    }
}

/// The list's entries.
fn entries() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// How many secrets the list holds.
pub fn list_len() -> usize {
    entries().count()
}

/// Whether a configured secret is on the list.
pub fn is_listed(secret: &[u8]) -> Option<WeakSecret> {
    entries()
        .position(|entry| entry.as_bytes() == secret)
        .map(|i| WeakSecret {
            entry: i + 1,
            length: secret.len(),
        })
}

/// The listed secret that made `signature` over `input` with `alg`, if any.
pub fn signed_with(alg: Algorithm, input: &[u8], signature: &[u8]) -> Option<WeakSecret> {
    let hmac = alg.hmac()?;
    entries().enumerate().find_map(|(i, entry)| {
        let key = ring::hmac::Key::new(hmac, entry.as_bytes());
        ring::hmac::verify(&key, input, signature)
            .is_ok()
            .then_some(WeakSecret {
                entry: i + 1,
                length: entry.len(),
            })
    })
}

/// What traffic showed about one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sighting {
    /// Not an HMAC token, or not signed with a listed secret.
    Clean,
    /// A listed secret, first seen for this issuer: report it.
    New(WeakSecret),
    /// A listed secret already reported for this issuer: count it.
    Known(WeakSecret),
}

/// The bounded memory of tokens tried and findings reported.
#[derive(Default)]
pub struct WeakSecretWatch {
    state: Mutex<WatchState>,
}

#[derive(Default)]
struct WatchState {
    tried: HashMap<Vec<u8>, Option<WeakSecret>>,
    reported: HashSet<(String, usize)>,
}

impl WeakSecretWatch {
    /// Checks one token seen in traffic (`issuer` is its `iss`, or empty).
    pub fn sight(&self, alg: Algorithm, input: &[u8], signature: &[u8], issuer: &str) -> Sighting {
        if alg.hmac().is_none() {
            return Sighting::Clean;
        }
        let id = signature[..signature.len().min(SIGNATURE_KEY_BYTES)].to_vec();
        let remembered = self.lock().tried.get(&id).copied();
        let found = match remembered {
            Some(found) => found,
            None => {
                // Tried outside the lock: other requests are not held up.
                let found = signed_with(alg, input, signature);
                let mut state = self.lock();
                if state.tried.len() >= MAX_REMEMBERED_SIGNATURES {
                    state.tried.clear();
                }
                state.tried.insert(id, found);
                found
            }
        };
        let Some(weak) = found else {
            return Sighting::Clean;
        };
        let issuer: String = issuer.chars().take(MAX_ISSUER_CHARS).collect();
        let mut state = self.lock();
        if state.reported.len() < MAX_REPORTED && state.reported.insert((issuer, weak.entry)) {
            Sighting::New(weak)
        } else {
            Sighting::Known(weak)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs256(secret: &str, input: &str) -> Vec<u8> {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        ring::hmac::sign(&key, input.as_bytes()).as_ref().to_vec()
    }

    #[test]
    fn the_list_is_large_unique_and_has_the_classics() {
        let all: Vec<&str> = entries().collect();
        assert!(all.len() >= 100, "{}", all.len());
        let distinct: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "duplicate entries");
        for classic in ["secret", "changeme", "your-256-bit-secret", "keyboard cat"] {
            assert!(is_listed(classic.as_bytes()).is_some(), "{classic}");
        }
        assert_eq!(is_listed(b"k7#Qv9!zP2@wL5$xR8"), None);
    }

    #[test]
    fn a_token_signed_with_a_listed_secret_is_new_once_per_issuer_then_known() {
        let watch = WeakSecretWatch::default();
        let input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0";
        let weak = hs256("secret", input);
        let found = signed_with(Algorithm::HS256, input.as_bytes(), &weak).unwrap();
        assert_eq!(found.length, 6);
        let sight = |sig: &[u8], iss| watch.sight(Algorithm::HS256, input.as_bytes(), sig, iss);
        assert_eq!(sight(&weak, "shop"), Sighting::New(found));
        assert_eq!(sight(&weak, "shop"), Sighting::Known(found));
        assert_eq!(sight(&weak, "other"), Sighting::New(found));
        let strong = hs256("k7#Qv9!zP2@wL5$xR8-not-on-any-list", input);
        assert_eq!(sight(&strong, "shop"), Sighting::Clean);
        assert_eq!(
            watch.sight(Algorithm::RS256, input.as_bytes(), &weak, "shop"),
            Sighting::Clean
        );
    }

    #[test]
    fn the_memory_of_tried_signatures_is_bounded() {
        let watch = WeakSecretWatch::default();
        for i in 0..(MAX_REMEMBERED_SIGNATURES + 10) {
            let signature = (i as u64).to_be_bytes();
            watch.sight(Algorithm::HS256, b"x.y", &signature, "");
        }
        assert!(watch.lock().tried.len() <= MAX_REMEMBERED_SIGNATURES);
    }
}
