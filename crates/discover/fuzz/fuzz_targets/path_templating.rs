//! Hostile request paths and templates: classification, the learned tree,
//! folding (with bodies, methods and statuses that steer it), operators'
//! decisions, the report, the matcher and template parsing never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_core::ExchangeRecord;
use rampart_discover::{Decision, Inventory};

const METHODS: [&str; 5] = ["GET", "DELETE", "PUT", "POST", "PATCH"];
const STATUSES: [u16; 4] = [200, 201, 404, 405];
const BODIES: [&str; 4] = [r#"{"id":1,"name":"n"}"#, r#"{"items":[{"id":1}]}"#, r#"[1,2]"#, r#""x""#];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = rampart_discover::PathTemplate::parse(&text);
    let mut inventory = Inventory::new();
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        let _ = inventory.decide(Decision::Parameter { parent: first.to_owned() });
        let _ = inventory.decide(Decision::Split { parent: first.to_owned(), value: "x".into() });
    }
    for (i, path) in lines.take(128).enumerate() {
        let pick = path.len() + i;
        inventory.observe(&ExchangeRecord {
            method: METHODS[pick % METHODS.len()].into(),
            path: path.into(),
            status: Some(STATUSES[(pick / 5) % STATUSES.len()]),
            response_body: Some(BODIES[(pick / 3) % BODIES.len()].as_bytes().to_vec()),
            ..Default::default()
        });
        if i % 32 == 31 {
            let _ = inventory.report();
        }
    }
    let _ = inventory.report();
    let matcher = inventory.compile();
    for path in text.split('\n').take(64) {
        let _ = matcher.find("GET", None, path);
    }
});
