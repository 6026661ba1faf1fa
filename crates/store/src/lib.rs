//! Rampart's embedded store and security-event sink.
//!
//! - [`Store`]: one SQLite file (WAL, versioned schema) holding security
//!   events, named JSON snapshots (the API inventory) and the history of
//!   policy changes ([`PolicyChange`]). Each component opens its own
//!   connection to the same file.
//! - [`EventSink`] / [`EventSender`]: the request path queues
//!   [`SecurityEvent`](rampart_core::SecurityEvent)s without ever waiting; a
//!   background thread writes them in batches to a JSON-lines file and/or the
//!   store, counting drops and write errors.
//! - [`jsonl`]: an append-only JSON-lines file rotated by size (events,
//!   recorded exchanges).
//! - [`shared`]: rate limits and bans shared by several gateways through
//!   Redis, with a per-limit fallback while Redis is unreachable.

mod error;
mod events;
pub mod jsonl;
mod migrate;
mod policy_history;
pub mod shared;
mod sink;
mod snapshot;
mod store;

pub use error::{SinkError, StoreError};
pub use policy_history::{PolicyChange, MAX_POLICY_VERSIONS};
pub use sink::{EventSender, EventSink, ShutdownReport, SinkConfig, SinkStats};
pub use store::Store;
