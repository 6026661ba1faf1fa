//! `rampart discover`: the API inventory learned from exchange records.
//!
//! Reads JSON-lines exchanges from a file or standard input (`-`; bad lines
//! are reported with their number and skipped), optionally matches them against a declared OpenAPI spec (a
//! malformed spec stops the run with the place of the problem), and writes
//! the inventory as JSON (stdout or `--out`) and, if asked, as OpenAPI 3.1
//! and as rate limits proposed from the observed baseline (`limits`).

use super::input::open_records;
use super::limits::Baseline;
use anyhow::Context;
use rampart_core::RecordReader;
use rampart_discover::{export, parse_spec, Inventory};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Bad lines reported one by one; past this only their count is given.
const MAX_REPORTED_BAD_LINES: u64 = 20;

#[derive(clap::Args)]
pub struct DiscoverArgs {
    /// Exchange records, one JSON object per line (`-` for stdin).
    pub file: PathBuf,
    /// Declared OpenAPI 3.x or Swagger 2.0 spec (JSON or YAML).
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Where to write the inventory JSON (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the inventory as an OpenAPI 3.1 document (YAML, or JSON
    /// when the file name ends in `.json`).
    #[arg(long)]
    pub openapi: Option<PathBuf>,
    /// Also write rate limits proposed from each endpoint's observed
    /// baseline (TOML: `[[prevent.limits]]` and the rules applying them).
    /// Reads the records twice, so they must come from a file, not `-`.
    #[arg(long)]
    pub propose_limits: Option<PathBuf>,
    /// The proposed limit is the p99 per-client rate times this.
    #[arg(long, default_value_t = 2.0, requires = "propose_limits")]
    pub limit_margin: f64,
}

pub fn run(args: DiscoverArgs) -> anyhow::Result<ExitCode> {
    if args.propose_limits.is_some() && args.file.as_os_str() == "-" {
        anyhow::bail!("--propose-limits reads the records twice: give them as a file, not `-`");
    }
    let mut inventory = Inventory::new();
    let mut title = String::from("Discovered API");
    if let Some(path) = &args.spec {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading spec {}", path.display()))?;
        let spec = parse_spec(&bytes).with_context(|| format!("spec {}", path.display()))?;
        if let Some(declared) = &spec.title {
            title = format!("{declared} (discovered)");
        }
        inventory.set_spec(spec);
    }
    let mut bad_lines = 0u64;
    for item in RecordReader::new(open_records(&args.file)?) {
        match item {
            Ok((_, record)) => inventory.observe(&record),
            Err(err) => {
                bad_lines += 1;
                if bad_lines <= MAX_REPORTED_BAD_LINES {
                    eprintln!("rampart: {}: {err}", args.file.display());
                }
            }
        }
    }
    // The OpenAPI export needs the whole report; without it, the report is
    // written endpoint by endpoint and never held whole.
    let report = args.openapi.is_some().then(|| inventory.report());
    let summary = write_output(args.out.as_ref(), |out| match &report {
        Some(report) => {
            serde_json::to_writer_pretty(out, report)?;
            Ok(report.summary.clone())
        }
        None => Ok(inventory.write_report(out)?),
    })?;
    if let (Some(path), Some(report)) = (&args.openapi, &report) {
        let document = export::openapi_document(report, &title);
        let text = if path.extension().is_some_and(|e| e == "json") {
            serde_json::to_string_pretty(&document)?
        } else {
            export::to_yaml(&document).context("rendering the OpenAPI document as YAML")?
        };
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.propose_limits {
        let matcher = inventory.compile();
        let mut baseline = Baseline::default();
        for (_, record) in RecordReader::new(open_records(&args.file)?).flatten() {
            baseline.observe(&matcher, &record);
        }
        std::fs::write(path, baseline.proposals_toml(args.limit_margin))
            .with_context(|| format!("writing {}", path.display()))?;
        if baseline.skipped > 0 {
            eprintln!(
                "rampart: {} record(s) without a time, a client address or a known endpoint left out of the limit baseline",
                baseline.skipped
            );
        }
    }
    eprintln!(
        "rampart: {} records, {} endpoints ({} shadow, {} zombie, {} orphan, {} unauthenticated), {} bad line(s)",
        inventory.records(),
        summary.endpoints,
        summary.shadow,
        summary.zombie,
        summary.orphan,
        summary.unauthenticated,
        bad_lines
    );
    if !summary.findings.is_empty() {
        let counts: Vec<String> = summary
            .findings
            .iter()
            .rev()
            .map(|(severity, n)| format!("{n} {}", severity.as_str()))
            .collect();
        eprintln!(
            "rampart: findings: {} (listed under \"findings\" in the report)",
            counts.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the inventory JSON, and a final newline, to the file or standard output.
fn write_output<T>(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut out: Box<dyn Write> = match path {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let written = write(&mut out)?;
    writeln!(out)?;
    out.flush().with_context(|| match path {
        Some(path) => format!("writing {}", path.display()),
        None => "writing the inventory".into(),
    })?;
    Ok(written)
}
