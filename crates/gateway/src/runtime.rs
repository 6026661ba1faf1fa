//! The running configuration as the hot path reads it: routes with their
//! compiled pipelines and upstream pools, behind one `ArcSwap` so a reload is
//! a single atomic pointer swap and in-flight requests keep the snapshot they
//! started with.

use crate::config::{GatewayConfig, RouteSpec};
use crate::discovery::Discovery;
use crate::pipeline::Pipeline;
use crate::router::Router;
use crate::stages::build_pipeline;
use crate::upstream::UpstreamPool;
use std::sync::Arc;

pub struct Runtime {
    pub config: Arc<GatewayConfig>,
    pub router: Router,
    pub routes: Vec<Arc<RouteRuntime>>,
    pub upstreams: Vec<Arc<UpstreamPool>>,
}

/// Long-lived components started once with the gateway that stages use.
#[derive(Clone, Default)]
pub struct Services {
    pub discovery: Option<Arc<Discovery>>,
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

    /// Compiles a configuration. Upstream pools whose settings did not change
    /// are carried over from `previous`, with their idle connections and health.
    pub fn build(
        config: GatewayConfig,
        previous: Option<&Runtime>,
        services: &Services,
    ) -> Runtime {
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
        let routes = config
            .routes
            .iter()
            .map(|spec| {
                Arc::new(RouteRuntime {
                    name: Arc::from(spec.name.as_str()),
                    spec: spec.clone(),
                    pipeline: build_pipeline(&config, spec, services),
                    upstream: Arc::clone(&upstreams[spec.upstream]),
                })
            })
            .collect();
        Runtime {
            router: Router::new(&config.routes),
            config: Arc::new(config),
            routes,
            upstreams,
        }
    }
}
