//! Log lines on standard error, as the command line asks: `-v` / `-vv` for
//! more detail, `--log-format json` for machines, `RUST_LOG` (when set)
//! over both levels. Colour codes only when standard error is a terminal.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// The logging flags every command takes.
#[derive(clap::Args)]
pub struct LogArgs {
    /// More log detail: -v for debug, -vv for trace (default info). RUST_LOG,
    /// when set, decides instead (e.g. RUST_LOG=rampart_gateway=debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// How log lines are written on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// One line of text per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the logger for the whole process.
pub fn init(args: &LogArgs) {
    let level = match args.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Only fails when a logger is already installed: the first one stays.
    let _ = match args.log_format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
