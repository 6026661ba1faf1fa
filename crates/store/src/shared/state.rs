//! The handle the gateway holds: one per process, shared by every runtime.

use super::bans::{BanFeed, BanKeys, SharedBan};
use super::config::{RedisConfig, RedisConfigError};
use super::health::{Counters, Health, SharedStateListener, SharedStats};
use super::link::{Link, Reach, Worker};
use rampart_core::Clock;
use rampart_prevent::ban::BanLadder;
use rampart_prevent::{Ban, BanTarget};
use redis::ProtocolVersion;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

/// Why a call to Redis gave no answer; limits then apply `on_error`.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    #[error("redis is unreachable (reconnecting in the background)")]
    Unavailable,
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// Redis answered something no script of this version returns.
    #[error("redis: {0}")]
    Unexpected(String),
}

/// Why the client could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] RedisConfigError),
    #[error("redis: cannot start the client thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Shared rate limits and bans. Create one per process with
/// [`SharedState::start`] and share it (`Arc`) with every runtime; dropping
/// it stops the client thread and closes the connection.
pub struct SharedState {
    pub(super) link: Arc<Link>,
    pub(super) counters: Arc<Counters>,
    pub(super) prefix: String,
    pub(super) timeout: Duration,
    /// The timeout of each round trip of a ban load.
    load_step: Duration,
    bans: BanKeys,
    _worker: Worker,
}

impl SharedState {
    /// Validates the configuration and starts connecting in the background;
    /// returns at once, [`Health::Down`] until the first connection.
    pub fn start(
        config: &RedisConfig,
        listener: Arc<dyn SharedStateListener>,
        clock: Arc<dyn Clock>,
    ) -> Result<SharedState, StartError> {
        let info = config.validate()?;
        // RESP3: ban announcements arrive on the same connection as replies.
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let reach = Reach {
            info: info.set_redis_settings(settings),
            connect_timeout: config.connect_timeout(),
            reconnect_min: Duration::from_millis(config.reconnect_min_ms),
            reconnect_max: Duration::from_millis(config.reconnect_max_ms),
        };
        let counters = Arc::new(Counters::default());
        let bans = BanKeys::new(&config.key_prefix, gateway_id());
        let feed = Arc::new(BanFeed {
            keys: bans.clone(),
            listener: Arc::clone(&listener),
            counters: Arc::clone(&counters),
        });
        let link = Arc::new(Link::new(Arc::clone(&counters), listener, clock));
        let worker = Worker::start(Arc::clone(&link), reach, feed)?;
        Ok(SharedState {
            link,
            counters,
            prefix: config.key_prefix.clone(),
            timeout: config.timeout(),
            load_step: config.connect_timeout(),
            bans,
            _worker: worker,
        })
    }

    pub fn health(&self) -> Health {
        self.link.health()
    }

    pub fn stats(&self) -> SharedStats {
        self.counters.snapshot()
    }

    /// Bans `target` for as long as its offences across all gateways call
    /// for, and announces it to the others. When this fails the caller bans
    /// locally only.
    pub async fn ban(
        &self,
        ladder: &BanLadder,
        target: &BanTarget,
        reason: &str,
    ) -> Result<Ban, SharedError> {
        self.link
            .call(self.timeout, |mut connection| async move {
                self.bans.ban(&mut connection, ladder, target, reason).await
            })
            .await
    }

    /// Lifts the ban on `target` on every gateway and forgets its offences.
    /// True when Redis held a record for it; the lift is announced either
    /// way (a gateway may hold a ban it made while Redis was out).
    pub async fn unban(&self, target: &BanTarget) -> Result<bool, SharedError> {
        self.link
            .call(self.timeout, |mut connection| async move {
                self.bans.unban(&mut connection, target).await
            })
            .await
    }

    /// Every active ban. The client already delivers them to the listener on
    /// each (re)connection; this is for a caller that wants them now.
    pub async fn load_bans(&self) -> Result<Vec<SharedBan>, SharedError> {
        let mut connection = self.link.connection()?;
        let bans = self.bans.load_all(&mut connection, self.load_step).await;
        self.link.account(bans, self.load_step)
    }
}

/// Tells this gateway's ban announcements from the others': the process id
/// and a per-instance random number.
fn gateway_id() -> String {
    let random = RandomState::new().hash_one(std::process::id());
    format!("{}-{random:016x}", std::process::id())
}
