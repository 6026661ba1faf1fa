//! The running configuration as the hot path reads it: routes with their
//! compiled pipelines and upstream pools, behind one `ArcSwap` so a reload is
//! a single atomic pointer swap and in-flight requests keep the snapshot they
//! started with.

use crate::bans::BanBook;
use crate::config::{GatewayConfig, RouteSpec, StageKind};
use crate::discovery::Discovery;
use crate::key_set::{KeyRefresh, Refreshed};
use crate::pipeline::Pipeline;
use crate::recorder::Recorder;
use crate::router::Router;
use crate::shared::SharedLink;
use crate::stages::behave::BehaveRuntime;
use crate::stages::bots::BotsRuntime;
use crate::stages::build_pipeline;
use crate::stages::prevent::{PreventRuntime, SharedPrevent};
use crate::upstream::UpstreamPool;
use rampart_core::{Clock, SystemClock};
use rampart_prevent::ban::BanLadder;
use rampart_prevent::{BanList, Deceiver, GeoFence, GeoLocator, RateLimiter};
use rampart_store::shared::{RedisConfig, SharedLimit};
use std::sync::Arc;

pub struct Runtime {
    pub config: Arc<GatewayConfig>,
    /// Prevention state, when the `prevent` stage is configured.
    pub prevent: Option<Arc<PreventRuntime>>,
    /// Behaviour state, when the `behave` stage is configured.
    pub behave: Option<Arc<BehaveRuntime>>,
    /// Bots state, when the `bots` stage is configured.
    pub bots: Option<Arc<BotsRuntime>>,
    pub router: Router,
    pub routes: Vec<Arc<RouteRuntime>>,
    pub upstreams: Vec<Arc<UpstreamPool>>,
}

/// Long-lived components started once with the gateway that stages use.
#[derive(Clone)]
pub struct Services {
    pub discovery: Option<Arc<Discovery>>,
    /// The exchange recorder (`[record]`), fed by the `record` stage.
    pub recorder: Option<Arc<Recorder>>,
    /// Limits and bans shared with other gateways through Redis.
    pub shared: Option<Arc<SharedLink>>,
    /// Keeps the fetched keys of the running configuration fresh
    /// (`[identity.jwt] jwks_url`, `[[bots.signed]] keys_url`; serving only).
    pub key_refresh: Option<Arc<KeyRefresh>>,
    /// The time limits and bans count in: the system clock when serving,
    /// the records' own times when replaying them (`crate::offline`).
    pub clock: Arc<dyn Clock>,
    /// Replaying: stages decide but never hold an answer (tarpit).
    pub decisions_only: bool,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            discovery: None,
            recorder: None,
            shared: None,
            key_refresh: None,
            clock: Arc::new(SystemClock),
            decisions_only: false,
        }
    }
}

pub struct RouteRuntime {
    pub name: Arc<str>,
    pub spec: RouteSpec,
    pub pipeline: Pipeline,
    pub upstream: Arc<UpstreamPool>,
}

impl Runtime {
    /// Whether a new connection from `peer` is refused before any request is
    /// read: only when the peer is not a trusted proxy (the real client is
    /// not known yet) and every route's connection phase refuses it.
    pub fn refuses_connection(&self, peer: std::net::SocketAddr) -> bool {
        !self.routes.is_empty()
            && !self.config.server.trusted_proxies.contains(peer.ip())
            && self
                .routes
                .iter()
                .all(|route| route.pipeline.connection(peer).is_terminal())
    }

    /// The keys this configuration fetches: the `jwks_url` key set and the
    /// `keys_url` directories of the bots detector in service.
    pub fn fetched_keys(&self) -> Vec<Arc<dyn Refreshed>> {
        let jwks = self
            .config
            .tokens
            .remote_keys()
            .map(|set| Arc::clone(set) as Arc<dyn Refreshed>);
        let directories = self.bots.iter().flat_map(|bots| {
            bots.fetched()
                .iter()
                .map(|d| Arc::clone(d) as Arc<dyn Refreshed>)
        });
        jwks.into_iter().chain(directories).collect()
    }

    /// Compiles a configuration. Upstream pools whose settings did not change
    /// are carried over from `previous`, with their idle connections and
    /// health. Fails only when prevention state cannot be built (the message
    /// names the part).
    pub fn build(
        config: GatewayConfig,
        previous: Option<&Runtime>,
        services: &Services,
    ) -> Result<Runtime, String> {
        if let Some(previous) = previous {
            config.tokens.adopt_keys(&previous.config.tokens);
        }
        let upstreams: Vec<Arc<UpstreamPool>> = config
            .upstreams
            .iter()
            .map(|spec| {
                previous
                    .and_then(|p| p.upstreams.iter().find(|u| u.spec == *spec))
                    .cloned()
                    .unwrap_or_else(|| {
                        Arc::new(UpstreamPool::new(spec.clone(), config.server.workers))
                    })
            })
            .collect();
        let prevent = match config.stages.contains(&StageKind::Prevent) {
            true => Some(Arc::new(build_prevent(
                &config,
                previous.and_then(|p| p.prevent.as_deref()),
                services,
            )?)),
            false => None,
        };
        let behave = config.stages.contains(&StageKind::Behave).then(|| {
            Arc::new(BehaveRuntime::new(
                &config.behave,
                previous.and_then(|p| p.behave.as_deref()),
                &services.clock,
                services.shared.as_ref().filter(|_| config.redis.is_some()),
            ))
        });
        let bots = match config.stages.contains(&StageKind::Bots) {
            true => Some(Arc::new(BotsRuntime::new(
                &config.bots,
                previous.and_then(|p| p.bots.as_deref()),
                &services.clock,
            )?)),
            false => None,
        };
        let routes = config
            .routes
            .iter()
            .map(|spec| {
                Arc::new(RouteRuntime {
                    name: Arc::from(spec.name.as_str()),
                    spec: spec.clone(),
                    pipeline: build_pipeline(
                        &config,
                        spec,
                        services,
                        prevent.as_ref(),
                        behave.as_ref(),
                        bots.as_ref(),
                    ),
                    upstream: Arc::clone(&upstreams[spec.upstream]),
                })
            })
            .collect();
        Ok(Runtime {
            prevent,
            behave,
            bots,
            router: Router::new(&config.routes),
            config: Arc::new(config),
            routes,
            upstreams,
        })
    }
}

/// Prevention state for a new configuration: limiters whose settings did not
/// change keep their counters, and the ban list is kept unless its settings
/// changed. The settings were checked at load; an error here names the part.
fn build_prevent(
    config: &GatewayConfig,
    previous: Option<&PreventRuntime>,
    services: &Services,
) -> Result<PreventRuntime, String> {
    let settings = &config.prevent;
    let clock = &services.clock;
    let mut limiters = Vec::with_capacity(settings.config.limits.len());
    for limit in &settings.config.limits {
        let kept = previous.and_then(|p| {
            let same = p.config.limits.iter().position(|l| l == limit)?;
            p.limiters.get(same).cloned()
        });
        let limiter = match kept {
            Some(limiter) => limiter,
            None => Arc::new(
                RateLimiter::new(limit, Arc::clone(clock))
                    .map_err(|e| format!("prevent.limits ({}): {e}", limit.name))?,
            ),
        };
        limiters.push(limiter);
    }
    let bans = match previous.filter(|p| p.config.bans == settings.config.bans) {
        Some(p) => Arc::clone(&p.bans),
        None => Arc::new(BanBook::new(
            BanList::new(&settings.config.bans, Arc::clone(clock))
                .map_err(|e| format!("prevent.bans: {e}"))?,
        )),
    };
    let geo = match previous.filter(|p| p.config.geo == settings.config.geo) {
        Some(p) => Arc::clone(&p.geo),
        None => {
            let locator = GeoLocator::from_config(&settings.config.geo)
                .map_err(|e| format!("prevent.geo: {e}"))?;
            let fence =
                GeoFence::compile(&settings.config.geo).map_err(|e| format!("prevent.geo: {e}"))?;
            Arc::new((locator, fence))
        }
    };
    let deceiver = match previous.filter(|p| p.config.deception == settings.config.deception) {
        Some(p) => Arc::clone(&p.deceiver),
        None => Arc::new(
            Deceiver::new(&settings.config.deception, Arc::clone(clock))
                .map_err(|e| format!("prevent.deception: {e}"))?,
        ),
    };
    let shared = match (&services.shared, &config.redis) {
        (Some(link), Some(redis)) => {
            link.use_ban_list(&bans);
            Some(shared_prevent(link, redis, &settings.config)?)
        }
        _ => None,
    };
    Ok(PreventRuntime {
        deceiver,
        shared,
        geo,
        config: settings.config.clone(),
        policy: Arc::clone(&settings.policy),
        limiters,
        bans,
    })
}

/// The Redis side of the limits and the ban ladder of a configuration.
fn shared_prevent(
    link: &Arc<SharedLink>,
    redis: &RedisConfig,
    config: &rampart_prevent::PreventConfig,
) -> Result<SharedPrevent, String> {
    let limits = config
        .limits
        .iter()
        .map(|limit| {
            SharedLimit::new(limit, redis.on_error_for(&limit.name))
                .map_err(|e| format!("prevent.limits ({}): {e}", limit.name))
        })
        .collect::<Result<_, _>>()?;
    let ladder = BanLadder::new(&config.bans).map_err(|e| format!("prevent.bans: {e}"))?;
    Ok(SharedPrevent {
        link: Arc::clone(link),
        limits,
        ladder,
    })
}
