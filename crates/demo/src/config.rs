//! The configuration `rampart demo` runs the gateway with: every stage on,
//! with rules that make the walkthrough's attacks visible (a login limit,
//! a browsing limit, masking, a honeypot, BOLA walks refused), and
//! `X-Forwarded-For` believed from 127.0.0.1 so that the traffic simulator's
//! clients are told apart. Kept beside the walkthrough so
//! that the tests replay the printed steps through the gateway configured
//! exactly as the demo is.

use std::net::SocketAddr;

/// The gateway's TOML for a demo whose gateway listens on `listen`, whose
/// admin listener is `admin` (guarded by `admin_token`) and whose demo API
/// is at `api`; relative paths in it are relative to the file's directory.
pub fn gateway_config(
    listen: SocketAddr,
    admin: SocketAddr,
    api: SocketAddr,
    admin_token: &str,
) -> String {
    format!(
        r#"# Written by `rampart demo`. See docs/configuration.md for every key.
# The demo's traffic simulator sends from 127.0.0.1 with X-Forwarded-For,
# one address per simulated client: the gateway believes it from there.
[server]
trusted_proxies = ["127.0.0.1/32"]

[admin]
listen = "{admin}"
token = "{token}"

[events]
jsonl = "events.jsonl"
sqlite = "rampart.db"

[pipeline]
stages = ["ip_lists", "detect", "discover", "behave", "bots", "prevent"]

# Object-level authorisation (BOLA): a customer asking for many account ids
# it was never shown (its own answers show it its own) is refused after a
# few; consecutive ids count double. See [behave.bola] in the docs.
[behave]
mode = "enforce"
[behave.bola]
window = "10m"
walk_ids = 12
# The login hands out a token by design. Discovery learns that it is a
# login from its traffic, but the first logins of a fresh start come
# before that: named here, they are never read as a token leak.
[behave.exposure]
exempt_templates = ["/api/login"]

# Bots and AI agents by what they say they are (see "Bots and AI agents"
# in the docs): training crawlers are refused, AI search is limited, a
# claim that fails verification gets decoy content.
[prevent]
presets = ["govern-bots"]

# At most 5 failed logins a minute per client address: the 6th gets a 429.
[[prevent.limits]]
name = "failed-logins"
key = {{ parts = ["ip"] }}
quota = {{ requests = 5, per_seconds = 60 }}
count_only_status = [401]

[[prevent.policy.rules]]
name = "limit-failed-logins"
when = 'request.path == "/api/login"'
action = {{ type = "rate_limit", limit = "failed-logins" }}

# Anonymous browsing: a page a second per client address, bursts of 20;
# scrapers and crawlers get 429s.
[[prevent.limits]]
name = "browsing"
key = {{ parts = ["ip"] }}
quota = {{ requests = 60, per_seconds = 60, burst = 20 }}

[[prevent.policy.rules]]
name = "limit-browsing"
when = 'request.method == "GET" && size(client.credentials) == 0'
action = {{ type = "rate_limit", limit = "browsing" }}

# Card numbers and SSNs never leave the accounts API in clear.
[[prevent.policy.rules]]
name = "mask-accounts"
when = 'request.path.startsWith("/api/accounts")'
action = {{ type = "mask" }}

# Nobody legitimate asks for these: whoever does gets a fake and a ban.
[prevent.deception]
decoy_fields = ["is_admin"]
[[prevent.deception.honeypots]]
prefix = "/admin/backup"

[discovery]
publish_interval = "1s"

[detect]
paranoia = 1

[[listeners]]
name = "demo"
listen = "{listen}"

[[upstreams]]
name = "demo-api"
addresses = ["{api}"]

[[routes]]
name = "demo-api"
upstream = "demo-api"
max_body_bytes = "1MiB"
# TEST-NET-3, a documentation range: from 127.0.0.1, try
#   curl -H 'X-Forwarded-For: 203.0.113.5' ...
ip_deny = ["203.0.113.0/24"]
"#,
        token = admin_token,
    )
}
