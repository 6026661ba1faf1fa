//! `rampart replay FILE.jsonl --config NEW.toml [--against CURRENT.toml]`:
//! what a configuration would have done to recorded traffic, and how that
//! differs from the one running now, before anyone deploys it.
//!
//! Both configurations run in the gateway's own offline mode
//! (`rampart_gateway::offline`): same routes, stages, policy, limits and bans,
//! with time taken from the records. One JSON line per record goes to stdout
//! (`--changed-only` keeps the records whose outcome differs); the summary,
//! with the changes grouped by what caused them, goes to stderr.

use super::input::open_records;
use rampart_core::{ExchangeRecord, Reason, RecordReader};
use rampart_gateway::offline::{Comparison, OfflineGateway, OfflineVerdict};
use rampart_gateway::GatewayConfig;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// Exchange records, one JSON object per line (`-` for stdin), in arrival order.
    pub file: PathBuf,
    /// The configuration to try (the gateway's TOML format).
    #[arg(long)]
    pub config: PathBuf,
    /// The configuration running now, to compare against.
    #[arg(long)]
    pub against: Option<PathBuf>,
    /// Print only the records whose outcome differs between the two.
    #[arg(long, requires = "against")]
    pub changed_only: bool,
}

/// One verdict as printed.
#[derive(Serialize)]
struct VerdictLine<'a> {
    action: &'static str,
    status: Option<u16>,
    route: Option<&'a str>,
    score: f64,
    cause: Option<String>,
    reasons: &'a [Reason],
}

impl<'a> VerdictLine<'a> {
    fn of(verdict: &'a OfflineVerdict) -> Self {
        VerdictLine {
            action: verdict.action,
            status: verdict.status,
            route: verdict.route.as_deref(),
            score: verdict.score(),
            cause: verdict.cause(),
            reasons: &verdict.reasons,
        }
    }
}

#[derive(Serialize)]
struct OutputLine<'a> {
    id: Option<&'a str>,
    line: u64,
    #[serde(flatten)]
    new: VerdictLine<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<VerdictLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<bool>,
}

/// Counts for the summary.
#[derive(Default)]
struct Summary(Comparison);

impl Summary {
    fn write(
        &self,
        out: &mut impl Write,
        config: &str,
        against: Option<&str>,
    ) -> std::io::Result<()> {
        let counts = |actions: &BTreeMap<&str, u64>| {
            actions
                .iter()
                .map(|(action, n)| format!("{action} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "rampart replay: {} records, {} bad lines",
            self.0.records, self.0.bad_lines
        )?;
        writeln!(out, "  {config}: {}", counts(&self.0.new_actions))?;
        let Some(against) = against else {
            return Ok(());
        };
        writeln!(out, "  {against}: {}", counts(&self.0.current_actions))?;
        writeln!(out, "  changed: {} records", self.0.changed)?;
        for ((from, to), causes) in &self.0.changes {
            let total: u64 = causes.values().sum();
            let mut ranked: Vec<_> = causes.iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let listed = ranked
                .iter()
                .take(5)
                .map(|(cause, n)| format!("{cause} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            writeln!(out, "    {from} -> {to}: {total} ({listed})")?;
        }
        Ok(())
    }
}

fn gateway(path: &Path) -> anyhow::Result<OfflineGateway> {
    let config = GatewayConfig::load(path)?;
    OfflineGateway::new(config)
}

/// Replays `input` through `new` (and `current`), writing lines to `out`.
fn replay_stream(
    input: impl BufRead,
    source: &str,
    new: &OfflineGateway,
    current: Option<&OfflineGateway>,
    changed_only: bool,
    out: &mut impl Write,
    errors: &mut impl Write,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    for item in RecordReader::new(input) {
        let (line, record): (u64, ExchangeRecord) = match item {
            Ok(read) => read,
            Err(err) => {
                writeln!(errors, "rampart replay: {source}: {err}")?;
                summary.0.bad_lines += 1;
                continue;
            }
        };
        let new_verdict = new.evaluate(&record);
        let current_verdict = current.map(|gateway| gateway.evaluate(&record));
        let changed = summary.0.add(&new_verdict, current_verdict.as_ref());
        if changed_only && !changed {
            continue;
        }
        let printed = OutputLine {
            id: record.id.as_deref(),
            line,
            new: VerdictLine::of(&new_verdict),
            current: current_verdict.as_ref().map(VerdictLine::of),
            changed: current.map(|_| changed),
        };
        serde_json::to_writer(&mut *out, &printed)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(summary)
}

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let new = gateway(&args.config)?;
    let current = args.against.as_deref().map(gateway).transpose()?;
    let input = open_records(&args.file)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let source = args.file.display().to_string();
    let summary = replay_stream(
        input,
        &source,
        &new,
        current.as_ref(),
        args.changed_only,
        &mut out,
        &mut std::io::stderr(),
    )?;
    summary.write(
        &mut std::io::stderr(),
        &args.config.display().to_string(),
        args.against
            .as_ref()
            .map(|p| p.display().to_string())
            .as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
