//! Presets: rules for common protections, taken by name.
//!
//! What discovery learns about an endpoint (its business function) is only
//! worth something if it is enforced; a preset is that enforcement written
//! once, tested, and named in every decision it makes, so an operator turns
//! it on with `[prevent] presets = ["protect-admin-endpoints"]` instead of
//! copying a rule. A preset is an ordinary rule placed before the
//! operator's own: it follows the scopes' `mode` (monitor records what it
//! would refuse), and a rule of the operator's with the same name is
//! refused as a duplicate.

use super::config::{ActionConfig, PolicyConfig, RuleConfig};
use serde::Deserialize;
use std::borrow::Cow;

/// A named protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Refuses (403) endpoints discovery classified `admin` or
    /// `destructive` to requests that carry no credential at all.
    ProtectAdminEndpoints,
}

impl Preset {
    /// The name it is configured by, and the rule's name in decisions.
    pub fn name(self) -> &'static str {
        match self {
            Preset::ProtectAdminEndpoints => "protect-admin-endpoints",
        }
    }

    /// The rule's CEL condition, as documented in `docs/configuration.md`.
    pub fn when(self) -> &'static str {
        match self {
            Preset::ProtectAdminEndpoints => {
                r#"endpoint.function in ["admin", "destructive"] && size(client.credentials) == 0"#
            }
        }
    }

    fn rule(self) -> RuleConfig {
        RuleConfig {
            name: self.name().into(),
            when: self.when().into(),
            action: match self {
                Preset::ProtectAdminEndpoints => ActionConfig::Block {
                    status: Some(403),
                    body: None,
                    content_type: None,
                    headers: Default::default(),
                },
            },
            mode: None,
        }
    }
}

/// The policy with the presets' rules before the operator's own.
pub(crate) fn expand<'a>(presets: &[Preset], policy: &'a PolicyConfig) -> Cow<'a, PolicyConfig> {
    if presets.is_empty() {
        return Cow::Borrowed(policy);
    }
    let mut expanded = policy.clone();
    let mut seen = Vec::new();
    let rules = presets
        .iter()
        .filter(|preset| {
            let first = !seen.contains(*preset);
            seen.push(**preset);
            first
        })
        .map(|preset| preset.rule());
    expanded.rules = rules.chain(policy.rules.iter().cloned()).collect();
    Cow::Owned(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::RequestFacts;
    use crate::policy::{Policy, PolicyError, Verdict};
    use std::net::{IpAddr, Ipv4Addr};

    fn facts(function: &str, credentials: &[&'static str]) -> RequestFacts {
        let mut facts =
            RequestFacts::new("POST", "/api/debug/reset", IpAddr::V4(Ipv4Addr::LOCALHOST));
        facts.endpoint.function = Some(function.into());
        facts.client.credentials = credentials.to_vec();
        facts
    }

    fn protected() -> Policy {
        let policy = PolicyConfig::default();
        Policy::compile(&expand(&[Preset::ProtectAdminEndpoints], &policy), &[]).unwrap()
    }

    #[test]
    fn admin_and_destructive_endpoints_are_refused_to_anonymous_requests() {
        let policy = protected();
        for function in ["admin", "destructive"] {
            let decision = policy.evaluate(&facts(function, &[]), &[]);
            let Verdict::Block(response) = &decision.verdict else {
                panic!("{function}: {decision:?}");
            };
            assert_eq!(response.status, 403);
            let body = String::from_utf8_lossy(&response.body);
            assert!(body.contains("rule:protect-admin-endpoints"), "{body}");
        }
    }

    #[test]
    fn credentials_or_another_function_pass() {
        let policy = protected();
        for (function, credentials) in [
            ("admin", &["jwt_bearer"][..]),
            ("destructive", &["session_cookie"][..]),
            ("health", &[][..]),
            ("cart", &[][..]),
            ("", &[][..]),
        ] {
            let decision = policy.evaluate(&facts(function, credentials), &[]);
            assert_eq!(
                decision.verdict,
                Verdict::Allow,
                "{function} {credentials:?}"
            );
        }
    }

    #[test]
    fn the_documented_rule_is_the_preset() {
        let docs = include_str!("../../../../docs/configuration.md");
        let section = &docs[docs.find("## Presets").unwrap()..];
        let block = section
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap();
        #[derive(serde::Deserialize)]
        struct Documented {
            prevent: crate::PreventConfig,
        }
        let documented: Documented = toml::from_str(block).unwrap();
        let preset = Preset::ProtectAdminEndpoints;
        assert_eq!(documented.prevent.policy.rules, [preset.rule()]);
        assert!(docs.contains(&format!("presets = [\"{}\"]", preset.name())));
    }

    #[test]
    fn presets_come_first_once_and_names_stay_unique() {
        let mut policy: PolicyConfig = toml::from_str(
            r#"
            [[rules]]
            name = "tag-all"
            when = "true"
            action = { type = "tag", headers = { x-seen = "1" } }
            "#,
        )
        .unwrap();
        let twice = [Preset::ProtectAdminEndpoints, Preset::ProtectAdminEndpoints];
        let names: Vec<String> = expand(&twice, &policy)
            .rules
            .iter()
            .map(|r| r.name.clone())
            .collect();
        assert_eq!(names, ["protect-admin-endpoints", "tag-all"]);
        policy.rules[0].name = "protect-admin-endpoints".into();
        assert!(matches!(
            Policy::compile(&expand(&twice, &policy), &[]),
            Err(PolicyError::DuplicateRule(name)) if name == "protect-admin-endpoints"
        ));
    }
}
