//! The engine's answer for one request: detections added up into an anomaly
//! score, compared with the endpoint's threshold.

use crate::detectors::Detection;
use rampart_core::Reason;
use serde::Serialize;

/// What the engine concluded about one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// True when the score reached the threshold and the endpoint enforces.
    pub blocked: bool,
    /// `allow`, `monitor` (would have blocked; endpoint in monitor mode) or `block`.
    pub action: &'static str,
    pub score: f64,
    #[serde(skip)]
    pub threshold: f64,
    pub detections: Vec<Detection>,
    /// The body could not be inspected (binary type, past a bound): why,
    /// and whether the request is refused for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uninspected: Option<Uninspected>,
    /// The status a block answers with: 403, or 413 when what blocks is
    /// the refusal of a body that could not be inspected.
    #[serde(skip)]
    pub status: u16,
}

/// Why a body was not inspected, and what was decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uninspected {
    pub reason: String,
    /// Refused (413) rather than let through uninspected.
    pub refused: bool,
    /// A binary type (protobuf, images...), which no detector reads: what
    /// an API expects, not a gap in inspection.
    pub binary: bool,
}

impl Verdict {
    /// Adds up detections (a rule counts once per placement: a payload seen
    /// in a cookie and again in its base64 reading is one finding) and
    /// decides.
    /// Monitor-only detections count towards `monitor` (what enforce mode
    /// would do) but never towards a block.
    pub fn decide(mut detections: Vec<Detection>, threshold: f64, enforce: bool) -> Verdict {
        // Strongest first; among equals, the deepest decoding first: it
        // names the chain that revealed the payload.
        detections.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.steps.cmp(&a.steps)));
        let mut counted: Vec<(&str, &str)> = Vec::new();
        let (mut score, mut enforced) = (0.0, 0.0);
        for d in &detections {
            if !counted.contains(&(d.rule.as_str(), d.placement.as_str())) {
                counted.push((d.rule.as_str(), d.placement.as_str()));
                score += d.score;
                if !d.monitor_only {
                    enforced += d.score;
                }
            }
        }
        let (blocked, action) = if enforce && enforced >= threshold {
            (true, "block")
        } else if score >= threshold {
            (false, "monitor")
        } else {
            (false, "allow")
        };
        Verdict {
            blocked,
            action,
            score,
            threshold,
            detections,
            uninspected: None,
            status: 403,
        }
    }

    /// Records a body that was not inspected; a refusal blocks in enforce
    /// mode and is what monitor mode says enforce mode would do.
    pub fn uninspected(mut self, why: Uninspected, enforce: bool) -> Verdict {
        if why.refused && self.action != "block" {
            self.blocked = enforce;
            self.action = if enforce { "block" } else { "monitor" };
            self.status = 413;
        }
        self.uninspected = Some(why);
        self
    }

    /// The detections as explained reasons for events and the gateway.
    pub fn reasons(&self) -> Vec<Reason> {
        self.detections
            .iter()
            .map(|d| {
                Reason::new(
                    format!("detect.{}", d.rule),
                    d.location.clone(),
                    d.evidence.clone(),
                    d.score,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::{Category, Hit};
    use crate::location::Location;

    fn det(rule: &'static str, score: f64, loc: &str) -> Detection {
        Detection::new(
            &Hit::new(rule, score, 0.9, 1),
            &Location::Query(loc.into()),
            "x".into(),
        )
    }

    #[test]
    fn adds_scores_once_per_rule_and_location() {
        let v = Verdict::decide(
            vec![
                det("sqli.tautology", 5.0, "a"),
                det("sqli.tautology", 5.0, "a"),
                det("protocol.x", 2.0, "b"),
            ],
            5.0,
            true,
        );
        assert_eq!(v.score, 7.0);
        assert!(v.blocked);
        assert_eq!(v.detections[0].category, Category::Sqli);
        let v = Verdict::decide(vec![det("protocol.x", 3.0, "b")], 5.0, true);
        assert_eq!(v.action, "allow");
        let v = Verdict::decide(vec![det("xss.active_tag", 5.0, "b")], 5.0, false);
        assert_eq!((v.blocked, v.action), (false, "monitor"));
        assert_eq!(v.reasons()[0].source, "detect.xss.active_tag");
    }

    #[test]
    fn a_rule_counts_once_per_placement_and_the_deepest_reading_names_it() {
        let cookie = Location::Cookie("prefs".into());
        let decoded = cookie.clone().then(crate::location::Layer::Base64);
        let hit = Hit::new("sqli.union", 5.0, 0.9, 1);
        let v = Verdict::decide(
            vec![
                Detection::new(&hit, &cookie, "x".into()),
                Detection::new(&hit, &decoded, "x".into()),
                Detection::new(&hit, &Location::Cookie("other".into()), "x".into()),
            ],
            5.0,
            true,
        );
        assert_eq!(v.score, 10.0, "prefs once, other once");
        assert_eq!(v.detections[0].location, "cookie.prefs→base64");
    }

    #[test]
    fn monitor_only_detections_never_block_but_say_what_would() {
        let mut held = det("contract.wrong_type", 5.0, "a");
        held.monitor_only = true;
        let v = Verdict::decide(vec![held.clone()], 5.0, true);
        assert_eq!((v.blocked, v.action, v.score), (false, "monitor", 5.0));
        let v = Verdict::decide(vec![held, det("protocol.x", 3.0, "b")], 5.0, true);
        assert_eq!((v.blocked, v.action), (false, "monitor"), "3 enforced of 8");
        let v = Verdict::decide(vec![det("xss.active_tag", 5.0, "b")], 5.0, true);
        assert!(v.blocked);
    }
}
