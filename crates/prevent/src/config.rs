//! The `[prevent]` section as a whole, for the gateway to embed.

use crate::ban::BanConfig;
use crate::deception::DeceptionConfig;
use crate::geo::GeoConfig;
use crate::policy::presets::{self, Preset};
use crate::policy::{ActionConfig, Policy, PolicyConfig, PolicyError};
use crate::ratelimit::LimitConfig;
use serde::Deserialize;

/// Everything prevention is configured with.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreventConfig {
    /// Named protections whose rules come before `policy.rules`.
    #[serde(default)]
    pub presets: Vec<Preset>,
    #[serde(default)]
    pub policy: PolicyConfig,
    /// `[[prevent.limits]]`: named limits that rules apply with `rate_limit`.
    #[serde(default)]
    pub limits: Vec<LimitConfig>,
    #[serde(default)]
    pub bans: BanConfig,
    /// `[prevent.geo]`: country and ASN fences per route.
    #[serde(default)]
    pub geo: GeoConfig,
    /// `[prevent.deception]`: fake answers, decoy tokens, tarpit, traps.
    #[serde(default)]
    pub deception: DeceptionConfig,
}

impl PreventConfig {
    /// Compiles the policy, presets first, against the configured limits.
    pub fn compile_policy(&self) -> Result<Policy, PolicyError> {
        Policy::compile(&presets::expand(&self.presets, &self.policy), &self.limits)
    }

    /// Adds the limits the presets' rules name, except those configured
    /// under the same name (which replace the preset's).
    pub fn add_preset_limits(&mut self) {
        for preset in &self.presets {
            for limit in preset.limits() {
                if !self.limits.iter().any(|l| l.name == limit.name) {
                    self.limits.push(limit);
                }
            }
        }
    }

    /// The limits, with their index, that no rule and no signal-class
    /// action names: a limit applies only where an action says
    /// `rate_limit`, so these do nothing.
    pub fn unused_limits(&self) -> impl Iterator<Item = (usize, &LimitConfig)> {
        let policy = presets::expand(&self.presets, &self.policy);
        let named: Vec<String> = policy
            .actions()
            .filter_map(|action| match action {
                ActionConfig::RateLimit { limit } => Some(limit.clone()),
                _ => None,
            })
            .collect();
        self.limits
            .iter()
            .enumerate()
            .filter(move |(_, limit)| !named.contains(&limit.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_prevent_section_parses_and_compiles() {
        let config: PreventConfig = toml::from_str(
            r#"
            [bans]
            escalation_seconds = [60, 600]

            [[limits]]
            name = "login-failures"
            key = { parts = ["user"] }
            quota = { requests = 5, per_seconds = 300 }
            count_only_status = [401]

            [policy.defaults]
            mode = "monitor"

            [[policy.rules]]
            name = "limit-logins"
            when = 'endpoint.function == "login"'
            action = { type = "rate_limit", limit = "login-failures" }
            "#,
        )
        .unwrap();
        assert_eq!(config.bans.escalation_seconds, [60, 600]);
        assert!(config.compile_policy().is_ok());
        assert!(toml::from_str::<PreventConfig>("[geo]\n").is_ok());
        assert!(toml::from_str::<PreventConfig>("[geoo]\n").is_err());
    }

    #[test]
    fn limits_no_action_names_are_unused() {
        let config: PreventConfig = toml::from_str(
            r#"
            [[limits]]
            name = "by-rule"
            key = { parts = ["ip"] }
            quota = { requests = 5, per_seconds = 60 }

            [[limits]]
            name = "forgotten"
            key = { parts = ["ip"] }
            quota = { requests = 5, per_seconds = 60 }

            [[limits]]
            name = "by-signal"
            key = { parts = ["ip"] }
            quota = { requests = 5, per_seconds = 60 }

            [policy.defaults.signals]
            bot = { type = "rate_limit", limit = "by-signal" }

            [[policy.rules]]
            name = "limit-all"
            when = "true"
            action = { type = "rate_limit", limit = "by-rule" }
            "#,
        )
        .unwrap();
        let unused: Vec<(usize, &str)> = config
            .unused_limits()
            .map(|(i, limit)| (i, limit.name.as_str()))
            .collect();
        assert_eq!(unused, [(1, "forgotten")]);
    }

    #[test]
    fn limit_names_must_be_unique() {
        let limit = "[[limits]]\nname = \"a\"\nkey = { parts = [\"ip\"] }\nquota = { requests = 1, per_seconds = 1 }\n";
        let config: PreventConfig = toml::from_str(&format!("{limit}{limit}")).unwrap();
        assert_eq!(
            config.compile_policy().err(),
            Some(PolicyError::DuplicateLimit("a".into()))
        );
    }
}
