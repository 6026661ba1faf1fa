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

use super::config::{ActionConfig, Deception, PolicyConfig, RuleConfig};
use crate::ratelimit::{KeySpec, LimitConfig, Quota};
use serde::Deserialize;
use std::borrow::Cow;

/// A named protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Refuses (403) endpoints discovery classified `admin` or
    /// `destructive` to requests that carry no credential at all.
    ProtectAdminEndpoints,
    /// Bots by declared class (the `bots` stage): verified search engines
    /// pass, AI search is limited, training crawlers are refused, and a
    /// claim that failed verification, or a client that keeps coming after
    /// refusals (`bots.ignores_refusal`), is answered with decoy content.
    GovernBots,
}

/// The limit `govern-bots` applies to AI search, unless one of this name is configured.
pub const AI_SEARCH_LIMIT: &str = "govern-bots-ai-search";

fn block(status: u16) -> ActionConfig {
    ActionConfig::Block {
        status: Some(status),
        body: None,
        content_type: None,
        headers: Default::default(),
    }
}

fn rule(name: &str, when: &str, action: ActionConfig) -> RuleConfig {
    RuleConfig {
        name: name.into(),
        when: when.into(),
        action,
        mode: None,
    }
}

impl Preset {
    /// The name it is configured by; its rules' names start with it.
    pub fn name(self) -> &'static str {
        match self {
            Preset::ProtectAdminEndpoints => "protect-admin-endpoints",
            Preset::GovernBots => "govern-bots",
        }
    }

    /// Its rules, in order, as documented in `docs/configuration.md`.
    fn rules(self) -> Vec<RuleConfig> {
        match self {
            Preset::ProtectAdminEndpoints => vec![rule(
                self.name(),
                r#"endpoint.function in ["admin", "destructive"] && size(client.credentials) == 0"#,
                block(403),
            )],
            Preset::GovernBots => vec![
                rule(
                    "govern-bots-unverified",
                    r#"bot.verification == "failed""#,
                    ActionConfig::Deceive {
                        with: Deception::FakeSuccess,
                    },
                ),
                rule(
                    "govern-bots-ignores-refusal",
                    r#""bots.ignores_refusal" in signals.sources"#,
                    ActionConfig::Deceive {
                        with: Deception::FakeSuccess,
                    },
                ),
                rule(
                    "govern-bots-training",
                    r#"bot.class == "training_crawler""#,
                    block(403),
                ),
                rule(
                    "govern-bots-ai-search",
                    r#"bot.class == "ai_search""#,
                    ActionConfig::RateLimit {
                        limit: AI_SEARCH_LIMIT.into(),
                    },
                ),
            ],
        }
    }

    /// The limits its rules name, used where none of that name is configured.
    pub fn limits(self) -> Vec<LimitConfig> {
        match self {
            Preset::ProtectAdminEndpoints => Vec::new(),
            Preset::GovernBots => vec![LimitConfig {
                name: AI_SEARCH_LIMIT.into(),
                key: KeySpec {
                    parts: Vec::new(),
                    expression: Some("bot.name".into()),
                    subnet_v4: 24,
                    subnet_v6: 64,
                },
                quota: Quota {
                    requests: 60,
                    per_seconds: 60,
                    burst: None,
                },
                count_only_status: None,
                max_keys: 1_000,
            }],
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
        .flat_map(|preset| preset.rules());
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
    fn the_documented_rules_are_the_presets() {
        let docs = include_str!("../../../../docs/configuration.md");
        let section = &docs[docs.find("## Presets").unwrap()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        #[derive(serde::Deserialize)]
        struct Documented {
            prevent: crate::PreventConfig,
        }
        let blocks: Vec<crate::PreventConfig> = section
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .map(|block| toml::from_str::<Documented>(block).unwrap().prevent)
            .collect();
        for preset in [Preset::ProtectAdminEndpoints, Preset::GovernBots] {
            assert!(
                blocks
                    .iter()
                    .any(|b| b.policy.rules == preset.rules() && b.limits == preset.limits()),
                "{} is not documented as it is",
                preset.name()
            );
            assert!(docs.contains(&format!("`{}`", preset.name())));
        }
        assert!(docs.contains("presets = [\"protect-admin-endpoints\"]"));
    }

    fn bot(class: &str, verification: &str) -> RequestFacts {
        let mut facts = RequestFacts::new("GET", "/articles", IpAddr::V4(Ipv4Addr::LOCALHOST));
        facts.client.bot = Some(crate::facts::BotFacts {
            name: format!("{class}-agent"),
            class: class.into(),
            operator: String::new(),
            verification: verification.into(),
        });
        facts
    }

    #[test]
    fn govern_bots_refuses_training_limits_ai_search_and_deceives_false_claims_and_persistence() {
        let mut config = crate::PreventConfig {
            presets: vec![Preset::GovernBots],
            ..Default::default()
        };
        config.add_preset_limits();
        assert_eq!(config.unused_limits().count(), 0);
        let policy = config.compile_policy().unwrap();
        let decide = |class, verification| policy.evaluate(&bot(class, verification), &[]);
        let training = decide("training_crawler", "unverifiable");
        assert!(
            matches!(&training.verdict, Verdict::Block(r) if r.status == 403),
            "{training:?}"
        );
        let claimant = decide("search_engine", "failed");
        assert_eq!(claimant.verdict, Verdict::Deceive(Deception::FakeSuccess));
        let search = decide("ai_search", "unverifiable");
        assert_eq!(search.verdict, Verdict::Allow);
        assert_eq!(&*search.limits[0].name, AI_SEARCH_LIMIT);
        for (class, verification) in [
            ("search_engine", "verified"),
            ("monitoring", "unverifiable"),
        ] {
            let passing = decide(class, verification);
            assert_eq!(passing.verdict, Verdict::Allow, "{class}");
            assert!(passing.limits.is_empty(), "{class}");
        }
        let persistent = policy.evaluate(
            &bot("training_crawler", "unverifiable"),
            &[crate::facts::Signal {
                class: "bot".into(),
                source: "bots.ignores_refusal".into(),
                location: "client".into(),
                score: 3.0,
                confidence: 1.0,
            }],
        );
        assert_eq!(
            persistent.verdict,
            Verdict::Deceive(Deception::FakeSuccess),
            "a refused crawler that keeps coming gets decoys: {persistent:?}"
        );
        let human = policy.evaluate(
            &RequestFacts::new("GET", "/", IpAddr::V4(Ipv4Addr::LOCALHOST)),
            &[],
        );
        assert_eq!(human.verdict, Verdict::Allow);
    }

    #[test]
    fn a_configured_limit_replaces_the_presets() {
        let mut config: crate::PreventConfig = toml::from_str(&format!(
            r#"
            presets = ["govern-bots"]
            [[limits]]
            name = "{AI_SEARCH_LIMIT}"
            key = {{ parts = ["ip"] }}
            quota = {{ requests = 5, per_seconds = 60 }}
            "#
        ))
        .unwrap();
        config.add_preset_limits();
        assert_eq!(config.limits.len(), 1);
        assert_eq!(config.limits[0].quota.requests, 5);
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
