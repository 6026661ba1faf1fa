//! What an operator's ban request says: an address, a network (CIDR), an
//! API key, a user or a fingerprint the policy did not catch, and why. The
//! console's `POST /api/bans` and `DELETE /api/bans` read their bodies with
//! [`parse_ban_request`] and act through
//! [`PreventRuntime`](crate::stages::prevent::PreventRuntime); the parser
//! lives here, beside the ban list, for its fuzz target.

use rampart_prevent::BanTarget;
use serde::Deserialize;

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

/// The target and reason of a `/api/bans` request body: exactly one target,
/// a network as an address or CIDR (host bits cleared).
pub fn parse_ban_request(body: &[u8]) -> Result<(BanTarget, String), String> {
    serde_json::from_slice::<BanRequest>(body)
        .map_err(|e| e.to_string())
        .and_then(BanRequest::target)
}
