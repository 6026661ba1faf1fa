//! The learned endpoint tree: concrete paths folded into templates.
//!
//! Each request walks the tree one segment at a time. Identifier-shaped
//! values go straight to the node's parameter child; words become literal
//! children until evidence says they are values of one parameter:
//!
//! - a word beside an existing parameter folds into it when they share
//!   structure (same sub-resources below, same request/response shapes for
//!   the same method) or when it is a short code carrying digits;
//! - sibling words fold together when at least three of them share that
//!   structure (two, for digit-bearing codes of one lexical shape), unless
//!   their parent is a version or reserved word: resource names live there;
//! - where resource names live, a parameter that only ever held one opaque
//!   value, recurring (`/<upload_url>`), is that name after all.
//!
//! Bounds: literal children per node and nodes in all; past them new words
//! go to the parameter child (the overflow bucket) and are counted, so a
//! flood of random paths cannot grow memory. Operator splits pin a literal
//! value at a node: it is never folded again.

use crate::schema::Schema;
use crate::segment::{classify, is_vocabulary_word, lexical_shape, ValueKind};
use crate::stats::EndpointStats;
use crate::template::{PathTemplate, TemplateSegment};
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

/// Whether a parameter position has only ever held one opaque value.
/// Identifiers vary from request to request; odd-looking text that recurs
/// unchanged where the API names its structure (`/<upload_url>` at the
/// root) is a name. One value is kept, bounded in length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
enum Constancy {
    #[default]
    Unseen,
    Constant {
        value: String,
        seen: u64,
    },
    Varied,
}

/// Requests an opaque value must recur in before it can be taken for a name.
const CONSTANT_VALUE_MIN_REQUESTS: u64 = 2;
/// Longest opaque value tracked for constancy.
const MAX_CONSTANT_LEN: usize = 256;

impl Constancy {
    fn unknown() -> Self {
        Constancy::Varied
    }

    fn observe(&mut self, kind: ValueKind, value: &str) {
        match self {
            Constancy::Varied => {}
            Constancy::Constant { value: v, seen } if kind == ValueKind::Opaque && v == value => {
                *seen += 1;
            }
            Constancy::Unseen if kind == ValueKind::Opaque && value.len() <= MAX_CONSTANT_LEN => {
                *self = Constancy::Constant {
                    value: value.to_owned(),
                    seen: 1,
                };
            }
            _ => *self = Constancy::Varied,
        }
    }

    fn merge(&mut self, other: Constancy) {
        *self = match (std::mem::take(self), other) {
            (Constancy::Unseen, other) | (other, Constancy::Unseen) => other,
            (
                Constancy::Constant { value, seen },
                Constancy::Constant {
                    value: other,
                    seen: more,
                },
            ) if value == other => Constancy::Constant {
                value,
                seen: seen + more,
            },
            _ => Constancy::Varied,
        };
    }

    /// The value, when it recurred unchanged often enough to be a name.
    fn recurring_value(&self) -> Option<&str> {
        match self {
            Constancy::Constant { value, seen } if *seen >= CONSTANT_VALUE_MIN_REQUESTS => {
                Some(value)
            }
            _ => None,
        }
    }
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
}

/// Extensions that may follow an identifier inside a segment (`{Sid}.json`).
const EXTENSIONS: &[&str] = &[
    ".json", ".xml", ".csv", ".txt", ".html", ".pdf", ".png", ".jpg", ".yaml", ".zip",
];

fn split_extension(segment: &str) -> Option<(ValueKind, &str)> {
    let dot = segment.rfind('.')?;
    let (stem, suffix) = segment.split_at(dot);
    if !EXTENSIONS.contains(&suffix) {
        return None;
    }
    let kind = classify(stem, false);
    kind.is_identifier().then_some((kind, suffix))
}

impl PathTree {
    pub fn new(limits: TreeLimits) -> Self {
        PathTree {
            root: Node::default(),
            limits,
            nodes: 1,
            overflowed: 0,
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
            let kind = classify(segment, !seen_param && i < 3);
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
            let absorbed = node.absorbs_words
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

    /// Folds word-like ids into parameters where the evidence allows.
    pub fn fold(&mut self) {
        fold_node(&mut self.root, Role::Structure);
        self.nodes = self.root.count();
    }

    /// Pins a literal value under the node a template prefix reaches, so it
    /// is never folded into that node's parameter (an operator's split).
    pub fn pin(&mut self, prefix: &PathTemplate, value: &str) {
        let mut node = &mut self.root;
        for segment in &prefix.segments {
            node = match segment {
                TemplateSegment::Literal(l) => node.literals.entry(l.clone()).or_default(),
                TemplateSegment::Param { suffix, .. } => {
                    node.param_child(suffix, ValueKind::Word, "")
                }
            };
        }
        node.pinned.insert(value.to_owned());
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
    }
}

/// A body's JSON type bits and top-level member names.
type Shape<'a> = (u8, Vec<&'a str>);

/// What a subtree looks like, to compare siblings.
struct Signature<'a> {
    children: Vec<&'a str>,
    /// Methods answered at this very path.
    methods: Vec<&'a str>,
    /// (method, is_response, shape) per body seen.
    bodies: Vec<(&'a str, bool, Shape<'a>)>,
}

fn signature(node: &Node) -> Signature<'_> {
    let mut bodies = Vec::new();
    for (op, stats) in &node.endpoints {
        if let Some(s) = &stats.request_body {
            bodies.push((op.method.as_str(), false, shape(s)));
        }
        if let Some(s) = &stats.response_body {
            bodies.push((op.method.as_str(), true, shape(s)));
        }
    }
    Signature {
        methods: node
            .endpoints
            .iter()
            .map(|(op, _)| op.method.as_str())
            .collect(),
        children: node.literals.keys().map(String::as_str).collect(),
        bodies,
    }
}

/// A body's shape, looking through a one-member wrapper (`{"data": {...}}`).
fn shape(schema: &Schema) -> Shape<'_> {
    let (types, keys) = schema.shape_keys();
    if keys.len() == 1 {
        if let Some(inner) = schema.properties.get(keys[0]) {
            let (inner_types, inner_keys) = inner.shape_keys();
            if !inner_keys.is_empty() {
                return (inner_types, inner_keys);
            }
        }
    }
    (types, keys)
}

#[derive(Default)]
struct Evidence {
    positive: bool,
    /// Both have the same sub-resource below them (`/x/a/logs`, `/x/b/logs`).
    shared_children: bool,
    conflict: bool,
}

fn compare(a: &Signature<'_>, b: &Signature<'_>) -> Evidence {
    let mut ev = Evidence::default();
    if !a.children.is_empty() && !b.children.is_empty() {
        if a.children.iter().any(|c| b.children.contains(c)) {
            ev.positive = true;
            ev.shared_children = true;
        } else {
            ev.conflict = true;
        }
    }
    for (method, is_response, shape_a) in &a.bodies {
        for (other_method, other_is_response, shape_b) in &b.bodies {
            if method != other_method || is_response != other_is_response {
                continue;
            }
            if shape_a.0 != shape_b.0 {
                ev.conflict = true;
            } else if !shape_a.1.is_empty() || !shape_b.1.is_empty() {
                if jaccard(&shape_a.1, &shape_b.1) >= 0.5 {
                    ev.positive = true;
                } else {
                    ev.conflict = true;
                }
            }
        }
    }
    ev
}

fn jaccard(a: &[&str], b: &[&str]) -> f64 {
    let common = a.iter().filter(|x| b.contains(x)).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f64 / union as f64
    }
}

/// What a node's own segment is, which says what its children may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Root, versions, reserved words: children are resource names.
    Structure,
    /// A collection name: children may be values of one parameter.
    Collection,
    /// A parameter: children are sub-resources or actions (REST alternates
    /// collection and id), so words here are never folded by groups.
    Param,
}

fn role_of(segment: &str) -> Role {
    match classify(segment, false) {
        ValueKind::Literal | ValueKind::DottedName => Role::Structure,
        kind if kind.is_identifier() => Role::Param,
        _ => Role::Collection,
    }
}

fn fold_node(node: &mut Node, role: Role) {
    if role == Role::Structure {
        name_recurring_opaque_values(node);
    }
    let candidates: Vec<(String, ValueKind)> = node
        .literals
        .keys()
        .filter(|k| !node.pinned.contains(k.as_str()))
        .map(|k| (k.clone(), classify(k, false)))
        .filter(|(_, kind)| match kind {
            ValueKind::Word | ValueKind::WeakId => true,
            ValueKind::DottedName => role == Role::Collection,
            _ => false,
        })
        .collect();
    let mut fold: Vec<String> = Vec::new();
    let mut rest: Vec<(String, ValueKind)> = Vec::new();
    match node.params.iter().find(|p| p.suffix.is_empty()) {
        Some(param) => {
            let param_sig = signature(&param.node);
            for (key, kind) in candidates {
                let ev = compare(&signature(&node.literals[&key]), &param_sig);
                if !ev.conflict && (ev.positive || kind == ValueKind::WeakId) {
                    fold.push(key);
                } else {
                    rest.push((key, kind));
                }
            }
        }
        None => rest = candidates,
    }
    fold.extend(sibling_groups(node, &rest, role == Role::Collection));
    if !fold.is_empty() {
        let mut kinds = BTreeSet::new();
        let mut merged = Node::default();
        for key in fold {
            kinds.insert(classify(&key, false));
            if let Some(child) = node.literals.remove(&key) {
                merged.absorb(child);
            }
        }
        let target = node.param_child("", ValueKind::Word, "");
        target.absorb(merged);
        if let Some(p) = node.params.iter_mut().find(|p| p.suffix.is_empty()) {
            p.kinds.remove(&ValueKind::Word);
            p.kinds.extend(kinds);
        }
        node.absorbs_words = true;
    }
    for (key, child) in node.literals.iter_mut() {
        fold_node(child, role_of(key));
    }
    for param in &mut node.params {
        fold_node(&mut param.node, Role::Param);
    }
}

/// Turns a whole-segment parameter that only ever held one opaque value,
/// recurring, back into the literal it always was.
fn name_recurring_opaque_values(node: &mut Node) {
    let Some(at) = node.params.iter().position(|p| {
        p.suffix.is_empty()
            && p.kinds.iter().all(|k| *k == ValueKind::Opaque)
            && p.values.recurring_value().is_some()
    }) else {
        return;
    };
    let param = node.params.remove(at);
    if let Some(value) = param.values.recurring_value() {
        node.literals
            .entry(value.to_owned())
            .or_default()
            .absorb(param.node);
    }
}

/// Methods that address one item of a collection.
const ITEM_METHODS: [&str; 4] = ["GET", "PUT", "PATCH", "DELETE"];

/// Whether a sibling is addressed like an item: only item methods, at least
/// one of them a write (nobody deletes or replaces a sub-collection's name).
fn addressed_as_item(sig: &Signature<'_>) -> bool {
    !sig.methods.is_empty()
        && sig.methods.iter().all(|m| ITEM_METHODS.contains(m))
        && sig.methods.iter().any(|m| *m != "GET")
}

/// Sibling words that are values of one parameter. Siblings are linked by
/// evidence without conflict: same sub-resources below them, same body
/// shapes for a method, both addressed as items (`PUT`/`DELETE` on
/// `/topics/a` and `/topics/b`), or digit-bearing codes of one lexical
/// shape. Linked groups fold when their evidence is strong (two members
/// addressed as items, codes, or a code sharing structure with a word;
/// otherwise three), under a
/// collection name only (not under a version, a reserved word or a
/// parameter: resource names live there), and when most members are not
/// named like the API's vocabulary (`snake_case`, `camelCase`).
fn sibling_groups(
    node: &Node,
    candidates: &[(String, ValueKind)],
    under_collection: bool,
) -> Vec<String> {
    let n = candidates.len();
    if n < 2 || !under_collection {
        return Vec::new();
    }
    let sigs: Vec<Signature<'_>> = candidates
        .iter()
        .map(|(k, _)| signature(&node.literals[k]))
        .collect();
    let shapes: Vec<String> = candidates.iter().map(|(k, _)| lexical_shape(k)).collect();
    let items: Vec<bool> = sigs.iter().map(addressed_as_item).collect();
    let mut group: Vec<usize> = (0..n).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    let mut strong = vec![false; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let ev = compare(&sigs[i], &sigs[j]);
            if ev.conflict {
                continue;
            }
            let codes = candidates[i].1 == ValueKind::WeakId
                && candidates[j].1 == ValueKind::WeakId
                && shapes[i] == shapes[j];
            let item_writes = items[i] && items[j];
            let code_like =
                candidates[i].1 == ValueKind::WeakId || candidates[j].1 == ValueKind::WeakId;
            if codes || item_writes || ev.positive {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a] = b;
                if codes || item_writes || (ev.shared_children && code_like) {
                    strong[i] = true;
                    strong[j] = true;
                }
            }
        }
    }
    // Per group: members, strongly linked, named like vocabulary.
    let mut groups: HashMap<usize, (usize, bool, usize)> = HashMap::new();
    for (i, linked) in strong.iter().enumerate() {
        let r = root(&mut group, i);
        let entry = groups.entry(r).or_default();
        entry.0 += 1;
        entry.1 |= linked;
        entry.2 += usize::from(is_vocabulary_word(&candidates[i].0));
    }
    (0..n)
        .filter(|&i| {
            let (size, strong, vocabulary) = groups[&root(&mut group, i)];
            (size >= 3 || (size >= 2 && strong)) && 3 * vocabulary < size
        })
        .map(|i| candidates[i].0.clone())
        .collect()
}

fn param_name(
    previous: Option<&TemplateSegment>,
    kinds: &BTreeSet<ValueKind>,
    taken: &[LearnedParam],
) -> String {
    let base = match previous {
        _ if kinds.len() == 1 && kinds.contains(&ValueKind::Date) => "date".to_owned(),
        _ if kinds.len() == 1 && kinds.contains(&ValueKind::Email) => "email".to_owned(),
        Some(TemplateSegment::Literal(word)) => {
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
            let singular = word
                .strip_suffix("ies")
                .map(|w| format!("{w}y"))
                .or_else(|| {
                    word.strip_suffix('s')
                        .filter(|w| !w.ends_with('s'))
                        .map(str::to_owned)
                });
            format!("{}_id", singular.unwrap_or(word))
        }
        _ => "id".to_owned(),
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|p| p.name == name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
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
        let name = param_name(segments.last(), &param.kinds, params);
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
                "GET /api/user/{user_id}",
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
                "DELETE /repos/{repo_id}",
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
            "DELETE /db/{db_id}/topics/{topic_id}",
            "PUT /db/{db_id}/topics/{topic_id}",
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
            [
                "GET /files/{file_id}",
                "GET /v2/{v2_id}",
                "PUT /<upload_url>"
            ]
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
