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
//! - the console's reads: events filtered and paged ([`EventQuery`]),
//!   traffic per minute ([`TrafficCounts`]) and the audit trail
//!   ([`AuditEntry`]).
//! - [`shared`]: rate limits and bans shared by several gateways through
//!   Redis, with a per-limit fallback while Redis is unreachable.

mod audit;
mod error;
mod events;
pub mod jsonl;
mod migrate;
mod policy_history;
pub mod shared;
mod sink;
mod snapshot;
mod store;
mod traffic;

pub use audit::AuditEntry;
pub use error::{SinkError, StoreError};
pub use events::{ClientSummary, EventQuery};
pub use policy_history::{PolicyChange, MAX_POLICY_VERSIONS};
pub use sink::{EventSender, EventSink, ShutdownReport, SinkConfig, SinkStats, TAP_CAPACITY};
pub use store::Store;
pub use traffic::TrafficCounts;
