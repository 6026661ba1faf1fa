//! Scoring as the discovery benchmark's `score.py` does it.
//!
//! Endpoints: precision and recall of (method, normalised template), where
//! normalising erases parameter names (`{id}`, `:id`, `*`, type tokens all
//! become `{}`) and the slashes at both ends. A parameter with a small
//! enumeration (at most three values, Linode's `{apiVersion}` in
//! `v4`/`v4beta`) may also be reported as one literal endpoint per value
//! (`score.py --expand-enums`). Requests: a record is assigned right when
//! the most specific discovered template of its method (fewest parameter
//! segments, first reported on ties) that matches its raw path is the
//! truth template.

use super::model::{Labeled, Model};
use super::values::Kind;
use rampart_discover::InventoryReport;
use std::collections::{BTreeMap, BTreeSet};

const TYPE_TOKENS: &[&str] = &[
    "STRING",
    "INTEGER",
    "OBJECT_ID",
    "FLOAT",
    "VERSIONED",
    "BOOLEAN",
];

/// (method, normalised template).
pub type Key = (String, String);

/// `score.py`'s `norm_template`.
pub fn norm(template: &str) -> String {
    let path = template.split('?').next().unwrap_or("");
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|s| {
            if s == "*" || TYPE_TOKENS.contains(&s) {
                "{}".to_owned()
            } else {
                erase_params(s)
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Replaces `{…}` and `:name` by `{}` (`score.py`'s `PARAM_RE`).
fn erase_params(segment: &str) -> String {
    let b = segment.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            if let Some(len) = segment[i + 1..].find('}') {
                out.push_str("{}");
                i += len + 2;
                continue;
            }
        }
        if b[i] == b':'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            let len = segment[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(segment.len() - i - 1);
            out.push_str("{}");
            i += len + 1;
            continue;
        }
        let c = segment[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Whether a template segment (`{}`, `{}.json`, `v{}`) matches a concrete one.
fn glob(template: &str, concrete: &str) -> bool {
    let parts: Vec<&str> = template.split("{}").collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = concrete.strip_prefix(first) else {
        return false;
    };
    // Each `{}` takes at least one character: leftmost matches of the
    // literal parts in between, then the last part at the very end.
    for part in &parts[1..parts.len() - 1] {
        let Some(at) = rest.get(1..).and_then(|r| r.find(part)) else {
            return false;
        };
        rest = &rest[at + 1 + part.len()..];
    }
    rest.len() > last.len() && rest.ends_with(last)
}

/// `score.py`'s `seg_match`: parameters used, or `None` when no match.
pub fn seg_match(template: &[&str], path: &[&str]) -> Option<usize> {
    if template.len() != path.len() {
        return None;
    }
    let mut params = 0;
    for (t, p) in template.iter().zip(path) {
        if t == p {
            continue;
        }
        if t.contains("{}") && glob(t, p) {
            params += 1;
            continue;
        }
        return None;
    }
    Some(params)
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

/// One model's score.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub truth: usize,
    pub discovered: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub records: usize,
    pub assigned: usize,
    pub false_positives: Vec<Key>,
    pub false_negatives: Vec<Key>,
    /// Truth template -> (wrongly assigned discovered template or `-`, count).
    pub misassigned: BTreeMap<Key, BTreeMap<String, usize>>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(
            self.tp,
            self.tp + self.fp,
            if self.fn_ == 0 { 1.0 } else { 0.0 },
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_, 1.0)
    }

    pub fn assignment(&self) -> f64 {
        ratio(self.assigned, self.records, 1.0)
    }

    /// Sums of counts: micro-averages over models.
    pub fn add(&mut self, other: &Score) {
        self.truth += other.truth;
        self.discovered += other.discovered;
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.records += other.records;
        self.assigned += other.assigned;
    }
}

fn ratio(n: usize, d: usize, empty: f64) -> f64 {
    if d == 0 {
        empty
    } else {
        n as f64 / d as f64
    }
}

/// The truth key of each endpoint and, for small enumerations, the keys of
/// the literal endpoints that may stand for it.
fn truth_keys(model: &Model) -> Vec<(Key, Vec<Key>)> {
    model
        .endpoints
        .iter()
        .map(|e| {
            let canonical = (e.method.to_owned(), norm(e.template));
            let mut alternatives = vec![Vec::<String>::new()];
            for segment in e.template.trim_matches('/').split('/') {
                let enumerated = segment
                    .strip_prefix('{')
                    .and_then(|s| s.strip_suffix('}'))
                    .and_then(|name| model.params.iter().find(|p| p.name == name))
                    .and_then(|p| match p.kind {
                        Kind::OneOf(values) if values.len() <= 3 => Some(values),
                        _ => None,
                    });
                let options: Vec<String> = match enumerated {
                    Some(values) => std::iter::once("{}".to_owned())
                        .chain(values.iter().map(|v| v.to_string()))
                        .collect(),
                    None => vec![norm(segment).trim_start_matches('/').to_owned()],
                };
                alternatives = alternatives
                    .into_iter()
                    .flat_map(|alt| {
                        options.iter().map(move |o| {
                            let mut next = alt.clone();
                            next.push(o.clone());
                            next
                        })
                    })
                    .collect();
            }
            let alternatives = alternatives
                .into_iter()
                .map(|segs| (e.method.to_owned(), format!("/{}", segs.join("/"))))
                .filter(|k| *k != canonical)
                .collect();
            (canonical, alternatives)
        })
        .collect()
}

/// Scores discovered endpoints (method, template; in report order) against
/// the model's labelled traffic.
pub fn score(model: &Model, traffic: &[Labeled], discovered: &[(String, String)]) -> Score {
    let keys = truth_keys(model);
    let observed: BTreeSet<usize> = traffic.iter().map(|l| l.endpoint).collect();
    let truth: BTreeSet<Key> = observed.iter().map(|&i| keys[i].0.clone()).collect();

    // Discovered keys in first-reported order, literal enum values folded
    // into the truth endpoint they stand for.
    let mut found: Vec<Key> = Vec::new();
    for (method, template) in discovered {
        let key = (method.to_ascii_uppercase(), norm(template));
        if !found.contains(&key) {
            found.push(key);
        }
    }
    for &i in &observed {
        let (canonical, alternatives) = &keys[i];
        for alt in alternatives {
            if let Some(at) = found.iter().position(|k| k == alt) {
                found.remove(at);
                if !found.contains(canonical) {
                    found.push(canonical.clone());
                }
            }
        }
    }
    let found_set: BTreeSet<Key> = found.iter().cloned().collect();

    let mut score = Score {
        truth: truth.len(),
        discovered: found.len(),
        false_positives: found_set.difference(&truth).cloned().collect(),
        false_negatives: truth.difference(&found_set).cloned().collect(),
        ..Default::default()
    };
    score.tp = found_set.intersection(&truth).count();
    score.fp = score.false_positives.len();
    score.fn_ = score.false_negatives.len();

    for labeled in traffic {
        let method = labeled.record.method.to_ascii_uppercase();
        let path = segments(&labeled.record.path);
        let mut best: Option<(usize, &str)> = None;
        for (m, t) in &found {
            if *m != method {
                continue;
            }
            if let Some(n) = seg_match(&segments(t), &path) {
                if best.is_none_or(|(b, _)| n < b) {
                    best = Some((n, t));
                }
            }
        }
        let want = &keys[labeled.endpoint].0;
        let got = best.map(|(_, t)| t);
        score.records += 1;
        if got == Some(want.1.as_str()) {
            score.assigned += 1;
        } else {
            *score
                .misassigned
                .entry(want.clone())
                .or_default()
                .entry(got.unwrap_or("-").to_owned())
                .or_default() += 1;
        }
    }
    score
}

/// What an inventory that templates nothing would report: every concrete
/// path its own endpoint. Thresholds must stay above its score.
pub fn literal_baseline(traffic: &[Labeled]) -> Vec<(String, String)> {
    traffic
        .iter()
        .map(|l| (l.record.method.clone(), l.record.path.clone()))
        .collect()
}

/// The report's endpoints as (method, template).
pub fn discovered(report: &InventoryReport) -> Vec<(String, String)> {
    report
        .endpoints
        .iter()
        .map(|e| (e.method.clone(), e.template.clone()))
        .collect()
}
