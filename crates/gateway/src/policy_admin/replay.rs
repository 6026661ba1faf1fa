//! What a proposed configuration would change on recorded traffic: the
//! records run through the current and the proposed configuration in the
//! gateway's offline mode (`crate::offline`, the code `rampart replay`
//! runs), counted with [`Comparison`], and the exchanges whose outcome
//! changed listed (up to a limit) with what was responsible.
//!
//! Blocking: each configuration is compiled with its own single-threaded
//! runtime, so call it from a blocking thread, never from async code.

use crate::config::GatewayConfig;
use crate::offline::{change_cause, Comparison, OfflineGateway, OfflineVerdict};
use rampart_core::RecordReader;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;

/// What replaying a proposed configuration would change.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    /// Records replayed.
    pub records: u64,
    /// Lines that were not records (skipped).
    pub bad_lines: u64,
    /// True when the input held more records than `max_records`: only the
    /// first were replayed.
    pub truncated: bool,
    /// Records by action under the configuration running now.
    pub current: BTreeMap<&'static str, u64>,
    /// Records by action under the proposed configuration.
    pub proposed: BTreeMap<&'static str, u64>,
    /// Records whose outcome (action or status) differs.
    pub changed: u64,
    /// Each kind of change (`allow` -> `block`), with how many records and
    /// what caused them.
    pub transitions: Vec<Transition>,
    /// The first changed exchanges, in record order.
    pub changes: Vec<ChangedExchange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub from: &'static str,
    pub to: &'static str,
    pub count: u64,
    /// Rule, detector or stage -> records.
    pub causes: BTreeMap<String, u64>,
}

/// One exchange the proposed configuration would treat differently.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedExchange {
    pub request_id: Option<String>,
    pub method: String,
    pub path: String,
    pub before: VerdictSummary,
    pub after: VerdictSummary,
    /// The rule, detector or stage that made the difference.
    pub responsible: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerdictSummary {
    pub action: &'static str,
    /// The gateway's own answer; `None` when forwarded.
    pub status: Option<u16>,
    pub route: Option<String>,
    pub score: f64,
    pub cause: Option<String>,
}

impl VerdictSummary {
    fn of(verdict: &OfflineVerdict) -> VerdictSummary {
        VerdictSummary {
            action: verdict.action,
            status: verdict.status,
            route: verdict.route.as_deref().map(str::to_owned),
            score: verdict.score(),
            cause: verdict.cause(),
        }
    }
}

/// Replays at most `max_records` records from `inputs` (read in order)
/// through both configurations, listing at most `max_changes` changes.
pub fn compare(
    current: GatewayConfig,
    proposed: GatewayConfig,
    inputs: Vec<Box<dyn BufRead>>,
    max_records: u64,
    max_changes: usize,
) -> anyhow::Result<ReplayReport> {
    let current = OfflineGateway::new(current)?;
    let proposed = OfflineGateway::new(proposed)?;
    let mut comparison = Comparison::default();
    let mut changes = Vec::new();
    let mut truncated = false;
    'inputs: for input in inputs {
        for item in RecordReader::new(input) {
            let Ok((_, record)) = item else {
                comparison.bad_lines += 1;
                continue;
            };
            if comparison.records == max_records {
                truncated = true;
                break 'inputs;
            }
            let after = proposed.evaluate(&record);
            let before = current.evaluate(&record);
            if comparison.add(&after, Some(&before)) && changes.len() < max_changes {
                changes.push(ChangedExchange {
                    request_id: record.id.clone(),
                    method: record.method.clone(),
                    path: record.path.clone(),
                    responsible: change_cause(&after, &before),
                    before: VerdictSummary::of(&before),
                    after: VerdictSummary::of(&after),
                });
            }
        }
    }
    let transitions = comparison
        .changes
        .iter()
        .map(|(&(from, to), causes)| Transition {
            from,
            to,
            count: causes.values().sum(),
            causes: causes.clone(),
        })
        .collect();
    Ok(ReplayReport {
        records: comparison.records,
        bad_lines: comparison.bad_lines,
        truncated,
        current: comparison.current_actions,
        proposed: comparison.new_actions,
        changed: comparison.changed,
        transitions,
        changes,
    })
}
