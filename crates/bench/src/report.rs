//! The harness's printed results: the closed-loop table with ratios to nginx,
//! the open-loop added-latency lines with the product targets, and a line
//! describing the machine.

use crate::load::LoadResult;
use std::fmt::Write;

/// Rampart must reach at least this fraction of nginx's throughput.
pub const THROUGHPUT_TARGET: f64 = 0.9;
/// Rampart may add at most this much p99 latency at half its maximum rate.
pub const ADDED_P99_TARGET_MS: f64 = 1.0;

pub struct Row {
    pub name: &'static str,
    pub result: LoadResult,
}

/// `nproc` and the CPU model, from the standard library and /proc/cpuinfo.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cores} CPUs, {model}")
}

/// One table line: name, rate, p50/p99/p99.9, CPU per request, errors, and
/// one last column.
fn table_line(name: &str, rate: &str, measures: [&str; 4], errors: &str, last: &str) -> String {
    let [p50, p99, p999, cpu] = measures;
    format!("{name:<18} {rate:>10} {p50:>8} {p99:>8} {p999:>9} {cpu:>11} {errors:>7} {last:>9}\n")
}

fn result_line(name: &str, result: &LoadResult, last: &str) -> String {
    let ms = |q| format!("{:.3}", result.latency_ms(q));
    let cpu = result
        .cpu_micros_per_request()
        .map_or_else(|| "-".to_owned(), |micros| format!("{micros:.1}"));
    table_line(
        name,
        &format!("{:.0}", result.throughput()),
        [&ms(0.50), &ms(0.99), &ms(0.999), &cpu],
        &result.errors.to_string(),
        last,
    )
}

/// Latencies, then the target's own CPU time per request (the upstream's for
/// the direct runs: the proxies' rows do not include it).
const MEASURE_HEADERS: [&str; 4] = ["p50 ms", "p99 ms", "p99.9 ms", "cpu us/req"];

/// The closed-loop table; the last column is throughput relative to the row
/// named `nginx` when there is one.
pub fn throughput_table(rows: &[&Row]) -> String {
    let nginx = rows
        .iter()
        .find(|r| r.name == "nginx")
        .map(|r| r.result.throughput());
    let mut text = table_line("config", "req/s", MEASURE_HEADERS, "errors", "vs nginx");
    for row in rows {
        let ratio = nginx.map_or_else(
            || "-".to_owned(),
            |n| format!("{:.2}x", row.result.throughput() / n),
        );
        text.push_str(&result_line(row.name, &row.result, &ratio));
    }
    text
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

fn throughput_of(round: &[Row], name: &str) -> Option<f64> {
    round
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.result.throughput())
}

/// The median over rounds of `name`'s throughput (0 when never measured).
pub fn median_throughput(rounds: &[Vec<Row>], name: &str) -> f64 {
    median(
        rounds
            .iter()
            .filter_map(|round| throughput_of(round, name))
            .collect(),
    )
    .unwrap_or(0.0)
}

/// For each target, the round with its median `measure` (a real run, so its
/// other numbers belong with it), in first-round order.
fn median_rows(rounds: &[Vec<Row>], measure: impl Fn(&LoadResult) -> f64) -> Vec<&Row> {
    let Some(first) = rounds.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter_map(|target| {
            let mut runs: Vec<&Row> = rounds
                .iter()
                .flatten()
                .filter(|r| r.name == target.name)
                .collect();
            runs.sort_by(|a, b| measure(&a.result).total_cmp(&measure(&b.result)));
            runs.get(runs.len() / 2).copied()
        })
        .collect()
}

/// The table of median runs, each round's throughputs, and Rampart's
/// throughput relative to nginx (median of the per-round ratios) with the target.
pub fn rounds_summary(rounds: &[Vec<Row>]) -> String {
    let mut text = format!("Closed loop, median run of {} round(s):\n", rounds.len());
    text.push_str(&throughput_table(&median_rows(
        rounds,
        LoadResult::throughput,
    )));
    let mut ratios = Vec::new();
    for (i, round) in rounds.iter().enumerate() {
        let rates: Vec<String> = round
            .iter()
            .map(|r| format!("{} {:.0}", r.name, r.result.throughput()))
            .collect();
        write!(text, "  round {}: {}", i + 1, rates.join(", ")).ok();
        if let (Some(rampart), Some(nginx)) = (
            throughput_of(round, "rampart"),
            throughput_of(round, "nginx"),
        ) {
            ratios.push(rampart / nginx);
            write!(text, "; rampart/nginx {:.2}", rampart / nginx).ok();
        }
        text.push('\n');
    }
    if let Some(ratio) = median(ratios) {
        writeln!(
            text,
            "Rampart / nginx throughput (median of rounds): {ratio:.3} (target >= {THROUGHPUT_TARGET}): {}",
            verdict(ratio >= THROUGHPUT_TARGET)
        )
        .ok();
    }
    text
}

/// The open-loop runs at one rate, `rounds` times (each round: the upstream
/// direct first, then the proxies), and the p99 latency each proxy adds:
/// per round, its p99 minus the upstream's in the same round; the verdict
/// takes the median over rounds, as the throughput ratio does.
pub fn open_loop_summary(rate: f64, connections: usize, rounds: &[Vec<Row>]) -> String {
    let p99 = |result: &LoadResult| result.latency_ms(0.99);
    let mut text = format!(
        "Open loop at {rate:.0} req/s, {connections} connections, median run of {} round(s) by p99, latency from the intended send time:\n",
        rounds.len()
    );
    text.push_str(&table_line(
        "config",
        "achieved",
        MEASURE_HEADERS,
        "errors",
        "unsent",
    ));
    for run in median_rows(rounds, p99) {
        text.push_str(&result_line(
            run.name,
            &run.result,
            &run.result.unsent.to_string(),
        ));
    }
    let added_in = |round: &[Row], name: &str| {
        let (direct, proxies) = round.split_first()?;
        let proxy = proxies.iter().find(|r| r.name == name)?;
        Some(p99(&proxy.result) - p99(&direct.result))
    };
    let proxies: Vec<&str> = rounds
        .first()
        .map(|round| round.iter().skip(1).map(|r| r.name).collect())
        .unwrap_or_default();
    for (i, round) in rounds.iter().enumerate() {
        let added: Vec<String> = proxies
            .iter()
            .filter_map(|&name| Some(format!("{name} {:+.3} ms", added_in(round, name)?)))
            .collect();
        writeln!(text, "  round {}: p99 added: {}", i + 1, added.join(", ")).ok();
    }
    for name in proxies {
        let Some(added) = median(rounds.iter().filter_map(|r| added_in(r, name)).collect()) else {
            continue;
        };
        write!(
            text,
            "p99 added by {name} (median of rounds): {added:.3} ms"
        )
        .ok();
        if name == "rampart" {
            write!(
                text,
                " (target < {ADDED_P99_TARGET_MS} ms): {}",
                verdict(added < ADDED_P99_TARGET_MS)
            )
            .ok();
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(latencies_ms: &[u64], seconds: u64) -> LoadResult {
        let mut histogram = hdrhistogram::Histogram::new_with_bounds(1, 60_000_000, 3).unwrap();
        for ms in latencies_ms {
            histogram.record(ms * 1000).unwrap();
        }
        LoadResult {
            latency_micros: histogram,
            errors: 0,
            unsent: 0,
            window: Duration::from_secs(seconds),
            cpu: Some(Duration::from_millis(seconds)),
        }
    }

    fn round(rampart: usize, nginx: usize) -> Vec<Row> {
        vec![
            Row {
                name: "rampart",
                result: result(&vec![1; rampart], 1),
            },
            Row {
                name: "nginx",
                result: result(&vec![2; nginx], 1),
            },
        ]
    }

    #[test]
    fn table_shows_rates_percentiles_and_ratio_to_nginx() {
        let rows = round(90, 100);
        let table = throughput_table(&rows.iter().collect::<Vec<_>>());
        let rampart_line = table.lines().find(|l| l.starts_with("rampart")).unwrap();
        assert!(rampart_line.contains(" 90 "), "{rampart_line}");
        assert!(rampart_line.contains("1.000"), "{rampart_line}");
        // 1 ms of CPU over 90 requests.
        assert!(rampart_line.contains(" 11.1 "), "{rampart_line}");
        assert!(rampart_line.ends_with("0.90x"), "{rampart_line}");
    }

    #[test]
    fn rounds_report_the_median_run_and_median_ratio() {
        let rounds = vec![round(50, 100), round(95, 100), round(99, 100)];
        assert_eq!(median_throughput(&rounds, "rampart"), 95.0);
        assert_eq!(median_throughput(&rounds, "absent"), 0.0);
        let summary = rounds_summary(&rounds);
        assert!(
            summary.contains("round 1: rampart 50, nginx 100; rampart/nginx 0.50"),
            "{summary}"
        );
        assert!(summary.contains("(median of rounds): 0.950"), "{summary}");
        assert!(summary.trim_end().ends_with("PASS"), "{summary}");
        let table_line = summary.lines().find(|l| l.starts_with("rampart ")).unwrap();
        assert!(table_line.contains(" 95 "), "{table_line}");
        let failing = rounds_summary(&[round(80, 100)]);
        assert!(failing.trim_end().ends_with("FAIL"), "{failing}");
    }

    #[test]
    fn added_latency_is_the_median_of_the_per_round_p99_differences() {
        let run = |name, ms| Row {
            name,
            result: result(&[ms; 100], 1),
        };
        let round = |direct, rampart, nginx| {
            vec![
                run("direct (upstream)", direct),
                run("rampart", rampart),
                run("nginx", nginx),
            ]
        };
        // rampart adds 2, 9 and 3 ms; nginx 1, 1 and 0 ms.
        let rounds = vec![round(1, 3, 2), round(1, 10, 2), round(2, 5, 2)];
        let summary = open_loop_summary(100.0, 4, &rounds);
        assert!(
            // The histogram keeps 3 significant digits: 9 ms reads 9.007.
            summary.contains("round 2: p99 added: rampart +9.0"),
            "{summary}"
        );
        assert!(
            summary.contains("p99 added by rampart (median of rounds): 3.00"),
            "{summary}"
        );
        assert!(summary.contains("(target < 1 ms): FAIL"), "{summary}");
        assert!(
            summary.contains("p99 added by nginx (median of rounds): 1.000 ms\n"),
            "{summary}"
        );
        // The table shows each target's median run by p99: rampart's 5 ms run.
        let rampart_line = summary.lines().find(|l| l.starts_with("rampart ")).unwrap();
        assert!(rampart_line.contains(" 5.00"), "{rampart_line}");
        let fast = open_loop_summary(
            100.0,
            4,
            &[vec![run("direct (upstream)", 1), run("rampart", 1)]],
        );
        assert!(fast.trim_end().ends_with("PASS"), "{fast}");
    }

    #[test]
    fn machine_names_the_cpu_count() {
        assert!(machine().contains("CPUs"));
    }
}
