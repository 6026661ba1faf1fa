//! rampart-detect (being built).
