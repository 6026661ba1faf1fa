//! Where a signed agent's key directory comes from: a file read with the
//! configuration, or a URL the gateway fetches and keeps fresh (behind
//! [`FetchedDirectory`], since this crate does no I/O).

use super::KeyDirectory;
use std::sync::Arc;

/// A directory kept fresh elsewhere (the gateway's `keys_url`).
pub trait FetchedDirectory: Send + Sync {
    /// What it is fetched from and how; two sources that say the same are
    /// the same configuration (a reload keeps the detector's state).
    fn source(&self) -> String;
    /// The keys at hand: those of the last good fetch (none before it).
    fn current(&self) -> Arc<KeyDirectory>;
    /// A signature named a keyid the directory lacks: fetch it again
    /// (the implementation bounds how often).
    fn unknown_key(&self);
}

/// A signed agent's keys.
#[derive(Clone)]
pub enum DirectorySource {
    /// Read from a file with the configuration (`keys`).
    File(Arc<KeyDirectory>),
    /// Fetched (`keys_url`).
    Fetched(Arc<dyn FetchedDirectory>),
}

impl DirectorySource {
    /// The keys to verify with now.
    pub fn current(&self) -> Arc<KeyDirectory> {
        match self {
            DirectorySource::File(directory) => Arc::clone(directory),
            DirectorySource::Fetched(fetched) => fetched.current(),
        }
    }

    /// Tells a fetched directory a signature named a keyid it lacks.
    pub fn unknown_key(&self) {
        if let DirectorySource::Fetched(fetched) = self {
            fetched.unknown_key();
        }
    }
}

impl PartialEq for DirectorySource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (DirectorySource::File(ours), DirectorySource::File(theirs)) => ours == theirs,
            (DirectorySource::Fetched(ours), DirectorySource::Fetched(theirs)) => {
                ours.source() == theirs.source()
            }
            _ => false,
        }
    }
}

impl Eq for DirectorySource {}

impl std::fmt::Debug for DirectorySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DirectorySource::File(directory) => f.debug_tuple("File").field(directory).finish(),
            DirectorySource::Fetched(fetched) => {
                f.debug_tuple("Fetched").field(&fetched.source()).finish()
            }
        }
    }
}
