//! What the bots detector is told: the claims it can verify, its window,
//! thresholds and bounds. The gateway reads these from `[bots]`.

use super::catalog::Agent;
use super::declared::DeclaredRate;
use super::ranges::AddressRanges;
use super::signature::KeyDirectory;
use std::time::Duration;

/// Agents (by the catalogue's name, case-insensitive) and the addresses
/// their claims must come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRanges {
    pub agents: Vec<String>,
    pub ranges: AddressRanges,
}

/// An agent that signs its requests (Web Bot Auth): who it is, and the key
/// directory its signatures verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAgent {
    pub agent: Agent,
    pub directory: KeyDirectory,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BotsConfig {
    /// Published address lists, by the agents they vouch for.
    pub verify: Vec<VerifiedRanges>,
    /// Agents whose signatures are checked.
    pub signed: Vec<SignedAgent>,
    /// The rates agents declare they keep.
    pub declared: Vec<DeclaredRate>,
    /// The tumbling window a client's requests are counted over.
    pub window: Duration,
    /// How long a quiet client is remembered.
    pub memory: Duration,
    pub max_clients: usize,
    /// The coefficient of variation of a client's last 16 intervals under
    /// which its timing is machine-regular.
    pub regular_variation: f64,
    /// Distinct addresses of one fingerprint in a window that make rotation.
    pub rotation_addresses: usize,
    /// Distinct unknown paths answered 4xx in a window that make a scan.
    pub scan_paths: usize,
    /// Distinct pages of list and search endpoints in a window that make
    /// scraping: the threshold until one is learned per endpoint, and the
    /// ceiling of the learned one.
    pub scrape_pages: usize,
    /// The fewest pages a learned threshold of one endpoint asks for.
    pub scrape_floor: usize,
    /// Closed windows of unflagged clients an endpoint learns from before
    /// its learned threshold is used.
    pub scrape_warmup: usize,
    /// Refusals in a window after which a client that keeps coming ignores them.
    pub persist_after_refusals: usize,
    /// Distinct paths in a window past which a declared user fetcher is crawling.
    pub fetcher_paths: usize,
}

impl Default for BotsConfig {
    fn default() -> Self {
        BotsConfig {
            verify: Vec::new(),
            signed: Vec::new(),
            declared: Vec::new(),
            window: Duration::from_secs(600),
            memory: Duration::from_secs(3600),
            max_clients: 100_000,
            regular_variation: 0.1,
            rotation_addresses: 8,
            scan_paths: 20,
            scrape_pages: 200,
            scrape_floor: 20,
            scrape_warmup: 20,
            persist_after_refusals: 10,
            fetcher_paths: 50,
        }
    }
}

impl BotsConfig {
    /// The cap of every distinct set a client keeps: one past the highest threshold.
    pub(crate) fn distinct_cap(&self) -> usize {
        [
            self.rotation_addresses,
            self.scan_paths,
            self.scrape_pages,
            self.fetcher_paths,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
            + 1
    }
}
