//! Settings per route, business function and endpoint, and how they combine.
//!
//! Precedence, most specific first: endpoint template, then business
//! function, then route, then the defaults. Each setting (mode, block score,
//! the action of each signal class) is taken from the most specific scope
//! that sets it, so a scope only states what it changes.

use super::action::Action;
use super::config::{Mode, ScopeMatch, ScopeSettings};
use crate::facts::RequestFacts;
use std::collections::HashMap;

/// Why a scope was refused at load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope {scope}: {message}")]
pub struct ScopeError {
    /// `defaults`, or the scope's match such as `function = "login"`.
    pub scope: String,
    pub message: String,
}

struct Layer {
    mode: Option<Mode>,
    block_score: Option<f64>,
    signals: HashMap<String, Action>,
}

pub(crate) struct Scopes {
    defaults: Layer,
    routes: HashMap<String, Layer>,
    functions: HashMap<String, Layer>,
    endpoints: HashMap<String, Layer>,
}

/// The layers that apply to one request, most specific first.
pub(crate) struct Resolved<'a> {
    layers: [Option<&'a Layer>; 4],
}

impl Scopes {
    pub(crate) fn compile(
        defaults: &ScopeSettings,
        scopes: &[ScopeSettings],
        limit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Scopes, ScopeError> {
        if defaults.matches.is_some() {
            return Err(scope_error(
                "defaults",
                "the defaults cannot have a `match`",
            ));
        }
        let mut compiled = Scopes {
            defaults: Layer::compile(defaults, "defaults", limit_exists)?,
            routes: HashMap::new(),
            functions: HashMap::new(),
            endpoints: HashMap::new(),
        };
        for (index, scope) in scopes.iter().enumerate() {
            let Some(matches) = &scope.matches else {
                let name = format!("#{}", index + 1);
                return Err(scope_error(
                    &name,
                    "needs a `match` (route, function or endpoint)",
                ));
            };
            let (map, key, name) = match matches {
                ScopeMatch::Route(key) => (&mut compiled.routes, key, format!("route = {key:?}")),
                ScopeMatch::Function(key) => {
                    (&mut compiled.functions, key, format!("function = {key:?}"))
                }
                ScopeMatch::Endpoint(key) => {
                    (&mut compiled.endpoints, key, format!("endpoint = {key:?}"))
                }
            };
            let layer = Layer::compile(scope, &name, limit_exists)?;
            if map.insert(key.clone(), layer).is_some() {
                return Err(scope_error(&name, "is declared twice"));
            }
        }
        Ok(compiled)
    }

    pub(crate) fn resolve(&self, facts: &RequestFacts) -> Resolved<'_> {
        let route = (!facts.route.is_empty()).then_some(facts.route.as_str());
        Resolved {
            layers: [
                layer(&self.endpoints, facts.endpoint.template.as_deref()),
                layer(&self.functions, facts.endpoint.function.as_deref()),
                layer(&self.routes, route),
                Some(&self.defaults),
            ],
        }
    }
}

impl Resolved<'_> {
    fn first<T>(&self, pick: impl Fn(&Layer) -> Option<T>) -> Option<T> {
        self.layers.iter().flatten().find_map(|layer| pick(layer))
    }

    /// Enforce unless a scope says monitor.
    pub(crate) fn mode(&self) -> Mode {
        self.first(|layer| layer.mode).unwrap_or_default()
    }

    pub(crate) fn block_score(&self) -> Option<f64> {
        self.first(|layer| layer.block_score)
    }

    pub(crate) fn signal_action(&self, class: &str) -> Option<&Action> {
        self.layers
            .iter()
            .flatten()
            .find_map(|layer| layer.signals.get(class))
    }
}

fn layer<'a>(map: &'a HashMap<String, Layer>, key: Option<&str>) -> Option<&'a Layer> {
    key.and_then(|key| map.get(key))
}

impl Layer {
    fn compile(
        settings: &ScopeSettings,
        name: &str,
        limit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Layer, ScopeError> {
        if let Some(score) = settings.block_score {
            if !score.is_finite() || score <= 0.0 {
                return Err(scope_error(name, "block_score must be a number above 0"));
            }
        }
        let signals = settings
            .signals
            .iter()
            .map(|(class, action)| {
                Action::compile(action, limit_exists)
                    .map(|action| (class.clone(), action))
                    .map_err(|message| {
                        scope_error(name, &format!("signal class `{class}`: {message}"))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Layer {
            mode: settings.mode,
            block_score: settings.block_score,
            signals,
        })
    }
}

fn scope_error(scope: &str, message: &str) -> ScopeError {
    ScopeError {
        scope: scope.to_string(),
        message: message.to_string(),
    }
}
