//! `rampart serve --config FILE`: run the gateway, with the console's admin
//! API on its admin listener, until SIGTERM or SIGINT (Ctrl-C), then drain
//! in-flight requests (up to `server.drain_timeout`) and exit 0. SIGHUP
//! reloads the configuration file, as a change of the file does.

use crate::commands::runtime::{self, Received, Signals};
use rampart_console::Console;
use rampart_gateway::{Gateway, GatewayConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The configuration file (TOML); see docs/configuration.md.
    #[arg(long, short, value_name = "FILE")]
    pub config: PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = GatewayConfig::load(&args.config)?;
    runtime::block_on(async move {
        let mut signals = Signals::catch()?;
        let gateway = Gateway::start_with(config, Some(Console::factory())).await?;
        loop {
            match signals.next().await {
                Received::Hangup => {
                    tracing::info!(file = %args.config.display(), "SIGHUP: reloading configuration");
                    // A bad file is reported by the reload and keeps the running configuration.
                    let _ = gateway.reload();
                }
                stop => {
                    tracing::info!("{}: draining", stop.name());
                    break;
                }
            }
        }
        gateway.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
