//! `rampart inspect`: run the detection engine over exchange records.
//!
//! One verdict per readable record, in input order, as JSON lines on stdout
//! (format in `docs/exchange-records.md`). Bad lines are reported
//! on stderr with their number and skipped; the summary goes to stderr.
//! A gateway config's `[discovery] spec` is enforced as it is live (see
//! `rampart_gateway::spec_contracts`), so a record gets the verdict the
//! gateway would give it. With `--learn TRAFFIC`, endpoint context (which
//! fields carry prose, which carry identifiers of which shape) is learned
//! from other records first (`rampart_gateway::learned_context`) and the
//! engine reads fields with it.

use super::input::open_records;
use anyhow::Context;
use rampart_core::{ExchangeRecord, RecordReader};
use rampart_detect::contract::add_learned;
use rampart_detect::field_profile::LearnLimits;
use rampart_detect::{DetectConfig, Engine, RequestView, Verdict};
use rampart_gateway::learned_context;
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InspectArgs {
    /// Exchange records, one JSON object per line (`-` for stdin).
    pub file: std::path::PathBuf,
    /// TOML file with a `[detect]` table and, optionally, `[discovery] spec`
    /// (the gateway's format).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Paranoia level 1-4 (overrides the config file).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub paranoia: Option<u8>,
    /// Exchange records to learn endpoint context from before judging
    /// (`-` for stdin): fields many clients fill with prose are read as
    /// prose, identifier fields by their learned shape.
    #[arg(long, value_name = "TRAFFIC")]
    pub learn: Option<std::path::PathBuf>,
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
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut config =
                DetectConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?;
            if let Some(spec) = declared_spec(path, &text)? {
                rampart_gateway::spec_contracts::add_spec_contracts(&mut config, &spec);
            }
            config
        }
        None => DetectConfig::default(),
    };
    if let Some(level) = args.paranoia {
        config.paranoia = level;
    }
    Ok(config)
}

/// The spec named by `[discovery] spec` (relative to the config file).
fn declared_spec(
    config_path: &std::path::Path,
    text: &str,
) -> anyhow::Result<Option<rampart_discover::DeclaredSpec>> {
    #[derive(serde::Deserialize)]
    struct File {
        discovery: Option<Discovery>,
    }
    #[derive(serde::Deserialize)]
    struct Discovery {
        spec: Option<std::path::PathBuf>,
    }
    let file: File =
        toml::from_str(text).with_context(|| format!("in {}", config_path.display()))?;
    let Some(spec) = file.discovery.and_then(|d| d.spec) else {
        return Ok(None);
    };
    let spec = config_path
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(spec);
    let bytes = std::fs::read(&spec).with_context(|| format!("reading {}", spec.display()))?;
    let parsed = rampart_discover::parse_spec(&bytes)
        .with_context(|| format!("discovery.spec: {}", spec.display()))?;
    Ok(Some(parsed))
}

/// The record read through the same view as live traffic: its `host` field
/// is the host when no `Host` header was recorded.
fn verdict_for(engine: &Engine, record: &ExchangeRecord) -> Verdict {
    engine.inspect(&RequestView::from_record(record))
}

/// How many records a run read, blocked, and could not use.
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    records: u64,
    blocked: u64,
    bad_lines: u64,
}

/// Writes one verdict line per readable record of `input` to `out`, in
/// order; bad lines are reported to `errors` with their number.
fn inspect_stream(
    engine: &Engine,
    input: impl BufRead,
    source: &str,
    out: &mut impl Write,
    errors: &mut impl Write,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    for item in RecordReader::new(input) {
        let record = match item {
            Ok((_, record)) => record,
            Err(err) => {
                writeln!(errors, "rampart inspect: {source}: {err}")?;
                summary.bad_lines += 1;
                continue;
            }
        };
        summary.records += 1;
        let verdict = verdict_for(engine, &record);
        summary.blocked += u64::from(verdict.blocked);
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
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(summary)
}

/// The config with context learned from `--learn`'s records, judged by an
/// engine of the config itself so that what it flags is not learned.
fn with_learned_context(
    mut config: DetectConfig,
    traffic: &std::path::Path,
) -> anyhow::Result<DetectConfig> {
    // Judged at the default level: what it finds is never learned; what
    // only a stricter level finds is what context is for.
    let mut judging = config.clone();
    judging.paranoia = judging.paranoia.min(1);
    let judge = Engine::new(judging).context("invalid detection config")?;
    let source = traffic.display().to_string();
    let mut records = Vec::new();
    for item in RecordReader::new(open_records(traffic)?) {
        match item {
            Ok((_, record)) => records.push(record),
            Err(err) => eprintln!("rampart inspect: --learn {source}: {err}"),
        }
    }
    let (learned, summary) = learned_context::learn(&judge, &records, LearnLimits::default());
    eprintln!(
        "rampart inspect: learned from {source}: {} records ({} blocked and {} off any endpoint, not learned); on {} endpoints: {} free-text and {} identifier fields, {} path suffixes, {} media types",
        summary.records,
        summary.blocked,
        summary.unmatched,
        summary.endpoints,
        summary.free_text,
        summary.identifiers,
        summary.path_suffixes,
        summary.content_types
    );
    add_learned(&mut config.contracts, learned);
    Ok(config)
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let mut config = load_config(&args)?;
    if let Some(traffic) = &args.learn {
        config = with_learned_context(config, traffic)?;
    }
    let engine = Engine::new(config).context("invalid detection config")?;
    let input = open_records(&args.file)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let source = args.file.display().to_string();
    let summary = inspect_stream(&engine, input, &source, &mut out, &mut std::io::stderr())?;
    eprintln!(
        "rampart inspect: {} records, {} blocked, {} bad lines",
        summary.records, summary.blocked, summary.bad_lines
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_verdict_per_record_in_order_and_reports_bad_lines() {
        let engine = Engine::new(DetectConfig::default()).unwrap();
        let input = concat!(
            r#"{"id":"a","method":"GET","path":"/s","query":"q=1%27%20or%20%271%27%3D%271","request_headers":{"Host":"x"}}"#,
            "\nnot json\n",
            r#"{"id":"b","method":"GET","path":"/s","query":"q=hello","request_headers":{"Host":"x"},"label":{"attack":true}}"#,
            "\n"
        );
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        let summary =
            inspect_stream(&engine, input.as_bytes(), "t.jsonl", &mut out, &mut errors).unwrap();
        assert_eq!(
            summary,
            Summary {
                records: 2,
                blocked: 1,
                bad_lines: 1
            }
        );
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["blocked"], true);
        assert_eq!(lines[0]["action"], "block");
        assert_eq!(lines[0]["detections"][0]["location"], "query.q");
        assert_eq!(lines[0]["detections"][0]["category"], "sqli");
        assert_eq!(lines[1]["id"], "b");
        assert_eq!(lines[1]["blocked"], false);
        assert!(String::from_utf8(errors).unwrap().contains("line 2"));
    }

    #[test]
    fn a_record_host_field_is_read_as_the_host_like_live_traffic() {
        let engine = Engine::new(DetectConfig::default()).unwrap();
        let with_field = ExchangeRecord::from_json_line(
            br#"{"method":"GET","host":"api.test","path":"/items","request_headers":{"Accept":"application/json"}}"#,
        )
        .unwrap();
        let verdict = verdict_for(&engine, &with_field);
        assert!(
            verdict
                .detections
                .iter()
                .all(|d| d.rule != "protocol.missing_host"),
            "{:?}",
            verdict.detections
        );
        let without = ExchangeRecord::from_json_line(
            br#"{"method":"GET","path":"/items","request_headers":{"Accept":"application/json"}}"#,
        )
        .unwrap();
        let verdict = verdict_for(&engine, &without);
        assert!(verdict
            .detections
            .iter()
            .any(|d| d.rule == "protocol.missing_host"));
    }

    #[test]
    fn a_config_with_a_declared_spec_enforces_it_as_the_gateway_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("openapi.json"),
            r#"{"openapi":"3.0.0","paths":{"/users":{"post":{"requestBody":{"content":{
                "application/json":{"schema":{"type":"object","properties":{"username":{"type":"string"}}}}}}}}}}"#,
        )
        .unwrap();
        let config = dir.path().join("rampart.toml");
        std::fs::write(&config, "[discovery]\nspec = \"openapi.json\"\n").unwrap();
        let args = InspectArgs {
            file: "-".into(),
            config: Some(config),
            paranoia: None,
            learn: None,
        };
        let engine = Engine::new(load_config(&args).unwrap()).unwrap();
        let record = ExchangeRecord::from_json_line(
            br#"{"method":"POST","host":"x","path":"/users","request_headers":{"Content-Type":"application/json"},"request_body":"{\"username\":\"m\",\"is_admin\":true}"}"#,
        )
        .unwrap();
        let verdict = verdict_for(&engine, &record);
        assert!(verdict.blocked, "{verdict:?}");
        assert_eq!(verdict.detections[0].location, "body$.is_admin");
    }

    #[test]
    fn learn_reads_prose_fields_from_other_traffic_before_judging() {
        let dir = tempfile::tempdir().unwrap();
        let traffic = dir.path().join("traffic.jsonl");
        let notes = [
            "Leave it at the back door, the bell is broken.",
            "Arrived late, but the box was intact and fresh.",
            "Could you bring it by the bakery on the corner?",
            "Gift wrap it please, it is for my mother.",
            "No onions this time, my kid will not eat them.",
        ];
        let lines: Vec<String> = notes
            .iter()
            .enumerate()
            .map(|(i, note)| {
                serde_json::json!({
                    "method": "POST", "host": "x", "path": "/orders",
                    "client_ip": format!("10.0.0.{i}"),
                    "request_headers": {"Content-Type": "application/json"},
                    "request_body": serde_json::json!({ "note": note }).to_string(),
                })
                .to_string()
            })
            .collect();
        std::fs::write(&traffic, lines.join("\n")).unwrap();
        let look_alike = ExchangeRecord::from_json_line(
            br#"{"method":"POST","host":"x","path":"/orders","request_headers":{"Content-Type":"application/json"},"request_body":"{\"note\":\"We will union select the best apples from the farm; drop table cloths off too.\"}"}"#,
        )
        .unwrap();
        let plain = Engine::new(DetectConfig::default()).unwrap();
        assert!(verdict_for(&plain, &look_alike).blocked);
        let config = with_learned_context(DetectConfig::default(), &traffic).unwrap();
        let learned = Engine::new(config).unwrap();
        assert!(!verdict_for(&learned, &look_alike).blocked);
    }
}
