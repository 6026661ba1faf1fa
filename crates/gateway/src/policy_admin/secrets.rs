//! Secrets stay in the file: what the admin API shows, diffs and keeps in
//! its history has them replaced by a placeholder.
//!
//! The policy is the whole configuration file, which also holds the admin
//! tokens, JWT HMAC secrets, the deception key and perhaps a Redis password:
//! anyone who could read them through the console could mint tokens or act
//! as another operator. A value is a secret when its key is `token` or
//! `secret` (wherever the table), or a `url` carrying a password
//! (`redis://user:pass@host`). A text sent back with the placeholder keeps
//! the file's current value at the same key path, so an operator edits the
//! policy without ever seeing a secret; a placeholder where the file has no
//! value is refused.

use super::Finding;
use toml_edit::{DocumentMut, Item, Value};

/// What a secret reads as through the admin API.
pub const REDACTED: &str = "<redacted>";

/// `text` with every secret replaced by [`REDACTED`]. A text that is not
/// TOML (a file broken by hand) is replaced whole: its secrets cannot be
/// told apart from the rest.
pub fn redact(text: &str) -> String {
    let Ok(mut document) = text.parse::<DocumentMut>() else {
        return format!("# {REDACTED}: the file is not valid TOML; fix it on disk\n");
    };
    visit_secrets(
        document.as_item_mut(),
        &mut String::new(),
        &mut |_, value| {
            replace_keeping_layout(value, Value::from(REDACTED));
        },
    );
    document.to_string()
}

/// `proposed` with each [`REDACTED`] secret given back the value `current`
/// has at the same key path.
pub(crate) fn restore(proposed: &str, current: &str) -> Result<String, Finding> {
    if !proposed.contains(REDACTED) {
        return Ok(proposed.to_owned());
    }
    // Not TOML: the loader says where; nothing to restore.
    let Ok(mut document) = proposed.parse::<DocumentMut>() else {
        return Ok(proposed.to_owned());
    };
    let mut kept = Vec::new();
    if let Ok(mut current) = current.parse::<DocumentMut>() {
        visit_secrets(
            current.as_item_mut(),
            &mut String::new(),
            &mut |path, value| {
                kept.push((path.to_owned(), value.clone()));
            },
        );
    }
    let mut missing = None;
    visit_secrets(
        document.as_item_mut(),
        &mut String::new(),
        &mut |path, value| {
            if value.as_str() != Some(REDACTED) {
                return;
            }
            match kept.iter().find(|(kept_path, _)| kept_path == path) {
                Some((_, secret)) => {
                    replace_keeping_layout(value, secret.clone());
                }
                None => {
                    missing.get_or_insert_with(|| path.to_owned());
                }
            }
        },
    );
    match missing {
        None => Ok(document.to_string()),
        Some(key) => Err(Finding {
            key,
            message: format!(
                "{REDACTED} keeps the file's current secret, and the file has none here: write the value"
            ),
        }),
    }
}

/// Puts `new` in place of `value`, with the spaces and comment around it.
fn replace_keeping_layout(value: &mut Value, new: Value) {
    let decor = value.decor().clone();
    *value = new;
    *value.decor_mut() = decor;
}

/// Calls `found` with the key path and value of every secret under `item`.
fn visit_secrets(item: &mut Item, path: &mut String, found: &mut impl FnMut(&str, &mut Value)) {
    match item {
        Item::Table(table) => {
            for (key, child) in table.iter_mut() {
                within(path, key.get(), |path| visit_secrets(child, path, found));
            }
        }
        Item::ArrayOfTables(tables) => {
            for (index, table) in tables.iter_mut().enumerate() {
                for (key, child) in table.iter_mut() {
                    within(path, &format!("[{index}].{}", key.get()), |path| {
                        visit_secrets(child, path, found)
                    });
                }
            }
        }
        Item::Value(value) => visit_value(value, path, found),
        Item::None => {}
    }
}

fn visit_value(value: &mut Value, path: &mut String, found: &mut impl FnMut(&str, &mut Value)) {
    match value {
        Value::InlineTable(table) => {
            for (key, child) in table.iter_mut() {
                within(path, key.get(), |path| visit_value(child, path, found));
            }
        }
        Value::Array(array) => {
            for (index, child) in array.iter_mut().enumerate() {
                within(path, &format!("[{index}]"), |path| {
                    visit_value(child, path, found)
                });
            }
        }
        Value::String(text) if is_secret(path, text.value()) => found(path, value),
        _ => {}
    }
}

/// Runs `visit` with `segment` appended to `path` (dotted, or an index).
fn within(path: &mut String, segment: &str, visit: impl FnOnce(&mut String)) {
    let length = path.len();
    if !path.is_empty() && !segment.starts_with('[') {
        path.push('.');
    }
    path.push_str(segment);
    visit(path);
    path.truncate(length);
}

fn is_secret(path: &str, text: &str) -> bool {
    let key = path.rsplit(['.', ']']).next().unwrap_or(path);
    match key {
        "token" | "secret" => true,
        // A placeholder sent back stands where a password-carrying URL was.
        "url" => {
            text == REDACTED
                || text
                    .split_once("://")
                    .and_then(|(_, rest)| rest.split('/').next())
                    .is_some_and(|authority| authority.contains('@'))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# the gateway
[admin]
token = "an-admin-token-of-some-length"   # kept out of the console

[[admin.tokens]]
name = "alice"
token = "alice-token-0123456789"

[identity.jwt]
keys = [{ kid = "k1", secret = "hmac-secret-value" }, { kid = "k2", secret_env = "JWT_KEY" }]

[prevent.deception]
secret = "deception-key"

[redis]
url = "redis://rampart:hunter2@10.0.0.5:6379/0"

[[upstreams]]
name = "api"
url = "http://10.0.0.7:8080"
"#;

    #[test]
    fn every_secret_is_replaced_and_nothing_else() {
        let shown = redact(FILE);
        for secret in [
            "an-admin-token-of-some-length",
            "alice-token-0123456789",
            "hmac-secret-value",
            "deception-key",
            "hunter2",
        ] {
            assert!(!shown.contains(secret), "{secret} in\n{shown}");
        }
        assert_eq!(shown.matches(REDACTED).count(), 5, "{shown}");
        for kept in [
            "# kept out of the console",
            "name = \"alice\"",
            "secret_env = \"JWT_KEY\"",
            "http://10.0.0.7:8080",
        ] {
            assert!(shown.contains(kept), "{kept} lost in\n{shown}");
        }
    }

    #[test]
    fn a_placeholder_sent_back_keeps_the_files_secret() {
        let edited = redact(FILE).replace("name = \"api\"", "name = \"api-v2\"");
        let restored = restore(&edited, FILE).unwrap();
        assert_eq!(
            restored,
            FILE.replace("name = \"api\"", "name = \"api-v2\"")
        );
        // A new secret written in clear is taken as it is.
        let rotated = redact(FILE).replace(
            &format!("secret = \"{REDACTED}\"\n\n[redis]"),
            "secret = \"a-new-deception-key\"\n\n[redis]",
        );
        let restored = restore(&rotated, FILE).unwrap();
        assert!(restored.contains("a-new-deception-key"));
        assert!(restored.contains("an-admin-token-of-some-length"));
    }

    #[test]
    fn a_placeholder_with_nothing_to_keep_is_refused() {
        let proposed = format!("[[admin.tokens]]\nname = \"bob\"\ntoken = \"{REDACTED}\"\n");
        let refusal = restore(&proposed, "[admin]\n").unwrap_err();
        assert_eq!(refusal.key, "admin.tokens[0].token");
    }

    #[test]
    fn a_file_that_is_not_toml_shows_nothing() {
        let shown = redact("[admin\ntoken = \"an-admin-token-of-some-length\"\n");
        assert!(!shown.contains("an-admin-token"));
    }
}
