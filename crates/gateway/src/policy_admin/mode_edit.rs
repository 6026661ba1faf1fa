//! Switching a route, a business function or a rule between `monitor` and
//! `enforce` by editing the configuration text itself (with `toml_edit`),
//! so the operator's comments, order and layout survive: the file stays
//! theirs, with one value changed or one scope added.

use rampart_prevent::policy::Mode;
use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// What a mode is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeScope {
    /// A `[[routes]]` name: the scope `match = { route = ... }`.
    Route,
    /// A business function (`login`, `search`...): `match = { function = ... }`.
    Function,
    /// A `[[prevent.policy.rules]]` name: the rule's own `mode`.
    Rule,
}

impl ModeScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ModeScope::Route => "route",
            ModeScope::Function => "function",
            ModeScope::Rule => "rule",
        }
    }
}

/// Why the text could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModeEditError {
    #[error("the configuration is not valid TOML: {0}")]
    Syntax(String),
    #[error("no rule named {0:?} in [[prevent.policy.rules]]")]
    NoSuchRule(String),
    #[error("{0} is not a table as the configuration format expects")]
    Shape(&'static str),
}

pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Monitor => "monitor",
        Mode::Enforce => "enforce",
    }
}

/// The text with `mode` set on the scope or rule `name`. A route or
/// function without a scope gets one, appended to the scopes.
pub fn set_mode(
    text: &str,
    scope: ModeScope,
    name: &str,
    mode: Mode,
) -> Result<String, ModeEditError> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| ModeEditError::Syntax(e.message().to_owned()))?;
    let policy = implicit_table(document.as_table_mut(), "prevent", "[prevent]")?;
    let policy = implicit_table(policy, "policy", "[prevent.policy]")?;
    let mode = mode_name(mode);
    match scope {
        ModeScope::Rule => {
            let found = entries(policy, "rules")?
                .into_iter()
                .find(|rule| rule.get("name").and_then(Item::as_str) == Some(name));
            let Some(rule) = found else {
                return Err(ModeEditError::NoSuchRule(name.to_owned()));
            };
            rule.insert("mode", value(mode));
        }
        ModeScope::Route | ModeScope::Function => {
            let key = scope.as_str();
            let found = entries(policy, "scopes")?.into_iter().find(|entry| {
                entry
                    .get("match")
                    .and_then(|m| m.get(key))
                    .and_then(Item::as_str)
                    == Some(name)
            });
            match found {
                Some(entry) => {
                    entry.insert("mode", value(mode));
                }
                None => add_scope(policy, key, name, mode)?,
            }
        }
    }
    Ok(document.to_string())
}

/// The table under `key`, created (without a header of its own) if absent.
fn implicit_table<'a>(
    parent: &'a mut Table,
    key: &str,
    what: &'static str,
) -> Result<&'a mut Table, ModeEditError> {
    let item = parent.entry(key).or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    item.as_table_mut().ok_or(ModeEditError::Shape(what))
}

/// The entries of an array of tables, written as `[[...]]` or inline.
fn entries<'a>(
    policy: &'a mut Table,
    key: &str,
) -> Result<Vec<&'a mut dyn TableLike>, ModeEditError> {
    Ok(match policy.get_mut(key) {
        None => Vec::new(),
        Some(Item::ArrayOfTables(tables)) => {
            tables.iter_mut().map(|t| t as &mut dyn TableLike).collect()
        }
        Some(Item::Value(Value::Array(array))) => array
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut())
            .map(|t| t as &mut dyn TableLike)
            .collect(),
        Some(_) => return Err(ModeEditError::Shape("prevent.policy.scopes or rules")),
    })
}

/// Appends `{ match = { KEY = NAME }, mode = MODE }` to the scopes.
fn add_scope(policy: &mut Table, key: &str, name: &str, mode: &str) -> Result<(), ModeEditError> {
    let mut matches = InlineTable::new();
    matches.insert(key, name.into());
    match policy.get_mut("scopes") {
        Some(Item::Value(Value::Array(array))) => {
            let mut scope = InlineTable::new();
            scope.insert("match", Value::InlineTable(matches));
            scope.insert("mode", mode.into());
            array.push(scope);
        }
        Some(Item::ArrayOfTables(tables)) => tables.push(scope_table(matches, mode)),
        None => {
            let mut tables = ArrayOfTables::new();
            tables.push(scope_table(matches, mode));
            policy.insert("scopes", Item::ArrayOfTables(tables));
        }
        Some(_) => return Err(ModeEditError::Shape("prevent.policy.scopes")),
    }
    Ok(())
}

fn scope_table(matches: InlineTable, mode: &str) -> Table {
    let mut scope = Table::new();
    scope.insert("match", value(matches));
    scope.insert("mode", value(mode));
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# the gateway
[[routes]]
name = "api"   # the public API

[prevent.policy.defaults]
mode = "enforce"

[[prevent.policy.scopes]]
match = { route = "api" }
block_score = 5.0 # tuned

[[prevent.policy.rules]]
name = "no-kp"
when = 'client.country == "KP"'
action = { type = "block" }
"#;

    #[test]
    fn existing_scopes_and_rules_change_in_place_keeping_comments() {
        let routed = set_mode(TEXT, ModeScope::Route, "api", Mode::Monitor).unwrap();
        assert!(
            routed.contains("block_score = 5.0 # tuned\nmode = \"monitor\"\n"),
            "{routed}"
        );
        assert!(routed.starts_with("# the gateway\n"));
        assert!(routed.contains("name = \"api\"   # the public API"));
        let ruled = set_mode(&routed, ModeScope::Rule, "no-kp", Mode::Monitor).unwrap();
        assert!(
            ruled.ends_with("action = { type = \"block\" }\nmode = \"monitor\"\n"),
            "{ruled}"
        );
        let back = set_mode(&ruled, ModeScope::Rule, "no-kp", Mode::Enforce).unwrap();
        assert!(back.contains("mode = \"enforce\"\n"));
        assert_eq!(
            set_mode(TEXT, ModeScope::Rule, "nope", Mode::Monitor),
            Err(ModeEditError::NoSuchRule("nope".into()))
        );
    }

    #[test]
    fn a_missing_scope_is_added_and_inline_arrays_are_edited_too() {
        let added = set_mode(TEXT, ModeScope::Function, "login", Mode::Monitor).unwrap();
        let parsed: toml::Value = toml::from_str(&added).unwrap();
        let scopes = parsed["prevent"]["policy"]["scopes"].as_array().unwrap();
        assert_eq!(scopes.len(), 2);
        assert_eq!(scopes[1]["match"]["function"].as_str(), Some("login"));
        assert_eq!(scopes[1]["mode"].as_str(), Some("monitor"));

        let inline = "[prevent.policy]\nrules = [{ name = \"r\", when = \"true\", action = { type = \"block\" } }]\n";
        let edited = set_mode(inline, ModeScope::Rule, "r", Mode::Monitor).unwrap();
        let parsed: toml::Value = toml::from_str(&edited).unwrap();
        assert_eq!(
            parsed["prevent"]["policy"]["rules"][0]["mode"].as_str(),
            Some("monitor")
        );

        let bare = set_mode(
            "[server]\nworkers = 1\n",
            ModeScope::Route,
            "api",
            Mode::Monitor,
        )
        .unwrap();
        assert!(!bare.contains("[prevent]"), "no empty header: {bare}");
        let parsed: toml::Value = toml::from_str(&bare).unwrap();
        assert_eq!(
            parsed["prevent"]["policy"]["scopes"][0]["match"]["route"].as_str(),
            Some("api")
        );
        assert!(matches!(
            set_mode("a = [", ModeScope::Route, "api", Mode::Monitor),
            Err(ModeEditError::Syntax(_))
        ));
    }
}
