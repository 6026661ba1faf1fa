//! The load generator: N keep-alive HTTP/1.1 connections (hyper client, one
//! request in flight per connection, no pipelining), latencies in an HDR
//! histogram.
//!
//! Two paces:
//! - closed loop: each connection sends its next request as soon as the last
//!   answer arrived; the completed count over the window is the maximum
//!   throughput;
//! - open loop: requests are due on a fixed schedule (the total rate spread
//!   evenly over the connections). Latency is counted from the moment a
//!   request was due, not from when it went out, so a slow answer that delays
//!   the next request on its connection is charged to that request too (no
//!   coordinated omission). The one delay not charged is the timer's own
//!   lateness when the connection was idle (tokio's timer has 1 ms
//!   granularity): then latency runs from the actual send.

use crate::cpu::CpuOwner;
use crate::workload::Workload;
use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hdrhistogram::Histogram;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{timeout, Instant};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// No single request may take longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Open loop: requests still unsent this long after the window closes are
/// given up and counted as unsent.
const OPEN_LOOP_DRAIN: Duration = Duration::from_secs(2);
/// Histogram range: 1 us to 60 s, 3 significant digits.
const HISTOGRAM_MAX_MICROS: u64 = 60_000_000;

/// How much load, for how long.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    pub connections: usize,
    pub workload: Workload,
    pub warmup: Duration,
    pub duration: Duration,
}

#[derive(Debug, Clone, Copy)]
pub enum Pace {
    ClosedLoop,
    /// Total requests per second across all connections.
    OpenLoop {
        rate: f64,
    },
}

/// What one run measured, over the window after warm-up.
pub struct LoadResult {
    /// Successful (200) answers, latency in microseconds.
    pub latency_micros: Histogram<u64>,
    /// Failed requests: connection errors, timeouts, non-200 answers.
    pub errors: u64,
    /// Open loop only: requests due in the window that were never sent.
    pub unsent: u64,
    pub window: Duration,
    /// CPU time the target used over the window, when it could be read.
    pub cpu: Option<Duration>,
}

impl LoadResult {
    fn empty(window: Duration) -> Result<Self> {
        Ok(LoadResult {
            latency_micros: Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, 3)?,
            errors: 0,
            unsent: 0,
            window,
            cpu: None,
        })
    }

    fn merge(&mut self, other: &LoadResult) -> Result<()> {
        self.latency_micros.add(&other.latency_micros)?;
        self.errors += other.errors;
        self.unsent += other.unsent;
        Ok(())
    }

    fn record(&mut self, ok: bool, latency: Duration) {
        if ok {
            let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
            self.latency_micros
                .saturating_record(micros.clamp(1, HISTOGRAM_MAX_MICROS));
        } else {
            self.errors += 1;
        }
    }

    /// Successful requests per second.
    pub fn throughput(&self) -> f64 {
        self.latency_micros.len() as f64 / self.window.as_secs_f64()
    }

    /// The target's CPU time per successful request, in microseconds.
    pub fn cpu_micros_per_request(&self) -> Option<f64> {
        let requests = self.latency_micros.len();
        let cpu = self.cpu?;
        (requests > 0).then(|| cpu.as_secs_f64() * 1e6 / requests as f64)
    }

    /// The latency at `quantile` (0..=1), in milliseconds.
    pub fn latency_ms(&self, quantile: f64) -> f64 {
        self.latency_micros.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// One keep-alive connection that reconnects after an error.
struct Connection {
    target: SocketAddr,
    host: String,
    workload: Workload,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Connection {
    fn new(target: SocketAddr, workload: Workload) -> Self {
        Connection {
            target,
            host: target.to_string(),
            workload,
            sender: None,
        }
    }

    async fn connect(&mut self) -> Result<()> {
        let stream = timeout(CONNECT_TIMEOUT, TcpStream::connect(self.target))
            .await
            .context("connect timed out")??;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        self.sender = Some(sender);
        Ok(())
    }

    /// One request of the workload; true when it was answered 200 with its full body.
    async fn request(&mut self) -> bool {
        let ok = matches!(
            timeout(REQUEST_TIMEOUT, self.try_request()).await,
            Ok(Ok(StatusCode::OK))
        );
        if !ok {
            // Whatever went wrong, the next request starts on a fresh connection.
            self.sender = None;
        }
        ok
    }

    async fn try_request(&mut self) -> Result<StatusCode> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            self.connect().await?;
        }
        let Some(sender) = self.sender.as_mut() else {
            bail!("not connected");
        };
        sender.ready().await?;
        let request = self.workload.request(&self.host)?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        Ok(status)
    }
}

/// Runs `plan` against `target` at `pace` and merges every connection's
/// result, with the CPU time `cpu` used over the measured window.
pub async fn run(
    target: SocketAddr,
    plan: LoadPlan,
    pace: Pace,
    cpu: Option<CpuOwner>,
) -> Result<LoadResult> {
    if plan.connections == 0 {
        bail!("at least one connection is needed");
    }
    let mut connections = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let mut connection = Connection::new(target, plan.workload);
        connection
            .connect()
            .await
            .with_context(|| format!("connecting to {target}"))?;
        connections.push(connection);
    }
    let start = Instant::now();
    let cpu_meter = cpu.map(|owner| meter_cpu(owner, start.into_std(), plan));
    let mut tasks = JoinSet::new();
    for (index, connection) in connections.into_iter().enumerate() {
        let schedule = Schedule { start, plan, index };
        tasks.spawn(async move {
            match pace {
                Pace::ClosedLoop => closed_loop(connection, schedule).await,
                Pace::OpenLoop { rate } => open_loop(connection, schedule, rate).await,
            }
        });
    }
    let mut total = LoadResult::empty(plan.duration)?;
    while let Some(joined) = tasks.join_next().await {
        total.merge(&joined.context("a load task panicked")??)?;
    }
    if let Some(meter) = cpu_meter {
        total.cpu = meter.join().ok().flatten();
    }
    Ok(total)
}

/// Reads `owner`'s CPU time when the measured window opens and when it
/// closes, on a thread of its own so that the load's runtime is not held up.
fn meter_cpu(
    owner: CpuOwner,
    start: std::time::Instant,
    plan: LoadPlan,
) -> std::thread::JoinHandle<Option<Duration>> {
    let sleep_until = |when: std::time::Instant| {
        std::thread::sleep(when.saturating_duration_since(std::time::Instant::now()));
    };
    std::thread::spawn(move || {
        let opens = start + plan.warmup;
        sleep_until(opens);
        let before = owner.used()?;
        sleep_until(opens + plan.duration);
        owner.used()?.checked_sub(before)
    })
}

/// When one connection's run starts, measures, and ends.
#[derive(Clone, Copy)]
struct Schedule {
    start: Instant,
    plan: LoadPlan,
    index: usize,
}

impl Schedule {
    fn measure_from(&self) -> Instant {
        self.start + self.plan.warmup
    }

    fn end(&self) -> Instant {
        self.measure_from() + self.plan.duration
    }
}

async fn closed_loop(mut connection: Connection, schedule: Schedule) -> Result<LoadResult> {
    let mut result = LoadResult::empty(schedule.plan.duration)?;
    let (measure_from, end) = (schedule.measure_from(), schedule.end());
    while Instant::now() < end {
        let sent = Instant::now();
        let ok = connection.request().await;
        let done = Instant::now();
        if sent >= measure_from && done <= end {
            result.record(ok, done - sent);
        }
    }
    Ok(result)
}

async fn open_loop(
    mut connection: Connection,
    schedule: Schedule,
    rate: f64,
) -> Result<LoadResult> {
    if !(rate.is_finite() && rate > 0.0) {
        bail!("open-loop rate must be a positive number, got {rate}");
    }
    let connections = schedule.plan.connections as f64;
    let interval = Duration::from_secs_f64(connections / rate);
    let mut due = schedule.start + Duration::from_secs_f64(schedule.index as f64 / rate);
    let (measure_from, end) = (schedule.measure_from(), schedule.end());
    let give_up = end + OPEN_LOOP_DRAIN;
    let mut result = LoadResult::empty(schedule.plan.duration)?;
    let mut previous_done = schedule.start;
    while due < end {
        let measured = due >= measure_from;
        if Instant::now() >= give_up {
            result.unsent += u64::from(measured);
        } else {
            tokio::time::sleep_until(due).await;
            // The earliest moment the request could have gone out: when it was
            // due, or later if this connection was still busy with the last one.
            let ready = due.max(previous_done);
            let sent = Instant::now();
            let ok = connection.request().await;
            let done = Instant::now();
            previous_done = done;
            if measured {
                result.record(ok, (done - sent) + (ready - due));
            }
        }
        due += interval;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::Upstream;

    fn plan(connections: usize) -> LoadPlan {
        LoadPlan {
            connections,
            workload: Workload::Post,
            warmup: Duration::from_millis(200),
            duration: Duration::from_millis(800),
        }
    }

    #[test]
    fn closed_loop_completes_requests_without_errors() {
        let upstream = Upstream::start(1).unwrap();
        let client = tokio::runtime::Runtime::new().unwrap();
        let result = client
            .block_on(run(
                upstream.addr,
                plan(4),
                Pace::ClosedLoop,
                Some(CpuOwner::OwnThreads("bench-upstream")),
            ))
            .unwrap();
        let per_request = result.cpu_micros_per_request().unwrap();
        assert!(per_request > 0.0, "the upstream served on some CPU");
        assert!(!result.latency_micros.is_empty());
        assert_eq!(result.errors, 0);
        assert_eq!(result.unsent, 0);
        assert!(result.latency_ms(0.5) <= result.latency_ms(0.99));
    }

    #[test]
    fn open_loop_sends_every_request_due_in_the_window() {
        let upstream = Upstream::start(1).unwrap();
        let client = tokio::runtime::Runtime::new().unwrap();
        let rate = 500.0;
        let connections = 5;
        let result = client
            .block_on(run(
                upstream.addr,
                plan(connections),
                Pace::OpenLoop { rate },
                None,
            ))
            .unwrap();
        let accounted = result.latency_micros.len() + result.errors + result.unsent;
        let due = rate * 0.8;
        assert!(
            (accounted as f64 - due).abs() <= connections as f64,
            "{accounted} requests accounted for, {due} due"
        );
        assert_eq!(result.errors, 0);
    }

    #[test]
    fn failures_are_counted_not_recorded() {
        // A port that was free a moment ago: nothing listens there.
        let closed = crate::process::free_local_addr().unwrap();
        let client = tokio::runtime::Runtime::new().unwrap();
        let mut connection = Connection::new(closed, Workload::Get);
        let ok = client.block_on(connection.request());
        assert!(!ok);
        assert!(client
            .block_on(run(closed, plan(1), Pace::ClosedLoop, None))
            .is_err());
        let mut result = LoadResult::empty(Duration::from_secs(1)).unwrap();
        result.record(false, Duration::from_millis(5));
        result.record(true, Duration::from_millis(2));
        assert_eq!((result.errors, result.latency_micros.len()), (1, 1));
        assert_eq!(result.throughput(), 1.0);
    }

    #[test]
    fn open_loop_rejects_a_nonsensical_rate() {
        let upstream = Upstream::start(1).unwrap();
        let client = tokio::runtime::Runtime::new().unwrap();
        assert!(client
            .block_on(run(
                upstream.addr,
                plan(1),
                Pace::OpenLoop { rate: 0.0 },
                None
            ))
            .is_err());
    }
}
