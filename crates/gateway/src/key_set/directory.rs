//! `[[bots.signed]] keys_url`: a Web Bot Auth agent's key directory as
//! fetched keys. Unless the entry sets `require_signed_directory = false`,
//! a directory keeps only the keys that signed its response for the
//! authority it was fetched from (`rampart_behave::bots::signature::response`);
//! one where none did is refused as `unsigned` and the last good keys stay.

use super::fetch::{Document, FetchError, KeySetUrl};
use super::{FetchMetrics, KeyFormat, KeySource, RemoteKeys};
use crate::telemetry;
use arc_swap::ArcSwap;
use metrics::Label;
use rampart_behave::bots::signature::response::{signed_keys, DirectoryResponse};
use rampart_behave::bots::signature::{FetchedDirectory, KeyDirectory, MAX_DIRECTORY_BYTES};
use rampart_core::Clock;
use std::sync::Arc;

/// How a directory is fetched and read.
pub struct Directory {
    /// The agent as its `Signature-Agent` names it.
    agent: String,
    /// The `[[bots.signed]]` entry's name.
    name: String,
    require_signed: bool,
    clock: Arc<dyn Clock>,
    metrics: FetchMetrics,
    /// The keys in service (none before the first good fetch).
    current: ArcSwap<KeyDirectory>,
}

impl Directory {
    /// The directory of `agent` (`name` labels its metrics).
    pub fn new(agent: &str, name: &str, require_signed: bool, clock: Arc<dyn Clock>) -> Self {
        Directory {
            agent: agent.to_string(),
            name: name.to_string(),
            require_signed,
            clock,
            metrics: FetchMetrics {
                fetches: telemetry::BOTS_DIRECTORY_FETCHES,
                keys: telemetry::BOTS_DIRECTORY_KEYS,
                age: telemetry::BOTS_DIRECTORY_AGE,
                unknown_key: telemetry::BOTS_DIRECTORY_UNKNOWN_KEY,
                labels: vec![Label::new("agent", name.to_string())],
            },
            current: ArcSwap::from_pointee(KeyDirectory::empty(agent)),
        }
    }
}

impl KeyFormat for Directory {
    type Keys = Arc<KeyDirectory>;

    fn setting(&self) -> &str {
        "bots.signed keys_url"
    }

    fn accept(&self) -> &'static str {
        "application/http-message-signatures-directory+json, application/json"
    }

    fn max_bytes(&self) -> usize {
        MAX_DIRECTORY_BYTES
    }

    fn metrics(&self) -> &FetchMetrics {
        &self.metrics
    }

    fn parse(&self, document: &Document, url: &KeySetUrl) -> Result<Self::Keys, FetchError> {
        let text = std::str::from_utf8(&document.body)
            .map_err(|e| FetchError::Invalid(format!("not UTF-8: {e}")))?;
        let directory = KeyDirectory::parse(&self.agent, text)
            .map_err(|e| FetchError::Invalid(e.to_string()))?;
        if !self.require_signed {
            return Ok(Arc::new(directory));
        }
        let headers: Vec<(String, String)> = ["signature-input", "signature", "content-digest"]
            .into_iter()
            .flat_map(|name| {
                document
                    .headers
                    .get_all(name)
                    .iter()
                    .filter_map(move |v| Some((name.to_string(), v.to_str().ok()?.to_string())))
            })
            .collect();
        let response = DirectoryResponse {
            authority: &url.request_authority(),
            headers: &headers,
            body: &document.body,
        };
        let now = i64::try_from(self.clock.now_millis() / 1000).unwrap_or(i64::MAX);
        signed_keys(directory, &response, now)
            .map(Arc::new)
            .map_err(|why| {
                FetchError::Unsigned(format!("the directory's response signature: {why}"))
            })
    }

    fn count(keys: &Self::Keys) -> usize {
        keys.len()
    }

    fn publish(&self, keys: Option<&Self::Keys>) {
        match keys {
            Some(keys) => self.current.store(Arc::clone(keys)),
            None => self
                .current
                .store(Arc::new(KeyDirectory::empty(&self.agent))),
        }
    }
}

/// One `[[bots.signed]]` entry's fetched directory.
pub type RemoteDirectory = RemoteKeys<Directory>;

impl RemoteKeys<Directory> {
    /// The directory of `agent` fetched from `source`.
    pub fn directory(
        source: KeySource,
        agent: &str,
        name: &str,
        require_signed: bool,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let format = Directory::new(agent, name, require_signed, Arc::clone(&clock));
        RemoteKeys::new(source, format, clock)
    }
}

impl FetchedDirectory for RemoteKeys<Directory> {
    fn source(&self) -> String {
        let format = self.format();
        format!(
            "{} ({}) from {} (require_signed_directory = {})",
            format.name, format.agent, self.source.url, format.require_signed
        )
    }

    fn current(&self) -> Arc<KeyDirectory> {
        self.format().current.load_full()
    }

    fn unknown_key(&self) {
        self.ask_for_refetch();
    }
}
