//! rampart-bench: one run, same load generator, side by side on this machine:
//! the upstream directly, Rampart (pipeline on, nothing to detect) and nginx as
//! a plain reverse proxy. Phase 1 finds each one's maximum throughput (closed
//! loop); phase 2 offers half of Rampart's maximum at a fixed rate (open loop)
//! to every target and reports the p99 latency each proxy adds. Both phases
//! run in rounds and judge by the median of the per-round comparisons.
//!
//! `cargo run --release -p rampart-bench -- --help`

mod cpu;
mod load;
mod nginx;
mod process;
mod rampart;
mod report;
mod upstream;
mod workload;

use anyhow::{Context, Result};
use clap::Parser;
use cpu::CpuOwner;
use load::{LoadPlan, LoadResult, Pace};
use report::Row;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "rampart-bench",
    about = "Rampart against its upstream and nginx: throughput and added latency"
)]
struct Args {
    /// Measured seconds per run (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Warm-up seconds before each measured run.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Keep-alive connections of the load generator.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// The rampart binary (default: next to this executable, built if missing).
    #[arg(long)]
    rampart_bin: Option<PathBuf>,
    /// Do not measure nginx.
    #[arg(long)]
    skip_nginx: bool,
    #[arg(long, default_value = "/usr/sbin/nginx")]
    nginx_bin: PathBuf,
    /// Threads of the load generator's runtime.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Threads of the upstream's runtime.
    #[arg(long, default_value_t = 1)]
    upstream_threads: usize,
    /// Serving threads of each proxy: Rampart's `server.workers` and nginx's
    /// `worker_processes` (default: the number of CPUs).
    #[arg(long)]
    proxy_workers: Option<usize>,
    /// Rounds of each phase; each round measures every target once, in turn.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Open-loop rate in requests per second (default: half of Rampart's max).
    #[arg(long)]
    open_loop_rate: Option<f64>,
    /// What Rampart does to each request: the bare pipeline, or full
    /// protection (four stages, two limits, a blocking rule, events to a file).
    #[arg(long, value_enum, default_value_t = rampart::Profile::Bare)]
    profile: rampart::Profile,
    /// The request every connection sends: `GET /bench`, or a POST of a
    /// 1 KB JSON order.
    #[arg(long, value_enum, default_value_t = workload::Workload::Get)]
    workload: workload::Workload,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rampart-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .with_context(|| format!("--{flag} must be a non-negative number of seconds"))
}

/// The closed-loop and open-loop runs share one client runtime and plan.
struct Bench {
    client: tokio::runtime::Runtime,
    plan: LoadPlan,
}

impl Bench {
    fn measure(&self, name: &str, target: &Target, pace: Pace) -> Result<LoadResult> {
        eprintln!(
            "rampart-bench: {name}: {pace:?} for {:?} after {:?} warm-up",
            self.plan.duration, self.plan.warmup
        );
        self.client
            .block_on(load::run(target.addr, self.plan, pace, target.cpu.clone()))
            .with_context(|| format!("measuring {name}"))
    }

    /// Every target at `pace`, `count` times. Rounds interleave the targets
    /// so that a burst of noise from elsewhere on the machine does not land
    /// on one of them only.
    fn rounds(&self, targets: &[Target], count: usize, pace: Pace) -> Result<Vec<Vec<Row>>> {
        let mut rounds = Vec::with_capacity(count);
        for round in 1..=count {
            let mut rows = Vec::with_capacity(targets.len());
            for target in targets {
                let label = format!("{} (round {round}/{count})", target.name);
                rows.push(Row {
                    name: target.name,
                    result: self.measure(&label, target, pace)?,
                });
            }
            rounds.push(rows);
        }
        Ok(rounds)
    }
}

/// A proxy or origin under test, where it listens and whose CPU it uses.
struct Target {
    name: &'static str,
    addr: SocketAddr,
    cpu: Option<CpuOwner>,
}

fn run(args: &Args) -> Result<()> {
    let plan = LoadPlan {
        connections: args.connections,
        workload: args.workload,
        warmup: seconds(args.warmup, "warmup")?,
        duration: seconds(args.duration, "duration")?,
    };
    if plan.duration.is_zero() || plan.connections == 0 || args.rounds == 0 {
        anyhow::bail!("--duration, --connections and --rounds must be positive");
    }
    let bench = Bench {
        client: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.client_threads.max(1))
            .thread_name("bench-client")
            .enable_all()
            .build()?,
        plan,
    };
    let workdir = tempfile::Builder::new()
        .prefix("rampart-bench-")
        .tempdir()?;
    let upstream = upstream::Upstream::start(args.upstream_threads.max(1))?;
    println!("machine: {}", report::machine());

    let mut targets = vec![Target {
        name: "direct (upstream)",
        addr: upstream.addr,
        cpu: Some(CpuOwner::OwnThreads(upstream::THREAD_NAME)),
    }];
    let proxy_workers = args
        .proxy_workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let shape = rampart::Shape {
        workers: proxy_workers,
        idle_per_upstream: args.connections,
        profile: args.profile,
    };
    let rampart = match rampart::locate_binary(args.rampart_bin.as_deref())
        .and_then(|binary| rampart::Rampart::start(&binary, upstream.addr, shape, workdir.path()))
    {
        Ok(rampart) => {
            match rampart.worker_threads() {
                Some(running) if running == proxy_workers => {}
                running => eprintln!(
                    "rampart-bench: warning: asked Rampart for {proxy_workers} workers, /proc shows {running:?} rampart-worker threads"
                ),
            }
            targets.push(Target {
                name: "rampart",
                addr: rampart.addr,
                cpu: Some(CpuOwner::Process(rampart.pid())),
            });
            Ok(rampart)
        }
        Err(problem) => {
            eprintln!("rampart-bench: Rampart not measured: {problem:#}");
            Err(problem)
        }
    };
    let nginx = start_nginx(args, upstream.addr, proxy_workers, workdir.path())?;
    if let Some(nginx) = &nginx {
        targets.push(Target {
            name: "nginx",
            addr: nginx.addr,
            cpu: Some(CpuOwner::Process(nginx.pid())),
        });
    }

    let rounds = bench.rounds(&targets, args.rounds, Pace::ClosedLoop)?;
    // Open loop at half of Rampart's maximum, on every target (nginx too, as
    // a reference for what a proxy hop adds), in rounds like the closed loop.
    let open_loop = match &rampart {
        Ok(_) => {
            let rate = args
                .open_loop_rate
                .unwrap_or_else(|| report::median_throughput(&rounds, "rampart") / 2.0);
            let open_rounds = bench.rounds(&targets, args.rounds, Pace::OpenLoop { rate })?;
            Some((rate, open_rounds))
        }
        Err(_) => None,
    };

    println!(
        "load: {:?} over {} keep-alive connections, {:?} per run after {:?} warm-up, {} round(s); proxies run {proxy_workers} worker(s); Rampart profile {:?}\n",
        plan.workload, plan.connections, plan.duration, plan.warmup, args.rounds, args.profile
    );
    println!("{}", report::rounds_summary(&rounds));
    if let Some((rate, open_rounds)) = &open_loop {
        println!(
            "{}",
            report::open_loop_summary(*rate, plan.connections, open_rounds)
        );
    }
    rampart.map(drop).context("Rampart was not measured")
}

/// nginx, or `None` (with a notice) when skipped or not installed.
fn start_nginx(
    args: &Args,
    upstream: SocketAddr,
    workers: usize,
    workdir: &Path,
) -> Result<Option<nginx::Nginx>> {
    if args.skip_nginx {
        eprintln!("rampart-bench: nginx skipped (--skip-nginx)");
        return Ok(None);
    }
    if !args.nginx_bin.is_file() {
        eprintln!(
            "rampart-bench: nginx skipped: {} not found (apt-get install nginx, or --nginx-bin)",
            args.nginx_bin.display()
        );
        return Ok(None);
    }
    nginx::Nginx::start(
        &args.nginx_bin,
        upstream,
        workers,
        args.connections,
        workdir,
    )
    .map(Some)
}
