//! `rampart serve --config FILE`: run the gateway, with the console's admin
//! API on its admin listener, until SIGTERM or Ctrl-C, then drain in-flight
//! requests (up to `server.drain_timeout`) and exit 0.

use crate::commands::runtime;
use rampart_console::Console;
use rampart_gateway::{Gateway, GatewayConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The configuration file (TOML); see docs/configuration.md.
    #[arg(long, short)]
    pub config: PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    runtime::init_logging();
    let config = GatewayConfig::load(&args.config)?;
    runtime::block_on(async move {
        let gateway = Gateway::start_with(config, Some(Console::factory())).await?;
        runtime::wait_for_termination().await;
        gateway.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
