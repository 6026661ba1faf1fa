//! `rampart check-config FILE`: the validation `serve` and a reload run,
//! without starting anything. Exit 0 when the file is good.

use rampart_gateway::GatewayConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CheckConfigArgs {
    /// The configuration file (TOML).
    pub file: PathBuf,
}

pub fn run(args: CheckConfigArgs) -> anyhow::Result<ExitCode> {
    let config = GatewayConfig::load(&args.file)?;
    for warning in config.warning_lines() {
        eprintln!("warning: {warning}");
    }
    println!(
        "{}: ok ({} listener(s), {} upstream(s), {} route(s))",
        args.file.display(),
        config.listeners.len(),
        config.upstreams.len(),
        config.routes.len()
    );
    Ok(ExitCode::SUCCESS)
}
