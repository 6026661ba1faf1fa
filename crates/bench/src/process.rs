//! Child processes of the harness (Rampart, nginx): started with their output
//! in files, checked for readiness with a real request, and always stopped:
//! on drop (including on error paths), and by the kernel if the harness itself
//! dies (parent-death signal).

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a child gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// How long a child gets to start answering requests.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A running child process, stopped when dropped.
pub struct ChildGuard {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ChildGuard {
    /// Spawns `command` with stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Self> {
        let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        // SAFETY: the closure runs in the forked child before exec and only
        // makes one async-signal-safe system call.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {name}: {command:?}"))?;
        Ok(ChildGuard {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `GET probe_path` on `addr` answers 200, failing early if the
    /// child exits, and with the child's log in the error.
    pub fn wait_until_ready(&mut self, addr: SocketAddr, probe_path: &str) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut last_problem = String::from("no attempt yet");
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited during start-up ({status}); its log:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            match probe(addr, probe_path) {
                Ok(()) => return Ok(()),
                Err(problem) => last_problem = format!("{problem:#}"),
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        bail!(
            "{} did not answer GET {probe_path} on {addr} with 200 within {READY_TIMEOUT:?} (last: {last_problem}); its log:\n{}",
            self.name,
            self.log_tail()
        )
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: plain kill(2) on our own child's pid, which has not been
            // reaped yet (try_wait above returned None), so it cannot be reused.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        eprintln!(
            "rampart-bench: {} ignored SIGTERM for {STOP_GRACE:?}; killing it",
            self.name
        );
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_local_addr() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// One `GET` on a fresh connection; Ok when the status line says 200.
fn probe(addr: SocketAddr, path: &str) -> Result<()> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    if head.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        bail!("answered {:?}", String::from_utf8_lossy(&head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: u32) -> bool {
        // A reaped child leaves no /proc entry; a zombie would show state Z.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| !stat.contains(") Z "))
            .unwrap_or(false)
    }

    #[test]
    fn dropping_the_guard_stops_the_child() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sleep");
        command.arg("300");
        let guard = ChildGuard::spawn("sleep", command, &dir.path().join("sleep.log")).unwrap();
        let pid = guard.pid();
        assert!(alive(pid));
        drop(guard);
        assert!(!alive(pid));
    }

    #[test]
    fn a_child_that_exits_early_is_reported_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", "echo configuration is broken; exit 3"]);
        let mut guard =
            ChildGuard::spawn("broken", command, &dir.path().join("broken.log")).unwrap();
        let addr = free_local_addr().unwrap();
        let error = format!("{:#}", guard.wait_until_ready(addr, "/").unwrap_err());
        assert!(error.contains("broken exited during start-up"), "{error}");
        assert!(error.contains("configuration is broken"), "{error}");
    }

    #[test]
    fn readiness_needs_a_200() {
        let upstream = crate::upstream::Upstream::start(1).unwrap();
        assert!(probe(upstream.addr, "/anything").is_ok());
        let nothing = free_local_addr().unwrap();
        assert!(probe(nothing, "/").is_err());
    }
}
