//! Folding: which literal children of a node are values of one parameter.
//!
//! Token shape decides only the clear cases (integers, UUIDs, hex digests,
//! prefixed ids, host names, releases go to the parameter on sight, in
//! `PathTree::leaf`). Words (`dune-lumen`, `jdoe`, `hello-world`) are kept
//! literal until their *behaviour* says they are values: values of one
//! parameter share what hangs below them, how they are addressed and what
//! they answer. `docs/discovery.md` has the same rules as tables.
//!
//! ## Evidence between two siblings (`compare`, `sibling_groups`)
//!
//! - **strong**: a sub-resource in common (`/x/a/logs`, `/x/b/logs`; strong
//!   below a parameter, or for codes below a collection); both written as
//!   items (`DELETE`, or `PUT`/`PATCH` below a collection); digit-bearing
//!   codes of one lexical shape (`repo-7`, `repo-12`); both known values;
//! - **positive**: the same request, response or query member names for a
//!   method (Jaccard >= 0.5); children alike one level down (values below
//!   values); the same kind of id below two siblings that neither list nor
//!   create; rarely seen leaves used with the same methods;
//! - **conflict**, which keeps two siblings apart: a list beside an item,
//!   or shapes of three members or more sharing under 0.2 of them.
//!
//! ## What a node's segment says about its children (`Role`)
//!
//! - below a **collection** (`/workflows/…`): groups of three with evidence,
//!   two strongly linked, or four rarely seen leaves;
//! - below a **parameter** (`/workflows/{ns}/…`, where REST puts
//!   sub-collections and actions): members that list or have ids below are
//!   left out (unless known values, or rare leaves in numbers: eight);
//!   groups of three with two written as items or with sub-resources, two
//!   strongly linked items with at most one sub-resource, or four rare
//!   leaves;
//! - at **structure** (the root, a version, a reserved word, where resource
//!   names live): members that list or have ids below are left out; groups
//!   of three strongly linked (items or codes) with fewer sub-resources than
//!   members, three whose values share sub-resources, or eight rare leaves
//!   that are not dotted RPC names.
//!
//! Everywhere, a group is refused while names shaped like the API's own
//! (`camelCase`, action verbs: weight 2; `snake_case`: 1) weigh a third of
//! it or more, unless it has 40 members; words that name a resource at a
//! structure node elsewhere (`sensors` in `/api/v1/sensors`) never fold
//! below a collection or a parameter; words already folded elsewhere (known
//! values: namespaces, project names) fold again where they reappear.
//!
//! A word also joins the parameter beside it: beside a parameter of words,
//! on positive evidence, as a code, as a known value or as a leaf used like
//! the parameter; beside a parameter of identifiers only as a digit-bearing
//! code, so `/users/me` and `/projects/default` stay literal. Files named
//! alike fold by extension (`/avatars/{name}.png`), or into one parameter
//! when of many kinds (`/download/{file}`).
//!
//! Every fold is recorded as a [`TemplateDecision`] (where, which values,
//! why); operators can pin a literal or force a parameter, and learning
//! never undoes either.

use super::{extension_of, Node, OpKey, PathTree, TemplateDecision, MAX_VERSION_DIGITS};
use crate::function::{response_shape, ResponseShape};
use crate::schema::Schema;
use crate::segment::{
    classify, is_camel_case, is_version, lexical_shape, vocabulary_weight, ValueKind,
};
use crate::stats::EndpointStats;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Why values were folded into a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoldReason {
    /// Operators said this position is a parameter.
    Operator,
    /// Joined a parameter beside it that shares their structure.
    JoinedParameter,
    /// Siblings with a sub-resource in common.
    SharedSubResources,
    /// Siblings written as items (`PUT`, `PATCH`, `DELETE`).
    ItemWrites,
    /// Digit-bearing codes of one lexical shape (`repo-7`, `repo-12`).
    DigitCodes,
    /// Siblings with the same request or response shapes.
    SimilarShapes,
    /// Many rarely seen leaves, alike in their methods.
    ManyValues,
    /// Words folded into a parameter elsewhere in the API.
    KnownValues,
}

/// Literal children compared one level down, per side.
const MAX_NESTED_CHILDREN: usize = 8;
/// Jaccard similarity of member names from which two shapes agree.
const SAME_SHAPE: f64 = 0.5;
/// Below it two shapes differ; in between (optional members seen in some
/// answers only) they say nothing.
const OTHER_SHAPE: f64 = 0.2;
/// Members each shape needs before a difference counts as a conflict.
const MIN_TELLING_MEMBERS: usize = 3;

/// What a node's own segment is, which says what its children may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Root, versions, reserved words: children are resource names.
    Structure,
    /// A collection name: children may be values of one parameter.
    Collection,
    /// A parameter: children are sub-resources, actions or further values.
    Param,
}

/// The role of a literal child. A literal that looks like an identifier
/// is one only because it was kept literal: a small number is an API
/// version (`/rest/api/3`), anything else a value an operator pinned.
fn role_of(segment: &str) -> Role {
    match classify(segment, false) {
        ValueKind::Literal | ValueKind::DottedName => Role::Structure,
        ValueKind::Integer if segment.len() <= MAX_VERSION_DIGITS => Role::Structure,
        kind if kind.is_identifier() => Role::Param,
        _ => Role::Collection,
    }
}

impl PathTree {
    /// Folds word-like values into parameters where the evidence allows.
    pub fn fold(&mut self) {
        let mut vocabulary = HashSet::new();
        structure_vocabulary(&self.root, true, &mut vocabulary);
        let mut folder = Folder {
            vocabulary,
            known_values: std::mem::take(&mut self.known_values),
            decisions: Vec::new(),
            prefix: Vec::new(),
        };
        // Values learned late in the walk may recur earlier in it
        // (`/artifact-files/...` is walked before `/artifacts/...`): one
        // more pass when the first one learned any.
        let known_before = folder.known_values.len();
        folder.fold_node(&mut self.root, Role::Structure);
        if folder.known_values.len() > known_before {
            folder.fold_node(&mut self.root, Role::Structure);
        }
        self.known_values = folder.known_values;
        for decision in folder.decisions {
            self.record(decision);
        }
        self.nodes = self.root.count();
    }
}

/// Words that name resources: children of the root, of versions and of
/// reserved words, anywhere (not of dotted names, which may be values:
/// `/repos/socket.io/...`).
fn structure_vocabulary(node: &Node, names_resources: bool, out: &mut HashSet<String>) {
    for (key, child) in &node.literals {
        if names_resources {
            out.insert(key.clone());
        }
        let names =
            role_of(key) == Role::Structure && classify(key, false) != ValueKind::DottedName;
        structure_vocabulary(child, names, out);
    }
    for param in &node.params {
        structure_vocabulary(&param.node, false, out);
    }
}

struct Folder {
    /// Resource names: children of structure nodes, less the values folded
    /// there (`/{package}` at the root of a registry).
    vocabulary: HashSet<String>,
    /// Words folded into parameters, here or in earlier folds.
    known_values: BTreeSet<String>,
    decisions: Vec<TemplateDecision>,
    /// The template of the node being folded, parameters as `{}`.
    prefix: Vec<String>,
}

/// A literal child considered for folding, with what it looks like.
struct Member {
    key: String,
    /// Folded into a parameter elsewhere in the API (`known_values`).
    known: bool,
    kind: ValueKind,
    /// How much it is named like the API's own words (`vocabulary_weight`).
    vocabulary: usize,
    /// Answers a list to `GET`: a collection, not an item.
    lists: bool,
    /// Addressed like an item (see `addressed_as_item`).
    item_writes: bool,
    /// Answers a list or takes a `POST` (creates): a collection's ways.
    collection_like: bool,
    /// Nothing below it.
    leaf: bool,
    /// Seen in few requests.
    rare: bool,
    /// Kinds of the identifiers below it (`/gc/{id}`): REST puts ids after
    /// collection names, so below a parameter or at the root these name
    /// collections.
    id_kinds: BTreeSet<ValueKind>,
}

impl Folder {
    fn fold_node(&mut self, node: &mut Node, role: Role) {
        if role == Role::Structure {
            node.name_recurring_opaque_values();
        }
        let members = self.members(node, role);
        if node.forced {
            let all = members.into_iter().map(|m| (m.key, FoldReason::Operator));
            self.fold_into_parameter(node, role, "", all.collect());
        } else {
            let rest = self.join_parameter(node, role, members);
            let groups = sibling_groups(node, rest, role);
            if !groups.is_empty() {
                self.fold_into_parameter(node, role, "", groups);
                // Values seen often join the parameter their long tail made.
                let members = self.members(node, role);
                self.join_parameter(node, role, members);
            }
        }
        for (suffix, files) in named_files(node, role) {
            self.fold_into_parameter(node, role, &suffix, files);
        }
        let mut keys: Vec<String> = node.literals.keys().cloned().collect();
        keys.sort();
        for key in keys {
            if let Some(child) = node.literals.get_mut(&key) {
                let role = role_of(&key);
                self.prefix.push(key);
                self.fold_node(child, role);
                self.prefix.pop();
            }
        }
        for param in &mut node.params {
            self.prefix.push(format!("{{}}{}", param.suffix));
            self.fold_node(&mut param.node, Role::Param);
            self.prefix.pop();
        }
    }

    /// Folds the members that join the whole-segment parameter beside
    /// them; returns the others.
    fn join_parameter(&mut self, node: &mut Node, role: Role, members: Vec<Member>) -> Vec<Member> {
        let Some(param) = node.params.iter().find(|p| p.suffix.is_empty()) else {
            return members;
        };
        let wordy = param.kinds.iter().any(|k| !k.is_identifier());
        let (join, rest): (Vec<Member>, Vec<Member>) = members.into_iter().partition(|m| {
            (m.known && wordy)
                || joins_parameter(&node.literals[&m.key], m.kind, &param.node, wordy)
        });
        if !join.is_empty() {
            let join = join
                .into_iter()
                .map(|m| (m.key, FoldReason::JoinedParameter));
            self.fold_into_parameter(node, role, "", join.collect());
        }
        rest
    }

    /// The literal children that may be values here, with their profiles.
    fn members(&self, node: &Node, role: Role) -> Vec<Member> {
        let mut out: Vec<Member> = node
            .literals
            .iter()
            .filter(|(key, _)| !node.pinned.contains(key.as_str()))
            // Named files are grouped by their extension (`named_files`).
            .filter(|(key, child)| node.forced || extension_of(key).is_none() || !is_leaf(child))
            .filter_map(|(key, child)| {
                let kind = classify(key, false);
                // Below a value, dotted numbers are its releases
                // (`/pypi/{project}/1.28/json`), not the API's version.
                let release = role == Role::Param
                    && kind == ValueKind::Literal
                    && key.contains('.')
                    && is_version(key)
                    && !key.starts_with(['v', 'V']);
                // Dotted names are RPC methods (`chat.postMessage`) or
                // values (`liam.miller`): where resource names live only
                // strong evidence folds them.
                let eligible = node.forced
                    || release
                    || matches!(
                        kind,
                        ValueKind::Word | ValueKind::WeakId | ValueKind::DottedName
                    );
                let resource_name =
                    role != Role::Structure && self.vocabulary.contains(key.as_str());
                (eligible && (node.forced || !resource_name)).then(|| {
                    let lists = answers_lists(child, key);
                    Member {
                        known: self.known_values.contains(key.as_str()),
                        key: key.clone(),
                        kind,
                        vocabulary: vocabulary_weight(key),
                        lists,
                        collection_like: lists
                            || child.endpoints.iter().any(|(op, _)| op.method == "POST"),
                        item_writes: addressed_as_item(child, role),
                        leaf: is_leaf(child),
                        rare: seen_rarely(child),
                        id_kinds: child
                            .params
                            .iter()
                            .filter(|p| p.kinds.iter().all(|k| k.is_identifier()))
                            .flat_map(|p| p.kinds.iter().copied())
                            .collect(),
                    }
                })
            })
            .filter(|m| {
                node.forced
                    || role == Role::Collection
                    || m.known
                    || (m.id_kinds.is_empty() && (!m.lists || (m.leaf && m.rare)))
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// Folds literal children into the parameter with this suffix.
    fn fold_into_parameter(
        &mut self,
        node: &mut Node,
        role: Role,
        suffix: &str,
        folds: Vec<(String, FoldReason)>,
    ) {
        if folds.is_empty() {
            return;
        }
        if role == Role::Structure {
            for (key, _) in &folds {
                self.vocabulary.remove(key);
            }
        }
        let mut kinds = BTreeSet::new();
        let mut merged = Node::default();
        let mut by_reason: Vec<(FoldReason, Vec<String>)> = Vec::new();
        for (key, reason) in folds {
            if self.known_values.len() < super::MAX_KNOWN_VALUES {
                self.known_values.insert(key.clone());
            }
            kinds.insert(classify(&key, false));
            if let Some(child) = node.literals.remove(&key) {
                merged.absorb(child);
            }
            match by_reason.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, values)) => values.push(key),
                None => by_reason.push((reason, vec![key])),
            }
        }
        let target = node.param_child(suffix, ValueKind::Word, "");
        target.absorb(merged);
        if let Some(p) = node.params.iter_mut().find(|p| p.suffix == suffix) {
            p.kinds.remove(&ValueKind::Word);
            p.kinds.extend(kinds);
        }
        node.absorbs_words = true;
        let parent = format!("/{}", self.prefix.join("/"));
        for (reason, values) in by_reason {
            self.decisions
                .push(TemplateDecision::new(parent.clone(), reason, values));
        }
    }
}

/// Distinct extensions among sibling files that make them one parameter.
const MANY_EXTENSIONS: usize = 3;

/// Files named alike (`alice.png`, `bob.png`) below one path: values of a
/// parameter with that extension, when there are three (eight where
/// resource names live: `/openapi.json` and `/swagger.json` are names) or
/// a parameter with that extension is there already. Only leaves with the
/// same methods, not pinned. Grouped by extension.
fn named_files(node: &Node, role: Role) -> Vec<(String, Vec<(String, FoldReason)>)> {
    let least = match role {
        Role::Structure => MANY_VALUES_AT_STRUCTURE,
        Role::Collection | Role::Param => 3,
    };
    let mut by_suffix: Vec<(String, Vec<&str>)> = Vec::new();
    let mut files = 0;
    let mut keys: Vec<(&String, &Node)> = node.literals.iter().collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, child) in keys {
        let Some((_, suffix)) = extension_of(key) else {
            continue;
        };
        if node.pinned.contains(key.as_str()) || !is_leaf(child) {
            continue;
        }
        files += 1;
        match by_suffix.iter_mut().find(|(s, _)| s == suffix) {
            Some((_, keys)) => keys.push(key),
            None => by_suffix.push((suffix.to_owned(), vec![key])),
        }
    }
    // Files of many kinds (`/download/report.pdf`, `/download/photo.jpg`)
    // are values of one whole-segment parameter, unless ids with an
    // extension already made one per kind (`/reports/{id}.pdf`).
    let per_kind = node.params.iter().any(|p| !p.suffix.is_empty());
    if by_suffix.len() >= MANY_EXTENSIONS && files >= least && !per_kind {
        let all = by_suffix
            .into_iter()
            .flat_map(|(_, keys)| keys)
            .map(|k| (k.to_owned(), FoldReason::ManyValues))
            .collect();
        return vec![(String::new(), all)];
    }
    // A file beside a parameter of names is one of them
    // (`/contents/{path}` and `/contents/README.md`).
    let names = node
        .params
        .iter()
        .find(|p| p.suffix.is_empty() && p.kinds.iter().any(|k| !k.is_identifier()));
    by_suffix
        .into_iter()
        .filter_map(|(suffix, keys)| {
            if let Some(names) = names.filter(|_| !node.params.iter().any(|p| p.suffix == suffix)) {
                let joining: Vec<(String, FoldReason)> = keys
                    .iter()
                    .filter(|k| {
                        joins_parameter(&node.literals[**k], ValueKind::Word, &names.node, true)
                    })
                    .map(|k| ((*k).to_owned(), FoldReason::JoinedParameter))
                    .collect();
                return (!joining.is_empty()).then(|| (String::new(), joining));
            }
            let known = node.params.iter().any(|p| p.suffix == suffix);
            let alike = keys
                .windows(2)
                .all(|w| same_methods(&node.literals[w[0]], &node.literals[w[1]]));
            let reason = if known {
                FoldReason::JoinedParameter
            } else {
                FoldReason::ManyValues
            };
            (known || (keys.len() >= least && alike)).then(|| {
                let files = keys.into_iter().map(|k| (k.to_owned(), reason)).collect();
                (suffix, files)
            })
        })
        .collect()
}

/// Whether a word joins the parameter beside it. Beside a parameter of
/// identifiers only digit-bearing codes may (`PROJ-12` beside `10001`);
/// a plain word there is an alias with its own meaning (`default`, `all`).
/// Beside a parameter of words, a word joins on positive evidence, as a
/// code, or as a leaf used with the same methods as the parameter's leaf.
fn joins_parameter(word: &Node, kind: ValueKind, param: &Node, param_holds_words: bool) -> bool {
    if !param_holds_words && kind != ValueKind::WeakId {
        return false;
    }
    let ev = compare(word, param, 1);
    let leaf_alike = is_leaf(word) && is_leaf(param) && same_methods(word, param);
    !ev.conflict
        && (ev.positive || (param_holds_words && (kind == ValueKind::WeakId || leaf_alike)))
}

#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    positive: bool,
    /// Both have the same sub-resource below them (`/x/a/logs`, `/x/b/logs`).
    shared_children: bool,
    /// Their children, unlike-named, have the same sub-resources: values
    /// below values (`/v2/bitnami/nginx/manifests`, `/v2/ci/runner/manifests`).
    nested_shared: bool,
    conflict: bool,
}

/// Evidence that two subtrees are values of one parameter; `depth` is how
/// many levels of unlike-named children may still be compared.
fn compare(a: &Node, b: &Node, depth: u8) -> Evidence {
    let mut ev = Evidence::default();
    compare_children(a, b, depth, &mut ev);
    for (op, stats) in &a.endpoints {
        for (other_op, other) in &b.endpoints {
            if op.method == other_op.method {
                compare_operation(stats, other, &mut ev);
            }
        }
    }
    ev
}

fn compare_children(a: &Node, b: &Node, depth: u8, ev: &mut Evidence) {
    if a.literals.is_empty() || b.literals.is_empty() {
        return;
    }
    if a.literals.keys().any(|k| b.literals.contains_key(k)) {
        ev.positive = true;
        ev.shared_children = true;
        return;
    }
    if depth == 0 {
        ev.conflict = true;
        return;
    }
    // No name in common: alike children are values below values, unlike
    // ones are different sub-resources; no evidence either way says nothing.
    let mut all_conflict = true;
    for ca in a.literals.values().take(MAX_NESTED_CHILDREN) {
        for cb in b.literals.values().take(MAX_NESTED_CHILDREN) {
            let nested = compare(ca, cb, depth - 1);
            if nested.positive && !nested.conflict {
                ev.positive = true;
                ev.nested_shared = nested.shared_children;
                if ev.nested_shared {
                    return;
                }
            }
            all_conflict &= nested.conflict;
        }
    }
    ev.conflict |= all_conflict;
}

/// Request, response and query shapes of one method at two paths.
fn compare_operation(a: &EndpointStats, b: &EndpointStats, ev: &mut Evidence) {
    // A list and an item answer (`/products/featured`, `/products/{slug}`).
    let answers = |s: &EndpointStats| s.response_body.as_ref().map(|r| response_shape(r, None));
    if let (Some(x), Some(y)) = (answers(a), answers(b)) {
        ev.conflict |= x != y;
    }
    let pairs = [
        (a.request_body.as_ref(), b.request_body.as_ref()),
        (a.response_body.as_ref(), b.response_body.as_ref()),
    ];
    for (x, y) in pairs {
        if let (Some(x), Some(y)) = (x, y) {
            let (sx, sy) = (shape(x), shape(y));
            if sx.0 != sy.0 {
                ev.conflict = true;
            } else if !sx.1.is_empty() || !sy.1.is_empty() {
                let similarity = jaccard(&sx.1, &sy.1);
                ev.positive |= similarity >= SAME_SHAPE;
                // Few members, seen in few answers, are optional ones as
                // often as a different shape.
                let telling = sx.1.len().min(sy.1.len()) >= MIN_TELLING_MEMBERS;
                ev.conflict |= telling && similarity < OTHER_SHAPE;
            }
        }
    }
    // Query parameters are optional: the same names are evidence, other
    // names are not a conflict.
    let (qa, qb) = (a.query.shape_keys().1, b.query.shape_keys().1);
    if !qa.is_empty() && !qb.is_empty() && jaccard(&qa, &qb) >= SAME_SHAPE {
        ev.positive = true;
    }
}

/// A body's JSON type bits and top-level member names.
type Shape<'a> = (u8, Vec<&'a str>);

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

/// Jaccard similarity of two sorted name lists (schema members are kept
/// sorted), in one merge.
fn jaccard(a: &[&str], b: &[&str]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f64 / union as f64
    }
}

/// Methods that address one item of a collection.
const ITEM_METHODS: [&str; 4] = ["GET", "PUT", "PATCH", "DELETE"];

/// Whether a path is addressed like an item: only item methods, one of them
/// a write (nobody deletes or replaces a sub-collection's name). Below a
/// parameter or where resource names live, settings are replaced too
/// (`/databases/{id}/sql_mode`) and a `PUT` may be an action
/// (`/workflows/{ns}/{name}/stop`): there only a `DELETE` says item.
fn addressed_as_item(node: &Node, role: Role) -> bool {
    let methods = || node.endpoints.iter().map(|(op, _)| op.method.as_str());
    let has = |method: &str| methods().any(|m| m == method);
    let written = match role {
        // Named things are upserted by name (`PUT /topics/{name}`).
        Role::Collection => has("DELETE") || has("PATCH") || has("PUT"),
        Role::Param | Role::Structure => has("DELETE"),
    };
    methods().next().is_some() && methods().all(|m| ITEM_METHODS.contains(&m)) && written
}

/// Requests up to which a path is a rarely seen value, when many siblings
/// are alike.
const RARE_REQUESTS: u64 = 3;
/// Rarely seen leaves alike in methods, and in nothing else, that make a
/// parameter by their number alone.
const MANY_VALUES: usize = 4;
/// The same where resource names live: an API has a few dozen at most.
const MANY_VALUES_AT_STRUCTURE: usize = 8;
/// Siblings so many that however they are named they are values.
const COUNTLESS: usize = 40;

fn is_leaf(node: &Node) -> bool {
    node.literals.is_empty() && node.params.is_empty()
}

/// Seen in few requests: what most values of a parameter are.
fn seen_rarely(node: &Node) -> bool {
    node.endpoints.iter().map(|(_, s)| s.requests).sum::<u64>() <= RARE_REQUESTS
}

fn same_methods(a: &Node, b: &Node) -> bool {
    fn methods(n: &Node) -> Vec<&str> {
        let mut m: Vec<&str> = n
            .endpoints
            .iter()
            .map(|(op, _)| op.method.as_str())
            .collect();
        m.sort_unstable();
        m
    }
    methods(a) == methods(b)
}

/// Whether a path answers `GET` with a list: it names a collection.
fn answers_lists(node: &Node, name: &str) -> bool {
    node.endpoints
        .iter()
        .any(|(op, stats): &(OpKey, EndpointStats)| {
            op.method == "GET"
                && stats
                    .response_body
                    .as_ref()
                    .is_some_and(|s| response_shape(s, Some(name)) == ResponseShape::Array)
        })
}

/// Sibling words that are values of one parameter, each with the evidence
/// that linked its group (see the module documentation for the rules).
fn sibling_groups(node: &Node, members: Vec<Member>, role: Role) -> Vec<(String, FoldReason)> {
    let n = members.len();
    if n < 2 {
        return Vec::new();
    }
    let shapes: Vec<String> = members.iter().map(|m| lexical_shape(&m.key)).collect();
    let mut group: Vec<usize> = (0..n).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    let mut reason: Vec<Option<FoldReason>> = vec![None; n];
    let mut strong = vec![false; n];
    let mut shared = vec![false; n];
    let mut nested = vec![false; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (&members[i], &members[j]);
            let (na, nb) = (&node.literals[&a.key], &node.literals[&b.key]);
            let ev = compare(na, nb, 1);
            let known = a.known && b.known;
            if ev.conflict && !known {
                continue;
            }
            let rare_alike = a.leaf && b.leaf && a.rare && b.rare && same_methods(na, nb);
            // Values of a collection lead to the same kind of id
            // (`/pypi/{project}/{release}`); sub-collections list and create.
            let ids_alike = role == Role::Collection
                && !a.collection_like
                && !b.collection_like
                && a.id_kinds.iter().any(|k| b.id_kinds.contains(k));
            let codes = a.kind == ValueKind::WeakId
                && b.kind == ValueKind::WeakId
                && shapes[i] == shapes[j];
            let item_writes = a.item_writes && b.item_writes;
            let link = if known {
                FoldReason::KnownValues
            } else if item_writes {
                FoldReason::ItemWrites
            } else if codes {
                FoldReason::DigitCodes
            } else if ev.shared_children || ev.nested_shared {
                FoldReason::SharedSubResources
            } else if ev.positive || ids_alike {
                FoldReason::SimilarShapes
            } else if rare_alike {
                FoldReason::ManyValues
            } else {
                continue;
            };
            let (ra, rb) = (root(&mut group, i), root(&mut group, j));
            group[ra] = rb;
            let code_like = a.kind == ValueKind::WeakId || b.kind == ValueKind::WeakId;
            let is_strong = match role {
                Role::Collection => codes || item_writes || (ev.shared_children && code_like),
                Role::Param => codes || item_writes || ev.shared_children,
                // Resource names share sub-resources too (`/identity/api`,
                // `/community/api`): only values are written or coded alike.
                Role::Structure => codes || item_writes || known,
            };
            for k in [i, j] {
                strong[k] |= is_strong;
                shared[k] |= ev.shared_children;
                nested[k] |= ev.nested_shared;
                if reason[k].is_none_or(|r| strength(link) > strength(r)) {
                    reason[k] = Some(link);
                }
            }
        }
    }
    #[derive(Default)]
    struct Group<'a> {
        size: usize,
        strong: bool,
        items: usize,
        vocabulary: usize,
        /// Named in `camelCase`.
        camel: usize,
        /// Some members have a sub-resource in common.
        shared: bool,
        /// Some members' values have sub-resources in common.
        nested: bool,
        rare: usize,
        leaves: usize,
        dotted: usize,
        lists: usize,
        known: usize,
        /// Some member was linked by more than being rare and alike.
        evidence: bool,
        children: HashSet<&'a str>,
    }
    let mut groups: HashMap<usize, Group<'_>> = HashMap::new();
    for (i, m) in members.iter().enumerate() {
        let g = groups.entry(root(&mut group, i)).or_default();
        g.size += 1;
        g.strong |= strong[i];
        g.items += usize::from(m.item_writes || !m.leaf);
        g.vocabulary += m.vocabulary;
        g.camel += usize::from(is_camel_case(&m.key));
        g.shared |= shared[i];
        g.nested |= nested[i];
        g.rare += usize::from(m.rare);
        g.leaves += usize::from(m.leaf);
        g.dotted += usize::from(m.kind == ValueKind::DottedName);
        g.lists += usize::from(m.lists);
        g.known += usize::from(m.known);
        g.evidence |= reason[i].is_some_and(|r| r != FoldReason::ManyValues);
        g.children
            .extend(node.literals[&m.key].literals.keys().map(String::as_str));
    }
    // Values share few sub-resources; resource names have many values
    // below them (`/artifacts/{ns}`, `/input-artifacts/{ns}`), and
    // sub-resources may share a sub-resource (`/preheat/policies`,
    // `/webhook/policies`).
    let few_children = |g: &Group<'_>| g.children.len() < g.size;
    // Leaves alike in their methods, most seen rarely: the long tail of a
    // parameter's values (its head values are seen often).
    let many_rare = |g: &Group<'_>, least: usize| {
        g.size >= least && g.leaves == g.size && 3 * g.rare >= 2 * g.size
    };
    // Values that recur across the API (namespaces, project names).
    let known = |g: &Group<'_>| match role {
        Role::Structure => g.known >= 3 && 2 * g.known >= g.size,
        Role::Collection | Role::Param => g.known >= 2 && 2 * g.known >= g.size,
    };
    let accepted = |g: &Group<'_>| {
        known(g) || {
            // Values with sub-resources in common may be `snake_case` names
            // (`/ds-api/api_orders/v1/fields`); sibling leaves so named are
            // the API's own (`/metrics/droplet/memory_free`).
            let vocabulary = if g.shared { 2 * g.camel } else { g.vocabulary };
            (3 * vocabulary < 2 * g.size || g.size >= COUNTLESS)
                && match role {
                    Role::Collection => {
                        (g.size >= 3 && g.evidence)
                            || (g.size >= 2 && g.strong)
                            || many_rare(g, MANY_VALUES)
                    }
                    // Rarely seen leaves answering lists (`/r/{}/comments/{}/{slug}`)
                    // are values only in numbers; sub-collections answer lists too.
                    Role::Param if g.lists > 0 => many_rare(g, MANY_VALUES_AT_STRUCTURE),
                    Role::Param => {
                        (g.size >= 3 && g.items >= 2)
                            || (g.size >= 2 && g.strong && g.items == g.size && few_children(g))
                            || many_rare(g, MANY_VALUES)
                    }
                    Role::Structure => {
                        (g.size >= 3 && g.strong && g.items >= 2 && few_children(g))
                        // Values below values: namespaces whose repositories
                        // have the same sub-resources (`/v2/{ns}/{repo}/tags`).
                        || (g.size >= 3 && g.nested && !g.shared)
                        // RPC methods (`/api/chat.postMessage`) are many rare leaves too.
                        || (g.dotted == 0 && many_rare(g, MANY_VALUES_AT_STRUCTURE))
                    }
                }
        }
    };

    let mut out = Vec::new();
    for (i, m) in members.into_iter().enumerate() {
        let g = &groups[&root(&mut group, i)];
        if let (true, Some(r)) = (accepted(g), reason[i]) {
            out.push((m.key, r));
        }
    }
    out
}

/// Order of reasons when one value was linked by several.
fn strength(reason: FoldReason) -> u8 {
    match reason {
        FoldReason::ManyValues => 0,
        FoldReason::KnownValues => 2,
        FoldReason::SimilarShapes => 0,
        FoldReason::DigitCodes => 1,
        FoldReason::SharedSubResources => 2,
        FoldReason::ItemWrites => 3,
        FoldReason::JoinedParameter | FoldReason::Operator => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_sorted_names() {
        assert_eq!(jaccard(&["a", "b", "c"], &["b", "c", "d"]), 0.5);
        assert_eq!(jaccard(&[], &[]), 1.0);
        assert_eq!(jaccard(&["a"], &["b"]), 0.0);
    }
}
