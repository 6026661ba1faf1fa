//! What the BOLA detector is told: its thresholds, scores, bounds and the
//! principals and endpoints it leaves alone. The gateway reads these from
//! `[behave.bola]` and checks their ranges; the defaults suit an API whose
//! users open the objects their lists return.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct BolaConfig {
    /// How long a walk's steps count.
    pub window: Duration,
    /// How long the ids a principal was shown, its walks and who owns an
    /// object are remembered after their last use.
    pub memory: Duration,
    /// The effective walk size (distinct unfamiliar ids, dense numeric ids
    /// counting up to double) at which a walk is reported.
    pub walk_ids: usize,
    /// The score of a walk at `walk_ids`; it grows with the walk, up to
    /// twice this.
    pub walk_score: f64,
    /// The score of a request for an object another principal owns.
    pub foreign_score: f64,
    /// An object this many principals own is shared: asking for it is no
    /// foreign-object signal.
    pub shared_owners: usize,
    pub max_principals: usize,
    /// Ids remembered per principal as shown to it.
    pub max_ids_per_principal: usize,
    /// Templates whose walks are tracked per principal.
    pub max_walks_per_principal: usize,
    /// Objects whose owners are remembered.
    pub max_objects: usize,
    /// Ids read from one response body.
    pub max_ids_per_response: usize,
    /// Users never judged nor learned from (administrators, support).
    pub exempt_users: Vec<String>,
    /// API keys never judged nor learned from (back-office jobs).
    pub exempt_api_keys: Vec<String>,
    /// Business functions of endpoints (discovery's `admin`, `export`...)
    /// never judged nor learned from.
    pub exempt_functions: Vec<String>,
}

impl Default for BolaConfig {
    fn default() -> Self {
        BolaConfig {
            window: Duration::from_secs(600),
            memory: Duration::from_secs(3600),
            walk_ids: 12,
            walk_score: 5.0,
            foreign_score: 3.0,
            shared_owners: 2,
            max_principals: 100_000,
            max_ids_per_principal: 4096,
            max_walks_per_principal: 32,
            max_objects: 500_000,
            max_ids_per_response: 256,
            exempt_users: Vec::new(),
            exempt_api_keys: Vec::new(),
            exempt_functions: vec!["admin".to_string()],
        }
    }
}
