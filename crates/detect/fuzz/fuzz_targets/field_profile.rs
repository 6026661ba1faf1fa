//! The endpoint-context learner on arbitrary text: shapes, prose, JSON
//! paths read back into fields, learning, and the contracts it writes
//! answering for the same locations.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::field_profile::{Field, FieldProfiles, LearnLimits};
use rampart_detect::shape::{reads_as_prose, Shape};
use rampart_detect::Location;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Shape::of(&text);
    let _ = reads_as_prose(&text);
    let (path, value) = text.split_once('\n').unwrap_or((&text, "x"));
    let locations = [
        Location::Json(path.to_owned()),
        Location::Query(path.to_owned()),
        Location::Form(path.to_owned()),
    ];
    let mut profiles = FieldProfiles::new(LearnLimits::default());
    for location in &locations {
        if let Some(field) = Field::of(location) {
            for client in 0..6 {
                profiles.observe("POST", "/fuzz/{id}", field.clone(), value, client);
            }
        }
    }
    for contract in profiles.contracts() {
        for location in &locations {
            let context = contract.field_context(location);
            if let Some(shape) = context.shape {
                let _ = shape.broken_by(&text);
            }
        }
    }
});
