//! Any text as the `[prevent]` section: parsing and compiling never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_prevent::PreventConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = toml::from_str::<PreventConfig>(text) {
        let _ = config.compile_policy();
    }
});
