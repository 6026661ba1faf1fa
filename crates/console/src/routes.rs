//! Every route of the admin API in one table, so that the router and its
//! description (`/api/openapi.json`) are checked against the same list
//! ([`served`]), and the layers every request passes: problem details for
//! every error, the token check, then the audit trail of changes.

use crate::state::ApiState;
use crate::{
    assets, audit, auth, bans, clients, events, inventory, openapi, policy, problem, stats,
};
use axum::extract::DefaultBodyLimit;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{middleware, Router};
use http::Method;
use std::collections::BTreeMap;

/// The routes and their handlers, by path.
struct Table {
    paths: BTreeMap<&'static str, MethodRouter<ApiState>>,
    served: Vec<(Method, &'static str)>,
}

impl Table {
    fn add<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Table
    where
        H: axum::handler::Handler<T, ApiState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let routed = match self.paths.remove(path) {
            Some(existing) => existing.on(filter, handler),
            None => on(filter, handler),
        };
        self.paths.insert(path, routed);
        self.served.push((method, path));
        self
    }
}

fn table() -> Table {
    let table = Table {
        paths: BTreeMap::new(),
        served: Vec::new(),
    };
    table
        .add(Method::GET, "/api/openapi.json", openapi::document)
        .add(Method::GET, "/api/inventory", inventory::report)
        .add(Method::GET, "/api/inventory/openapi", inventory::openapi)
        .add(Method::POST, "/api/inventory/decisions", inventory::decide)
        .add(Method::POST, "/api/ingest", inventory::ingest)
        .add(Method::GET, "/api/endpoints", inventory::list)
        .add(Method::GET, "/api/endpoints/{id}", inventory::detail)
        .add(Method::GET, "/api/events", events::list)
        .add(Method::GET, "/api/events/stream", events::stream)
        .add(Method::GET, "/api/clients", clients::list)
        .add(Method::GET, "/api/bans", bans::list)
        .add(Method::POST, "/api/bans", bans::ban)
        .add(Method::DELETE, "/api/bans", bans::unban)
        .add(
            Method::DELETE,
            "/api/bans/{kind}/{*value}",
            bans::unban_target,
        )
        .add(Method::GET, "/api/stats", stats::stats)
        .add(Method::GET, "/api/overview", stats::overview)
        .add(Method::GET, "/api/audit", audit::list)
        .add(Method::GET, "/api/policy", policy::current)
        .add(Method::PUT, "/api/policy", policy::apply)
        .add(Method::POST, "/api/policy/validate", policy::validate)
        .add(Method::POST, "/api/policy/mode", policy::set_mode)
        .add(Method::GET, "/api/policy/history", policy::history)
        .add(
            Method::GET,
            "/api/policy/history/{version}",
            policy::version,
        )
        .add(Method::POST, "/api/policy/replay", policy::replay)
}

/// Every method and path the router serves, paths as OpenAPI writes them
/// (`{*value}` as `{value}`).
pub fn served() -> Vec<(Method, String)> {
    table()
        .served
        .into_iter()
        .map(|(method, path)| (method, path.replace("{*", "{")))
        .collect()
}

/// The web console's files ([`assets`], outside the token check: they hold
/// no data), and every other request to the admin API's router.
pub fn router(state: ApiState) -> Router {
    assets::router().fallback_service(api_router(state))
}

/// The admin API's router.
fn api_router(state: ApiState) -> Router {
    let mut router = Router::new();
    for (path, routed) in table().paths {
        router = router.route(path, routed);
    }
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            audit::record_changes,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .layer(middleware::map_response(problem::as_problem))
        // The audit layer reads bodies itself, within the ingestion bound.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}
