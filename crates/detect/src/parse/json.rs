//! JSONPath names for JSON members, shared by the body reader
//! (`json_stream`) and the contract checks, so that a finding and a contract
//! name the same field the same way.

/// Appends `key` to a JSONPath.
pub fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("['");
        path.push_str(&key.replace('\'', "\\'"));
        path.push_str("']");
    }
}
