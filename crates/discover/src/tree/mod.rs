//! The learned endpoint tree: concrete paths folded into templates.
//!
//! Each request walks the tree one segment at a time. Identifier-shaped
//! values (integers, UUIDs, hex digests, prefixed ids, tokens, dates) go
//! straight to the node's parameter child; words become literal children
//! until their behaviour says they are values of one parameter, which
//! `fold` (in [`fold`]) decides and records as a [`TemplateDecision`].
//! Once words were folded at a node, new words there go to the parameter
//! too: a learned template is never split back by later traffic.
//!
//! Bounds: literal children per node and nodes in all; past them new words
//! go to the parameter child (the overflow bucket) and are counted, so a
//! flood of random paths cannot grow memory. Operators pin a literal value
//! at a node (it is never folded) or force a position to be a parameter.

mod constancy;
pub mod fold;

use crate::segment::{classify, is_version, ValueKind};
use crate::stats::EndpointStats;
use crate::template::{PathTemplate, TemplateSegment};
use constancy::Constancy;
use fold::FoldReason;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Bounds of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeLimits {
    pub max_literals_per_node: usize,
    pub max_nodes: usize,
}

impl Default for TreeLimits {
    fn default() -> Self {
        TreeLimits {
            max_literals_per_node: 256,
            max_nodes: 100_000,
        }
    }
}

/// Methods and GraphQL operations kept per path; past it they share one
/// overflow endpoint.
pub const MAX_OPERATIONS_PER_PATH: usize = 64;
/// Method of the overflow endpoint of a path.
pub const OVERFLOW_METHOD: &str = "OTHER";

/// An endpoint's operation: its method and, for GraphQL, its operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpKey {
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ParamChild {
    /// Literal text after the value in the segment (`.json`), usually empty.
    suffix: String,
    kinds: BTreeSet<ValueKind>,
    /// Snapshots from before this was tracked do not know: taken as varied.
    #[serde(default = "Constancy::unknown")]
    values: Constancy,
    node: Node,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Node {
    literals: HashMap<String, Node>,
    params: Vec<ParamChild>,
    endpoints: Vec<(OpKey, EndpointStats)>,
    /// Values operators split out: always literal here.
    pinned: BTreeSet<String>,
    /// Set once words were folded here: new words go to the parameter.
    absorbs_words: bool,
    /// Operators said every value here is a parameter's.
    #[serde(default)]
    forced: bool,
}

/// A learned path parameter: its position's value kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedParam {
    pub name: String,
    pub kinds: BTreeSet<ValueKind>,
}

impl LearnedParam {
    /// OpenAPI type and format: the kinds' common one, else a string.
    pub fn openapi_type(&self) -> (&'static str, Option<&'static str>) {
        let mut types = self.kinds.iter().map(|k| k.openapi_type());
        match types.next() {
            Some(first) if types.all(|t| t == first) => first,
            _ => ("string", None),
        }
    }
}

/// One learned endpoint, borrowed from the tree.
pub struct LearnedEndpoint<'a> {
    pub template: PathTemplate,
    pub params: Vec<LearnedParam>,
    pub op: &'a OpKey,
    pub stats: &'a EndpointStats,
}

/// The learned tree with its bounds and counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathTree {
    root: Node,
    limits: TreeLimits,
    nodes: usize,
    /// Words sent to a parameter because a bound was hit.
    pub overflowed: u64,
    /// Where values were folded into parameters, and why (bounded).
    #[serde(default)]
    decisions: Vec<TemplateDecision>,
    /// Words folded into parameters, remembered (bounded) because values
    /// recur across the API: a namespace or project name folded under one
    /// collection is a value under the next one too.
    #[serde(default)]
    known_values: BTreeSet<String>,
}

/// Words remembered as values of parameters.
const MAX_KNOWN_VALUES: usize = 4096;

/// Template decisions kept; folds at new places past it are counted in
/// `overflowed`.
const MAX_TEMPLATE_DECISIONS: usize = 1024;
/// Values kept per template decision, as examples.
const MAX_DECISION_VALUES: usize = 8;

/// A fold learning made: values under `parent` became one parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDecision {
    /// The template of the parameter's parent, parameters as `{}`.
    pub parent: String,
    pub reason: FoldReason,
    /// Values folded, as examples.
    pub values: Vec<String>,
    /// Values folded in all.
    pub folded: u64,
}

impl TemplateDecision {
    fn new(parent: String, reason: FoldReason, mut values: Vec<String>) -> Self {
        let folded = values.len() as u64;
        values.truncate(MAX_DECISION_VALUES);
        TemplateDecision {
            parent,
            reason,
            values,
            folded,
        }
    }
}

/// Extensions that may follow an identifier inside a segment (`{Sid}.json`).
const EXTENSIONS: &[&str] = &[
    ".json", ".xml", ".csv", ".txt", ".html", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".svg",
    ".webp", ".ico", ".yaml", ".zip", ".gz", ".tgz", ".tar", ".md", ".rss", ".atom", ".mp3",
    ".mp4", ".wav", ".xlsx", ".docx", ".ics", ".vcf",
];

/// A segment's stem and its known file extension (`report`, `.pdf`).
pub(super) fn extension_of(segment: &str) -> Option<(&str, &str)> {
    let dot = segment.rfind('.').filter(|&d| d > 0)?;
    let (stem, suffix) = segment.split_at(dot);
    EXTENSIONS.contains(&suffix).then_some((stem, suffix))
}

/// An identifier with an extension (`{Sid}.json`): a parameter on sight.
fn split_extension(segment: &str) -> Option<(ValueKind, &str)> {
    let (stem, suffix) = extension_of(segment)?;
    let kind = classify(stem, false);
    kind.is_identifier().then_some((kind, suffix))
}

/// The kind of `segments[at]` where it sits: an API's own version is
/// literal where versions go (`/rest/api/3/issue`: a small number right
/// after `api`), a version after an identifier is a value
/// (`/pkg/{id}/2.0`), and a host name followed by a version names an API
/// group (`/apis/networking.k8s.io/v1`).
fn classify_in_path(segments: &[String], at: usize, after_param: bool) -> ValueKind {
    let segment = &segments[at];
    let previous = at.checked_sub(1).and_then(|p| segments.get(p));
    let next = segments.get(at + 1);
    match classify(segment, !after_param && at < 3) {
        ValueKind::Integer
            if !after_param
                && segment.len() <= MAX_VERSION_DIGITS
                && previous.is_some_and(|p| names_api_root(p)) =>
        {
            ValueKind::Literal
        }
        ValueKind::Literal if after_param && is_version(segment) => ValueKind::Release,
        ValueKind::Hostname if next.is_some_and(|n| is_version(n)) => ValueKind::DottedName,
        kind => kind,
    }
}

/// Digits of a bare number that can be an API's version (`/rest/api/3`).
pub(super) const MAX_VERSION_DIGITS: usize = 2;

/// Words after which a small number is the API's version (`/api/3`).
pub(crate) fn names_api_root(segment: &str) -> bool {
    matches!(segment, "api" | "apis" | "rest" | "v" | "version")
}

impl PathTree {
    pub fn new(limits: TreeLimits) -> Self {
        PathTree {
            root: Node::default(),
            limits,
            nodes: 1,
            overflowed: 0,
            decisions: Vec::new(),
            known_values: BTreeSet::new(),
        }
    }

    /// The stats of the endpoint these decoded segments reach, created if new.
    pub fn leaf(&mut self, segments: &[String], op: &OpKey) -> &mut EndpointStats {
        let limits = self.limits;
        let mut node = &mut self.root;
        let mut seen_param = false;
        for (i, segment) in segments.iter().enumerate() {
            // A known literal needs no classification (identifiers never
            // become literals unless an operator pinned them).
            if node.literals.contains_key(segment.as_str()) {
                // Looked up again rather than through `entry`, which would
                // allocate a key copy on every record.
                let Some(child) = node.literals.get_mut(segment.as_str()) else {
                    unreachable!("the literal was just found")
                };
                node = child;
                continue;
            }
            let kind = classify_in_path(segments, i, seen_param);
            let pinned = node.pinned.contains(segment.as_str());
            if kind.is_identifier() && !pinned {
                seen_param = true;
                node = node.param_child("", kind, segment);
                continue;
            }
            if let Some((kind, suffix)) = split_extension(segment).filter(|_| !pinned) {
                seen_param = true;
                node = node.param_child(suffix, kind, segment);
                continue;
            }
            // A named file where named files were folded (`/avatars/{}.png`).
            let learned_suffix = extension_of(segment).map(|(_, suffix)| suffix).filter(|s| {
                !pinned && node.absorbs_words && node.params.iter().any(|p| p.suffix == *s)
            });
            if let Some(suffix) = learned_suffix {
                seen_param = true;
                node = node.param_child(suffix, kind, segment);
                continue;
            }
            let absorbed = node.forced
                || node.absorbs_words
                    && kind != ValueKind::Literal
                    && node.params.iter().any(|p| p.suffix.is_empty());
            let room =
                node.literals.len() < limits.max_literals_per_node && self.nodes < limits.max_nodes;
            if pinned || (!absorbed && room) {
                self.nodes += 1;
                node = node.literals.entry(segment.clone()).or_default();
            } else {
                if !absorbed {
                    self.overflowed += 1;
                }
                seen_param = true;
                node = node.param_child("", kind, segment);
            }
        }
        // Methods and GraphQL operations are the client's choice: bounded too.
        // Built only when needed: this runs for every record.
        let overflow;
        let op = if node.endpoints.len() < MAX_OPERATIONS_PER_PATH
            || node.endpoints.iter().any(|(k, _)| k == op)
        {
            op
        } else {
            self.overflowed += 1;
            overflow = OpKey {
                method: OVERFLOW_METHOD.into(),
                operation: None,
            };
            &overflow
        };
        let at = match node.endpoints.iter().position(|(k, _)| k == op) {
            Some(at) => at,
            None => {
                node.endpoints.push((op.clone(), EndpointStats::default()));
                node.endpoints.len() - 1
            }
        };
        &mut node.endpoints[at].1
    }

    /// The stats of an endpoint these segments reach, if it exists: the
    /// walk creates nothing (a literal first, else the parameter whose
    /// suffix ends the segment, else the whole-segment parameter).
    pub fn existing_leaf(&mut self, segments: &[String], op: &OpKey) -> Option<&mut EndpointStats> {
        let mut node = &mut self.root;
        for segment in segments {
            if node.literals.contains_key(segment.as_str()) {
                node = node.literals.get_mut(segment.as_str())?;
                continue;
            }
            let fits = |suffix: &str| segment.len() > suffix.len() && segment.ends_with(suffix);
            let at = node
                .params
                .iter()
                .position(|p| !p.suffix.is_empty() && fits(&p.suffix))
                .or_else(|| node.params.iter().position(|p| p.suffix.is_empty()))?;
            node = &mut node.params[at].node;
        }
        node.endpoints
            .iter_mut()
            .find(|(key, _)| key == op)
            .map(|(_, stats)| stats)
    }

    /// Pins a literal value under the node a template prefix reaches, so it
    /// is never folded into that node's parameter (an operator's split).
    pub fn pin(&mut self, prefix: &PathTemplate, value: &str) {
        self.node_at(prefix).pinned.insert(value.to_owned());
    }

    /// Makes every value under the node a template prefix reaches a
    /// parameter's, from the next fold on (an operator's decision).
    pub fn force_parameter(&mut self, prefix: &PathTemplate) {
        self.node_at(prefix).forced = true;
    }

    fn node_at(&mut self, prefix: &PathTemplate) -> &mut Node {
        let mut node = &mut self.root;
        for segment in &prefix.segments {
            node = match segment {
                TemplateSegment::Literal(l) => node.literals.entry(l.clone()).or_default(),
                TemplateSegment::Param { suffix, .. } => {
                    node.param_child(suffix, ValueKind::Word, "")
                }
            };
        }
        node
    }

    /// The folds learning made, oldest first.
    pub fn decisions(&self) -> &[TemplateDecision] {
        &self.decisions
    }

    /// Keeps a fold; one at the same place for the same reason grows.
    fn record(&mut self, decision: TemplateDecision) {
        let same = self
            .decisions
            .iter_mut()
            .find(|d| d.parent == decision.parent && d.reason == decision.reason);
        match same {
            Some(known) => {
                known.folded += decision.folded;
                for value in decision.values {
                    if known.values.len() < MAX_DECISION_VALUES {
                        known.values.push(value);
                    }
                }
            }
            None => {
                if self.decisions.len() < MAX_TEMPLATE_DECISIONS {
                    self.decisions.push(decision);
                } else {
                    self.overflowed += 1;
                }
            }
        }
    }

    /// Every learned endpoint with its template.
    pub fn endpoints(&self) -> Vec<LearnedEndpoint<'_>> {
        let mut out = Vec::new();
        let mut segments = Vec::new();
        let mut params = Vec::new();
        collect(&self.root, &mut segments, &mut params, &mut out);
        out
    }

    /// Nodes in the tree.
    pub fn node_count(&self) -> usize {
        self.nodes
    }
}

impl Node {
    /// The parameter child with this suffix, noting one more value of it.
    fn param_child(&mut self, suffix: &str, kind: ValueKind, value: &str) -> &mut Node {
        let at = match self.params.iter().position(|p| p.suffix == suffix) {
            Some(at) => at,
            None => {
                self.params.push(ParamChild {
                    suffix: suffix.to_owned(),
                    ..Default::default()
                });
                self.params.len() - 1
            }
        };
        let child = &mut self.params[at];
        child.kinds.insert(kind);
        child.values.observe(kind, value);
        &mut child.node
    }

    fn count(&self) -> usize {
        1 + self.literals.values().map(Node::count).sum::<usize>()
            + self.params.iter().map(|p| p.node.count()).sum::<usize>()
    }

    /// Turns a whole-segment parameter that only ever held one opaque value,
    /// recurring, back into the literal it always was.
    fn name_recurring_opaque_values(&mut self) {
        let Some(at) = self.params.iter().position(|p| {
            p.suffix.is_empty()
                && p.kinds.iter().all(|k| *k == ValueKind::Opaque)
                && p.values.recurring_value().is_some()
        }) else {
            return;
        };
        let param = self.params.remove(at);
        if let Some(value) = param.values.recurring_value() {
            self.literals
                .entry(value.to_owned())
                .or_default()
                .absorb(param.node);
        }
    }

    /// Moves everything `other` learned into this node.
    fn absorb(&mut self, other: Node) {
        for (op, stats) in other.endpoints {
            match self.endpoints.iter_mut().find(|(k, _)| *k == op) {
                Some((_, mine)) => mine.merge(&stats),
                None => self.endpoints.push((op, stats)),
            }
        }
        for (key, child) in other.literals {
            self.literals.entry(key).or_default().absorb(child);
        }
        for param in other.params {
            match self.params.iter_mut().find(|p| p.suffix == param.suffix) {
                Some(mine) => {
                    mine.kinds.extend(param.kinds);
                    mine.values.merge(param.values);
                    mine.node.absorb(param.node);
                }
                None => self.params.push(param),
            }
        }
        self.pinned.extend(other.pinned);
        self.absorbs_words |= other.absorbs_words;
        self.forced |= other.forced;
    }
}

/// A parameter's name: the singular of the collection before it
/// (`/users/{user_id}`, `/projects/{project_name}` for word values),
/// looking past versions; after another parameter, the name of the value
/// below it (`/workflows/{workflow_name}/{workflow_name_child}` would say
/// nothing, so `{child_id}`/`{child_name}`); dates and emails by kind.
fn param_name(
    previous: &[TemplateSegment],
    kinds: &BTreeSet<ValueKind>,
    taken: &[LearnedParam],
) -> String {
    let only = |k: ValueKind| kinds.len() == 1 && kinds.contains(&k);
    let words = !kinds.is_empty() && kinds.iter().all(|k| !k.is_identifier());
    let suffix = if words { "name" } else { "id" };
    let collection = previous.iter().rev().find_map(|s| match s {
        TemplateSegment::Literal(word) if !is_version(word) => Some(word),
        _ => None,
    });
    let after_param = matches!(previous.last(), Some(TemplateSegment::Param { .. }));
    let base = if only(ValueKind::Date) {
        "date".to_owned()
    } else if only(ValueKind::Email) {
        "email".to_owned()
    } else {
        match collection {
            Some(word) if !after_param => format!("{}_{suffix}", singular(word)),
            _ => suffix.to_owned(),
        }
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|p| p.name == name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// `users` -> `user`, `policies` -> `policy`, `cron-workflows` ->
/// `cron_workflow`, in identifier characters.
fn singular(word: &str) -> String {
    let word: String = word
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    word.strip_suffix("ies")
        .map(|w| format!("{w}y"))
        .or_else(|| {
            word.strip_suffix('s')
                .filter(|w| !w.ends_with('s'))
                .map(str::to_owned)
        })
        .unwrap_or(word)
}

fn collect<'a>(
    node: &'a Node,
    segments: &mut Vec<TemplateSegment>,
    params: &mut Vec<LearnedParam>,
    out: &mut Vec<LearnedEndpoint<'a>>,
) {
    for (op, stats) in &node.endpoints {
        out.push(LearnedEndpoint {
            template: PathTemplate {
                segments: segments.clone(),
            },
            params: params.clone(),
            op,
            stats,
        });
    }
    let mut keys: Vec<&String> = node.literals.keys().collect();
    keys.sort();
    for key in keys {
        segments.push(TemplateSegment::Literal(key.clone()));
        collect(&node.literals[key], segments, params, out);
        segments.pop();
    }
    for param in &node.params {
        let name = param_name(segments, &param.kinds, params);
        segments.push(TemplateSegment::Param {
            name: name.clone(),
            prefix: String::new(),
            suffix: param.suffix.clone(),
        });
        params.push(LearnedParam {
            name,
            kinds: param.kinds.clone(),
        });
        collect(&param.node, segments, params, out);
        params.pop();
        segments.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::{split_path, Observation};
    use rampart_core::ExchangeRecord;

    fn feed(tree: &mut PathTree, method: &str, path: &str, response: &str) {
        let record = ExchangeRecord {
            method: method.into(),
            path: path.into(),
            status: Some(200),
            response_body: Some(response.as_bytes().to_vec()),
            ..Default::default()
        };
        let obs = Observation::new(&record);
        let op = OpKey {
            method: obs.method.clone(),
            operation: None,
        };
        tree.leaf(&split_path(path), &op).observe(&obs);
    }

    fn templates(tree: &PathTree) -> Vec<String> {
        let mut t: Vec<String> = tree
            .endpoints()
            .iter()
            .map(|e| format!("{} {}", e.op.method, e.template.render()))
            .collect();
        t.sort();
        t.dedup();
        t
    }

    #[test]
    fn identifiers_become_parameters_and_versions_stay() {
        let mut tree = PathTree::new(TreeLimits::default());
        feed(
            &mut tree,
            "GET",
            "/v2/users/123/orders/9f1c5d2e-0b7a-4c3d-8e9f-1a2b3c4d5e6f",
            "{}",
        );
        feed(
            &mut tree,
            "GET",
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json",
            "{}",
        );
        tree.fold();
        assert_eq!(
            templates(&tree),
            [
                "GET /2010-04-01/Accounts/{account_id}.json",
                "GET /v2/users/{user_id}/orders/{order_id}"
            ]
        );
    }

    #[test]
    fn word_ids_fold_on_shared_shapes_but_resource_names_do_not() {
        let mut tree = PathTree::new(TreeLimits::default());
        for name in ["onyx", "atlas", "ridge-beacon"] {
            feed(
                &mut tree,
                "GET",
                &format!("/api/user/{name}"),
                r#"{"username":"x","email":"e"}"#,
            );
        }
        feed(&mut tree, "GET", "/api/user/login", r#""token""#);
        feed(&mut tree, "GET", "/api/users/42", r#"{"id":1,"name":"n"}"#);
        feed(&mut tree, "GET", "/api/users/me", r#"{"id":2,"name":"m"}"#);
        for resource in ["tags", "teams", "projects"] {
            feed(
                &mut tree,
                "GET",
                &format!("/api/{resource}"),
                r#"{"data":[{"gid":"1"}]}"#,
            );
        }
        tree.fold();
        assert_eq!(
            templates(&tree),
            [
                "GET /api/projects",
                "GET /api/tags",
                "GET /api/teams",
                "GET /api/user/login",
                "GET /api/user/{user_name}",
                "GET /api/users/me",
                "GET /api/users/{user_id}",
            ]
        );
    }

    #[test]
    fn digit_codes_of_one_shape_fold_and_pinned_values_stay() {
        let mut tree = PathTree::new(TreeLimits::default());
        feed(&mut tree, "DELETE", "/repos/repo-7", "{}");
        feed(&mut tree, "DELETE", "/repos/repo-12", "{}");
        tree.pin(&PathTemplate::parse("/keep").unwrap(), "item-1");
        feed(&mut tree, "GET", "/keep/item-1", "{}");
        feed(&mut tree, "GET", "/keep/item-2", "{}");
        tree.fold();
        assert_eq!(
            templates(&tree),
            [
                "DELETE /repos/{repo_name}",
                "GET /keep/item-1",
                "GET /keep/item-2"
            ]
        );
    }

    #[test]
    fn items_written_under_a_collection_fold_but_vocabulary_and_sub_resources_stay() {
        let mut tree = PathTree::new(TreeLimits::default());
        feed(&mut tree, "DELETE", "/db/7/topics/cedar-yonder", "{}");
        feed(&mut tree, "PUT", "/db/7/topics/harbor-tango", "{}");
        for metric in ["cpu_percentage", "memory_usage", "load_15", "disk_free"] {
            feed(
                &mut tree,
                "GET",
                &format!("/metrics/apps/{metric}"),
                r#"{"data":{"result":[]}}"#,
            );
        }
        for sub in ["tasks", "sections", "members"] {
            feed(
                &mut tree,
                "GET",
                &format!("/projects/12/{sub}"),
                r#"{"data":[{"gid":"1"}]}"#,
            );
        }
        for domain in ["example.com", "example.org", "example.net"] {
            feed(
                &mut tree,
                "GET",
                &format!("/domains/{domain}/records"),
                r#"{"records":[]}"#,
            );
        }
        feed(&mut tree, "POST", "/api/chat.postMessage", r#"{"ok":true}"#);
        feed(&mut tree, "POST", "/api/chat.delete", r#"{"ok":true}"#);
        feed(&mut tree, "POST", "/api/users.info", r#"{"ok":true}"#);
        tree.fold();
        let all = templates(&tree);
        for expected in [
            "DELETE /db/{db_id}/topics/{topic_name}",
            "PUT /db/{db_id}/topics/{topic_name}",
            "GET /metrics/apps/cpu_percentage",
            "GET /projects/{project_id}/tasks",
            "GET /domains/{domain_id}/records",
            "POST /api/chat.postMessage",
        ] {
            assert!(
                all.contains(&expected.to_string()),
                "{expected} missing from {all:?}"
            );
        }
        assert_eq!(all.len(), 2 + 4 + 3 + 1 + 3, "{all:?}");
    }

    #[test]
    fn odd_text_recurring_unchanged_at_the_root_is_a_name_but_values_vary() {
        let mut tree = PathTree::new(TreeLimits::default());
        for _ in 0..3 {
            feed(&mut tree, "PUT", "/<upload_url>", "{}");
        }
        for digest in ["sha256:aa11", "sha256:aa11", "sha256:bb22"] {
            feed(&mut tree, "GET", &format!("/v2/{digest}"), "{}");
        }
        feed(&mut tree, "GET", "/files/a:b", "{}");
        feed(&mut tree, "GET", "/files/a:b", "{}");
        tree.fold();
        assert_eq!(
            templates(&tree),
            ["GET /files/{file_id}", "GET /v2/{id}", "PUT /<upload_url>"]
        );
        let mut varied = PathTree::new(TreeLimits::default());
        feed(&mut varied, "PUT", "/<upload_url>", "{}");
        feed(&mut varied, "PUT", "/<upload_url>", "{}");
        feed(&mut varied, "PUT", "/<other>", "{}");
        varied.fold();
        assert_eq!(templates(&varied), ["PUT /{id}"]);
    }

    #[test]
    fn parameters_from_older_snapshots_count_as_varied() {
        let mut json = serde_json::to_value(ParamChild::default()).unwrap();
        json.as_object_mut().unwrap().remove("values");
        let restored: ParamChild = serde_json::from_value(json).unwrap();
        assert_eq!(restored.values, Constancy::Varied);
    }

    #[test]
    fn a_flood_of_methods_is_bounded() {
        let mut tree = PathTree::new(TreeLimits::default());
        for i in 0..(MAX_OPERATIONS_PER_PATH + 50) {
            feed(&mut tree, &format!("M{i}"), "/x", "{}");
        }
        let endpoints = tree.endpoints();
        assert_eq!(endpoints.len(), MAX_OPERATIONS_PER_PATH + 1);
        assert_eq!(
            endpoints
                .iter()
                .find(|e| e.op.method == OVERFLOW_METHOD)
                .map(|e| e.stats.requests),
            Some(50)
        );
    }

    #[test]
    fn a_flood_of_random_words_is_bounded() {
        let mut tree = PathTree::new(TreeLimits {
            max_literals_per_node: 10,
            max_nodes: 1000,
        });
        for i in 0..500 {
            let word: String = (0..6)
                .map(|j| (b'a' + ((i * 7 + j * 13) % 26) as u8) as char)
                .collect();
            feed(
                &mut tree,
                "GET",
                &format!("/x/{word}{}", "q".repeat(i % 3)),
                "{}",
            );
        }
        assert!(tree.node_count() <= 13, "{}", tree.node_count());
        assert!(tree.overflowed > 0);
        let json = serde_json::to_string(&tree).unwrap();
        let back: PathTree = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tree);
    }
}
