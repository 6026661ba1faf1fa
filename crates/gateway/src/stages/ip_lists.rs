//! IP allow and deny lists per route (IPv4 and IPv6 networks).
//!
//! A deny entry always wins; when an allow list exists, only addresses in it
//! may use the route. The decision names the list and the client address.

use crate::config::RouteSpec;
use crate::ipset::IpSet;
use crate::pipeline::{ExchangeContext, Stage};
use crate::problem::problem_response;
use rampart_core::{Action, Reason};

pub struct IpListStage {
    allow: IpSet,
    deny: IpSet,
}

impl IpListStage {
    /// None when the route has neither list.
    pub fn for_route(route: &RouteSpec) -> Option<Self> {
        if route.ip_allow.is_empty() && route.ip_deny.is_empty() {
            return None;
        }
        Some(IpListStage {
            allow: route.ip_allow.clone(),
            deny: route.ip_deny.clone(),
        })
    }

    fn refuse(ctx: &mut ExchangeContext, list: &str, why: &str) -> Action {
        ctx.reasons.push(Reason::new(
            format!("ip_lists.{list}"),
            "client_ip",
            ctx.client_ip.to_string(),
            100.0,
        ));
        problem_response(403, why, &ctx.request_id)
    }
}

impl Stage for IpListStage {
    fn name(&self) -> &'static str {
        "ip_lists"
    }

    fn request_headers(
        &self,
        ctx: &mut ExchangeContext,
        _request: &http::request::Parts,
    ) -> Action {
        if self.deny.contains(ctx.client_ip) {
            return Self::refuse(ctx, "deny", "client address is on the route's deny list");
        }
        if !self.allow.is_empty() && !self.allow.contains(ctx.client_ip) {
            return Self::refuse(
                ctx,
                "allow",
                "client address is not on the route's allow list",
            );
        }
        Action::Allow
    }
}
