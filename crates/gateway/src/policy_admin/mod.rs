//! Policy management for the admin API: the policy is the configuration
//! file the gateway was started with, and this module is the one way to
//! read it, check a new version, apply it, see its history and try it on
//! recorded traffic.
//!
//! - [`PolicyAdmin::current`]: the text and its version in the history.
//! - [`PolicyAdmin::validate`]: the problems the loader reports (key and
//!   what was expected), and its warnings.
//! - [`PolicyAdmin::apply`]: validated, written atomically (a temporary
//!   file beside it, then a rename: a crash leaves the old or the new file,
//!   never half of one) so it survives a restart, hot-applied by the
//!   reloader exactly as SIGHUP would (a file the reloader refuses is put
//!   back and the running configuration stays), and recorded in the
//!   store's history with who, when, the text and a diff.
//! - [`PolicyAdmin::set_mode`]: monitor or enforce per route, function or
//!   rule, as an edit of the text that keeps comments ([`mode_edit`]),
//!   then applied as above.
//! - [`PolicyAdmin::replay`]: the recorder's exchanges run through the
//!   current and a proposed configuration ([`replay`]).
//!
//! Secrets never leave through it ([`secrets`]): the text shown, the diffs
//! and the history have them replaced by a placeholder, and a text sent
//! back with the placeholder keeps the file's value.
//!
//! Hostile input is bounded: texts over [`MAX_POLICY_BYTES`] are refused
//! before parsing, a replay reads at most [`MAX_REPLAY_RECORDS`] records
//! and lists at most [`MAX_REPLAY_CHANGES`] changes. Changes are
//! serialised, so two operators cannot interleave a write and a reload.
//! A change made to the file by hand (and picked up by the reloader) is
//! recorded in the history as made by `file` the next time the policy is
//! read or changed here.

pub mod diff;
pub mod mode_edit;
pub mod replay;
pub mod secrets;

use crate::config::{ConfigError, GatewayConfig, Problem};
use crate::proxy::Shared;
use crate::recorder::Recorder;
use crate::reload::{self, Reloader};
use crate::sync::lock;
use mode_edit::ModeScope;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Clock, SystemClock};
use rampart_prevent::policy::{Mode, ScopeMatch};
use rampart_store::{PolicyChange, Store, StoreError};
use replay::ReplayReport;
use serde::Serialize;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest configuration text accepted.
pub const MAX_POLICY_BYTES: usize = 1 << 20;
/// Records a replay reads at most.
pub const MAX_REPLAY_RECORDS: u64 = 100_000;
/// Changed exchanges a replay lists at most.
pub const MAX_REPLAY_CHANGES: usize = 1_000;
/// Who the history names for a change made to the file outside the API.
pub const FILE_EDITOR: &str = "file";

/// Why a policy operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PolicyAdminError {
    #[error("the configuration is {bytes} bytes, more than the {max} accepted")]
    TooLarge { bytes: usize, max: usize },
    /// The text has problems; nothing was changed.
    #[error("the configuration is not valid ({} problems)", .0.problems.len())]
    Invalid(Validation),
    /// The reloader refused the written file; it was put back.
    #[error("the configuration was refused, the running one stays: {0}")]
    Rejected(ConfigError),
    #[error(transparent)]
    Edit(#[from] mode_edit::ModeEditError),
    #[error("no route named {0:?} in [[routes]]")]
    NoSuchRoute(String),
    #[error("no such version in the policy history: {0}")]
    NoSuchVersion(u64),
    #[error("the policy history needs the store: set events.sqlite")]
    NoStore,
    #[error("nothing to replay: the gateway records no exchanges (set [record])")]
    NoRecords,
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("replay: {0}")]
    Replay(String),
}

/// One problem or warning, as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The key path, e.g. `prevent.policy`; empty for the whole file.
    pub key: String,
    pub message: String,
}

impl From<&Problem> for Finding {
    fn from(problem: &Problem) -> Finding {
        Finding {
            key: problem.key.clone(),
            message: problem.message.clone(),
        }
    }
}

/// What the loader says of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub valid: bool,
    /// The file the text would be (relative paths are resolved against it).
    pub file: String,
    pub problems: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// The policy now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentPolicy {
    pub text: String,
    /// Its version in the history; `None` without a store.
    pub version: Option<u64>,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// The version recorded; `None` without a store.
    pub version: Option<u64>,
    /// The unified diff from the text it replaced.
    pub diff: String,
    pub warnings: Vec<Finding>,
}

/// One entry of the history, as listed and as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub version: u64,
    pub time: String,
    pub who: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl HistoryEntry {
    fn of(change: PolicyChange, full: bool) -> HistoryEntry {
        HistoryEntry {
            version: change.version,
            time: change.time,
            who: change.who,
            text: full.then_some(change.text),
            diff: full.then_some(change.diff),
        }
    }
}

/// Monitor or enforce, everywhere it can be set, in the running configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyModes {
    /// `[prevent.policy.defaults] mode` (enforce when unset).
    pub defaults: &'static str,
    /// Every route, with its scope's mode when one sets it, else the defaults'.
    pub routes: Vec<ScopeMode>,
    /// Functions and endpoints that have a scope setting a mode.
    pub functions: Vec<ScopeMode>,
    pub endpoints: Vec<ScopeMode>,
    pub rules: Vec<RuleMode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeMode {
    pub name: String,
    /// The mode that applies.
    pub mode: &'static str,
    /// True when a scope sets it; false when it comes from the defaults.
    pub explicit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMode {
    pub name: String,
    pub when: String,
    /// `block`, `rate_limit`, `ban`...
    pub action: String,
    /// The rule's own mode: `monitor` holds it back everywhere; `enforce`
    /// (also when unset) follows the scope of each request.
    pub mode: &'static str,
    pub explicit: bool,
}

/// The gateway's policy, managed.
pub struct PolicyAdmin {
    shared: Arc<Shared>,
    reloader: Arc<Reloader>,
    /// The configuration file.
    path: PathBuf,
    /// The store holding the history (`events.sqlite`).
    store: Option<PathBuf>,
    /// Serialises changes: write, reload, record.
    changing: Mutex<()>,
}

impl PolicyAdmin {
    pub(crate) fn new(
        shared: Arc<Shared>,
        reloader: Arc<Reloader>,
        config: &GatewayConfig,
    ) -> PolicyAdmin {
        PolicyAdmin {
            shared,
            reloader,
            path: config.file.clone(),
            store: config.events.sqlite.clone(),
            changing: Mutex::new(()),
        }
    }

    /// The configuration file managed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text and its version (recorded now if it changed by hand).
    pub fn current(&self) -> Result<CurrentPolicy, PolicyAdminError> {
        let _serial = lock(&self.changing);
        let text = self.read()?;
        let version = self.record(&text, FILE_EDITOR)?.map(|(version, _)| version);
        Ok(CurrentPolicy {
            text: secrets::redact(&text),
            version,
        })
    }

    /// What the loader says of `text`, as the file this gateway runs.
    pub fn validate(&self, text: &str) -> Result<Validation, PolicyAdminError> {
        let text = self.restored(text)?;
        Ok(self.parse(&text)?.0)
    }

    /// `text` with the file's secrets where it shows their placeholder.
    fn restored(&self, text: &str) -> Result<String, PolicyAdminError> {
        within_bound(text)?;
        secrets::restore(text, &self.read()?).map_err(|problem| {
            PolicyAdminError::Invalid(Validation {
                valid: false,
                file: self.path.display().to_string(),
                problems: vec![problem],
                warnings: Vec::new(),
            })
        })
    }

    fn parse(&self, text: &str) -> Result<(Validation, Option<GatewayConfig>), PolicyAdminError> {
        within_bound(text)?;
        let file = self.path.display().to_string();
        Ok(match GatewayConfig::parse(&self.path, text) {
            Ok(config) => {
                let mut warnings: Vec<Finding> =
                    config.warnings.iter().map(Finding::from).collect();
                let running = self.shared.runtime.load();
                if reload::start_only_changes(&running.config, &config) {
                    warnings.push(Finding {
                        key: String::new(),
                        message: reload::START_ONLY.to_owned(),
                    });
                }
                let validation = Validation {
                    valid: true,
                    file,
                    problems: Vec::new(),
                    warnings,
                };
                (validation, Some(config))
            }
            Err(error) => {
                let validation = Validation {
                    valid: false,
                    file,
                    problems: error.problems.iter().map(Finding::from).collect(),
                    warnings: Vec::new(),
                };
                (validation, None)
            }
        })
    }

    /// Validates `text`, writes it in place of the file and applies it as
    /// a reload would; records it in the history as changed by `who`.
    pub fn apply(&self, text: &str, who: &str) -> Result<Applied, PolicyAdminError> {
        let _serial = lock(&self.changing);
        let text = self.restored(text)?;
        self.apply_serialised(&text, who)
    }

    fn apply_serialised(&self, text: &str, who: &str) -> Result<Applied, PolicyAdminError> {
        let (validation, config) = self.parse(text)?;
        if config.is_none() {
            return Err(PolicyAdminError::Invalid(validation));
        }
        let before = self.read()?;
        // The history's last version is what is replaced, even if it was
        // written by hand since.
        self.record(&before, FILE_EDITOR)?;
        self.write(text)?;
        if let Err(refused) = self.reloader.reload() {
            self.write(&before)?;
            return Err(PolicyAdminError::Rejected(refused));
        }
        let recorded = self.record(text, who)?;
        Ok(Applied {
            version: recorded.as_ref().map(|(version, _)| *version),
            diff: recorded.map_or_else(
                || diff::unified(&secrets::redact(&before), &secrets::redact(text)),
                |(_, diff)| diff,
            ),
            warnings: validation.warnings,
        })
    }

    /// Sets `mode` on a route's or a function's scope (added if missing)
    /// or on a rule, in the file's text, and applies it.
    pub fn set_mode(
        &self,
        scope: ModeScope,
        name: &str,
        mode: Mode,
        who: &str,
    ) -> Result<Applied, PolicyAdminError> {
        let _serial = lock(&self.changing);
        if scope == ModeScope::Route
            && !self
                .shared
                .runtime
                .load()
                .config
                .routes
                .iter()
                .any(|route| route.name == name)
        {
            return Err(PolicyAdminError::NoSuchRoute(name.to_owned()));
        }
        let text = mode_edit::set_mode(&self.read()?, scope, name, mode)?;
        self.apply_serialised(&text, who)
    }

    /// Monitor or enforce for the defaults, each route, scope and rule of
    /// the running configuration.
    pub fn modes(&self) -> PolicyModes {
        let runtime = self.shared.runtime.load();
        let policy = &runtime.config.prevent.config.policy;
        let defaults = policy.defaults.mode.unwrap_or_default();
        let scope_mode = |wanted: &dyn Fn(&ScopeMatch) -> Option<String>| {
            policy
                .scopes
                .iter()
                .filter_map(|scope| {
                    let name = wanted(scope.matches.as_ref()?)?;
                    Some(ScopeMode {
                        name,
                        mode: mode_edit::mode_name(scope.mode?),
                        explicit: true,
                    })
                })
                .collect::<Vec<_>>()
        };
        let route_scopes = scope_mode(&|m| match m {
            ScopeMatch::Route(name) => Some(name.clone()),
            _ => None,
        });
        let routes = runtime
            .config
            .routes
            .iter()
            .map(|route| {
                route_scopes
                    .iter()
                    .find(|scope| scope.name == route.name)
                    .cloned()
                    .unwrap_or_else(|| ScopeMode {
                        name: route.name.clone(),
                        mode: mode_edit::mode_name(defaults),
                        explicit: false,
                    })
            })
            .collect();
        let rules = policy
            .rules
            .iter()
            .map(|rule| RuleMode {
                name: rule.name.clone(),
                when: rule.when.clone(),
                action: action_name(&rule.action).to_owned(),
                mode: mode_edit::mode_name(rule.mode.unwrap_or_default()),
                explicit: rule.mode.is_some(),
            })
            .collect();
        PolicyModes {
            defaults: mode_edit::mode_name(defaults),
            routes,
            functions: scope_mode(&|m| match m {
                ScopeMatch::Function(name) => Some(name.clone()),
                _ => None,
            }),
            endpoints: scope_mode(&|m| match m {
                ScopeMatch::Endpoint(name) => Some(name.clone()),
                _ => None,
            }),
            rules,
        }
    }

    /// Up to `limit` versions, newest first, without text and diff.
    pub fn history(&self, limit: u64) -> Result<Vec<HistoryEntry>, PolicyAdminError> {
        let store = self.open_store()?.ok_or(PolicyAdminError::NoStore)?;
        Ok(store
            .policy_history(limit)?
            .into_iter()
            .map(|change| HistoryEntry::of(change, false))
            .collect())
    }

    /// One version with its text and its diff from the version before.
    pub fn version(&self, version: u64) -> Result<HistoryEntry, PolicyAdminError> {
        let store = self.open_store()?.ok_or(PolicyAdminError::NoStore)?;
        store
            .policy_version(version)?
            .map(|change| HistoryEntry::of(change, true))
            .ok_or(PolicyAdminError::NoSuchVersion(version))
    }

    /// What `proposed` would change on the recorder's exchanges (oldest
    /// first, at most [`MAX_REPLAY_RECORDS`]), listing at most `limit`
    /// changed exchanges. Blocking: call it from a blocking thread.
    pub fn replay(&self, proposed: &str, limit: usize) -> Result<ReplayReport, PolicyAdminError> {
        let recorder = self.recorder().ok_or(PolicyAdminError::NoRecords)?;
        let mut inputs: Vec<Box<dyn std::io::BufRead>> = Vec::new();
        for file in recorder.files() {
            match std::fs::File::open(&file) {
                Ok(opened) => inputs.push(Box::new(BufReader::new(opened))),
                // Rotated away between listing and opening: its records are gone.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(PolicyAdminError::Io {
                        what: "reading the records",
                        path: file,
                        source,
                    })
                }
            }
        }
        self.replay_inputs(proposed, inputs, limit)
    }

    /// As [`Self::replay`], on records read from `inputs` in order.
    pub fn replay_inputs(
        &self,
        proposed: &str,
        inputs: Vec<Box<dyn std::io::BufRead>>,
        limit: usize,
    ) -> Result<ReplayReport, PolicyAdminError> {
        let proposed = self.restored(proposed)?;
        let (validation, proposed) = self.parse(&proposed)?;
        let Some(proposed) = proposed else {
            return Err(PolicyAdminError::Invalid(validation));
        };
        let current =
            GatewayConfig::parse(&self.path, &self.read()?).map_err(PolicyAdminError::Rejected)?;
        replay::compare(
            current,
            proposed,
            inputs,
            MAX_REPLAY_RECORDS,
            limit.min(MAX_REPLAY_CHANGES),
        )
        .map_err(|e| PolicyAdminError::Replay(format!("{e:#}")))
    }

    fn recorder(&self) -> Option<&Arc<Recorder>> {
        self.shared.services.recorder.as_ref()
    }

    fn read(&self) -> Result<String, PolicyAdminError> {
        let text = std::fs::read_to_string(&self.path).map_err(|source| PolicyAdminError::Io {
            what: "reading",
            path: self.path.clone(),
            source,
        })?;
        Ok(text)
    }

    /// Replaces the file atomically: a temporary file in the same
    /// directory (so the rename stays on one file system) with the old
    /// file's permissions, synced, then renamed over it.
    fn write(&self, text: &str) -> Result<(), PolicyAdminError> {
        let io = |source| PolicyAdminError::Io {
            what: "writing",
            path: self.path.clone(),
            source,
        };
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(format!(".rampart-{}.tmp", std::process::id()));
        let temporary = PathBuf::from(temporary);
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            if let Ok(metadata) = std::fs::metadata(&self.path) {
                file.set_permissions(metadata.permissions())?;
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(io)
    }

    fn open_store(&self) -> Result<Option<Store>, PolicyAdminError> {
        Ok(self.store.as_ref().map(Store::open).transpose()?)
    }

    /// Records `text` as the newest version unless it already is; its
    /// version and diff. `None` without a store.
    /// Records `text` (its secrets redacted: the history never holds them)
    /// unless it is the latest version already.
    fn record(&self, text: &str, who: &str) -> Result<Option<(u64, String)>, PolicyAdminError> {
        let Some(mut store) = self.open_store()? else {
            return Ok(None);
        };
        let redacted = secrets::redact(text);
        let text = redacted.as_str();
        let latest = store.latest_policy()?;
        if let Some(latest) = latest.as_ref().filter(|latest| latest.text == text) {
            return Ok(Some((latest.version, latest.diff.clone())));
        }
        let before = latest.map(|latest| latest.text).unwrap_or_default();
        let diff = diff::unified(&before, text);
        let time = rfc3339_millis(SystemClock.now_millis());
        let version = store.record_policy(&time, who, text, &diff)?;
        Ok(Some((version, diff)))
    }
}

/// Refuses a text over [`MAX_POLICY_BYTES`] before anything parses it.
fn within_bound(text: &str) -> Result<(), PolicyAdminError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(PolicyAdminError::TooLarge {
            bytes: text.len(),
            max: MAX_POLICY_BYTES,
        });
    }
    Ok(())
}

/// The configured action's name, as reasons and events say it.
fn action_name(action: &rampart_prevent::policy::ActionConfig) -> &'static str {
    use rampart_prevent::policy::ActionConfig;
    match action {
        ActionConfig::Block { .. } => "block",
        ActionConfig::RateLimit { .. } => "rate_limit",
        ActionConfig::Ban { .. } => "ban",
        ActionConfig::Deceive { .. } => "deceive",
        ActionConfig::Mask {} => "mask",
        ActionConfig::Tag { .. } => "tag",
        ActionConfig::Monitor {} => "monitor",
    }
}
