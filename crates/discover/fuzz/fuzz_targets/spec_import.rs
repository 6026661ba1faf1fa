//! Hostile OpenAPI/Swagger documents (JSON or YAML): never panic, and any
//! spec that imports must route its own templates.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = rampart_discover::parse_spec(data) {
        let mut inventory = rampart_discover::Inventory::new();
        inventory.set_spec(spec);
        let _ = inventory.report();
    }
});
