//! `rampart inspect` (being built).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InspectArgs {
    /// Exchange records, one JSON object per line.
    pub file: std::path::PathBuf,
}

pub fn run(_args: InspectArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rampart inspect` is being built")
}
