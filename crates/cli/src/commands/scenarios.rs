//! `rampart scenarios run [FILES|DIRS]`: replays scenario files through
//! their configurations' real pipelines (`rampart_gateway::scenario`) and
//! prints, per scenario and per expectation, pass or fail with the
//! evidence. Exits 1 when any expectation fails or a file cannot be run.

use rampart_gateway::scenario::{self, ScenarioReport};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ScenariosArgs {
    #[command(subcommand)]
    pub command: ScenariosCommand,
}

#[derive(clap::Subcommand)]
pub enum ScenariosCommand {
    /// Run scenario files (a directory: its `*.toml` files) and check
    /// their expectations.
    Run {
        /// Scenario files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

pub fn run(args: ScenariosArgs) -> anyhow::Result<ExitCode> {
    let ScenariosCommand::Run { paths } = args.command;
    let files = scenario::files(&paths)?;
    Ok(print_reports(files.iter().map(|f| scenario::run_file(f))))
}

/// Prints each report (or why a scenario could not run) and a summary
/// line; failure when any scenario did not pass.
pub fn print_reports(reports: impl Iterator<Item = anyhow::Result<ScenarioReport>>) -> ExitCode {
    let (mut passed, mut failed) = (0u64, 0u64);
    for report in reports {
        match report {
            Ok(report) => {
                print!("{report}");
                if report.passed() {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
            Err(err) => {
                println!("FAIL {err:#}");
                failed += 1;
            }
        }
    }
    println!("{passed} scenario(s) passed, {failed} failed");
    match failed {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
