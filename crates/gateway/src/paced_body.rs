//! Request bodies that must keep arriving.
//!
//! A client that opens many requests and sends each body one byte at a time
//! holds a connection, a task and a buffer per request for as long as it
//! likes (slowloris on the body, "R-U-Dead-Yet"). Every body read from a
//! client goes through [`PacedBody`], which gives up on the body, the way
//! nginx's `client_body_timeout` and Apache's `mod_reqtimeout` do, when
//!
//! - no byte arrived for `body_read_timeout` (a stalled client), or
//! - after that same grace period, the body arrives slower on average than
//!   `min_body_rate` bytes per second (a trickling client): a body of `n`
//!   bytes so far may take `body_read_timeout + n / min_body_rate`.
//!
//! Both apply to HTTP/1.1 bodies and HTTP/2 request streams alike. The
//! timer is created only when the body makes the reader wait, and each
//! expiry is counted in `rampart_client_timeouts_total`.

use crate::telemetry;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// How slowly a request body may arrive (`[server]` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPace {
    /// The longest wait for the next bytes, and the grace period before the
    /// rate is enforced.
    pub read_timeout: Duration,
    /// The slowest average rate accepted after the grace period; 0: no rate.
    pub min_bytes_per_second: u64,
}

/// Which rule gave up on a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooSlow {
    #[error("no request body bytes arrived for {0:?}")]
    Stalled(Duration),
    #[error("the request body arrived slower than {0} bytes per second")]
    BelowRate(u64),
}

impl TooSlow {
    /// The `reason` label of `rampart_client_timeouts_total`.
    pub fn metric_reason(self) -> &'static str {
        match self {
            TooSlow::Stalled(_) => "body_read",
            TooSlow::BelowRate(_) => "body_rate",
        }
    }
}

/// Why a paced body failed.
#[derive(Debug, thiserror::Error)]
pub enum PacedError {
    #[error(transparent)]
    Client(hyper::Error),
    #[error(transparent)]
    TooSlow(TooSlow),
}

/// A client's request body, read under a [`BodyPace`].
pub struct PacedBody {
    inner: Incoming,
    pace: BodyPace,
    started: Instant,
    last_read: Instant,
    received: u64,
    /// Armed only once the body made the reader wait.
    timer: Option<Pin<Box<Sleep>>>,
}

impl PacedBody {
    pub fn new(inner: Incoming, pace: BodyPace) -> Self {
        let now = Instant::now();
        PacedBody {
            inner,
            pace,
            started: now,
            last_read: now,
            received: 0,
            timer: None,
        }
    }
}

/// When a body read under `pace` since `started` is given up on if nothing
/// more arrives, and why.
fn deadline(
    pace: BodyPace,
    started: Instant,
    last_read: Instant,
    received: u64,
) -> (Instant, TooSlow) {
    let stalled = (
        last_read + pace.read_timeout,
        TooSlow::Stalled(pace.read_timeout),
    );
    let rate = pace.min_bytes_per_second;
    if rate == 0 {
        return stalled;
    }
    let earned = Duration::from_secs_f64(received as f64 / rate as f64);
    let too_slow = started
        .checked_add(pace.read_timeout)
        .and_then(|grace_end| grace_end.checked_add(earned));
    match too_slow {
        Some(at) if at < stalled.0 => (at, TooSlow::BelowRate(rate)),
        _ => stalled,
    }
}

impl Body for PacedBody {
    type Data = Bytes;
    type Error = PacedError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, PacedError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    this.last_read = Instant::now();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(PacedError::Client(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let (at, why) = deadline(this.pace, this.started, this.last_read, this.received);
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
                if timer.deadline() != at {
                    timer.as_mut().reset(at);
                }
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                metrics::counter!(telemetry::CLIENT_TIMEOUTS, "reason" => why.metric_reason())
                    .increment(1);
                Poll::Ready(Some(Err(PacedError::TooSlow(why))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE: Duration = Duration::from_secs(10);

    fn pace(rate: u64) -> BodyPace {
        BodyPace {
            read_timeout: GRACE,
            min_bytes_per_second: rate,
        }
    }

    /// When a body started at `t0` is given up on, as an offset from `t0`.
    fn due(pace: BodyPace, received: u64, last_read_after: Duration) -> (Duration, TooSlow) {
        let t0 = Instant::now();
        let (at, why) = deadline(pace, t0, t0 + last_read_after, received);
        (at - t0, why)
    }

    #[test]
    fn a_stalled_body_is_given_up_one_read_timeout_after_its_last_bytes() {
        assert_eq!(
            due(pace(0), 5, Duration::from_secs(3)),
            (Duration::from_secs(13), TooSlow::Stalled(GRACE))
        );
        // Fast enough on average: the stall rule is the nearer one.
        assert_eq!(
            due(pace(100), 10_000, Duration::from_secs(3)),
            (Duration::from_secs(13), TooSlow::Stalled(GRACE))
        );
    }

    #[test]
    fn a_trickling_body_earns_time_by_the_bytes_it_sent() {
        // 500 bytes at 100 B/s earn 5 s beyond the grace period, although a
        // byte arrived a moment ago.
        assert_eq!(
            due(pace(100), 500, Duration::from_secs(14)),
            (Duration::from_secs(15), TooSlow::BelowRate(100))
        );
        assert_eq!(TooSlow::BelowRate(100).metric_reason(), "body_rate");
        assert_eq!(TooSlow::Stalled(GRACE).metric_reason(), "body_read");
    }
}
