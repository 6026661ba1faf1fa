//! Rampart's console: the admin API under `/api/` that the gateway's admin
//! listener serves beside metrics and health, and that the web console is
//! built on.
//!
//! The gateway does not depend on this crate: it takes any
//! [`AdminApi`](rampart_gateway::admin::AdminApi), and the binary passes
//! [`Console::factory`]. Requests run through one axum router
//! ([`routes`]): the token check ([`auth`]), the audit trail of changes
//! ([`audit`]), then the handlers of each area (inventory, events, clients
//! and bans, statistics, policy). Every error is `application/problem+json`
//! ([`problem`]); `/api/openapi.json` describes every route ([`openapi`]).
//! The web console itself (`/` and `/ui/...`, files embedded at build time)
//! is served beside the API by [`assets`].

pub mod assets;
pub mod audit;
pub mod auth;
pub mod bans;
pub mod clients;
pub mod events;
pub mod inventory;
pub mod openapi;
pub mod page;
pub mod policy;
pub mod problem;
pub mod routes;
pub mod state;
pub mod stats;

use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use rampart_gateway::admin::{AdminApi, AdminApiFactory, AdminFuture, AdminState, BoxError};
use std::sync::Arc;
use tower::ServiceExt;

/// The admin API as the gateway calls it: the console's router.
pub struct Console {
    router: axum::Router,
}

impl Console {
    /// The console over a running gateway's state.
    pub fn new(admin: Arc<AdminState>) -> Console {
        metrics::describe_counter!(
            events::STREAM_LOST,
            "Security events that event streams (/api/events/stream) fell too far behind to receive."
        );
        Console {
            router: routes::router(state::ApiState::new(admin)),
        }
    }

    /// What [`Gateway::start_with`](rampart_gateway::Gateway::start_with)
    /// takes to serve the console.
    pub fn factory() -> AdminApiFactory {
        Box::new(|admin| Arc::new(Console::new(admin)) as Arc<dyn AdminApi>)
    }
}

impl AdminApi for Console {
    fn call(&self, request: Request<Incoming>) -> AdminFuture {
        let router = self.router.clone();
        Box::pin(async move {
            let response = match router.oneshot(request.map(Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            response.map(|body| body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync())
        })
    }
}
