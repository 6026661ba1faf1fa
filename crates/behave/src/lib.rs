//! Many requests over time, and who sends them.
//!
//! Single-request detection (`rampart-detect`) cannot see the costliest API
//! attacks: each request of an object-enumeration walk or a credential
//! stuffing run looks ordinary. This crate holds what must be remembered
//! across requests, and what must be verified about the client before any
//! of it means something: every module is pure logic on an injectable clock
//! (`rampart_core::Clock`), bounded in memory, and returns signals with
//! their evidence; the gateway feeds it and acts on what it says.

pub mod ato;
pub mod bola;
pub mod bots;
mod bounded;
pub mod tokens;
