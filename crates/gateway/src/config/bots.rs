//! `[bots]`, `[[bots.verify]]` and `[[bots.signed]]` (`[[bots.declared]]`
//! in `bots_declared`): the settings of the
//! `bots` stage, checked key by key, with the published address lists and
//! key directories read from their files (or, for `keys_url`, set up to be
//! fetched by `crate::key_set`); `[bots.dns]` is in `bots_dns`.

use super::bots_declared::RawDeclared;
use super::bots_dns::{DnsSettings, RawBotsDns};
use super::units::ConfigDuration;
use super::{StageKind, Validator};
use crate::key_set::directory::RemoteDirectory;
use crate::key_set::fetch::KeySetUrl;
use crate::key_set::KeySource;
use rampart_behave::bots::signature::{DirectorySource, KeyDirectory, MAX_DIRECTORY_BYTES};
use rampart_behave::bots::{
    AddressRanges, Agent, BotClass, BotsConfig, SignedAgent, VerifiedRanges, MAX_RANGE_FILE_BYTES,
};
use rampart_prevent::policy::Mode;
use serde::Deserialize;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// `[bots]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBots {
    pub mode: Option<Mode>,
    pub block_score: Option<f64>,
    pub window: Option<ConfigDuration>,
    pub memory: Option<ConfigDuration>,
    pub max_clients: Option<usize>,
    pub regular_variation: Option<f64>,
    pub rotation_addresses: Option<usize>,
    pub scan_paths: Option<usize>,
    pub scrape_pages: Option<usize>,
    pub scrape_floor: Option<usize>,
    pub scrape_warmup: Option<usize>,
    pub persist_after_refusals: Option<usize>,
    pub fetcher_paths: Option<usize>,
    pub max_nonces: Option<usize>,
    #[serde(default)]
    pub verify: Vec<RawVerify>,
    #[serde(default)]
    pub signed: Vec<RawSigned>,
    #[serde(default)]
    pub declared: Vec<RawDeclared>,
    pub dns: Option<RawBotsDns>,
}

/// One `[[bots.signed]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigned {
    pub agent: String,
    pub name: String,
    pub class: String,
    #[serde(default)]
    pub operator: String,
    pub keys: Option<PathBuf>,
    pub keys_url: Option<String>,
    pub require_signed_directory: Option<bool>,
}

/// One `[[bots.verify]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVerify {
    pub agents: Vec<String>,
    pub ranges: Option<PathBuf>,
    #[serde(default)]
    pub domains: Vec<String>,
}

/// What the `bots` stage runs with.
#[derive(Debug, Clone)]
pub struct BotsSettings {
    /// `monitor`: record what would have been refused, refuse nothing.
    pub mode: Mode,
    /// The sum of an exchange's `bots.*` signal scores that refuses it.
    pub block_score: f64,
    pub detector: BotsConfig,
    pub dns: DnsSettings,
    /// The `keys_url` directories of `detector.signed`, to fetch.
    pub fetched: Vec<Arc<RemoteDirectory>>,
}

impl Default for BotsSettings {
    fn default() -> Self {
        BotsSettings {
            mode: Mode::Enforce,
            block_score: 10.0,
            detector: BotsConfig::default(),
            dns: DnsSettings::default(),
            fetched: Vec::new(),
        }
    }
}

/// Most `[[bots.verify]]` entries, and agents per entry.
const MAX_VERIFY_ENTRIES: usize = 256;
/// A fetched directory is fetched again no sooner than this after a
/// success, whatever its `max-age`...
const DIRECTORY_MIN_REFRESH: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// ... and no later than this.
const DIRECTORY_MAX_REFRESH: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl Validator<'_> {
    pub(super) fn bots(&mut self, raw: Option<RawBots>, stages: &[StageKind]) -> BotsSettings {
        if raw.is_some() && !stages.contains(&StageKind::Bots) {
            self.warn(
                "bots",
                "the \"bots\" stage is not listed in pipeline.stages: these settings do nothing",
            );
        }
        let position = |kind| stages.iter().position(|s| *s == kind);
        if let (Some(bots), Some(prevent)) =
            (position(StageKind::Bots), position(StageKind::Prevent))
        {
            if prevent < bots {
                self.warn(
                    "pipeline.stages",
                    "\"bots\" is listed after \"prevent\": rules read bot.* before it is known",
                );
            }
        }
        let raw = raw.unwrap_or_default();
        let d = BotsSettings::default();
        let c = &d.detector;
        let block_score = raw.block_score.unwrap_or(d.block_score);
        if !(block_score.is_finite() && block_score > 0.0) {
            self.problem(
                "bots.block_score",
                format!("expected a number above 0, got {block_score}"),
            );
        }
        let regular_variation = raw.regular_variation.unwrap_or(c.regular_variation);
        if !(0.0..1.0).contains(&regular_variation) {
            self.problem(
                "bots.regular_variation",
                format!("expected a number from 0 up to 1, got {regular_variation}"),
            );
        }
        let window = self.positive("bots.window", raw.window.map_or(c.window, |w| w.0));
        let memory = self.positive("bots.memory", raw.memory.map_or(c.memory, |m| m.0));
        if memory < window {
            self.warn(
                "bots.memory",
                "shorter than bots.window: clients are forgotten before their window ends",
            );
        }
        if raw.verify.len() > MAX_VERIFY_ENTRIES {
            self.problem(
                "bots.verify",
                format!("expected at most {MAX_VERIFY_ENTRIES} entries"),
            );
        }
        let verify: Vec<VerifiedRanges> = raw
            .verify
            .into_iter()
            .take(MAX_VERIFY_ENTRIES)
            .enumerate()
            .filter_map(|(i, entry)| self.verified_ranges(i, entry))
            .collect();
        let uses_domains = verify.iter().any(|v| !v.domains.is_empty());
        let dns = self.bots_dns(raw.dns, uses_domains);
        if raw.signed.len() > MAX_VERIFY_ENTRIES {
            self.problem(
                "bots.signed",
                format!("expected at most {MAX_VERIFY_ENTRIES} entries"),
            );
        }
        let mut fetched = Vec::new();
        let signed = raw
            .signed
            .into_iter()
            .take(MAX_VERIFY_ENTRIES)
            .enumerate()
            .filter_map(|(i, entry)| self.signed_agent(i, entry, &mut fetched))
            .collect();
        let declared = self.declared_rates(raw.declared);
        let scrape_pages = self.count(
            "bots.scrape_pages",
            raw.scrape_pages,
            c.scrape_pages,
            2,
            4096,
        );
        let scrape_floor = self.count(
            "bots.scrape_floor",
            raw.scrape_floor,
            c.scrape_floor,
            1,
            4096,
        );
        if scrape_floor >= scrape_pages {
            self.warn(
                "bots.scrape_floor",
                format!("not under bots.scrape_pages ({scrape_pages}): learned thresholds never go under scrape_pages, so they change nothing"),
            );
        }
        BotsSettings {
            fetched,
            mode: raw.mode.unwrap_or(d.mode),
            block_score,
            detector: BotsConfig {
                verify,
                signed,
                declared,
                window,
                memory,
                max_clients: self.count(
                    "bots.max_clients",
                    raw.max_clients,
                    c.max_clients,
                    1,
                    10_000_000,
                ),
                regular_variation,
                rotation_addresses: self.count(
                    "bots.rotation_addresses",
                    raw.rotation_addresses,
                    c.rotation_addresses,
                    2,
                    1024,
                ),
                scan_paths: self.count("bots.scan_paths", raw.scan_paths, c.scan_paths, 2, 4096),
                scrape_pages,
                scrape_floor,
                scrape_warmup: self.count(
                    "bots.scrape_warmup",
                    raw.scrape_warmup,
                    c.scrape_warmup,
                    1,
                    100_000,
                ),
                persist_after_refusals: self.count(
                    "bots.persist_after_refusals",
                    raw.persist_after_refusals,
                    c.persist_after_refusals,
                    1,
                    100_000,
                ),
                fetcher_paths: self.count(
                    "bots.fetcher_paths",
                    raw.fetcher_paths,
                    c.fetcher_paths,
                    2,
                    4096,
                ),
                max_nonces: self.count(
                    "bots.max_nonces",
                    raw.max_nonces,
                    c.max_nonces,
                    1,
                    10_000_000,
                ),
            },
            dns,
        }
    }

    /// A file read (at most `limit` bytes and one more, so that the parser
    /// sees it is too large) and parsed; the error names the file.
    fn read_bounded<T>(
        &self,
        path: &std::path::Path,
        limit: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        let path = self.resolve(path);
        let text = std::fs::File::open(&path)
            .and_then(|file| {
                let mut text = String::new();
                file.take(limit as u64 + 1).read_to_string(&mut text)?;
                Ok(text)
            })
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// One `[[bots.signed]]` entry: its key directory read and parsed
    /// (`keys`), or set up to be fetched (`keys_url`, added to `fetched`).
    fn signed_agent(
        &mut self,
        i: usize,
        entry: RawSigned,
        fetched: &mut Vec<Arc<RemoteDirectory>>,
    ) -> Option<SignedAgent> {
        let key = format!("bots.signed[{i}]");
        let Some(class) = BotClass::ALL.into_iter().find(|c| c.name() == entry.class) else {
            let known: Vec<&str> = BotClass::ALL.iter().map(|c| c.name()).collect();
            self.problem(
                format!("{key}.class"),
                format!(
                    "expected one of {}, got {:?}",
                    known.join(", "),
                    entry.class
                ),
            );
            return None;
        };
        let directory = match (&entry.keys, &entry.keys_url) {
            (Some(path), None) => {
                if entry.require_signed_directory.is_some() {
                    self.warn(
                        format!("{key}.require_signed_directory"),
                        "only applies to keys_url: a keys file is trusted as it is",
                    );
                }
                let agent = entry.agent.clone();
                let read = self.read_bounded(path, MAX_DIRECTORY_BYTES, |text| {
                    KeyDirectory::parse(&agent, text).map_err(|e| e.to_string())
                });
                match read {
                    Ok(directory) => DirectorySource::File(Arc::new(directory)),
                    Err(message) => {
                        self.problem(format!("{key}.keys"), message);
                        return None;
                    }
                }
            }
            (None, Some(url)) => {
                let url = match KeySetUrl::parse(url) {
                    Ok(url) => url,
                    Err(message) => {
                        self.problem(format!("{key}.keys_url"), message);
                        return None;
                    }
                };
                let source = KeySource {
                    url,
                    min_refresh: DIRECTORY_MIN_REFRESH,
                    max_refresh: DIRECTORY_MAX_REFRESH,
                };
                let remote = Arc::new(RemoteDirectory::directory(
                    source,
                    &entry.agent,
                    &entry.name,
                    entry.require_signed_directory.unwrap_or(true),
                    Arc::new(rampart_core::SystemClock),
                ));
                fetched.push(Arc::clone(&remote));
                DirectorySource::Fetched(remote)
            }
            (keys, _) => {
                let got = match keys {
                    Some(_) => "both",
                    None => "neither",
                };
                self.problem(
                    key,
                    format!("expected exactly one of keys (a directory file) or keys_url (a URL to fetch it from), got {got}"),
                );
                return None;
            }
        };
        Some(SignedAgent {
            agent: Agent {
                name: entry.name.into(),
                class,
                operator: entry.operator.into(),
            },
            directory,
        })
    }

    /// One `[[bots.verify]]` entry, its file read and parsed within bounds.
    fn verified_ranges(&mut self, i: usize, entry: RawVerify) -> Option<VerifiedRanges> {
        let key = format!("bots.verify[{i}]");
        if entry.agents.is_empty() || entry.agents.len() > MAX_VERIFY_ENTRIES {
            self.problem(
                format!("{key}.agents"),
                format!("expected 1 to {MAX_VERIFY_ENTRIES} agent names"),
            );
            return None;
        }
        if entry.ranges.is_none() && entry.domains.is_empty() {
            self.problem(
                key,
                "expected ranges (a file of published addresses), domains (for reverse DNS) or both",
            );
            return None;
        }
        let domains = self.verify_domains(&key, entry.domains);
        let Some(ranges) = entry.ranges else {
            return Some(VerifiedRanges {
                agents: entry.agents,
                ranges: None,
                domains,
            });
        };
        let path = self.resolve(&ranges);
        let read = std::fs::File::open(&path).and_then(|file| {
            let mut text = String::new();
            file.take(MAX_RANGE_FILE_BYTES as u64 + 1)
                .read_to_string(&mut text)?;
            Ok(text)
        });
        let parsed = read
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|text| {
                AddressRanges::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
            });
        match parsed {
            Ok(ranges) => {
                if ranges.is_empty() && domains.is_empty() {
                    self.warn(
                        format!("{key}.ranges"),
                        "no ranges: every claim of these agents fails verification",
                    );
                }
                Some(VerifiedRanges {
                    agents: entry.agents,
                    ranges: Some(ranges),
                    domains,
                })
            }
            Err(message) => {
                self.problem(format!("{key}.ranges"), message);
                None
            }
        }
    }
}
