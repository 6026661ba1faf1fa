//! Operators' decisions about endpoints: rename, merge, split, parameter.
//!
//! Learning proposes templates; operators have the last word. Decisions are
//! stored with the inventory and re-applied every time it is compiled or
//! reported, so later traffic can never undo them.

use crate::template::{PathTemplate, TemplateError};
use serde::{Deserialize, Serialize};

/// One operator decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Give an endpoint a name of the operator's choosing.
    Rename {
        method: String,
        template: String,
        name: String,
    },
    /// Report and route `from` as part of `into` (same method).
    Merge {
        method: String,
        from: String,
        into: String,
    },
    /// Keep `value` literal under `parent` (`/users` + `login`): it is its
    /// own endpoint and never folded into the parameter beside it.
    Split { parent: String, value: String },
    /// Every value under `parent` is a parameter's (`/workflows` +
    /// `default`, `argo`, ...), however few or unlike they are.
    Parameter { parent: String },
}

impl Decision {
    /// Checks the templates a decision names.
    pub fn validate(&self) -> Result<(), TemplateError> {
        match self {
            Decision::Rename { template, .. } => PathTemplate::parse(template).map(drop),
            Decision::Merge { from, into, .. } => PathTemplate::parse(from)
                .and_then(|_| PathTemplate::parse(into))
                .map(drop),
            Decision::Split { parent, .. } | Decision::Parameter { parent } => {
                PathTemplate::parse(parent).map(drop)
            }
        }
    }
}

/// Decisions in the order they were made; later ones win.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decisions {
    pub list: Vec<Decision>,
}

impl Decisions {
    /// The name an operator gave this endpoint.
    pub fn name_of(&self, method: &str, template: &str) -> Option<&str> {
        self.list.iter().rev().find_map(|d| match d {
            Decision::Rename {
                method: m,
                template: t,
                name,
            } if m.eq_ignore_ascii_case(method) && shape_of(t) == shape_of(template) => {
                Some(name.as_str())
            }
            _ => None,
        })
    }

    /// Where an endpoint is reported: its merge target, followed to the end
    /// (a cycle stops at the first repeat).
    /// Templates are compared by shape, so `{id}` and `{user_id}` agree.
    pub fn merged_into(&self, method: &str, template: &str) -> String {
        let mut current = template.to_owned();
        let mut visited = vec![shape_of(template)];
        while let Some(next) = self.list.iter().rev().find_map(|d| match d {
            Decision::Merge {
                method: m,
                from,
                into,
            } if m.eq_ignore_ascii_case(method) && shape_of(from) == shape_of(&current) => {
                Some(into.clone())
            }
            _ => None,
        }) {
            let next_shape = shape_of(&next);
            if visited.contains(&next_shape) {
                break;
            }
            visited.push(next_shape);
            current = next;
        }
        current
    }

    /// The splits: (parent template, value kept literal).
    pub fn splits(&self) -> impl Iterator<Item = (&str, &str)> {
        self.list.iter().filter_map(|d| match d {
            Decision::Split { parent, value } => Some((parent.as_str(), value.as_str())),
            _ => None,
        })
    }
}

/// A template with every parameter name dropped (`/users/{}`).
pub(crate) fn shape_of(template: &str) -> String {
    PathTemplate::parse(template)
        .map(|t| t.shape())
        .unwrap_or_else(|_| template.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_follow_chains_and_survive_cycles() {
        let d = Decisions {
            list: vec![
                Decision::Merge {
                    method: "GET".into(),
                    from: "/a".into(),
                    into: "/b".into(),
                },
                Decision::Merge {
                    method: "GET".into(),
                    from: "/b".into(),
                    into: "/c".into(),
                },
                Decision::Merge {
                    method: "GET".into(),
                    from: "/c".into(),
                    into: "/a".into(),
                },
                Decision::Rename {
                    method: "GET".into(),
                    template: "/c".into(),
                    name: "old".into(),
                },
                Decision::Rename {
                    method: "get".into(),
                    template: "/c".into(),
                    name: "Catalogue".into(),
                },
            ],
        };
        assert_eq!(d.merged_into("GET", "/a"), "/c");
        assert_eq!(d.merged_into("POST", "/a"), "/a");
        assert_eq!(d.name_of("GET", "/c"), Some("Catalogue"));
        assert!(Decision::Split {
            parent: "/{".into(),
            value: "x".into()
        }
        .validate()
        .is_err());
    }
}
