//! GraphQL abuse: documents that ask for more than the endpoint's policy
//! allows (depth, aliases, batched operations, cost) or introspection where
//! it is forbidden.

use super::protocol::Finding;
use super::Hit;
use crate::config::GraphqlPolicy;
use crate::location::Location;
use crate::parse::graphql::GraphqlStats;

/// Compares what a request's GraphQL documents ask for with the policy;
/// `documents` is how many were batched in the request.
pub fn inspect(
    stats: &GraphqlStats,
    documents: usize,
    policy: &GraphqlPolicy,
    out: &mut Vec<Finding>,
) {
    let loc = || Location::Graphql("document".into());
    let hit = |rule| Hit::new(rule, 5.0, 0.9, 1);
    if stats.max_depth > policy.max_depth {
        out.push((
            hit("graphql.depth"),
            loc(),
            format!("depth {} > {}", stats.max_depth, policy.max_depth),
        ));
    }
    if stats.aliases > policy.max_aliases {
        out.push((
            hit("graphql.aliases"),
            loc(),
            format!("{} aliases > {}", stats.aliases, policy.max_aliases),
        ));
    }
    let operations = stats.operations.max(documents);
    if operations > policy.max_operations {
        out.push((
            hit("graphql.batching"),
            loc(),
            format!("{operations} operations > {}", policy.max_operations),
        ));
    }
    if stats.introspection && !policy.allow_introspection {
        out.push((
            hit("graphql.introspection"),
            loc(),
            "__schema/__type".into(),
        ));
    }
    if stats.cost > policy.max_cost {
        out.push((
            hit("graphql.cost"),
            loc(),
            format!("cost {:.0} > {:.0}", stats.cost, policy.max_cost),
        ));
    }
}
