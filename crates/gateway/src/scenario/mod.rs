//! Scenarios: shown, not claimed. A scenario file (`docs/scenarios.md`)
//! names a gateway configuration, actors (an attacker, and the people whose
//! traffic looks like theirs), timed steps of requests with the upstream's
//! answers, and what must and must never happen to each actor. The runner
//! expands the steps into exchange records and feeds them, in time order,
//! to the configuration's real pipeline in offline mode
//! ([`crate::offline`]: request and response phases, the clock driven by the
//! records), then checks every expectation against what the gateway did.
//!
//! `rampart scenarios run` and `rampart demo --scenarios` print
//! [`ScenarioReport`]s; the repository's own scenarios (`scenarios/`) run
//! in CI.

mod expand;
mod format;
mod judge;
mod signing;

pub use expand::{Planned, MAX_EXCHANGES};
pub use judge::Check;

use crate::config::GatewayConfig;
use crate::offline::OfflineGateway;
use anyhow::Context as _;
use format::ScenarioFile;
use judge::Observed;
use std::fmt;
use std::path::{Path, PathBuf};

/// What one scenario showed.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    pub file: PathBuf,
    pub name: String,
    pub exchanges: usize,
    /// The `expect` entries' results, then the `never` entries'.
    pub checks: Vec<Check>,
}

impl ScenarioReport {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

impl fmt::Display for ScenarioReport {
    /// The scenario's line, then one line per expectation with its evidence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {} ({}, {} exchanges)",
            verdict_word(self.passed()),
            self.name,
            self.file.display(),
            self.exchanges
        )?;
        for check in &self.checks {
            writeln!(
                f,
                "  {} {}\n       {}",
                verdict_word(check.passed),
                check.expected,
                check.evidence
            )?;
        }
        Ok(())
    }
}

fn verdict_word(passed: bool) -> &'static str {
    if passed {
        "pass"
    } else {
        "FAIL"
    }
}

/// The scenario files `paths` name: a file as given, a directory's `*.toml`
/// files (not its subdirectories, where configurations can live), sorted.
pub fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if !path.is_dir() {
            found.push(path.clone());
            continue;
        }
        let mut inside = Vec::new();
        for entry in std::fs::read_dir(path)
            .with_context(|| format!("{}: cannot list the directory", path.display()))?
        {
            let entry = entry.with_context(|| format!("{}: cannot list", path.display()))?;
            let file = entry.path();
            if file.is_file() && file.extension().is_some_and(|e| e == "toml") {
                inside.push(file);
            }
        }
        if inside.is_empty() {
            anyhow::bail!(
                "{}: no scenario files (*.toml) in the directory",
                path.display()
            );
        }
        inside.sort();
        found.extend(inside);
    }
    Ok(found)
}

/// Reads, expands and runs one scenario file.
pub fn run_file(path: &Path) -> anyhow::Result<ScenarioReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the file", path.display()))?;
    run_text(path, &text)
}

/// Runs a scenario whose text is `text`; `path` names it in messages and
/// relative configuration paths are relative to it.
pub fn run_text(path: &Path, text: &str) -> anyhow::Result<ScenarioReport> {
    let (file, plan) = parse_and_expand(path, text)?;
    let config = configuration(path, &file)?;
    let gateway = OfflineGateway::new(config)?;
    let seen: Vec<Observed<'_>> = plan
        .iter()
        .map(|planned| Observed {
            planned,
            verdict: gateway.evaluate_answered(&planned.record, planned.upstream_took),
        })
        .collect();
    let checks = (file.expect.iter().map(|spec| judge::expect(spec, &seen)))
        .chain(file.never.iter().map(|spec| judge::never(spec, &seen)))
        .collect();
    Ok(ScenarioReport {
        file: path.to_path_buf(),
        name: file.name,
        exchanges: plan.len(),
        checks,
    })
}

/// The exchanges a scenario's text stands for, in arrival order, without
/// running them (its configuration is not read; signing actors' key files
/// are).
pub fn plan(path: &Path, text: &str) -> anyhow::Result<Vec<Planned>> {
    parse_and_expand(path, text).map(|(_, plan)| plan)
}

fn parse_and_expand(path: &Path, text: &str) -> anyhow::Result<(ScenarioFile, Vec<Planned>)> {
    let file = parse(path, text)?;
    let fault = |f: expand::Fault| anyhow::anyhow!("{}: {}: {}", path.display(), f.key, f.message);
    let mut plan = expand::expand(&file).map_err(fault)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    signing::sign_actors(&file, dir, &mut plan).map_err(fault)?;
    Ok((file, plan))
}

/// The file's shape, with the key and line of what does not fit.
fn parse(path: &Path, text: &str) -> anyhow::Result<ScenarioFile> {
    serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let location = inner
            .span()
            .map(|span| {
                let (line, column) = crate::config::line_and_column(text, span.start);
                format!(" (line {line}, column {column})")
            })
            .unwrap_or_default();
        let message = inner.message().trim().replace('\n', ": ");
        anyhow::anyhow!("{}: {key}: {message}{location}", path.display())
    })
}

/// The configuration the scenario runs: its file (relative to the
/// scenario's), or its inline text read as if it were the scenario file.
fn configuration(path: &Path, file: &ScenarioFile) -> anyhow::Result<GatewayConfig> {
    let config = match (&file.config, &file.config_inline) {
        (Some(relative), _) => {
            let dir = path.parent().unwrap_or(Path::new(""));
            GatewayConfig::load(&dir.join(relative))
        }
        (None, Some(text)) => GatewayConfig::parse(path, text),
        (None, None) => anyhow::bail!("{}: config: missing", path.display()),
    };
    config.with_context(|| format!("{}: config", path.display()))
}
