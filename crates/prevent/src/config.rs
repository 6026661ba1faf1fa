//! The `[prevent]` section as a whole, for the gateway to embed.

use crate::ban::BanConfig;
use crate::deception::DeceptionConfig;
use crate::geo::GeoConfig;
use crate::policy::{Policy, PolicyConfig, PolicyError};
use crate::ratelimit::LimitConfig;
use serde::Deserialize;

/// Everything prevention is configured with.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreventConfig {
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
    /// Compiles the policy against the configured limits.
    pub fn compile_policy(&self) -> Result<Policy, PolicyError> {
        Policy::compile(&self.policy, &self.limits)
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
    fn limit_names_must_be_unique() {
        let limit = "[[limits]]\nname = \"a\"\nkey = { parts = [\"ip\"] }\nquota = { requests = 1, per_seconds = 1 }\n";
        let config: PreventConfig = toml::from_str(&format!("{limit}{limit}")).unwrap();
        assert_eq!(
            config.compile_policy().err(),
            Some(PolicyError::DuplicateLimit("a".into()))
        );
    }
}
