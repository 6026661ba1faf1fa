//! A risk score per endpoint, with the reasons that make it up.
//!
//! Operators triage hundreds of endpoints; the score orders them and the
//! reasons say why, so a number is never unexplained.

use crate::findings::Finding;
use crate::function::BusinessFunction;
use crate::sensitive::SensitiveKind;
use serde::{Deserialize, Serialize};

/// The score (0 to 100) and its reasons, largest contribution first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Risk {
    pub score: u32,
    pub reasons: Vec<String>,
}

/// What the score is computed from.
pub struct RiskInputs<'a> {
    pub method: &'a str,
    pub unauthenticated: bool,
    pub sensitive: &'a [SensitiveKind],
    pub shadow: bool,
    pub zombie: bool,
    pub function: BusinessFunction,
    pub findings: &'a [Finding],
}

/// Scores one endpoint.
pub fn score(inputs: &RiskInputs<'_>) -> Risk {
    let mut parts: Vec<(u32, String)> = Vec::new();
    if inputs.unauthenticated {
        parts.push((30, "answers without credentials".into()));
    }
    let mut kinds = inputs.sensitive.to_vec();
    kinds.sort();
    kinds.dedup();
    let sensitive: u32 = kinds.iter().map(|k| k.risk_weight()).sum::<u32>().min(40);
    if sensitive > 0 {
        let names: Vec<String> = kinds.iter().map(|k| format!("{k:?}")).collect();
        parts.push((
            sensitive,
            format!("carries sensitive data: {}", names.join(", ")),
        ));
    }
    if inputs.zombie {
        parts.push((20, "deprecated but still called (zombie)".into()));
    }
    if inputs.shadow {
        parts.push((15, "not in the declared spec (shadow)".into()));
    }
    if matches!(inputs.method, "POST" | "PUT" | "PATCH" | "DELETE") {
        parts.push((10, format!("changes state ({})", inputs.method)));
    }
    match inputs.function {
        BusinessFunction::Admin => parts.push((15, "administrative function".into())),
        BusinessFunction::Destructive => {
            parts.push((15, "destructive function (bulk delete or reset)".into()))
        }
        _ => {}
    }
    let findings: u32 = inputs
        .findings
        .iter()
        .map(Finding::risk_weight)
        .sum::<u32>()
        .min(20);
    if findings > 0 {
        let kinds: Vec<&str> = inputs.findings.iter().map(Finding::kind).collect();
        parts.push((findings, format!("findings: {}", kinds.join(", "))));
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    Risk {
        score: parts.iter().map(|(w, _)| w).sum::<u32>().min(100),
        reasons: parts.into_iter().map(|(_, r)| r).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_explain_the_score() {
        let risk = score(&RiskInputs {
            method: "DELETE",
            unauthenticated: true,
            sensitive: &[
                SensitiveKind::CreditCard,
                SensitiveKind::Email,
                SensitiveKind::Email,
            ],
            shadow: true,
            zombie: false,
            function: BusinessFunction::Admin,
            findings: &[],
        });
        assert_eq!(risk.score, 100);
        assert_eq!(risk.reasons[0], "carries sensitive data: CreditCard, Email");
        let quiet = score(&RiskInputs {
            method: "GET",
            unauthenticated: false,
            sensitive: &[],
            shadow: false,
            zombie: false,
            function: BusinessFunction::Other,
            findings: &[],
        });
        assert_eq!(quiet, Risk::default());
        let bulk_delete = score(&RiskInputs {
            method: "DELETE",
            function: BusinessFunction::Destructive,
            unauthenticated: false,
            sensitive: &[],
            shadow: false,
            zombie: false,
            findings: &[],
        });
        assert_eq!(bulk_delete.score, 25);
        assert_eq!(
            bulk_delete.reasons[0],
            "destructive function (bulk delete or reset)"
        );
    }
}
