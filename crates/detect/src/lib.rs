//! rampart-detect: attacks inside one request, read with endpoint context.
//!
//! A request is decomposed once into typed values tagged with where they sit
//! (`parse`), each value is decoded once into the forms detectors read
//! (`decode`), detectors look for injection and protocol attacks by reading
//! structure (`detectors`), declared or learned contracts are checked
//! (`contract`), and the evidence is added up into an anomaly score against
//! per-endpoint thresholds (`verdict`). [`Engine`] ties it together; a
//! body is read as a stream ([`BodyScan`]), so that one larger than any
//! buffer is judged whole, in bounded memory, while the gateway forwards it.

pub mod config;
pub mod contract;
pub mod contract_index;
pub mod decode;
pub mod detectors;
pub mod engine;
pub mod evidence;
pub mod field_profile;
pub mod learned;
pub mod location;
pub mod parse;
pub mod shape;
pub mod verdict;

pub use config::{
    BodyDecision, ConfigError, DetectConfig, EndpointPolicy, GraphqlPolicy, Limits, Mode,
    Uninspectable,
};
pub use contract::{
    BodySchema, Breaches, EndpointContract, Enforcement, FieldKind, ParamSpec, SpecEnforcement,
    ValueType,
};
pub use detectors::{Category, Detection};
pub use engine::{BodyScan, Engine, Progress};
pub use learned::{LearnedConfig, LearnedContracts};
pub use location::Location;
/// The exchange view the engine reads (defined in `rampart-core`, shared by
/// every stage so that a request is decoded once).
pub use rampart_core::exchange::{Body, RequestView};
pub use verdict::{Uninspected, Verdict};
