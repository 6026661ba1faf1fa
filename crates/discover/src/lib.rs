//! rampart-discover (being built).
