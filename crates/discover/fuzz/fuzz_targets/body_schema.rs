//! Hostile JSON bodies: schema inference, sensitive-data scanning and the
//! OpenAPI export of what was learned never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_core::ExchangeRecord;

fuzz_target!(|data: &[u8]| {
    let record = ExchangeRecord {
        method: "POST".into(),
        path: "/fuzz".into(),
        request_headers: vec![("content-type".into(), "application/json".into())],
        request_body: Some(data.to_vec()),
        status: Some(200),
        response_headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
        response_body: Some(data.to_vec()),
        ..Default::default()
    };
    let mut inventory = rampart_discover::Inventory::new();
    inventory.observe(&record);
    inventory.observe(&record);
    let report = inventory.report();
    let _ = rampart_discover::export::openapi_document(&report, "fuzz");
});
