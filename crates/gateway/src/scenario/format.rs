//! A scenario file as written (TOML, `docs/scenarios.md`): which
//! configuration runs, who sends what and when, and what must (and must
//! never) happen. Checked for shape here; `expand` checks what the shape
//! cannot say (known actors, addresses, caps).

use crate::config::units::ConfigDuration;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// What the scenario shows, in a line.
    pub name: String,
    /// The gateway configuration to run, relative to the scenario file.
    pub config: Option<String>,
    /// The gateway configuration itself; its relative paths are relative
    /// to the scenario file.
    pub config_inline: Option<String>,
    #[serde(default)]
    pub actors: BTreeMap<String, ActorSpec>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// What must happen.
    #[serde(default)]
    pub expect: Vec<ExpectSpec>,
    /// What must never happen.
    #[serde(default)]
    pub never: Vec<ExpectSpec>,
}

/// Who sends: from one address, or from addresses of a network taken in
/// turn, with the headers every request of theirs carries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    pub address: Option<String>,
    /// A network in CIDR notation; the actor's n-th exchange comes from its
    /// n-th address, round robin over `addresses` of them.
    pub network: Option<String>,
    /// How many addresses of `network` are used (default: all of it, at
    /// most the exchange cap).
    pub addresses: Option<u64>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Sent as the `sub` of an unsigned bearer JWT (the identity the
    /// gateway reads when `[identity.jwt]` is not configured).
    pub user: Option<String>,
    /// Signs every request of the actor as a Web Bot Auth agent.
    pub sign: Option<SignSpec>,
}

/// An actor's Web Bot Auth signing: its Ed25519 private key (a JWK file),
/// the agent its `Signature-Agent` names, and the `keyid` it claims.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignSpec {
    /// The private key file (JWK: `kty` OKP, `crv` Ed25519, `d` and `x`),
    /// relative to the scenario file.
    pub key: String,
    /// The agent, as `Signature-Agent` names it (`https://agent.test`).
    pub agent: String,
    /// The `keyid` sent (default: the key's own JWK thumbprint); another
    /// key's thumbprint makes a forgery.
    pub keyid: Option<String>,
}

/// One request (and the upstream's answer), sent `repeat` times `every`
/// so often by one actor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub actor: String,
    #[serde(default = "one")]
    pub repeat: u64,
    /// Time between two repetitions (default one second).
    pub every: Option<ConfigDuration>,
    /// When the first repetition is sent, from the start of the scenario
    /// (default: one of its own `every` after the previous step's last
    /// repetition; the first step starts at 0).
    pub at: Option<ConfigDuration>,
    pub request: RequestSpec,
    /// What the upstream answers when the gateway forwards the request;
    /// without it the record has no response.
    pub response: Option<ResponseSpec>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    #[serde(default = "get")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    /// How long the upstream took to answer.
    pub latency: Option<ConfigDuration>,
}

fn ok() -> u16 {
    200
}

/// A signal or decision for one actor's exchanges.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    pub actor: String,
    /// A reason's source (`behave.ato.stuffing`) or a prefix of it ending
    /// before a dot (`behave.ato`).
    pub signal: Option<String>,
    /// The exchange's action (`allow`, `block`, `rate_limit`,
    /// `would_block`...), or `refused`: the gateway answered itself.
    pub decision: Option<String>,
    /// In `expect` only: the actor's attempt (counting from 1) by which it
    /// must have happened at the latest.
    pub by_attempt: Option<u64>,
}
