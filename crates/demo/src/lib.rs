//! rampart-demo (being built).
