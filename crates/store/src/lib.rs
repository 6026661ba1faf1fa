//! rampart-store (being built).
