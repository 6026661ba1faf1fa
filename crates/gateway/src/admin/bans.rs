//! Bans by hand, behind the admin token: an operator bans an address, a
//! network (CIDR), an API key, a user or a fingerprint the policy did not
//! catch, or lifts a ban made by mistake.
//!
//! - `POST /bans` `{"network": "203.0.113.0/24", "reason": "..."}` (or
//!   `"api_key"`, `"user"`, `"fingerprint"`; a bare address is a /32 or
//!   /128): banned with the configured escalation, shared with the other
//!   gateways when `[redis]` is set; answers the ban.
//! - `DELETE /bans` with the same body: lifts the ban on this gateway and,
//!   with `[redis]`, on every other one (the target's offences are
//!   forgotten, so a later ban starts the escalation again); answers
//!   whether this gateway held the ban and whether the lift was shared.

use super::{bounded_body, json, refused_without_token, text, AdminState};
use crate::stages::prevent::SharedUnban;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use rampart_prevent::BanTarget;
use serde::Deserialize;

/// A ban request body is small.
const MAX_BAN_BYTES: usize = 16 * 1024;

/// What to ban: exactly one target, and why.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BanRequest {
    network: Option<String>,
    api_key: Option<String>,
    user: Option<String>,
    fingerprint: Option<String>,
    reason: Option<String>,
}

impl BanRequest {
    fn target(self) -> Result<(BanTarget, String), String> {
        let reason = self
            .reason
            .unwrap_or_else(|| "banned by an operator".into());
        let targets = [
            self.network.map(|n| {
                n.parse::<ipnet::IpNet>()
                    .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| BanTarget::Network(net.trunc()))
                    .map_err(|_| format!("network: expected an address or a CIDR, got {n:?}"))
            }),
            self.api_key.map(|k| Ok(BanTarget::ApiKey(k))),
            self.user.map(|u| Ok(BanTarget::User(u))),
            self.fingerprint.map(|f| Ok(BanTarget::Fingerprint(f))),
        ];
        let mut given = targets.into_iter().flatten();
        match (given.next(), given.next()) {
            (Some(target), None) => Ok((target?, reason)),
            _ => Err("expected exactly one of network, api_key, user, fingerprint".into()),
        }
    }
}

/// The target and reason of a `/bans` request body: exactly one target,
/// a network as an address or CIDR (host bits cleared).
pub fn parse_ban_request(body: &[u8]) -> Result<(BanTarget, String), String> {
    serde_json::from_slice::<BanRequest>(body)
        .map_err(|e| e.to_string())
        .and_then(BanRequest::target)
}

pub async fn answer(state: &AdminState, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if let Some(refusal) = refused_without_token(state, &request) {
        return refusal;
    }
    let method = request.method().clone();
    if method != Method::POST && method != Method::DELETE {
        return text(StatusCode::METHOD_NOT_ALLOWED, "POST or DELETE /bans\n");
    }
    let Some(prevent) = state.shared.runtime.load().prevent.clone() else {
        return text(
            StatusCode::CONFLICT,
            "bans need the \"prevent\" stage in [pipeline] stages\n",
        );
    };
    let body = match bounded_body(request, MAX_BAN_BYTES).await {
        Ok(body) => body,
        Err(message) => return text(StatusCode::PAYLOAD_TOO_LARGE, message),
    };
    let (target, reason) = match parse_ban_request(&body) {
        Ok(parsed) => parsed,
        Err(message) => return text(StatusCode::BAD_REQUEST, format!("{message}\n")),
    };
    if method == Method::DELETE {
        let unbanned = prevent.unban(&target).await;
        let (shared, error) = match unbanned.everywhere {
            SharedUnban::NotConfigured => ("not_configured", None),
            SharedUnban::Announced => ("announced", None),
            SharedUnban::Failed(error) => ("failed", Some(error)),
        };
        let status = if error.is_some() {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::OK
        };
        return json(
            status,
            serde_json::json!({ "lifted": unbanned.here, "shared": shared, "error": error })
                .to_string(),
        );
    }
    match prevent.ban(target, reason) {
        Some(ban) => json(
            StatusCode::CREATED,
            serde_json::json!({
                "until": rampart_core::event::rfc3339_millis(ban.until_millis),
                "strikes": ban.strikes,
                "reason": &*ban.reason,
            })
            .to_string(),
        ),
        None => text(StatusCode::INSUFFICIENT_STORAGE, "the ban list is full\n"),
    }
}
