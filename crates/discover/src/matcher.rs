//! Routing a request to its endpoint: most specific template wins.
//!
//! `Router` is the one routing structure: the inventory uses it to match
//! traffic against a declared spec, and the gateway's hot path gets an
//! immutable `EndpointMatcher` built from it (publish it behind an
//! `Arc`/`arc-swap`; it is `Send + Sync` and never changes once built).
//! At each segment a literal beats a parameter inside literal text, which
//! beats a whole-segment parameter; the search backtracks, so the first
//! template found is the most specific from left to right.

use crate::observation::split_path;
use crate::template::{PathTemplate, TemplateSegment};
use rampart_core::hash::Fnv1a;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::Arc;

/// Method key that matches any method (for operators' path-wide rules).
pub const ANY_METHOD: &str = "*";

/// A trie of templates, one value per (method, template).
#[derive(Debug, Clone)]
pub struct Router<T> {
    root: RouteNode<T>,
    len: usize,
}

#[derive(Debug, Clone)]
struct RouteNode<T> {
    literals: HashMap<String, RouteNode<T>>,
    /// Parameters inside literal text, longest affixes first.
    partials: Vec<(String, String, RouteNode<T>)>,
    param: Option<Box<RouteNode<T>>>,
    terminal: Vec<(String, T)>,
}

impl<T> Default for RouteNode<T> {
    fn default() -> Self {
        RouteNode {
            literals: HashMap::new(),
            partials: Vec::new(),
            param: None,
            terminal: Vec::new(),
        }
    }
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Router {
            root: RouteNode::default(),
            len: 0,
        }
    }
}

impl<T> Router<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a route; returns the value it replaced, if any.
    pub fn insert(&mut self, method: &str, template: &PathTemplate, value: T) -> Option<T> {
        let mut node = &mut self.root;
        for segment in &template.segments {
            node = match segment {
                TemplateSegment::Literal(l) => node.literals.entry(l.clone()).or_default(),
                TemplateSegment::Param { prefix, suffix, .. }
                    if prefix.is_empty() && suffix.is_empty() =>
                {
                    node.param.get_or_insert_with(Default::default)
                }
                TemplateSegment::Param { prefix, suffix, .. } => {
                    let at = match node
                        .partials
                        .iter()
                        .position(|(p, s, _)| p == prefix && s == suffix)
                    {
                        Some(i) => i,
                        None => {
                            node.partials.push((
                                prefix.clone(),
                                suffix.clone(),
                                RouteNode::default(),
                            ));
                            node.partials
                                .sort_by_key(|(p, s, _)| std::cmp::Reverse(p.len() + s.len()));
                            node.partials
                                .iter()
                                .position(|(p, s, _)| p == prefix && s == suffix)
                                .unwrap_or(0)
                        }
                    };
                    &mut node.partials[at].2
                }
            };
        }
        let method = method.to_ascii_uppercase();
        if let Some(slot) = node.terminal.iter_mut().find(|(m, _)| *m == method) {
            return Some(std::mem::replace(&mut slot.1, value));
        }
        node.terminal.push((method, value));
        self.len += 1;
        None
    }

    /// The value of the most specific template matching these decoded segments.
    pub fn find<S: AsRef<str>>(&self, method: &str, segments: &[S]) -> Option<&T> {
        self.find_accepted(method, segments, &|_| true)
    }

    /// The value of the most specific matching template that `accept`
    /// takes; a refused one is passed over and the search goes on (a
    /// declared `{id}` of type integer does not route `/videos/convert`).
    pub fn find_accepted<S: AsRef<str>>(
        &self,
        method: &str,
        segments: &[S],
        accept: &dyn Fn(&T) -> bool,
    ) -> Option<&T> {
        find_in(&self.root, method, segments, accept)
    }
}

fn find_in<'a, T, S: AsRef<str>>(
    node: &'a RouteNode<T>,
    method: &str,
    segments: &[S],
    accept: &dyn Fn(&T) -> bool,
) -> Option<&'a T> {
    let Some((first, rest)) = segments.split_first() else {
        let exact = node
            .terminal
            .iter()
            .find(|(m, v)| m.eq_ignore_ascii_case(method) && accept(v));
        return exact
            .or_else(|| {
                node.terminal
                    .iter()
                    .find(|(m, v)| m == ANY_METHOD && accept(v))
            })
            .map(|(_, v)| v);
    };
    let first = first.as_ref();
    if let Some(found) = node
        .literals
        .get(first)
        .and_then(|child| find_in(child, method, rest, accept))
    {
        return Some(found);
    }
    for (prefix, suffix, child) in &node.partials {
        if first.len() > prefix.len() + suffix.len()
            && first.starts_with(prefix.as_str())
            && first.ends_with(suffix.as_str())
        {
            if let Some(found) = find_in(child, method, rest, accept) {
                return Some(found);
            }
        }
    }
    node.param
        .as_deref()
        .and_then(|child| find_in(child, method, rest, accept))
}

/// A stable endpoint identifier: FNV-1a of `METHOD template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EndpointId(pub u64);

impl EndpointId {
    pub fn of(method: &str, template: &str) -> Self {
        let mut hash = Fnv1a::default();
        hash.write(method.as_bytes());
        hash.write(b" ");
        hash.write(template.as_bytes());
        EndpointId(hash.finish())
    }
}

impl std::fmt::Display for EndpointId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// What the hot path learns about a request: which endpoint it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedEndpoint {
    pub id: EndpointId,
    pub template: Arc<str>,
}

/// An immutable snapshot of the inventory's routes, for the hot path.
#[derive(Debug, Clone, Default)]
pub struct EndpointMatcher {
    router: Router<MatchedEndpoint>,
}

impl EndpointMatcher {
    /// Builds a matcher from (method, template) pairs; later pairs win ties.
    pub fn new<'a>(routes: impl IntoIterator<Item = (&'a str, &'a PathTemplate)>) -> Self {
        Self::with_targets(routes.into_iter().map(|(m, t)| (m, t, t)))
    }

    /// Builds a matcher where each (method, template) routes to a target
    /// template (itself, or the endpoint an operator merged it into).
    pub fn with_targets<'a>(
        routes: impl IntoIterator<Item = (&'a str, &'a PathTemplate, &'a PathTemplate)>,
    ) -> Self {
        let mut router = Router::default();
        for (method, template, target) in routes {
            let rendered = target.render();
            let id = EndpointId::of(&method.to_ascii_uppercase(), &rendered);
            router.insert(
                method,
                template,
                MatchedEndpoint {
                    id,
                    template: Arc::from(rendered),
                },
            );
        }
        EndpointMatcher { router }
    }

    /// The endpoint a request goes to. The host is accepted for the API's
    /// sake; the inventory is not split by host yet, so it is not used.
    pub fn find(&self, method: &str, _host: Option<&str>, path: &str) -> Option<&MatchedEndpoint> {
        let path = path.split('?').next().unwrap_or("");
        if path.contains('%') {
            self.router.find(method, &split_path(path))
        } else {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            self.router.find(method, &segments)
        }
    }

    pub fn len(&self) -> usize {
        self.router.len()
    }

    pub fn is_empty(&self) -> bool {
        self.router.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> PathTemplate {
        PathTemplate::parse(s).unwrap()
    }

    #[test]
    fn most_specific_template_wins_and_methods_are_separate() {
        let templates = [
            t("/pet/{petId}"),
            t("/pet/findByStatus"),
            t("/a/{x}/c"),
            t("/a/b/{y}"),
            t("/f/{Sid}.json"),
        ];
        let matcher = EndpointMatcher::new([
            ("GET", &templates[0]),
            ("GET", &templates[1]),
            ("DELETE", &templates[0]),
            ("GET", &templates[2]),
            ("GET", &templates[3]),
            ("GET", &templates[4]),
        ]);
        let find = |m: &str, p: &str| matcher.find(m, None, p).map(|e| e.template.to_string());
        assert_eq!(
            find("GET", "/pet/findByStatus").as_deref(),
            Some("/pet/findByStatus")
        );
        assert_eq!(find("GET", "/pet/12").as_deref(), Some("/pet/{petId}"));
        assert_eq!(
            find("DELETE", "/pet/findByStatus").as_deref(),
            Some("/pet/{petId}")
        );
        assert_eq!(find("POST", "/pet/12"), None);
        assert_eq!(find("GET", "/a/b/c").as_deref(), Some("/a/b/{y}"));
        assert_eq!(find("GET", "/a/z/c").as_deref(), Some("/a/{x}/c"));
        assert_eq!(find("GET", "/f/AC1.json").as_deref(), Some("/f/{Sid}.json"));
        assert_eq!(
            find("GET", "/f/%41C1.json").as_deref(),
            Some("/f/{Sid}.json")
        );
        assert_eq!(
            matcher.find("GET", None, "/pet/1").unwrap().id,
            EndpointId::of("GET", "/pet/{petId}")
        );
    }

    #[test]
    fn a_refused_template_gives_way_to_the_next_most_specific() {
        let mut router = Router::default();
        router.insert("GET", &t("/a/{x}/c"), "x");
        router.insert("GET", &t("/a/{y}/{z}"), "yz");
        let all = |_: &&str| true;
        let not_x = |v: &&str| *v != "x";
        assert_eq!(
            router.find_accepted("GET", &["a", "b", "c"], &all),
            Some(&"x")
        );
        assert_eq!(
            router.find_accepted("GET", &["a", "b", "c"], &not_x),
            Some(&"yz")
        );
        assert_eq!(
            router.find_accepted("GET", &["a", "b", "c"], &|_| false),
            None
        );
    }

    #[test]
    fn insert_reports_replacements() {
        let mut router = Router::default();
        assert_eq!(router.insert("get", &t("/x"), 1), None);
        assert_eq!(router.insert("GET", &t("/x"), 2), Some(1));
        assert_eq!(router.find("GET", &["x"]), Some(&2));
        assert_eq!(router.len(), 1);
    }
}
