//! Rampart's inline gateway: the reverse proxy every protection capability
//! plugs into.
//!
//! A request flows through `listener` (TLS, HTTP/1.1 and HTTP/2), `proxy`
//! (framing checks, routing, limits, the pipeline's phases, forwarding),
//! `upstream` (pools, health) and `h1` (the HTTP/1.1 client that speaks to
//! upstreams); `config` validates the TOML file, `runtime` is
//! the compiled snapshot the hot path reads, `reload` swaps it, `admin` serves
//! metrics and health (and the injected admin API), `traffic` counts
//! outcomes per minute for it. Stages implement [`pipeline::Stage`].

pub mod admin;
pub mod balance;
pub mod bans;
pub mod bind;
pub mod body;
pub mod body_inspection;
pub mod client_io;
pub mod config;
pub mod conn_watch;
pub mod discovery;
pub mod exchange_event;
pub mod forwarding;
pub mod framing;
#[doc(hidden)]
pub mod fuzzing;
pub mod h1;
pub mod head_scan;
pub mod identity;
pub mod ipset;
pub mod key_set;
pub mod learned_context;
pub mod learned_contracts;
pub mod listener;
pub mod log_limit;
pub mod offline;
pub mod paced_body;
pub mod pipeline;
pub mod policy_admin;
pub mod port_holder;
pub mod problem;
pub mod proxy;
pub mod recorder;
pub mod reload;
pub mod reverse_dns;
pub mod router;
pub mod runtime;
pub mod scenario;
pub mod server;
pub mod shared;
pub mod spec_contracts;
pub mod stages;
mod sync;
pub mod telemetry;
pub mod tls;
pub mod tokens;
pub mod traffic;
pub mod upstream;
pub mod workers;

pub use config::{ConfigError, GatewayConfig};
pub use server::{DrainReport, Gateway};
