//! Regular expressions for CEL's `matches`, compiled once at load.
//!
//! The `cel` crate compiles the pattern on every call, which costs tens of
//! microseconds per rule per request. Rules here must give `matches` a
//! literal pattern; the checker collects those, they are compiled (with a size
//! bound) when the policy loads, and `matches` is bound per evaluation to a
//! lookup in that set.

use cel::extractors::This;
use cel::{Context, ExecutionError};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::Arc;

/// The most memory one compiled pattern may take.
const MAX_COMPILED_BYTES: usize = 1 << 20;

/// Every pattern of a policy, by its source text.
#[derive(Default)]
pub(crate) struct Patterns {
    compiled: HashMap<String, Regex>,
}

impl Patterns {
    /// Compiles a pattern unless already known; the error says why not.
    pub(crate) fn add(&mut self, pattern: &str) -> Result<(), String> {
        if self.compiled.contains_key(pattern) {
            return Ok(());
        }
        let regex = RegexBuilder::new(pattern)
            .size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|error| format!("invalid pattern: {error}"))?;
        self.compiled.insert(pattern.to_string(), regex);
        Ok(())
    }

    /// The compiled pattern, if it was added.
    pub(crate) fn get(&self, pattern: &str) -> Option<&Regex> {
        self.compiled.get(pattern)
    }

    /// Binds `matches` (global and member forms) in this context.
    pub(crate) fn bind(patterns: &Arc<Patterns>, context: &mut Context) {
        let patterns = patterns.clone();
        let matches = move |This(text): This<Arc<String>>,
                            pattern: Arc<String>|
              -> Result<bool, ExecutionError> {
            match patterns.get(&pattern) {
                Some(regex) => Ok(regex.is_match(&text)),
                None => Err(ExecutionError::function_error(
                    "matches",
                    "pattern was not compiled at load",
                )),
            }
        };
        // `matches` is not in the environment (the crate's regex feature is
        // off), so binding it cannot conflict.
        let _ = context.add_function("matches", matches);
    }
}
