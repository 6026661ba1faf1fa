//! nginx as the reference reverse proxy: a configuration written into a temp
//! directory (keep-alive to the upstream, no access log, every path inside the
//! directory), run in the foreground as the current user.

use crate::process::{free_local_addr, ChildGuard};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

pub struct Nginx {
    pub addr: SocketAddr,
    process: ChildGuard,
}

impl Nginx {
    pub fn start(
        binary: &Path,
        upstream: SocketAddr,
        workers: usize,
        keepalive: usize,
        workdir: &Path,
    ) -> Result<Self> {
        let addr = free_local_addr()?;
        let prefix = workdir.join("nginx");
        std::fs::create_dir_all(prefix.join("logs")).context("creating the nginx directory")?;
        // As root, nginx would hand its workers to `nobody`; keep them as us.
        let as_root = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, config(addr, upstream, workers, keepalive, as_root))
            .with_context(|| format!("writing {}", conf.display()))?;
        let mut command = Command::new(binary);
        command
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(prefix.join("logs/error.log"))
            .args(["-g", "daemon off;"]);
        let mut process = ChildGuard::spawn("nginx", command, &prefix.join("logs/stderr.log"))?;
        process.wait_until_ready(addr, "/bench")?;
        Ok(Nginx { addr, process })
    }

    /// The master's pid; its workers are its children.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

fn config(
    listen: SocketAddr,
    upstream: SocketAddr,
    workers: usize,
    keepalive: usize,
    as_root: bool,
) -> String {
    let user = if as_root { "user root;\n" } else { "" };
    format!(
        r#"# Written by rampart-bench: nginx as a plain reverse proxy.
{user}worker_processes {workers};
pid nginx.pid;
error_log logs/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path client_body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    keepalive_requests 100000000;
    keepalive_timeout 75s;

    upstream origin {{
        server {upstream};
        keepalive {keepalive};
        keepalive_requests 100000000;
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_proxies_with_upstream_keepalive_and_no_access_log() {
        let listen: SocketAddr = "127.0.0.1:8081".parse().unwrap();
        let upstream: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let text = config(listen, upstream, 2, 64, false);
        for expected in [
            "worker_processes 2;",
            "server 127.0.0.1:3000;",
            "keepalive 64;",
            "access_log off;",
            "listen 127.0.0.1:8081;",
            "proxy_set_header Connection \"\";",
        ] {
            assert!(text.contains(expected), "missing {expected:?}");
        }
        assert!(!text.contains("user root"));
        assert!(config(listen, upstream, 2, 64, true).starts_with(
            "# Written by rampart-bench: nginx as a plain reverse proxy.\nuser root;"
        ));
    }

    /// Runs the real nginx when it is installed.
    #[test]
    fn nginx_proxies_to_the_upstream_and_stops_on_drop() {
        let binary = Path::new("/usr/sbin/nginx");
        if !binary.is_file() {
            eprintln!("skipped: no nginx at {}", binary.display());
            return;
        }
        let upstream = crate::upstream::Upstream::start(1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let nginx = Nginx::start(binary, upstream.addr, 1, 8, dir.path()).unwrap();
        let addr = nginx.addr;
        drop(nginx);
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "nginx still listening after drop"
        );
    }
}
