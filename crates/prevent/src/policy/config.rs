//! The `[prevent.policy]` configuration, as operators write it in TOML.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Whether a decision is applied or only recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Record what would have happened; change nothing.
    Monitor,
    #[default]
    Enforce,
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Settings for every request, overridden by matching scopes; has no
    /// `match`.
    #[serde(default)]
    pub defaults: ScopeSettings,
    /// Settings for one route, business function or endpoint; each has a
    /// `match`.
    #[serde(default)]
    pub scopes: Vec<ScopeSettings>,
    /// Custom rules, evaluated in this order.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
}

impl PolicyConfig {
    /// Every action it configures: the scopes' (defaults first) signal-class
    /// actions, then the rules'.
    pub fn actions(&self) -> impl Iterator<Item = &ActionConfig> {
        std::iter::once(&self.defaults)
            .chain(&self.scopes)
            .flat_map(|scope| scope.signals.values())
            .chain(self.rules.iter().map(|rule| &rule.action))
    }
}

/// What a scope may set; anything left out is inherited.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSettings {
    /// The requests this scope applies to.
    #[serde(rename = "match")]
    pub matches: Option<ScopeMatch>,
    pub mode: Option<Mode>,
    /// An anomaly score (sum of signal scores) at or above this blocks.
    pub block_score: Option<f64>,
    /// The action for each class of signal, e.g. `injection`, `bot`.
    #[serde(default)]
    pub signals: BTreeMap<String, ActionConfig>,
}

/// Which requests a scope applies to: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScopeMatch {
    /// A gateway route name.
    Route(String),
    /// A business function, e.g. `login`, `sign_up`, `password_reset`
    /// (every name on [`crate::facts::EndpointFacts::function`]).
    Function(String),
    /// An endpoint template, e.g. `/users/{id}`.
    Endpoint(String),
}

/// A custom rule: a CEL condition and the action taken when it holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub name: String,
    /// A CEL expression over `request`, `client`, `endpoint` and `signals`.
    pub when: String,
    pub action: ActionConfig,
    /// `monitor`: the rule is evaluated and recorded with what it would
    /// have done (`would_block`...), but it never refuses, limits, tags or
    /// masks. Absent or `enforce`: the rule follows its scope's mode (a
    /// monitor scope still holds every rule back).
    #[serde(default)]
    pub mode: Option<Mode>,
}

/// An action as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionConfig {
    /// End the exchange with this response; a JSON problem document by default.
    Block {
        status: Option<u16>,
        body: Option<String>,
        content_type: Option<String>,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Subject the request to a limit from `[[prevent.limits]]`.
    RateLimit { limit: String },
    /// Ban the client's identity of this kind, and block the request.
    Ban { on: BanOn },
    /// Answer with a deception instead of the real upstream.
    Deceive { with: Deception },
    /// Redact sensitive data in the response. (Written as struct variants so
    /// that `deny_unknown_fields` applies to them too.)
    Mask {},
    /// Add headers to the request sent upstream.
    Tag { headers: BTreeMap<String, String> },
    /// Record that the rule matched; change nothing.
    Monitor {},
}

/// The identity a ban applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanOn {
    Ip,
    /// The client's /24 (IPv4) or /64 (IPv6).
    Subnet,
    ApiKey,
    User,
    Fingerprint,
}

/// The kinds of deception the gateway can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deception {
    /// A fake success shaped like the endpoint's real responses.
    FakeSuccess,
    /// A fake login success with a token that is never valid.
    FakeLogin,
    /// A slow answer.
    Tarpit,
}
