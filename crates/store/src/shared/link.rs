//! The connection to Redis: made and remade in the background, on a thread
//! of its own, and lent to callers only while it works.
//!
//! One multiplexed RESP3 connection carries every gateway thread's calls and
//! the ban announcements (pushed on the same connection). Its driver task
//! runs on the `rampart-redis` thread's runtime, so a busy gateway runtime
//! never holds up another one's calls. A supervisor on that thread connects
//! and lets the [`Session`] prepare the connection (both within
//! `connect_timeout`), publishes it, lets the session catch up (a load that
//! may take many round trips, each within `connect_timeout`), and then
//! waits for it to fail: a disconnection, or a call that timed out or broke,
//! confirmed by a `PING` that gets no answer. It then withdraws the
//! connection, so calls fail at once instead of waiting, and reconnects with
//! exponential backoff.

use super::health::{Counters, Health, SharedStateListener};
use super::state::SharedError;
use arc_swap::ArcSwapOption;
use rampart_core::Clock;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ConnectionInfo, PushInfo, PushKind, RedisResult};
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{oneshot, Notify};

/// What runs on every new connection and receives what Redis pushes.
pub(crate) trait Session: Send + Sync + 'static {
    /// Readies a new connection before callers get it (subscriptions); an
    /// error drops the connection and retries later.
    async fn prepare(&self, connection: MultiplexedConnection) -> RedisResult<()>;

    /// Catches up on what happened while disconnected, once callers have
    /// the connection; each round trip gets `step`. An error drops the
    /// connection and retries later.
    async fn catch_up(&self, connection: MultiplexedConnection, step: Duration) -> RedisResult<()>;

    /// A message pushed by Redis, such as one on a subscribed channel.
    fn pushed(&self, push: PushInfo);
}

/// The connection as callers see it, and the health everyone is told about.
pub(crate) struct Link {
    connection: ArcSwapOption<MultiplexedConnection>,
    /// A call failed in a way that may mean the connection is dead.
    suspect: Notify,
    health: Mutex<Health>,
    counters: Arc<Counters>,
    listener: Arc<dyn SharedStateListener>,
    clock: Arc<dyn Clock>,
}

/// How to reach Redis and how hard to try.
pub(crate) struct Reach {
    pub(crate) info: ConnectionInfo,
    pub(crate) connect_timeout: Duration,
    pub(crate) reconnect_min: Duration,
    pub(crate) reconnect_max: Duration,
}

impl Link {
    /// Starts [`Health::Down`]: nothing is connected yet.
    pub(crate) fn new(
        counters: Arc<Counters>,
        listener: Arc<dyn SharedStateListener>,
        clock: Arc<dyn Clock>,
    ) -> Link {
        Link {
            connection: ArcSwapOption::empty(),
            suspect: Notify::new(),
            health: Mutex::new(Health::Down {
                since_millis: clock.now_millis(),
            }),
            counters,
            listener,
            clock,
        }
    }

    pub(crate) fn health(&self) -> Health {
        *self.health.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection, while one works.
    pub(crate) fn connection(&self) -> Result<MultiplexedConnection, SharedError> {
        self.connection
            .load()
            .as_deref()
            .cloned()
            .ok_or(SharedError::Unavailable)
    }

    /// Runs one exchange with Redis, giving up after `limit`. Fails at once
    /// while no connection works.
    pub(crate) async fn call<T, Exchange>(
        &self,
        limit: Duration,
        exchange: impl FnOnce(MultiplexedConnection) -> Exchange,
    ) -> Result<T, SharedError>
    where
        Exchange: Future<Output = RedisResult<T>>,
    {
        let connection = self.connection()?;
        self.account(within(limit, exchange(connection)).await, limit)
    }

    /// Counts a failed exchange, and has the connection probed when the
    /// failure may mean it is dead. `limit` is the timeout it ran under.
    pub(crate) fn account<T>(
        &self,
        answer: RedisResult<T>,
        limit: Duration,
    ) -> Result<T, SharedError> {
        let error = match answer {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        Counters::bump(&self.counters.errors);
        if error.is_io_error() || error.is_unrecoverable_error() {
            self.suspect.notify_one();
        }
        if error.is_timeout() {
            Counters::bump(&self.counters.timeouts);
            return Err(SharedError::Timeout(limit));
        }
        Err(SharedError::Redis(error))
    }

    /// Records and reports a change between up and down.
    fn set_health(&self, health: Health) {
        {
            let mut current = self.health.lock().unwrap_or_else(|p| p.into_inner());
            let unchanged = matches!(
                (*current, health),
                (Health::Up, Health::Up) | (Health::Down { .. }, Health::Down { .. })
            );
            if unchanged {
                return;
            }
            *current = health;
        }
        match health {
            Health::Up => tracing::info!("redis: connected"),
            Health::Down { .. } => tracing::warn!("redis: connection lost; limits fall back"),
        }
        self.listener.health_changed(health);
    }
}

/// The `rampart-redis` thread; stopping it closes the connection.
pub(crate) struct Worker {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts connecting in the background and returns at once.
    pub(crate) fn start<S: Session>(
        link: Arc<Link>,
        reach: Reach,
        session: Arc<S>,
    ) -> std::io::Result<Worker> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("rampart-redis".into())
            .spawn(move || {
                runtime.block_on(async {
                    tokio::select! {
                        () = supervise(&link, &reach, &session) => {}
                        _ = stopped => {}
                    }
                });
                link.connection.store(None);
            })?;
        Ok(Worker {
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The thread may be gone already; nothing to tell it then.
            let _ = shutdown.send(());
        }
        // Dropped on its own thread (by a listener that held the last
        // handle), the thread ends by itself once this returns.
        let joinable =
            |thread: &JoinHandle<()>| thread.thread().id() != std::thread::current().id();
        if let Some(thread) = self.thread.take().filter(joinable) {
            if thread.join().is_err() {
                tracing::error!("redis: the client thread panicked");
            }
        }
    }
}

/// Connects, serves until the connection fails, and starts again; forever.
/// Waits between attempts only after a failure, so a lost connection is
/// replaced at once, and a Redis that accepts connections but cannot serve
/// them is not hammered.
async fn supervise<S: Session>(link: &Link, reach: &Reach, session: &Arc<S>) {
    let mut backoff = reach.reconnect_min;
    let mut lost_before = false;
    loop {
        let failure = match open(reach, session).await {
            Ok((connection, disconnected)) => {
                if lost_before {
                    Counters::bump(&link.counters.reconnects);
                }
                link.connection.store(Some(Arc::new(connection.clone())));
                link.set_health(Health::Up);
                let caught_up = session
                    .catch_up(connection.clone(), reach.connect_timeout)
                    .await;
                if caught_up.is_ok() {
                    backoff = reach.reconnect_min;
                    serve(link, reach, connection, &disconnected).await;
                }
                link.connection.store(None);
                lost_before = true;
                link.set_health(Health::Down {
                    since_millis: link.clock.now_millis(),
                });
                caught_up.err()
            }
            Err(error) => Some(error),
        };
        if let Some(error) = failure {
            tracing::debug!(%error, retry_in = ?backoff, "redis: cannot connect");
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(reach.reconnect_max);
        }
    }
}

/// A prepared connection, and the signal its driver gives when it closes.
async fn open<S: Session>(
    reach: &Reach,
    session: &Arc<S>,
) -> RedisResult<(MultiplexedConnection, Arc<Notify>)> {
    let disconnected = Arc::new(Notify::new());
    let on_push = {
        let disconnected = Arc::clone(&disconnected);
        let session = Arc::clone(session);
        move |push: PushInfo| -> Result<(), Infallible> {
            if push.kind == PushKind::Disconnection {
                disconnected.notify_one();
            } else {
                session.pushed(push);
            }
            Ok(())
        }
    };
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(None)
        .set_response_timeout(None)
        .set_push_sender(on_push);
    let client = redis::Client::open(reach.info.clone())?;
    let connecting = async {
        let connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        session.prepare(connection.clone()).await?;
        Ok(connection)
    };
    let connection = within(reach.connect_timeout, connecting).await?;
    Ok((connection, disconnected))
}

/// Returns when the connection is closed, or suspected by a caller and
/// silent to a `PING`.
async fn serve(
    link: &Link,
    reach: &Reach,
    connection: MultiplexedConnection,
    disconnected: &Notify,
) {
    loop {
        tokio::select! {
            () = disconnected.notified() => return,
            () = link.suspect.notified() => {
                let mut probe = connection.clone();
                let ping = redis::cmd("PING");
                if within(reach.connect_timeout, ping.query_async::<String>(&mut probe)).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `exchange`, or a timed-out I/O error after `limit`.
pub(crate) async fn within<T>(
    limit: Duration,
    exchange: impl Future<Output = RedisResult<T>>,
) -> RedisResult<T> {
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or_else(|_| {
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("redis did not answer within {limit:?}"),
            )
            .into())
        })
}
