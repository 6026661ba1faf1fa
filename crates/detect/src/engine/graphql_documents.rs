//! GraphQL documents inside a streamed JSON body: `{"query": "...",
//! "variables": {...}}`, or a batch of such objects in a top-level array.
//!
//! Whether a `query` member is a GraphQL document depends on its siblings
//! (`variables`, `operationName`), which may come after it, so its text is
//! held (bounded by the string limit of the JSON reader) until its object
//! closes, then handed back to be read as GraphQL or as a plain value.
//! What the documents ask for (aliases, depth, operations) and how many a
//! batch holds are added up here as they stream, one document at a time.

use crate::parse::graphql::GraphqlStats;

/// A `query` member held until its object closed.
#[derive(Debug)]
pub struct Held {
    /// JSONPath of the member (`$.query`, `$[3].query`).
    pub path: String,
    pub text: String,
    /// The object also had `variables` or `operationName`.
    pub with_siblings: bool,
}

/// The object that may carry a document: the root object, or an object
/// directly inside a root array (a batch).
#[derive(Debug)]
struct Candidate {
    path: String,
    depth: usize,
    query: Option<String>,
    with_siblings: bool,
}

/// Finds documents in the events of one JSON body and adds up their stats.
#[derive(Debug, Default)]
pub struct GraphqlDocuments {
    root_is_array: bool,
    candidate: Option<Candidate>,
    /// Documents read (as GraphQL, well-formed or not).
    pub count: usize,
    pub stats: GraphqlStats,
}

impl GraphqlDocuments {
    pub fn open(&mut self, path: &str, depth: usize, array: bool) {
        if depth == 1 {
            self.root_is_array = array;
        }
        let candidate = !array && (depth == 1 || (depth == 2 && self.root_is_array));
        if candidate {
            self.candidate = Some(Candidate {
                path: path.to_owned(),
                depth,
                query: None,
                with_siblings: false,
            });
        }
    }

    pub fn key(&mut self, depth: usize, key: &str) {
        if let Some(c) = self.candidate.as_mut().filter(|c| c.depth == depth) {
            c.with_siblings |= key == "variables" || key == "operationName";
        }
    }

    /// Holds the string at `path` when it is a candidate's `query`; false
    /// when it is any other value.
    pub fn hold(&mut self, path: &str, depth: usize, value: &str) -> bool {
        let Some(c) = self.candidate.as_mut().filter(|c| c.depth == depth) else {
            return false;
        };
        let is_query = path
            .strip_prefix(c.path.as_str())
            .is_some_and(|rest| rest == ".query");
        if !is_query || c.query.is_some() {
            return false;
        }
        c.query = Some(value.to_owned());
        true
    }

    /// A container closed: the held `query` of a candidate that closed.
    pub fn close(&mut self, depth: usize) -> Option<Held> {
        if self.candidate.as_ref().is_none_or(|c| c.depth != depth) {
            return None;
        }
        let c = self.candidate.take()?;
        let text = c.query?;
        Some(Held {
            path: format!("{}.query", c.path),
            text,
            with_siblings: c.with_siblings,
        })
    }

    /// Adds what one document asked for.
    pub fn add(&mut self, stats: &GraphqlStats) {
        self.count += 1;
        let total = &mut self.stats;
        total.operations += stats.operations;
        total.max_depth = total.max_depth.max(stats.max_depth);
        total.aliases += stats.aliases;
        total.fields += stats.fields;
        total.introspection |= stats.introspection;
        total.cost += stats.cost;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_held_until_its_object_closes_and_batches_are_counted() {
        let mut docs = GraphqlDocuments::default();
        docs.open("$", 1, true);
        for i in 0..3 {
            let item = format!("$[{i}]");
            docs.open(&item, 2, false);
            assert!(docs.hold(&format!("{item}.query"), 2, "{ a }"));
            docs.key(2, "variables");
            docs.open(&format!("{item}.variables"), 3, false);
            assert!(!docs.hold(&format!("{item}.variables.query"), 3, "x"));
            assert!(docs.close(3).is_none());
            let held = docs.close(2).unwrap();
            assert_eq!(
                (held.path.as_str(), held.with_siblings),
                (&*format!("{item}.query"), true)
            );
            docs.add(&GraphqlStats {
                aliases: 2,
                ..GraphqlStats::default()
            });
        }
        assert_eq!((docs.count, docs.stats.aliases), (3, 6));
    }

    #[test]
    fn a_second_query_member_is_a_plain_value() {
        let mut docs = GraphqlDocuments::default();
        docs.open("$", 1, false);
        assert!(docs.hold("$.query", 1, "{ a }"));
        assert!(!docs.hold("$.query", 1, "{ b }"));
        assert!(!docs.close(1).unwrap().with_siblings);
    }
}
