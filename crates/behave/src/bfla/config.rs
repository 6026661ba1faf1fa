//! What the function-level authorisation (BFLA) detector is told. The
//! gateway reads these from `[behave.bfla]` and checks their ranges; the
//! defaults let administrators work and judge a principal by a day of its
//! history.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct BflaConfig {
    /// Business functions that are admin work (discovery's names).
    pub admin_functions: Vec<String>,
    /// Requests a principal makes before its history counts: until then
    /// its admin calls are the weaker `new_principal_score`.
    pub established_requests: usize,
    /// The score of an admin call by an established principal that never
    /// did admin work.
    pub escalation_score: f64,
    /// The score of an admin call by a principal with too little history.
    pub new_principal_score: f64,
    /// Admin calls the API refused (401, 403) within `denied_window`...
    pub denied_requests: usize,
    pub denied_window: Duration,
    /// ...that are a signal on the principal's next admin call; it grows
    /// with the refusals, up to twice this.
    pub denied_score: f64,
    /// How long a principal's history is kept after its last request.
    pub memory: Duration,
    pub max_principals: usize,
    /// Users and API keys that are administrators: never judged.
    pub admin_users: Vec<String>,
    pub admin_api_keys: Vec<String>,
}

impl Default for BflaConfig {
    fn default() -> Self {
        BflaConfig {
            admin_functions: ["admin", "destructive"].map(String::from).to_vec(),
            established_requests: 20,
            escalation_score: 5.0,
            new_principal_score: 2.0,
            denied_requests: 3,
            denied_window: Duration::from_secs(900),
            denied_score: 5.0,
            memory: Duration::from_secs(24 * 3600),
            max_principals: 100_000,
            admin_users: Vec::new(),
            admin_api_keys: Vec::new(),
        }
    }
}
