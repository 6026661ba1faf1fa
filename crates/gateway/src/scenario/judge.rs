//! Whether a scenario showed what it claims: each `expect` entry against
//! the first exchange of its actor that matches, each `never` entry against
//! every exchange of its actor, with the evidence a reader needs to believe
//! the result (the attempt, the signal, its score and what it saw).

use super::expand::Planned;
use super::format::ExpectSpec;
use crate::offline::OfflineVerdict;
use rampart_core::Reason;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Evidence longer than this is cut in the report.
const MAX_EVIDENCE_CHARS: usize = 160;

/// One exchange of the scenario and what the gateway did with it.
pub struct Observed<'a> {
    pub planned: &'a Planned,
    pub verdict: OfflineVerdict,
}

/// The result of one `expect` or `never` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub passed: bool,
    /// What was asked, e.g. `stuffer: behave.ato, block, by attempt 20`.
    pub expected: String,
    /// What happened: the deciding attempt and its reason, or why not.
    pub evidence: String,
}

/// An `expect` entry: some exchange of the actor matches, by its
/// `by_attempt` when it has one.
pub fn expect(spec: &ExpectSpec, seen: &[Observed<'_>]) -> Check {
    let mine: Vec<&Observed<'_>> = of_actor(spec, seen).collect();
    let expected = describe_spec(spec, "");
    let Some((first, reason)) = mine.iter().find_map(|o| matching(spec, o).map(|r| (o, r))) else {
        return Check {
            passed: false,
            expected,
            evidence: format!("not seen in {} attempt(s); {}", mine.len(), summary(&mine)),
        };
    };
    let attempt = first.planned.attempt;
    let late = spec.by_attempt.is_some_and(|by| attempt > by);
    let evidence = format!(
        "{} at attempt {attempt} of {}: {}",
        if late { "too late, first" } else { "caught" },
        mine.len(),
        describe(first, reason)
    );
    Check {
        passed: !late,
        expected,
        evidence,
    }
}

/// A `never` entry: no exchange of the actor matches.
pub fn never(spec: &ExpectSpec, seen: &[Observed<'_>]) -> Check {
    let mine: Vec<&Observed<'_>> = of_actor(spec, seen).collect();
    let expected = describe_spec(spec, "never ");
    match mine.iter().find_map(|o| matching(spec, o).map(|r| (o, r))) {
        Some((first, reason)) => Check {
            passed: false,
            expected,
            evidence: format!(
                "happened at attempt {} of {}: {}",
                first.planned.attempt,
                mine.len(),
                describe(first, reason)
            ),
        },
        None => Check {
            passed: true,
            expected,
            evidence: format!("none of {} attempt(s); {}", mine.len(), summary(&mine)),
        },
    }
}

fn of_actor<'s, 'a>(
    spec: &'s ExpectSpec,
    seen: &'s [Observed<'a>],
) -> impl Iterator<Item = &'s Observed<'a>> + 's {
    seen.iter().filter(move |o| o.planned.actor == spec.actor)
}

/// Whether the exchange matches the entry: `Some` with the strongest reason
/// of the asked signal (or `None` inside when only a decision was asked).
fn matching<'o>(spec: &ExpectSpec, observed: &'o Observed<'_>) -> Option<Option<&'o Reason>> {
    let verdict = &observed.verdict;
    if let Some(decision) = spec.decision.as_deref() {
        let decided = match decision {
            "refused" => verdict.status.is_some(),
            action => verdict.action == action,
        };
        if !decided {
            return None;
        }
    }
    let Some(signal) = spec.signal.as_deref() else {
        return Some(None);
    };
    verdict
        .reasons
        .iter()
        .filter(|r| is_signal(&r.source, signal))
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .map(Some)
}

/// `source` is `signal` or one of its kind (`behave.ato` names
/// `behave.ato.stuffing`, not `behave.atom`).
fn is_signal(source: &str, signal: &str) -> bool {
    source
        .strip_prefix(signal)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn describe_spec(spec: &ExpectSpec, prefix: &str) -> String {
    let mut what: Vec<String> = Vec::new();
    what.extend(spec.signal.clone());
    what.extend(spec.decision.clone());
    let mut text = format!("{}: {prefix}{}", spec.actor, what.join(", "));
    if let Some(by) = spec.by_attempt {
        let _ = write!(text, ", by attempt {by}");
    }
    text
}

/// The exchange's decision and the reason that matched (else what decided).
fn describe(observed: &Observed<'_>, reason: Option<&Reason>) -> String {
    let verdict = &observed.verdict;
    let decision = match verdict.status {
        Some(status) => format!("{} {status}", verdict.action),
        None => verdict.action.to_string(),
    };
    let reason = reason.or_else(|| {
        let cause = verdict.cause()?;
        verdict.reasons.iter().rev().find(|r| r.source == cause)
    });
    match reason {
        Some(reason) => format!(
            "{decision}; {} at {} (score {:.1}): {}",
            reason.source,
            reason.location,
            reason.score,
            cut(&reason.evidence)
        ),
        None => format!("{decision}; score {:.1}", verdict.score()),
    }
}

/// The actions an actor got and the signals raised on its exchanges.
fn summary(mine: &[&Observed<'_>]) -> String {
    let mut actions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut signals: BTreeMap<&str, u64> = BTreeMap::new();
    for observed in mine {
        *actions.entry(observed.verdict.action).or_default() += 1;
        for reason in &observed.verdict.reasons {
            *signals.entry(reason.source.as_str()).or_default() += 1;
        }
    }
    let list = |counts: &BTreeMap<&str, u64>| {
        counts
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match signals.is_empty() {
        true => format!("actions: {}; no signals", list(&actions)),
        false => format!("actions: {}; signals: {}", list(&actions), list(&signals)),
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(actor: &str, attempt: u64) -> Planned {
        Planned::for_test(actor, attempt)
    }

    fn verdict(
        action: &'static str,
        status: Option<u16>,
        reasons: &[(&str, f64)],
    ) -> OfflineVerdict {
        OfflineVerdict {
            route: None,
            action,
            status,
            reasons: reasons
                .iter()
                .map(|(source, score)| Reason::new(*source, "body", "seen", *score))
                .collect(),
        }
    }

    fn observed(plans: &[Planned], verdicts: Vec<OfflineVerdict>) -> Vec<Observed<'_>> {
        plans
            .iter()
            .zip(verdicts)
            .map(|(planned, verdict)| Observed { planned, verdict })
            .collect()
    }

    fn spec(
        actor: &str,
        signal: Option<&str>,
        decision: Option<&str>,
        by: Option<u64>,
    ) -> ExpectSpec {
        ExpectSpec {
            actor: actor.into(),
            signal: signal.map(Into::into),
            decision: decision.map(Into::into),
            by_attempt: by,
        }
    }

    #[test]
    fn an_expectation_is_met_by_the_first_match_in_time() {
        let plans = [
            planned("a", 1),
            planned("a", 2),
            planned("b", 1),
            planned("a", 3),
        ];
        let seen = observed(
            &plans,
            vec![
                verdict("allow", None, &[("behave.ato.brute", 2.0)]),
                verdict(
                    "block",
                    Some(403),
                    &[("behave.ato.brute", 3.0), ("behave.ato.stuffing", 8.0)],
                ),
                verdict("block", Some(403), &[("behave.atom", 9.0)]),
                verdict("block", Some(403), &[]),
            ],
        );
        let caught = expect(
            &spec("a", Some("behave.ato"), Some("block"), Some(2)),
            &seen,
        );
        assert!(caught.passed, "{caught:?}");
        assert_eq!(caught.expected, "a: behave.ato, block, by attempt 2");
        assert_eq!(
            caught.evidence,
            "caught at attempt 2 of 3: block 403; behave.ato.stuffing at body (score 8.0): seen"
        );
        let late = expect(
            &spec("a", Some("behave.ato"), Some("block"), Some(1)),
            &seen,
        );
        assert!(!late.passed);
        assert!(
            late.evidence
                .starts_with("too late, first at attempt 2 of 3"),
            "{late:?}"
        );
        let refused = expect(&spec("a", None, Some("refused"), None), &seen);
        assert!(
            refused.passed && refused.evidence.contains("attempt 2"),
            "{refused:?}"
        );
        let missing = expect(&spec("b", Some("behave.ato"), None, None), &seen);
        assert!(!missing.passed);
        assert_eq!(
            missing.evidence,
            "not seen in 1 attempt(s); actions: block 1; signals: behave.atom 1"
        );
    }

    #[test]
    fn a_never_entry_fails_on_any_match() {
        let plans = [planned("a", 1), planned("a", 2)];
        let seen = observed(
            &plans,
            vec![
                verdict("allow", None, &[("behave.ato.brute", 2.0)]),
                verdict("allow", None, &[]),
            ],
        );
        let clean = never(&spec("a", None, Some("refused"), None), &seen);
        assert!(clean.passed, "{clean:?}");
        assert_eq!(clean.expected, "a: never refused");
        assert_eq!(
            clean.evidence,
            "none of 2 attempt(s); actions: allow 2; signals: behave.ato.brute 1"
        );
        let signalled = never(&spec("a", Some("behave.ato.brute"), None, None), &seen);
        assert!(!signalled.passed);
        assert!(signalled
            .evidence
            .starts_with("happened at attempt 1 of 2: allow; behave.ato.brute"));
        let both = never(&spec("a", Some("behave.ato"), Some("block"), None), &seen);
        assert!(both.passed, "a signal without the decision: {both:?}");
    }

    #[test]
    fn long_evidence_is_cut() {
        assert_eq!(cut("short"), "short");
        let long = "é".repeat(200);
        assert_eq!(cut(&long).chars().count(), MAX_EVIDENCE_CHARS + 3);
    }
}
