//! rampart-gateway (being built).
