//! Drives one client connection and gives up on it when it waits too long.
//!
//! hyper's own header-read timer only starts once it reads a request head
//! (after `auto` has sniffed the protocol from the first bytes), so a
//! connection that never sends a byte was held forever, and HTTP/2 has no
//! idle limit at all. Here the connection's clock is kept from what its
//! stream saw ([`Waiting`]):
//!
//! - **idle** (`server.idle_timeout`): no request in progress, counted from
//!   the accept and from the end of each response: the connection is shut
//!   down gracefully (HTTP/2 sends GOAWAY), without an answer, as nginx's
//!   `keepalive_timeout` does;
//! - **head** (`server.header_read_timeout`): an HTTP/1 request head began
//!   arriving and did not end in time: the connection is stopped and
//!   answered `408` with a problem document.
//!
//! An exchange in progress is never timed here: its body has `paced_body`,
//! its upstream the route's timeouts. The timeouts are read from the
//! running configuration at every change, so a reload applies to open
//! connections too. Each expiry is counted in `rampart_client_timeouts_total`.

use crate::client_io::{ClientIo, Waiting};
use crate::config::ServerSettings;
use crate::proxy::Shared;
use crate::telemetry;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::watch;
use tokio::time::Instant;

/// How a driven connection ended.
#[derive(Debug)]
pub enum Ended<T> {
    /// The connection finished by itself (or after a graceful shutdown).
    Finished(T),
    /// A request head did not arrive in time; the caller answers 408.
    HeadTimedOut,
}

/// What expires next, and when.
fn due(waiting: Waiting, server: &ServerSettings) -> Option<(Instant, Expiry)> {
    match waiting {
        Waiting::Busy => None,
        Waiting::Idle(since) => Some((since + server.idle_timeout, Expiry::Idle)),
        Waiting::Head(since) => Some((since + server.header_read_timeout, Expiry::Head)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Idle,
    Head,
}

/// Polls `connection` to its end, shutting it down gracefully (with
/// `shut_down`) when `stop` turns true or it stays idle too long, and
/// stopping it when a request head is too slow.
pub async fn drive<F, S>(
    mut connection: Pin<&mut F>,
    shut_down: impl Fn(Pin<&mut F>),
    io: &ClientIo<S>,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
) -> Ended<F::Output>
where
    F: Future,
{
    let signals = io.signals();
    let timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(timer);
    let mut closing = false;
    loop {
        let next = if closing {
            None
        } else {
            due(io.waiting(), &shared.runtime.load().config.server)
        };
        if let Some((at, _)) = next {
            if timer.deadline() != at {
                timer.as_mut().reset(at);
            }
        }
        tokio::select! {
            biased;
            finished = connection.as_mut() => return Ended::Finished(finished),
            _ = stop.wait_for(|stopped| *stopped), if !closing => {
                shut_down(connection.as_mut());
                closing = true;
            }
            () = signals.changed(), if !closing => {}
            () = timer.as_mut(), if next.is_some() => {
                // The state may have moved on since the timer was set.
                let expired = due(io.waiting(), &shared.runtime.load().config.server)
                    .filter(|(at, _)| *at <= Instant::now());
                match expired {
                    Some((_, Expiry::Idle)) => {
                        metrics::counter!(telemetry::CLIENT_TIMEOUTS, "reason" => "idle").increment(1);
                        shut_down(connection.as_mut());
                        closing = true;
                    }
                    Some((_, Expiry::Head)) => {
                        metrics::counter!(telemetry::CLIENT_TIMEOUTS, "reason" => "header").increment(1);
                        return Ended::HeadTimedOut;
                    }
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_wait_has_its_own_limit_and_a_busy_connection_none() {
        let config = crate::config::GatewayConfig::parse(
            std::path::Path::new("t.toml"),
            "[server]\nidle_timeout = \"30s\"\nheader_read_timeout = \"5s\"\n\
             [[listeners]]\nlisten = \"127.0.0.1:0\"\n\
             [[upstreams]]\nname = \"u\"\naddresses = [\"127.0.0.1:1\"]\n\
             [[routes]]\nname = \"r\"\nupstream = \"u\"\n",
        )
        .unwrap();
        let t0 = Instant::now();
        let server = &config.server;
        assert_eq!(due(Waiting::Busy, server), None);
        assert_eq!(
            due(Waiting::Idle(t0), server),
            Some((t0 + Duration::from_secs(30), Expiry::Idle))
        );
        assert_eq!(
            due(Waiting::Head(t0), server),
            Some((t0 + Duration::from_secs(5), Expiry::Head))
        );
    }
}
