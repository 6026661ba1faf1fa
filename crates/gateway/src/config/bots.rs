//! `[bots]`, `[[bots.verify]]` and `[[bots.signed]]` (`[[bots.declared]]`
//! in `bots_declared`): the settings of the
//! `bots` stage, checked key by key, with the published address lists and
//! key directories read from their files.

use super::bots_declared::RawDeclared;
use super::units::ConfigDuration;
use super::{StageKind, Validator};
use rampart_behave::bots::signature::{KeyDirectory, MAX_DIRECTORY_BYTES};
use rampart_behave::bots::{
    AddressRanges, Agent, BotClass, BotsConfig, SignedAgent, VerifiedRanges, MAX_RANGE_FILE_BYTES,
};
use rampart_prevent::policy::Mode;
use serde::Deserialize;
use std::io::Read;
use std::path::PathBuf;

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
    #[serde(default)]
    pub verify: Vec<RawVerify>,
    #[serde(default)]
    pub signed: Vec<RawSigned>,
    #[serde(default)]
    pub declared: Vec<RawDeclared>,
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
    pub keys: PathBuf,
}

/// One `[[bots.verify]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVerify {
    pub agents: Vec<String>,
    pub ranges: PathBuf,
}

/// What the `bots` stage runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct BotsSettings {
    /// `monitor`: record what would have been refused, refuse nothing.
    pub mode: Mode,
    /// The sum of an exchange's `bots.*` signal scores that refuses it.
    pub block_score: f64,
    pub detector: BotsConfig,
}

impl Default for BotsSettings {
    fn default() -> Self {
        BotsSettings {
            mode: Mode::Enforce,
            block_score: 10.0,
            detector: BotsConfig::default(),
        }
    }
}

/// Most `[[bots.verify]]` entries, and agents per entry.
const MAX_VERIFY_ENTRIES: usize = 256;

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
        let verify = raw
            .verify
            .into_iter()
            .take(MAX_VERIFY_ENTRIES)
            .enumerate()
            .filter_map(|(i, entry)| self.verified_ranges(i, entry))
            .collect();
        if raw.signed.len() > MAX_VERIFY_ENTRIES {
            self.problem(
                "bots.signed",
                format!("expected at most {MAX_VERIFY_ENTRIES} entries"),
            );
        }
        let signed = raw
            .signed
            .into_iter()
            .take(MAX_VERIFY_ENTRIES)
            .enumerate()
            .filter_map(|(i, entry)| self.signed_agent(i, entry))
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
            },
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

    /// One `[[bots.signed]]` entry, its key directory read and parsed.
    fn signed_agent(&mut self, i: usize, entry: RawSigned) -> Option<SignedAgent> {
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
        let agent = entry.agent.clone();
        match self.read_bounded(&entry.keys, MAX_DIRECTORY_BYTES, |text| {
            KeyDirectory::parse(&agent, text).map_err(|e| e.to_string())
        }) {
            Ok(directory) => Some(SignedAgent {
                agent: Agent {
                    name: entry.name.into(),
                    class,
                    operator: entry.operator.into(),
                },
                directory,
            }),
            Err(message) => {
                self.problem(format!("{key}.keys"), message);
                None
            }
        }
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
        let path = self.resolve(&entry.ranges);
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
                if ranges.is_empty() {
                    self.warn(
                        format!("{key}.ranges"),
                        "no ranges: every claim of these agents fails verification",
                    );
                }
                Some(VerifiedRanges {
                    agents: entry.agents,
                    ranges,
                })
            }
            Err(message) => {
                self.problem(format!("{key}.ranges"), message);
                None
            }
        }
    }
}
