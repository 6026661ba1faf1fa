//! Whether a parameter position has only ever held one value: odd text
//! recurring unchanged where the API names its structure is a name.

use crate::segment::ValueKind;
use serde::{Deserialize, Serialize};

/// Whether a parameter position has only ever held one opaque value.
/// Identifiers vary from request to request; odd-looking text that recurs
/// unchanged where the API names its structure (`/<upload_url>` at the
/// root) is a name. One value is kept, bounded in length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) enum Constancy {
    #[default]
    Unseen,
    Constant {
        value: String,
        seen: u64,
    },
    Varied,
}

/// Requests an opaque value must recur in before it can be taken for a name.
const CONSTANT_VALUE_MIN_REQUESTS: u64 = 2;
/// Longest opaque value tracked for constancy.
const MAX_CONSTANT_LEN: usize = 256;

impl Constancy {
    pub(super) fn unknown() -> Self {
        Constancy::Varied
    }

    pub(super) fn observe(&mut self, kind: ValueKind, value: &str) {
        match self {
            Constancy::Varied => {}
            Constancy::Constant { value: v, seen } if kind == ValueKind::Opaque && v == value => {
                *seen += 1;
            }
            Constancy::Unseen if kind == ValueKind::Opaque && value.len() <= MAX_CONSTANT_LEN => {
                *self = Constancy::Constant {
                    value: value.to_owned(),
                    seen: 1,
                };
            }
            _ => *self = Constancy::Varied,
        }
    }

    pub(super) fn merge(&mut self, other: Constancy) {
        *self = match (std::mem::take(self), other) {
            (Constancy::Unseen, other) | (other, Constancy::Unseen) => other,
            (
                Constancy::Constant { value, seen },
                Constancy::Constant {
                    value: other,
                    seen: more,
                },
            ) if value == other => Constancy::Constant {
                value,
                seen: seen + more,
            },
            _ => Constancy::Varied,
        };
    }

    /// The value, when it recurred unchanged often enough to be a name.
    pub(super) fn recurring_value(&self) -> Option<&str> {
        match self {
            Constancy::Constant { value, seen } if *seen >= CONSTANT_VALUE_MIN_REQUESTS => {
                Some(value)
            }
            _ => None,
        }
    }
}
