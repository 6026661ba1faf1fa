//! `rampart discover` (being built).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DiscoverArgs {
    /// Exchange records, one JSON object per line.
    pub file: std::path::PathBuf,
}

pub fn run(_args: DiscoverArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rampart discover` is being built")
}
