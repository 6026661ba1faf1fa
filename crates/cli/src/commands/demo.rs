//! `rampart demo`: everything a newcomer needs in one command, nothing
//! external: the built-in demo API on a loopback port, the gateway in front
//! of it, the admin listener, and a printed list of things to try. SIGHUP
//! (its terminal closed), SIGINT and SIGTERM stop it; editing its
//! configuration file reloads it.

use crate::commands::runtime;
use rampart_console::Console;
use rampart_gateway::{Gateway, GatewayConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

/// The demo's admin token (it listens on loopback only); printed for the user.
const DEMO_ADMIN_TOKEN: &str = "rampart-demo-admin-token";

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("rampart-demo"));
    std::fs::create_dir_all(&dir)?;
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
        // The token rides in the fragment, which the browser keeps to itself:
        // the console takes it and clears it from the address bar.
        println!(
            "Console: http://{}/#token={DEMO_ADMIN_TOKEN} (admin token: {DEMO_ADMIN_TOKEN})",
            gateway.admin_addr
        );
        println!(
            "{}",
            rampart_demo::walkthrough(args.listen, gateway.admin_addr)
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
        gateway.shutdown().await;
        let _ = stop_api.send(());
        let _ = api.await;
        Ok(ExitCode::SUCCESS)
    })
}

fn demo_config(args: &DemoArgs, api: SocketAddr) -> String {
    rampart_demo::gateway_config(args.listen, args.admin, api, DEMO_ADMIN_TOKEN)
}
