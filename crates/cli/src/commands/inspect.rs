//! `rampart inspect`: run the detection engine over exchange records.
//!
//! One verdict per readable record, in input order, as JSON lines on stdout
//! (format in `shared/formats/exchange-record.md`). Bad lines are reported
//! on stderr with their number and skipped; the summary goes to stderr.

use anyhow::Context;
use rampart_core::{ExchangeRecord, RecordReader};
use rampart_detect::{Body, DetectConfig, Engine, RequestView, Verdict};
use serde::Serialize;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InspectArgs {
    /// Exchange records, one JSON object per line (`-` for stdin).
    pub file: std::path::PathBuf,
    /// TOML file with a `[detect]` table (the gateway's format).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Paranoia level 1-4 (overrides the config file).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub paranoia: Option<u8>,
}

#[derive(Serialize)]
struct OutputDetection<'a> {
    rule: &'a str,
    category: &'a str,
    location: &'a str,
    evidence: &'a str,
    score: f64,
}

#[derive(Serialize)]
struct Output<'a> {
    id: Option<&'a str>,
    blocked: bool,
    action: &'a str,
    score: f64,
    detections: Vec<OutputDetection<'a>>,
}

fn load_config(args: &InspectArgs) -> anyhow::Result<DetectConfig> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            DetectConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => DetectConfig::default(),
    };
    if let Some(level) = args.paranoia {
        config.paranoia = level;
    }
    Ok(config)
}

fn verdict_for(engine: &Engine, record: &ExchangeRecord) -> Verdict {
    let headers: Vec<(&str, &[u8])> = record
        .request_headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let view = RequestView {
        method: &record.method,
        path: &record.path,
        query: &record.query,
        headers: &headers,
        body: record.request_body.as_deref().map(|bytes| Body { bytes, truncated: false }),
    };
    engine.inspect(&view)
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(load_config(&args)?).context("invalid detection config")?;
    let input: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
        Box::new(BufReader::new(file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut records, mut bad, mut blocked) = (0u64, 0u64, 0u64);
    for item in RecordReader::new(input) {
        let record = match item {
            Ok((_, record)) => record,
            Err(err) => {
                eprintln!("rampart inspect: {}: {err}", args.file.display());
                bad += 1;
                continue;
            }
        };
        records += 1;
        let verdict = verdict_for(&engine, &record);
        blocked += u64::from(verdict.blocked);
        let line = Output {
            id: record.id.as_deref(),
            blocked: verdict.blocked,
            action: verdict.action,
            score: verdict.score,
            detections: verdict
                .detections
                .iter()
                .map(|d| OutputDetection {
                    rule: &d.rule,
                    category: d.category.name(),
                    location: &d.location,
                    evidence: &d.evidence,
                    score: d.score,
                })
                .collect(),
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprintln!("rampart inspect: {records} records, {blocked} blocked, {bad} bad lines");
    Ok(ExitCode::SUCCESS)
}
