//! Hostile exchange-record files, as `rampart discover` and `POST /api/ingest`
//! read them: the reader never panics, reports every bad line by number,
//! and whatever it accepts is learned without panicking either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_core::RecordReader;

fuzz_target!(|data: &[u8]| {
    let mut inventory = rampart_discover::Inventory::new();
    let mut last_line = 0;
    for item in RecordReader::new(data) {
        match item {
            Ok((line, record)) => {
                assert!(line > last_line, "lines come in order");
                last_line = line;
                inventory.observe(&record);
            }
            Err(error) => {
                assert!(error.line > last_line, "bad lines are numbered in order");
                last_line = error.line;
            }
        }
    }
    let _ = inventory.report();
});
