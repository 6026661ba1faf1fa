//! See `rampart_gateway::fuzzing::client_hello`: the body is shared with the
//! stable smoke test (tests/fuzz_smoke.rs), which runs it over
//! `fuzz/seeds/client_hello`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rampart_gateway::fuzzing::client_hello(data));
