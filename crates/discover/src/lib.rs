//! rampart-discover: the API inventory, learned from traffic.
//!
//! Feed exchanges to an [`Inventory`] and it learns every endpoint the
//! organisation really runs: templates (`/users/{id}`) from concrete paths,
//! schemas of parameters and bodies, credentials seen and unauthenticated
//! access, sensitive data with its location, business function,
//! misconfigurations, endpoints that anyone may use for privileged work
//! and a risk score. With a declared OpenAPI spec it also
//! tells shadow, zombie and orphan endpoints. Operators' decisions (rename,
//! merge, split) persist and learning never undoes them. The inventory
//! serialises to a versioned JSON snapshot and compiles an immutable
//! [`EndpointMatcher`] for the gateway's hot path. Pure logic: no I/O.

pub mod auth;
pub mod clients;
pub mod decisions;
pub mod declared_schema;
pub mod export;
pub mod exposure;
pub mod findings;
pub mod function;
pub mod inventory;
pub mod json;
pub mod matcher;
pub mod observation;
pub mod report;
pub mod risk;
pub mod schema;
pub mod segment;
pub mod sensitive;
pub mod spec;
pub mod stats;
pub mod template;
pub mod traffic;
pub mod tree;
pub mod vecmap;

pub use decisions::Decision;
pub use inventory::{Inventory, SnapshotError};
pub use matcher::{EndpointId, EndpointMatcher, MatchedEndpoint};
pub use report::{EndpointReport, InventoryReport};
pub use spec::{parse_spec, DeclaredSpec, SpecError};
pub use template::PathTemplate;
