//! docs/configuration.md documents every key the configuration file
//! accepts: the keys are read from the configuration types themselves
//! (`key_probe`), so a key added to a type and not to the reference fails
//! here. A key is documented when its full path appears in backquotes, as
//! the reference tables write it (`prevent.geo.routes.<name>.allow_countries`).

mod key_probe;

use rampart_gateway::config::raw::RawConfig;
use rampart_prevent::policy::ActionConfig;
use std::collections::BTreeSet;

const DOCS: &str = include_str!("../../../docs/configuration.md");

/// Every key, with the keys of internally tagged enums written once under
/// the name the reference gives them (`action.type`, `action.limit`...).
fn every_key() -> BTreeSet<String> {
    let found = key_probe::keys_of::<RawConfig>();
    let mut keys = found.keys;
    for (path, name) in &found.opaque {
        let (prefix, tagged) = match name.as_str() {
            "ActionConfig" => ("action", key_probe::tagged_keys::<ActionConfig>("type")),
            other => panic!("{path}: an internally tagged enum {other}: add it here, with its tag"),
        };
        keys.extend(tagged.iter().map(|key| format!("{prefix}.{key}")));
    }
    keys
}

#[test]
fn every_configuration_key_is_documented() {
    let keys = every_key();
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !DOCS.contains(&format!("`{key}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/configuration.md does not document {} of {} keys:\n{}",
        missing.len(),
        keys.len(),
        missing
            .iter()
            .map(|key| key.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_probe_finds_keys_at_every_depth_and_through_every_shape() {
    let keys = every_key();
    for key in [
        "server.drain_timeout",                      // a table's key
        "listeners[].tls.cert",                      // inside [[listeners]]
        "prevent.geo.routes.<name>.allow_countries", // under a user's name
        "prevent.policy.scopes[].match.route",       // an enum written as a key
        "detect.contracts[].body.properties",        // a schema, walked once
        "identity.jwt.keys[].secret_env",            // an Option'd table
        "action.limit",                              // a tagged enum's variant
        "redis.on_error_by_limit",
    ] {
        assert!(keys.contains(key), "{key} not found in:\n{keys:#?}");
    }
}
