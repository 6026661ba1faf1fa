//! `rampart check-config --config FILE`: the validation `serve` and a reload
//! run, without starting anything. Exit 0 when the file is good.

use rampart_gateway::GatewayConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CheckConfigArgs {
    /// The configuration file (TOML), as `serve --config` takes it.
    #[arg(
        long,
        short,
        value_name = "FILE",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub config: Option<PathBuf>,
    /// The configuration file given alone (`check-config FILE`), the form
    /// earlier releases took; kept as an alias of `--config`.
    #[arg(hide = true)]
    pub file: Option<PathBuf>,
}

pub fn run(args: CheckConfigArgs) -> anyhow::Result<ExitCode> {
    let Some(file) = args.config.or(args.file) else {
        anyhow::bail!("check-config needs --config FILE");
    };
    let config = GatewayConfig::load(&file)?;
    for warning in config.warning_lines() {
        eprintln!("warning: {warning}");
    }
    println!(
        "{}: ok ({} listener(s), {} upstream(s), {} route(s))",
        file.display(),
        config.listeners.len(),
        config.upstreams.len(),
        config.routes.len()
    );
    Ok(ExitCode::SUCCESS)
}
