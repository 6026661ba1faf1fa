//! See `rampart_gateway::fuzzing::anomaly`: the body is shared with the
//! stable smoke test (tests/fuzz_smoke.rs), which runs it over
//! `fuzz/seeds/anomaly`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rampart_gateway::fuzzing::anomaly(data));
