//! CPU time spent by a target while it is measured, so that the report can
//! say what one request costs each proxy, not only how fast it came back.
//! On a machine where the load generator, the upstream and the proxy share
//! the cores, a proxy's throughput and tail latency follow from its CPU per
//! request; this is the number to compare when they move.
//!
//! Read from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on CPU, user
//! and kernel), summed over every thread of the process and of its child
//! processes (nginx's workers are children of its master).

use std::path::Path;
use std::time::Duration;

/// Whose CPU time counts as a target's.
#[derive(Debug, Clone)]
pub enum CpuOwner {
    /// A process and all its descendants.
    Process(u32),
    /// This harness's own threads whose name starts with the prefix (the
    /// in-process upstream).
    OwnThreads(&'static str),
}

impl CpuOwner {
    /// CPU time used so far, or `None` where /proc cannot tell (not Linux,
    /// process gone).
    pub fn used(&self) -> Option<Duration> {
        match self {
            CpuOwner::Process(pid) => process_tree_time(*pid, 0),
            CpuOwner::OwnThreads(prefix) => own_threads_time(prefix),
        }
    }
}

/// Deep enough for nginx's master and workers; bounds a hostile /proc loop.
const MAX_DEPTH: usize = 4;

fn process_tree_time(pid: u32, depth: usize) -> Option<Duration> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = Duration::ZERO;
    for task in tasks.flatten() {
        total += task_time(&task.path()).unwrap_or_default();
        if depth >= MAX_DEPTH {
            continue;
        }
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            total += process_tree_time(child, depth + 1).unwrap_or_default();
        }
    }
    Some(total)
}

fn own_threads_time(prefix: &str) -> Option<Duration> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut total = Duration::ZERO;
    for task in tasks.flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if name.starts_with(prefix) {
            total += task_time(&task.path()).unwrap_or_default();
        }
    }
    Some(total)
}

/// The first field of `schedstat`: nanoseconds spent running.
fn task_time(task: &Path) -> Option<Duration> {
    let stat = std::fs::read_to_string(task.join("schedstat")).ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_is_counted_by_name_and_others_are_not() {
        // Spins until the scheduler has given the thread `spin` of CPU (not
        // of wall time: on a loaded machine the two differ), a bounded loop.
        let spin = Duration::from_millis(60);
        let seen = std::thread::Builder::new()
            .name("cpu-test-spin".into())
            .spawn(move || {
                let owner = CpuOwner::OwnThreads("cpu-test-spin");
                let mut x = 0u64;
                for _ in 0..100_000 {
                    for _ in 0..100_000 {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                    if owner.used().unwrap() >= spin {
                        break;
                    }
                }
                owner.used().unwrap()
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(seen >= spin / 2, "{seen:?}");
        let nobody = CpuOwner::OwnThreads("cpu-test-nobody").used().unwrap();
        assert_eq!(nobody, Duration::ZERO);
    }

    #[test]
    fn the_children_of_a_process_are_counted_with_it() {
        // An idle shell whose child shell spins, then sleeps.
        let mut outer = std::process::Command::new("sh")
            .args([
                "-c",
                r#"sh -c 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; sleep 5'; :"#,
            ])
            .spawn()
            .unwrap();
        let owner = CpuOwner::Process(outer.id());
        let mut tree = Duration::ZERO;
        for _ in 0..300 {
            tree = owner.used().unwrap_or_default();
            if tree >= Duration::from_millis(50) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let own_path = format!("/proc/{0}/task/{0}", outer.id());
        let outer_alone = task_time(Path::new(&own_path)).unwrap();
        outer.kill().unwrap();
        outer.wait().unwrap();
        assert!(tree >= Duration::from_millis(50), "{tree:?}");
        assert!(outer_alone < Duration::from_millis(20), "{outer_alone:?}");
        assert!(CpuOwner::Process(u32::MAX).used().is_none());
    }
}
