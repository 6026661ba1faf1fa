//! Contracts learned by the live inventory, consulted after the configured
//! ones.
//!
//! `[detect.learned]` turns what discovery learned of each endpoint (body
//! properties and their types, query parameters, which endpoints exist)
//! into contracts without anyone writing them. They change while the
//! gateway runs, so they are not part of the engine's configuration: the
//! gateway builds a [`LearnedContracts`] set off the hot path whenever the
//! inventory changes and hands the current one to [`crate::Engine::begin_with`].
//! A hand-written or declared contract for a request always wins; a learned
//! one applies only where the engine has none.

use crate::contract::{Breaches, EndpointContract, Enforcement};
use crate::contract_index::ContractIndex;
use serde::Deserialize;

/// `[detect.learned]`: when traffic counts as enough evidence to become a
/// contract, and what each kind of breach of a learned contract does.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LearnedConfig {
    /// Off by default: learned contracts need an operator who chose them.
    pub enabled: bool,
    /// Requests (bodies, for a body's schema) an endpoint must have shown.
    pub min_samples: u64,
    /// Distinct clients an endpoint must have been called by, so that one
    /// client cannot teach the gateway.
    pub min_clients: u64,
    /// Share of requests a property or parameter must appear in to be
    /// learned as optional; rarer ones are unknown.
    pub min_share: f64,
    /// How long the set of endpoints must stay the same before a request
    /// to an endpoint the inventory does not know is a breach.
    pub learning_period_seconds: u64,
    /// Body properties never (or too rarely) seen: mass assignment.
    pub unknown_properties: Enforcement,
    /// Query parameters never (or too rarely) seen.
    pub unknown_parameters: Enforcement,
    /// Values of a type other than every learned sample's.
    pub wrong_types: Enforcement,
    /// Properties present in every learned request that are absent.
    pub missing_required: Enforcement,
    /// Requests to endpoints the inventory does not know.
    pub new_endpoints: Enforcement,
}

impl Default for LearnedConfig {
    /// Every breach monitored: traffic is a weaker witness than a spec.
    fn default() -> Self {
        LearnedConfig {
            enabled: false,
            min_samples: 100,
            min_clients: 5,
            min_share: 0.01,
            learning_period_seconds: 86_400,
            unknown_properties: Enforcement::Monitor,
            unknown_parameters: Enforcement::Monitor,
            wrong_types: Enforcement::Monitor,
            missing_required: Enforcement::Monitor,
            new_endpoints: Enforcement::Monitor,
        }
    }
}

impl LearnedConfig {
    /// The per-contract part.
    pub fn breaches(&self) -> Breaches {
        let LearnedConfig {
            unknown_properties,
            unknown_parameters,
            wrong_types,
            missing_required,
            ..
        } = *self;
        Breaches {
            unknown_properties,
            unknown_parameters,
            wrong_types,
            missing_required,
        }
    }
}

/// One snapshot of the learned contracts, found by method and path as the
/// engine finds its own.
#[derive(Debug, Default)]
pub struct LearnedContracts {
    /// One per inventory endpoint: those without enough evidence check
    /// nothing but still say the endpoint is known.
    contracts: Vec<EndpointContract>,
    index: ContractIndex,
    /// Set once the inventory is settled: what a request to an endpoint
    /// none of `contracts` matches does.
    new_endpoints: Option<Enforcement>,
}

impl LearnedContracts {
    /// `contracts` in the order they are tried (literal paths first).
    pub fn new(
        contracts: Vec<EndpointContract>,
        new_endpoints: Option<Enforcement>,
    ) -> LearnedContracts {
        LearnedContracts {
            index: ContractIndex::new(&contracts),
            contracts,
            new_endpoints,
        }
    }

    /// The learned contract of a request's endpoint.
    pub fn find(&self, method: &str, path: &str) -> Option<&EndpointContract> {
        self.index.find(&self.contracts, method, path)
    }

    /// What a request to an endpoint no learned contract matches does
    /// (`None`: not checked, the inventory is still learning).
    pub fn new_endpoints(&self) -> Option<Enforcement> {
        self.new_endpoints
    }

    pub fn contracts(&self) -> &[EndpointContract] {
        &self.contracts
    }

    /// How many endpoints had enough evidence to be checked.
    pub fn evidenced(&self) -> usize {
        self.contracts
            .iter()
            .filter(|c| c.traffic.learned_from.is_some())
            .count()
    }
}
