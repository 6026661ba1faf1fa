//! What Rampart's tests and benches share: finding what they need outside
//! the Rust toolchain (`redis-server`, a Python package, a browser), and
//! counting heap bytes for the benches that state a memory bound
//! ([`heap`]), building small MaxMind DB files for geo and ASN tests
//! ([`mmdb`]), and a DNS server answering from a table ([`dns`]).
//!
//! `cargo test --workspace` must pass on a machine with only the toolchain,
//! and must not pass in CI because something was left uninstalled. So a test
//! asks for what it needs through this crate first:
//!
//! ```no_run
//! let Some(redis) = rampart_testkit::program("redis-server", "apt-get install redis-server") else {
//!     return; // skipped, with a one-line reason on stderr
//! };
//! ```
//!
//! When the program is missing, the test is skipped with one line on stderr
//! (`skipped: redis-server is not on the PATH (apt-get install
//! redis-server)`), unless the environment variable `CI` is set (to anything
//! but empty, `0` or `false`): then the test fails with the same reason, since
//! `.ci/run` installs everything the tests need.

pub mod dns;
pub mod heap;
pub mod mmdb;

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The full path of `name` on the `PATH`, or `None` after reporting it
/// missing (see the crate documentation; panics under CI). `install` says
/// how to get it, e.g. `apt-get install redis-server`.
pub fn program(name: &str, install: &str) -> Option<PathBuf> {
    let found = find_on_path(name, std::env::var_os("PATH").as_deref());
    if found.is_none() {
        missing(&format!("{name} is not on the PATH"), install);
    }
    found
}

/// Whether `python3` imports `module`, after reporting it missing when it
/// does not (see the crate documentation; panics under CI).
pub fn python_module(module: &str, install: &str) -> bool {
    let Some(python) = program("python3", install) else {
        return false;
    };
    let imports = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !imports {
        missing(
            &format!("the Python module {module} is not installed"),
            install,
        );
    }
    imports
}

/// Reports something a test needs as missing: one line on stderr, or a
/// panic when `CI` is set.
fn missing(what: &str, install: &str) {
    if is_ci(std::env::var_os("CI").as_deref()) {
        panic!("{what}, and CI is set: the tests need it ({install})");
    }
    // Written to the process's stderr, not through `eprintln!`, which the
    // test harness captures and shows only for failing tests.
    let _ = writeln!(std::io::stderr().lock(), "skipped: {what} ({install})");
}

/// Whether a value of `CI` means "running in CI": set, and not empty, `0`
/// or `false`.
fn is_ci(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The first executable file called `name` in the directories of `path`.
fn find_on_path(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let path: OsString = path?.to_owned();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_is_any_value_but_empty_zero_or_false() {
        assert!(!is_ci(None));
        for off in ["", "0", "false", "FALSE"] {
            assert!(!is_ci(Some(OsStr::new(off))), "{off:?}");
        }
        for on in ["1", "true", "yes"] {
            assert!(is_ci(Some(OsStr::new(on))), "{on:?}");
        }
    }

    #[test]
    fn programs_are_found_only_where_the_path_says_and_only_when_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path =
            std::env::join_paths([std::path::Path::new("/nonexistent"), dir.path()]).unwrap();
        assert_eq!(find_on_path("tool", Some(&path)), None, "not executable");
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_on_path("tool", Some(&path)), Some(tool));
        assert_eq!(find_on_path("tool", Some(OsStr::new("/nonexistent"))), None);
        assert_eq!(find_on_path("tool", None), None);
    }
}
