//! Any text given as a configuration file is either accepted or rejected with
//! problems that each name a key or the whole file; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_gateway::GatewayConfig;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = GatewayConfig::parse(Path::new("fuzz.toml"), text) {
        assert!(!error.problems.is_empty());
        assert!(error.problems.iter().all(|p| !p.message.is_empty()));
    }
});
