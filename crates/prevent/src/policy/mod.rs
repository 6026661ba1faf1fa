//! Policy: what to do with one request, given its facts and its signals.
//!
//! # Precedence
//!
//! 1. **Scope.** Mode, block score and signal-class actions come from the
//!    most specific scope that sets them: endpoint template, then business
//!    function, then route, then `defaults` (see [`scope`]).
//! 2. **Custom rules**, in the order written. Every rule is evaluated. The
//!    *first* matching rule with a terminal action (ban, block, deceive)
//!    decides the verdict: order is the operator's priority, as in firewall
//!    rule lists. Non-terminal actions of all matching rules add up: every
//!    `rate_limit` names a limit to check, every `tag` adds headers upstream,
//!    `mask` asks for response masking, `monitor` only records.
//! 3. **Signal classes**, only if no rule decided: each signal whose class
//!    has an action contributes it; the most severe terminal action wins
//!    (ban > block > deceive), non-terminal ones add up as above.
//! 4. **Score**, only if nothing decided yet: when the sum of signal scores
//!    reaches `block_score`, the request is blocked with the default
//!    problem document.
//! 5. **Mode.** In `monitor` mode the decision is the same, but
//!    [`Decision::mode`] says monitor: the gateway records it and applies
//!    nothing (no block, limit, tag or mask). A rule can be put in monitor
//!    mode on its own (`mode = "monitor"` on the rule): it is evaluated and
//!    recorded ([`Decision::held_back`], limits it names checked in monitor
//!    mode) but never decides, so the rules and signal classes after it
//!    decide as if it had not matched.
//!
//! A rule whose evaluation fails at run time (say a regex over a huge value)
//! does not match; it is listed in [`Decision::failed_rules`].

pub mod action;
mod bindings;
pub mod config;
mod fields;
mod guard;
pub mod key_expression;
mod patterns;
pub mod presets;
pub mod response;
mod rule;
mod schema;
pub mod scope;

use crate::facts::{RequestFacts, Signal};
use crate::ratelimit::LimitConfig;
use action::Action;
pub use action::BlockTemplate;
use cel::Env;
pub use config::{
    ActionConfig, BanOn, Deception, Mode, PolicyConfig, RuleConfig, ScopeMatch, ScopeSettings,
};
use patterns::Patterns;
pub use presets::Preset;
use rampart_core::Reason;
pub use response::{problem_response, rate_limited_response, BlockResponse};
use rule::CompiledRule;
pub use rule::RuleError;
pub use scope::ScopeError;
use scope::Scopes;
use std::collections::HashSet;
use std::sync::Arc;

/// Why a policy was refused at load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error("rule `{0}` is declared twice")]
    DuplicateRule(String),
    #[error("limit `{0}` is declared twice")]
    DuplicateLimit(String),
}

/// A compiled policy: immutable, shared by every worker.
pub struct Policy {
    env: Arc<Env>,
    patterns: Arc<Patterns>,
    /// The fields the interpreted rules read, each once.
    interpreted_fields: Vec<schema::FieldUse>,
    scopes: Scopes,
    rules: Vec<CompiledRule>,
}

/// The answer that replaces the upstream's, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Block(BlockResponse),
    /// Ban this identity of the client, and answer with `response`.
    Ban {
        on: BanOn,
        response: BlockResponse,
    },
    Deceive(Deception),
}

/// What policy decided for one request, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// `Monitor`: record everything below, apply none of it.
    pub mode: Mode,
    pub verdict: Verdict,
    /// Limits from `[[prevent.limits]]` this request must pass.
    pub limits: Vec<NamedLimit>,
    /// A matching rule or signal class asked for `monitor`: record the
    /// exchange as it is.
    pub record: bool,
    /// Headers to add to the request sent upstream.
    pub upstream_headers: Vec<(String, String)>,
    pub mask_response: bool,
    /// What the first matching rule in monitor mode with a terminal action
    /// would have answered; never applied, recorded as `would_block`...
    pub held_back: Option<Verdict>,
    /// Every rule, signal or threshold that contributed, except those that
    /// only named a limit (see [`NamedLimit::named_by`]).
    pub reasons: Vec<Reason>,
    /// Rules whose evaluation failed, with the error.
    pub failed_rules: Vec<(Arc<str>, String)>,
}

/// A limit a decision subjects the request to.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLimit {
    pub name: Arc<str>,
    /// The rule or signal that named the limit. A limit checked and passed
    /// explains nothing, so this is a reason only when the limit refuses.
    pub named_by: Reason,
    /// `Monitor` when only rules in monitor mode named it: the limit is
    /// checked and counted, a refusal recorded and never applied.
    pub mode: Mode,
}

impl Policy {
    /// Compiles and checks every scope, action and rule; `limits` are the
    /// limits rules may refer to.
    pub fn compile(config: &PolicyConfig, limits: &[LimitConfig]) -> Result<Policy, PolicyError> {
        let mut limit_names = HashSet::new();
        for limit in limits {
            if !limit_names.insert(limit.name.as_str()) {
                return Err(PolicyError::DuplicateLimit(limit.name.clone()));
            }
        }
        let limit_exists = |name: &str| limit_names.contains(name);
        let scopes = Scopes::compile(&config.defaults, &config.scopes, &limit_exists)?;
        let env = Env::stdlib();
        let mut patterns = Patterns::default();
        let mut names = HashSet::new();
        let mut rules = Vec::with_capacity(config.rules.len());
        for rule in &config.rules {
            if !names.insert(rule.name.as_str()) {
                return Err(PolicyError::DuplicateRule(rule.name.clone()));
            }
            rules.push(CompiledRule::compile(
                rule,
                &env,
                &mut patterns,
                &limit_exists,
            )?);
        }
        let mut interpreted_fields: Vec<schema::FieldUse> = Vec::new();
        for field in rules.iter().flat_map(|rule| &rule.interpreted_fields) {
            if !interpreted_fields.contains(field) {
                interpreted_fields.push(field.clone());
            }
        }
        Ok(Policy {
            env: Arc::new(env),
            patterns: Arc::new(patterns),
            interpreted_fields,
            scopes,
            rules,
        })
    }

    /// Whether decisions for this request are applied or only recorded
    /// (the most specific scope's `mode`): what answers before the policy
    /// is evaluated (bans, geo fences, traps) follows it too.
    pub fn mode(&self, facts: &RequestFacts) -> Mode {
        self.scopes.resolve(facts).mode()
    }

    /// Decides for one request. Never fails: a rule that cannot be evaluated
    /// does not match and is reported in the decision.
    pub fn evaluate(&self, facts: &RequestFacts, signals: &[Signal]) -> Decision {
        let scope = self.scopes.resolve(facts);
        let mut outcome = Outcome::default();
        let mut context = None;
        for rule in &self.rules {
            // Guards first; the interpreter's bindings are built at most once,
            // and only when a rule needs them.
            let matched = match rule.decide_by_guards(facts, signals) {
                Some(decided) => Ok(decided),
                None => rule.matches(context.get_or_insert_with(|| {
                    bindings::context(
                        &self.env,
                        &self.patterns,
                        &self.interpreted_fields,
                        facts,
                        signals,
                    )
                })),
            };
            match matched {
                Ok(true) => {
                    let source = format!("rule:{}", rule.name);
                    match rule.mode {
                        Mode::Enforce => {
                            let reason = Reason::new(source, "policy", rule.action.name(), 0.0);
                            outcome.apply(&rule.action, reason, Priority::FirstWins);
                        }
                        Mode::Monitor => {
                            let what = format!("{} (rule in monitor mode)", rule.action.name());
                            outcome
                                .hold_back(&rule.action, Reason::new(source, "policy", what, 0.0));
                        }
                    }
                }
                Ok(false) => {}
                Err(error) => outcome.failed_rules.push((rule.name.clone(), error)),
            }
        }
        let decided_by_rule = outcome.terminal.is_some();
        for signal in signals {
            if let Some(action) = scope.signal_action(&signal.class) {
                if decided_by_rule && action.severity().is_some() {
                    continue;
                }
                let reason = Reason::new(
                    &signal.source,
                    &signal.location,
                    &signal.class,
                    signal.score,
                );
                outcome.apply(action, reason, Priority::MostSevere);
            }
        }
        let score: f64 = signals.iter().map(|signal| signal.score).sum();
        if let (None, Some(threshold)) = (&outcome.terminal, scope.block_score()) {
            if score >= threshold {
                let reason = Reason::new(
                    "policy.block_score",
                    "signals",
                    format!("score {score} >= {threshold}"),
                    score,
                );
                outcome.apply(
                    &Action::Block(BlockTemplate::forbidden()),
                    reason,
                    Priority::FirstWins,
                );
            }
        }
        for (_, value) in &mut outcome.upstream_headers {
            expand_tag(value, score, signals, facts);
        }
        outcome.into_decision(scope.mode(), &facts.request_id)
    }
}

/// Fills the placeholders a `tag` header value may carry, so applications
/// upstream can act on what the gateway saw: `{score}` (the exchange's
/// anomaly score), `{signals}` (its signal classes, comma-separated, each
/// once) and `{risk}` (the endpoint's risk, 0 to 1).
fn expand_tag(value: &mut String, score: f64, signals: &[Signal], facts: &RequestFacts) {
    if !value.contains('{') {
        return;
    }
    let mut classes: Vec<&str> = Vec::new();
    for signal in signals {
        if !classes.contains(&signal.class.as_str()) {
            classes.push(&signal.class);
        }
    }
    *value = value
        .replace("{score}", &score.to_string())
        .replace("{signals}", &classes.join(","))
        .replace("{risk}", &facts.endpoint.risk.to_string());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// An earlier terminal action keeps its place (rules in order).
    FirstWins,
    /// A later, more severe terminal action replaces it (signal classes).
    MostSevere,
}

#[derive(Default)]
struct Outcome {
    /// The deciding action and the reason it names.
    terminal: Option<(Action, String)>,
    /// The first terminal action of a rule in monitor mode, and its reason.
    held_back: Option<(Action, String)>,
    limits: Vec<NamedLimit>,
    record: bool,
    upstream_headers: Vec<(String, String)>,
    mask_response: bool,
    reasons: Vec<Reason>,
    failed_rules: Vec<(Arc<str>, String)>,
}

impl Outcome {
    fn apply(&mut self, action: &Action, reason: Reason, priority: Priority) {
        match action {
            Action::RateLimit(limit) => {
                self.name_limit(limit, reason, Mode::Enforce);
                return;
            }
            Action::Tag(headers) => self.upstream_headers.extend(headers.iter().cloned()),
            Action::Mask => self.mask_response = true,
            Action::Monitor => self.record = true,
            Action::Block(_) | Action::Ban(_) | Action::Deceive(_) => {
                let replace = match (&self.terminal, priority) {
                    (None, _) => true,
                    (Some(_), Priority::FirstWins) => false,
                    (Some((current, _)), Priority::MostSevere) => {
                        action.severity() > current.severity()
                    }
                };
                if replace {
                    self.terminal = Some((action.clone(), reason.source.clone()));
                }
            }
        }
        self.reasons.push(reason);
    }

    /// A matching rule in monitor mode: recorded with what it would have
    /// done, nothing applied. Its limit is still checked and counted (in
    /// monitor mode), so that a would-be rate limit shows.
    fn hold_back(&mut self, action: &Action, reason: Reason) {
        self.record = true;
        match action {
            Action::RateLimit(limit) => {
                self.name_limit(limit, reason, Mode::Monitor);
                return;
            }
            Action::Block(_) | Action::Ban(_) | Action::Deceive(_) => {
                if self.held_back.is_none() {
                    self.held_back = Some((action.clone(), reason.source.clone()));
                }
            }
            Action::Mask | Action::Tag(_) | Action::Monitor => {}
        }
        self.reasons.push(reason);
    }

    /// Subjects the request to `limit` once; an enforcing rule makes a
    /// limit a monitoring rule named enforced.
    fn name_limit(&mut self, limit: &Arc<str>, reason: Reason, mode: Mode) {
        match self.limits.iter_mut().find(|named| named.name == *limit) {
            Some(named) => {
                if mode == Mode::Enforce && named.mode == Mode::Monitor {
                    *named = NamedLimit {
                        name: limit.clone(),
                        named_by: reason,
                        mode,
                    };
                }
            }
            None => self.limits.push(NamedLimit {
                name: limit.clone(),
                named_by: reason,
                mode,
            }),
        }
    }

    fn into_decision(self, mode: Mode, request_id: &str) -> Decision {
        let verdict = |decided: Option<(Action, String)>| match decided {
            None => Verdict::Allow,
            Some((action, source)) => {
                let why = format!("Refused by {source}.");
                match action {
                    Action::Block(template) => Verdict::Block(template.render(request_id, &why)),
                    Action::Ban(on) => Verdict::Ban {
                        on,
                        response: BlockTemplate::forbidden().render(request_id, &why),
                    },
                    Action::Deceive(with) => Verdict::Deceive(with),
                    _ => Verdict::Allow,
                }
            }
        };
        Decision {
            mode,
            verdict: verdict(self.terminal),
            held_back: self.held_back.map(|held| verdict(Some(held))),
            limits: self.limits,
            record: self.record,
            upstream_headers: self.upstream_headers,
            mask_response: self.mask_response,
            reasons: self.reasons,
            failed_rules: self.failed_rules,
        }
    }
}
