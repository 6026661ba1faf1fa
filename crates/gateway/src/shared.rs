//! The gateway's side of shared state (`[redis]`): limits decided in Redis
//! so that N gateways admit a quota once between them, bans announced to
//! every gateway, and an outage that is seen (metrics, a security event)
//! while each limit falls back as configured.
//!
//! The Redis client (`rampart_store::shared`) runs on its own thread. This
//! module holds it for the whole process, copies the bans other gateways
//! announce into the local ban list of the running configuration, and turns
//! health changes into the `rampart_redis_up` gauge and `redis_down` /
//! `redis_up` events. The `prevent` stage asks it for limit decisions in
//! the pipeline's `settle` phase.

use crate::bans::BanBook;
use crate::telemetry;
use arc_swap::ArcSwapOption;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Clock, Reason, SecurityEvent};
use rampart_prevent::BanTarget;
use rampart_store::shared::{
    Health, RedisConfig, SharedBan, SharedState, SharedStateListener, SharedStats,
};
use rampart_store::EventSender;
use std::sync::Arc;

/// The process's link to Redis and where announced bans go.
pub struct SharedLink {
    pub state: SharedState,
    bans: Arc<LocalBans>,
}

/// The ban list of the running configuration (it changes when a reload
/// changes `[prevent.bans]`).
#[derive(Default)]
struct LocalBans(ArcSwapOption<BanBook>);

impl SharedLink {
    /// Starts the client; it connects in the background and never blocks.
    pub fn start(
        config: &RedisConfig,
        events: Option<EventSender>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<SharedLink> {
        // Down until the client says otherwise; set before it starts, since
        // its first connection may be reported before `start` returns.
        metrics::gauge!(telemetry::REDIS_UP).set(0.0);
        let bans = Arc::new(LocalBans::default());
        let listener = Arc::new(Listener {
            bans: Arc::clone(&bans),
            events,
            clock: Arc::clone(&clock),
        });
        let state = SharedState::start(config, listener, clock)?;
        Ok(SharedLink { state, bans })
    }

    /// Where bans announced from now on are copied: the ban list of the
    /// configuration being put in place.
    pub fn use_ban_list(&self, bans: &Arc<BanBook>) {
        self.bans.0.store(Some(Arc::clone(bans)));
    }

    /// Exports the client's counters (called on each metrics upkeep).
    pub fn export_stats(&self) {
        let SharedStats {
            errors,
            timeouts,
            fallbacks,
            reconnects,
            bans_received,
            bans_unreadable,
            lifts_received,
        } = self.state.stats();
        for (what, value) in [
            ("errors", errors),
            ("timeouts", timeouts),
            ("fallbacks", fallbacks),
            ("reconnects", reconnects),
            ("bans_received", bans_received),
            ("bans_unreadable", bans_unreadable),
            ("lifts_received", lifts_received),
        ] {
            metrics::counter!(telemetry::REDIS_EVENTS, "what" => what).absolute(value);
        }
    }
}

struct Listener {
    bans: Arc<LocalBans>,
    events: Option<EventSender>,
    clock: Arc<dyn Clock>,
}

impl SharedStateListener for Listener {
    fn health_changed(&self, health: Health) {
        let (up, action, evidence) = match health {
            Health::Up => (
                1.0,
                "redis_up",
                "connected; shared limits and bans apply".to_string(),
            ),
            Health::Down { since_millis } => (
                0.0,
                "redis_down",
                format!(
                    "unreachable since {}; limits apply their on_error policy",
                    rfc3339_millis(since_millis)
                ),
            ),
        };
        metrics::gauge!(telemetry::REDIS_UP).set(up);
        match health {
            Health::Up => tracing::info!("redis: {evidence}"),
            Health::Down { .. } => tracing::warn!("redis: {evidence}"),
        }
        if let Some(events) = &self.events {
            events.send(SecurityEvent {
                time: rfc3339_millis(self.clock.now_millis()),
                request_id: String::new(),
                client_ip: String::new(),
                method: String::new(),
                host: String::new(),
                path: String::new(),
                route: String::new(),
                action: action.to_string(),
                status: None,
                reasons: vec![Reason::new("shared.redis", "redis", evidence, 0.0)],
                score: 0.0,
                repeats: None,
                bot: None,
                ja4: None,
            });
        }
    }

    fn ban_received(&self, ban: SharedBan) {
        let Some(list) = self.bans.0.load_full() else {
            return;
        };
        let adopted = list.change(|list| list.adopt(&ban.target, &ban.ban));
        if let Err(full) = adopted {
            tracing::warn!(
                entries = full.0,
                "the ban list is full; a shared ban was not copied"
            );
        }
    }

    fn ban_lifted(&self, target: BanTarget) {
        if let Some(list) = self.bans.0.load_full() {
            list.change(|list| list.unban(&target));
        }
    }
}
