//! rampart-prevent (being built).
