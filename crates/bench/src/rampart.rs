//! Rampart as a benchmark target: find (or build) the `rampart` binary, write
//! a configuration for the chosen [`Profile`], start it and count its worker
//! threads.

use crate::process::{free_local_addr, ChildGuard};
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Rampart {
    pub addr: SocketAddr,
    process: ChildGuard,
}

impl Rampart {
    pub fn start(
        binary: &Path,
        upstream: SocketAddr,
        shape: Shape,
        workdir: &Path,
    ) -> Result<Self> {
        let addr = free_local_addr()?;
        let admin = free_local_addr()?;
        let config_path = workdir.join("rampart-bench.toml");
        std::fs::write(&config_path, config(addr, admin, upstream, shape))
            .with_context(|| format!("writing {}", config_path.display()))?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--config")
            .arg(&config_path)
            .current_dir(workdir)
            .env("RUST_LOG", "warn");
        let mut process = ChildGuard::spawn("rampart", command, &workdir.join("rampart.log"))?;
        process.wait_until_ready(addr, "/bench")?;
        Ok(Rampart { addr, process })
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The number of serving threads the running gateway has, read from
    /// /proc (threads named `rampart-worker-N`); `None` when there are none.
    pub fn worker_threads(&self) -> Option<usize> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.process.pid())).ok()?;
        let workers = tasks
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with("rampart-worker-"))
            .count();
        (workers > 0).then_some(workers)
    }
}

/// How the gateway is sized for the run.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// `server.workers`: serving threads.
    pub workers: usize,
    /// `max_idle_per_address` of the upstream pool.
    pub idle_per_upstream: usize,
    pub profile: Profile,
}

/// What Rampart does to each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// The pipeline runs with nothing to do: `ip_lists` with empty lists,
    /// no event sinks. The cost of the proxy itself.
    Bare,
    /// Everything a user turns on: `ip_lists`, `discover`, `detect` and
    /// `prevent`; two GCRA limits (per IP, per endpoint) applied by two
    /// `rate_limit` rules, a rule that blocks on the detection score, and
    /// security events written to a JSON-lines file. The limits are far
    /// above the offered load: they are consulted on every request and
    /// never refuse one.
    Full,
}

/// The `[events]`, `[pipeline]`, `[discovery]` and `[prevent]` sections.
fn protection(profile: Profile) -> &'static str {
    match profile {
        Profile::Bare => {
            r#"[pipeline]
stages = ["ip_lists"]
"#
        }
        Profile::Full => {
            r#"[events]
jsonl = "rampart-events.jsonl"

[pipeline]
stages = ["ip_lists", "discover", "detect", "prevent"]

[discovery]

[[prevent.limits]]
name = "per-ip"
key = { parts = ["ip"] }
quota = { requests = 10000000, per_seconds = 1 }

[[prevent.limits]]
name = "per-endpoint"
key = { parts = ["endpoint"] }
quota = { requests = 10000000, per_seconds = 1 }

[[prevent.policy.rules]]
name = "limit-clients"
when = 'true'
action = { type = "rate_limit", limit = "per-ip" }

[[prevent.policy.rules]]
name = "limit-endpoints"
when = 'true'
action = { type = "rate_limit", limit = "per-endpoint" }

[[prevent.policy.rules]]
name = "block-risky"
when = 'signals.score >= 8.0'
action = { type = "block" }
"#
        }
    }
}

fn config(listen: SocketAddr, admin: SocketAddr, upstream: SocketAddr, shape: Shape) -> String {
    let Shape {
        workers,
        idle_per_upstream,
        profile,
    } = shape;
    let protection = protection(profile);
    format!(
        r#"# Written by rampart-bench, profile {profile:?}.
[server]
drain_timeout = "1s"
workers = {workers}

[admin]
listen = "{admin}"

{protection}
[[listeners]]
name = "bench"
listen = "{listen}"

[[upstreams]]
name = "origin"
addresses = ["{upstream}"]
max_idle_per_address = {idle_per_upstream}

[[routes]]
name = "all"
path_prefix = "/"
upstream = "origin"
ip_allow = []
ip_deny = []
"#
    )
}

/// `explicit`, else `rampart` next to this executable, built with
/// `cargo build --release -p rampart` (cargo from `$CARGO`) when missing.
pub fn locate_binary(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("--rampart-bin {} is not a file", path.display());
        }
        // Absolute: the child starts in the run's own directory, where a
        // relative path would name nothing.
        return path
            .canonicalize()
            .with_context(|| format!("resolving --rampart-bin {}", path.display()));
    }
    let own = std::env::current_exe().context("finding this executable")?;
    let dir = own.parent().context("this executable has no directory")?;
    let candidate = dir.join("rampart");
    if candidate.is_file() {
        return Ok(candidate);
    }
    // target/<profile>/rampart-bench: build into the same target directory.
    let target_dir = dir
        .parent()
        .context("this executable is not inside a target directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    eprintln!(
        "rampart-bench: {} is missing; building it (cargo build --release -p rampart)",
        candidate.display()
    );
    let status = Command::new(&cargo)
        .args(["build", "--release", "-p", "rampart", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .with_context(|| format!("running {}", Path::new(&cargo).display()))?;
    if !status.success() {
        bail!("cargo build --release -p rampart failed ({status})");
    }
    let built = target_dir.join("release").join("rampart");
    if built.is_file() {
        Ok(built)
    } else {
        bail!("the build succeeded but {} does not exist", built.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(profile: Profile) -> String {
        config(
            "127.0.0.1:8080".parse().unwrap(),
            "127.0.0.1:9090".parse().unwrap(),
            "127.0.0.1:3000".parse().unwrap(),
            Shape {
                workers: 3,
                idle_per_upstream: 64,
                profile,
            },
        )
    }

    #[test]
    fn bare_config_has_one_listener_upstream_route_and_no_event_sinks() {
        let text = shaped(Profile::Bare);
        assert!(text.contains("workers = 3\n"));
        assert!(text.contains("max_idle_per_address = 64\n"));
        assert_eq!(text.matches("[[listeners]]").count(), 1);
        assert_eq!(text.matches("[[upstreams]]").count(), 1);
        assert_eq!(text.matches("[[routes]]").count(), 1);
        assert!(text.contains(r#"stages = ["ip_lists"]"#));
        assert!(text.contains(r#"addresses = ["127.0.0.1:3000"]"#));
        assert!(!text.contains("[events]"));
    }

    #[test]
    fn full_config_runs_every_stage_with_limits_a_rule_and_events() {
        let text = shaped(Profile::Full);
        assert!(text.contains(r#"stages = ["ip_lists", "discover", "detect", "prevent"]"#));
        assert_eq!(text.matches("[[prevent.limits]]").count(), 2);
        assert_eq!(text.matches(r#"type = "rate_limit""#).count(), 2);
        assert!(text.contains(r#"type = "block""#));
        assert!(text.contains("jsonl = "));
    }

    #[test]
    fn an_explicit_binary_must_exist() {
        let error = locate_binary(Some(Path::new("/nonexistent/rampart"))).unwrap_err();
        assert!(error.to_string().contains("is not a file"));
    }

    #[test]
    fn an_explicit_relative_binary_is_made_absolute() {
        // Tests run in the crate's directory.
        let found = locate_binary(Some(Path::new("Cargo.toml"))).unwrap();
        assert!(found.is_absolute(), "{}", found.display());
        assert!(found.ends_with("crates/bench/Cargo.toml"));
    }
}
