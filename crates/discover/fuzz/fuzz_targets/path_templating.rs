//! Hostile request paths and templates: classification, the learned tree,
//! folding, the matcher and template parsing never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_core::ExchangeRecord;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = rampart_discover::PathTemplate::parse(&text);
    let mut inventory = rampart_discover::Inventory::new();
    for (i, path) in text.split('\n').take(64).enumerate() {
        let method = if i % 2 == 0 { "GET" } else { "DELETE" };
        inventory.observe(&ExchangeRecord { method: method.into(), path: path.into(), status: Some(200), ..Default::default() });
    }
    let matcher = inventory.compile();
    for path in text.split('\n').take(64) {
        let _ = matcher.find("GET", None, path);
    }
});
