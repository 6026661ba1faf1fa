//! `rampart demo`: everything a newcomer needs in one command, nothing
//! external: the built-in demo API on a loopback port, the gateway in front
//! of it, the admin listener, simulated users and attackers sending traffic
//! through it (`rampart_demo::simulator`), and a printed list of things to
//! try. SIGHUP (its terminal closed), SIGINT and SIGTERM stop it; editing
//! its configuration file reloads it. `--scenarios` instead replays the
//! built-in scenarios (`rampart_demo::scenarios`) and prints what each
//! showed.

use crate::commands::{runtime, scenarios};
use anyhow::Context as _;
use rampart_console::Console;
use rampart_demo::simulator::{self, SimulatorConfig};
use rampart_gateway::scenario;
use rampart_gateway::{Gateway, GatewayConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where the gateway listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the admin listener (metrics, health, the admin API) listens.
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub admin: SocketAddr,
    /// Directory for the demo's configuration file and security events
    /// (default: a `rampart-demo` folder in the system's temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Do not run the built-in traffic simulator.
    #[arg(long)]
    pub no_traffic: bool,
    /// Speed of the simulated traffic: 1 is the default pace, 0.5 half,
    /// 2 twice (from 0.1 to 10).
    #[arg(long, default_value_t = 1.0, value_parser = parse_traffic_rate)]
    pub traffic_rate: f64,
    /// Instead of serving: replay the built-in scenarios (attacks and the
    /// look-alikes each detector must leave alone) through the real engine,
    /// print what each showed, and exit (1 when one failed).
    #[arg(long, conflicts_with_all = ["no_traffic", "traffic_rate"])]
    pub scenarios: bool,
}

/// The demo's admin token (it listens on loopback only); printed for the user.
const DEMO_ADMIN_TOKEN: &str = "rampart-demo-admin-token";

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("rampart-demo"));
    std::fs::create_dir_all(&dir)?;
    if args.scenarios {
        return run_scenarios(&dir.join("scenarios"));
    }
    runtime::block_on(async move {
        let mut signals = runtime::Signals::catch()?;
        let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let api_addr = api_listener.local_addr()?;
        let (stop_api, api_stopped) = tokio::sync::oneshot::channel::<()>();
        let api = tokio::spawn(rampart_demo::serve(api_listener, async {
            let _ = api_stopped.await;
        }));

        let config_path = dir.join("rampart-demo.toml");
        std::fs::write(&config_path, demo_config(&args, api_addr))?;
        let config = GatewayConfig::load(&config_path)?;
        let gateway = Gateway::start_with(config, Some(Console::factory())).await?;
        let traffic = start_traffic(&args, &gateway);
        println!(
            "{}",
            rampart_demo::walkthrough(
                args.listen,
                gateway.admin_addr,
                DEMO_ADMIN_TOKEN,
                traffic.is_some()
            )
        );
        println!(
            "Configuration: {} (edit it: the gateway reloads it)",
            config_path.display()
        );
        println!("Security events: {}", dir.join("events.jsonl").display());
        println!(
            "API inventory learned from the traffic: curl -s -H 'authorization: Bearer {DEMO_ADMIN_TOKEN}' http://{}/api/endpoints",
            gateway.admin_addr
        );
        println!("Six failed logins in a minute from one address: the sixth is answered 429 (rule `limit-failed-logins`).");
        println!("Card numbers and SSNs in /api/accounts answers are masked (rule `mask-accounts`); /admin/backup is a honeypot: a fake answer, then a ban.");
        println!("The BOLA walk is judged once discovery has learned /api/accounts/{{id}} (about a second after the first account request): the customer's own account answers, then after a few accounts it was never shown the walk gets 403 (stage `behave`).");
        println!("Stop with Ctrl-C.");

        let received = signals.next().await;
        tracing::info!("{}: stopping", received.name());
        stop_traffic(traffic).await;
        gateway.shutdown().await;
        let _ = stop_api.send(());
        let _ = api.await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Writes the built-in scenarios to `dir`, runs them and says how to run
/// them again once edited.
fn run_scenarios(dir: &Path) -> anyhow::Result<ExitCode> {
    rampart_demo::scenarios::write_to(dir)
        .with_context(|| format!("writing the scenarios to {}", dir.display()))?;
    let files = scenario::files(&[dir.to_path_buf()])?;
    let code = scenarios::print_reports(files.iter().map(|f| scenario::run_file(f)));
    println!(
        "The scenarios are in {}: edit them, or add your own, and run `rampart scenarios run {}`.",
        dir.display(),
        dir.display()
    );
    Ok(code)
}

/// The running simulator: how to stop it, and its task.
type Traffic = (oneshot::Sender<()>, JoinHandle<()>);

/// Starts the traffic simulator against the gateway's listener, unless
/// `--no-traffic`.
fn start_traffic(args: &DemoArgs, gateway: &Gateway) -> Option<Traffic> {
    if args.no_traffic {
        return None;
    }
    let (_, listener) = gateway.listeners.first()?;
    let mut config = SimulatorConfig::new(*listener);
    config.rate = args.traffic_rate;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(simulator::run(config, async {
        let _ = stopped.await;
    }));
    Some((stop, task))
}

/// Stops the simulator and waits until it has logged its last summary.
async fn stop_traffic(traffic: Option<Traffic>) {
    if let Some((stop, task)) = traffic {
        let _ = stop.send(());
        let _ = task.await;
    }
}

fn parse_traffic_rate(value: &str) -> Result<f64, String> {
    let rate: f64 = value.parse().map_err(|e| format!("{e}"))?;
    if simulator::RATE_RANGE.contains(&rate) {
        Ok(rate)
    } else {
        Err(format!(
            "the traffic rate must be from {} to {}",
            simulator::RATE_RANGE.start(),
            simulator::RATE_RANGE.end()
        ))
    }
}

fn demo_config(args: &DemoArgs, api: SocketAddr) -> String {
    rampart_demo::gateway_config(args.listen, args.admin, api, DEMO_ADMIN_TOKEN)
}
