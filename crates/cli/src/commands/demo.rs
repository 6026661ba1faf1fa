//! `rampart demo`: everything a newcomer needs in one command, nothing
//! external: the built-in demo API on a loopback port, the gateway in front
//! of it, the admin listener, and a printed list of things to try.

use crate::commands::runtime;
use rampart_gateway::{Gateway, GatewayConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where the gateway listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the admin listener (metrics, health) listens.
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
    runtime::init_logging();
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("rampart-demo"));
    std::fs::create_dir_all(&dir)?;
    runtime::block_on(async move {
        let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let api_addr = api_listener.local_addr()?;
        let (stop_api, api_stopped) = tokio::sync::oneshot::channel::<()>();
        let api = tokio::spawn(rampart_demo::serve(api_listener, async {
            let _ = api_stopped.await;
        }));

        let config_path = dir.join("rampart-demo.toml");
        std::fs::write(&config_path, demo_config(&args, api_addr))?;
        let gateway = Gateway::start(GatewayConfig::load(&config_path)?).await?;
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
            "API inventory learned from the traffic: curl -s -H 'authorization: Bearer {DEMO_ADMIN_TOKEN}' http://{}/inventory",
            gateway.admin_addr
        );
        println!("Six failed logins in a minute from one address: the sixth is answered 429 (rule `limit-failed-logins`).");
        println!("Card numbers and SSNs in /api/accounts answers are masked (rule `mask-accounts`); /admin/backup is a honeypot: a fake answer, then a ban.");
        println!("Stop with Ctrl-C.");

        runtime::wait_for_termination().await;
        gateway.shutdown().await;
        let _ = stop_api.send(());
        let _ = api.await;
        Ok(ExitCode::SUCCESS)
    })
}

fn demo_config(args: &DemoArgs, api: SocketAddr) -> String {
    format!(
        r#"# Written by `rampart demo`. See docs/configuration.md for every key.
[admin]
listen = "{admin}"
token = "{token}"

[events]
jsonl = "events.jsonl"
sqlite = "rampart.db"

[pipeline]
stages = ["ip_lists", "detect", "discover", "prevent"]

# At most 5 failed logins a minute per client address: the 6th gets a 429.
[[prevent.limits]]
name = "failed-logins"
key = {{ parts = ["ip"] }}
quota = {{ requests = 5, per_seconds = 60 }}
count_only_status = [401]

[[prevent.policy.rules]]
name = "limit-failed-logins"
when = 'request.path == "/api/login"'
action = {{ type = "rate_limit", limit = "failed-logins" }}

# Card numbers and SSNs never leave the accounts API in clear.
[[prevent.policy.rules]]
name = "mask-accounts"
when = 'request.path.startsWith("/api/accounts")'
action = {{ type = "mask" }}

# Nobody legitimate asks for these: whoever does gets a fake and a ban.
[prevent.deception]
decoy_fields = ["is_admin"]
[[prevent.deception.honeypots]]
prefix = "/admin/backup"

[discovery]
publish_interval = "1s"

[detect]
paranoia = 1

[[listeners]]
name = "demo"
listen = "{listen}"

[[upstreams]]
name = "demo-api"
addresses = ["{api}"]

[[routes]]
name = "demo-api"
upstream = "demo-api"
max_body_bytes = "1MiB"
# TEST-NET-3, a documentation range: try
#   curl -H 'X-Forwarded-For: 203.0.113.5' ...
# after adding 127.0.0.0/8 to server.trusted_proxies.
ip_deny = ["203.0.113.0/24"]
"#,
        admin = args.admin,
        listen = args.listen,
        token = DEMO_ADMIN_TOKEN,
    )
}
