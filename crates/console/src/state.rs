//! What every handler reads: the gateway's admin state (inventory, ban
//! list, configuration, event sink, traffic tally) and the console's own
//! connection to the embedded store, opened on first use and shared by the
//! requests one at a time (SQLite connections are not `Sync`).

use crate::problem::Problem;
use rampart_gateway::admin::AdminState;
use rampart_store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Event streams open at once; one more is refused with 503.
pub const MAX_STREAMS: usize = 16;

#[derive(Clone)]
pub struct ApiState(Arc<Inner>);

pub struct Inner {
    pub admin: Arc<AdminState>,
    /// `[events] sqlite`, read at start like the sink that writes it.
    store_path: Option<PathBuf>,
    store: Mutex<Option<Store>>,
    /// Permits of the open event streams.
    pub streams: Arc<Semaphore>,
}

impl std::ops::Deref for ApiState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl ApiState {
    pub fn new(admin: Arc<AdminState>) -> ApiState {
        let store_path = admin.shared.runtime.load().config.events.sqlite.clone();
        ApiState(Arc::new(Inner {
            admin,
            store_path,
            store: Mutex::new(None),
            streams: Arc::new(Semaphore::new(MAX_STREAMS)),
        }))
    }

    /// Whether `[events] sqlite` is configured.
    pub fn has_store(&self) -> bool {
        self.store_path.is_some()
    }

    /// Runs `read` on the store off the async threads; 409 without
    /// `[events] sqlite`.
    pub async fn with_store<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Problem> {
        let Some(path) = self.store_path.clone() else {
            return Err(no_store());
        };
        let state = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut slot = state.store.lock().unwrap_or_else(|e| e.into_inner());
            let store = match slot.take() {
                Some(store) => store,
                None => Store::open(&path)?,
            };
            let result = read(&store);
            *slot = Some(store);
            result
        })
        .await;
        match joined {
            Ok(result) => result.map_err(Problem::from),
            Err(error) => Err(Problem::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "Store error",
                error.to_string(),
            )),
        }
    }
}

/// The answer of the endpoints that read the embedded store when there is none.
pub fn no_store() -> Problem {
    Problem::conflict(
        "events, statistics and the audit trail are kept in the embedded store: \
         set [events] sqlite = \"rampart.db\" in the configuration and restart",
    )
}
