//! Engine configuration: a serde struct the gateway embeds under `[detect]`.
//!
//! Unknown keys are errors (a typo must not silently disable a protection).
//! Global settings can be overridden per endpoint (paranoia, threshold, mode,
//! disabled rules, GraphQL policy); endpoints are matched by method and path
//! template (`/users/{id}`, `/static/*`).

use crate::contract::{EndpointContract, Enforcement, SpecEnforcement};
use crate::decode::content_encoding::InflateLimits;
use crate::learned::LearnedConfig;
use serde::Deserialize;

/// Whether a finding blocks or is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Report what would have been blocked; block nothing.
    Monitor,
    #[default]
    Enforce,
}

/// Bounds on what one request may make the engine do.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Values inspected in the head and in a body read whole (XML,
    /// multipart, a GraphQL document); streamed JSON and form bodies are
    /// bounded by `max_elements` instead.
    pub max_values: usize,
    /// Bytes of one value that are decoded and inspected.
    pub max_value_bytes: usize,
    /// Nesting depth for JSON, XML and GraphQL.
    pub max_depth: usize,
    /// Multipart parts read.
    pub max_parts: usize,
    /// Bytes of a body the engine reads whole before parsing it (XML,
    /// multipart, GraphQL documents, text). JSON and form bodies are read
    /// as a stream and are not bound by it; a whole-read body past it is
    /// uninspectable (see [`Uninspectable`]).
    pub max_body_bytes: usize,
    /// Values (scalars and containers) in one streamed JSON body; more is a
    /// finding and ends the reading.
    pub max_elements: usize,
    /// An argument name longer than this is an anomaly.
    pub max_arg_name_length: usize,
    /// An argument value longer than this is an anomaly.
    pub max_arg_value_length: usize,
    /// More arguments than this is an anomaly.
    pub max_args: usize,
    /// A file name longer than this is an anomaly.
    pub max_file_name_length: usize,
    /// Bytes a compressed body (`Content-Encoding`) may inflate to.
    pub max_inflated_bytes: usize,
    /// Inflated bytes per compressed byte a body may reach (judged past
    /// 256 KiB of output).
    pub max_inflate_ratio: usize,
}

impl Limits {
    /// The bounds a compressed body is inflated within.
    pub fn inflate(&self) -> InflateLimits {
        InflateLimits {
            max_output_bytes: self.max_inflated_bytes as u64,
            max_ratio: self.max_inflate_ratio as u64,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_values: 1024,
            max_value_bytes: 64 * 1024,
            max_depth: 32,
            max_parts: 64,
            max_body_bytes: 1024 * 1024,
            max_elements: 100_000,
            max_arg_name_length: 100,
            max_arg_value_length: 4000,
            max_args: 255,
            max_file_name_length: 255,
            max_inflated_bytes: 16 * 1024 * 1024,
            max_inflate_ratio: 100,
        }
    }
}

/// What GraphQL documents may ask for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlPolicy {
    pub max_depth: usize,
    pub max_aliases: usize,
    /// Operations in one document plus documents in one batched request.
    pub max_operations: usize,
    pub allow_introspection: bool,
    /// Fields weighted by list sizes (`first: 100` multiplies its children).
    pub max_cost: f64,
}

impl Default for GraphqlPolicy {
    fn default() -> Self {
        GraphqlPolicy {
            max_depth: 12,
            max_aliases: 30,
            max_operations: 10,
            allow_introspection: true,
            max_cost: 50_000.0,
        }
    }
}

/// What happens to a body the engine cannot read: refused (413) or let
/// through; either way the reason is recorded with the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyDecision {
    Refuse,
    Allow,
}

/// The decision for bodies the engine cannot inspect: a structured type
/// (JSON, form, GraphQL, XML, multipart) larger than the engine reads whole
/// or in an encoding it cannot decode, and other types (binary, unknown)
/// it has no parser for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Uninspectable {
    pub structured: BodyDecision,
    pub other: BodyDecision,
}

impl Default for Uninspectable {
    fn default() -> Self {
        Uninspectable {
            structured: BodyDecision::Refuse,
            other: BodyDecision::Allow,
        }
    }
}

/// Settings for the endpoints matching `method` and `path`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointPolicy {
    /// Method to match; any when absent.
    pub method: Option<String>,
    /// Path template: `{name}` matches one segment, a final `*` the rest.
    pub path: String,
    pub paranoia: Option<u8>,
    pub threshold: Option<f64>,
    pub mode: Option<Mode>,
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    pub graphql: Option<GraphqlPolicy>,
}

/// The detection engine's configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    /// 1 (fewest false positives) to 4 (most coverage).
    pub paranoia: u8,
    /// Anomaly score at which a request is blocked.
    pub threshold: f64,
    pub mode: Mode,
    /// Methods an API accepts; others are an anomaly.
    pub allowed_methods: Vec<String>,
    /// Rules (`sqli`, or a precise `sqli.tautology`) switched off everywhere.
    pub disabled_rules: Vec<String>,
    pub limits: Limits,
    /// What bodies the engine cannot read get.
    pub uninspectable: Uninspectable,
    pub graphql: GraphqlPolicy,
    pub endpoints: Vec<EndpointPolicy>,
    /// Declared or learned contracts; requests to other endpoints are
    /// reported as unknown when `unknown_endpoint` is set.
    pub contracts: Vec<EndpointContract>,
    /// What a request to an endpoint no contract covers does.
    pub unknown_endpoint: Option<Enforcement>,
    /// How contracts derived from the declared spec are enforced (the
    /// gateway derives them; the engine sees them in `contracts`).
    pub spec: SpecEnforcement,
    /// Whether and how the live inventory's endpoints become contracts
    /// (the gateway derives them; the engine is handed them per request).
    pub learned: LearnedConfig,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            paranoia: 1,
            threshold: 5.0,
            mode: Mode::Enforce,
            allowed_methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
                .map(String::from)
                .to_vec(),
            disabled_rules: Vec::new(),
            limits: Limits::default(),
            uninspectable: Uninspectable::default(),
            graphql: GraphqlPolicy::default(),
            endpoints: Vec::new(),
            contracts: Vec::new(),
            unknown_endpoint: None,
            spec: SpecEnforcement::default(),
            learned: LearnedConfig::default(),
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The source error carries the line, column and expected keys.
    #[error("invalid TOML")]
    Toml(#[from] toml::de::Error),
    #[error("{field}: paranoia must be 1 to 4, got {value}")]
    Paranoia { field: String, value: u8 },
    #[error("{field}: threshold must be a positive number, got {value}")]
    Threshold { field: String, value: f64 },
    #[error("{field}: path template `{path}` must start with `/`")]
    PathTemplate { field: String, path: String },
    #[error("limits.{0} must be greater than zero")]
    Limit(&'static str),
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    detect: DetectConfig,
}

impl DetectConfig {
    /// Reads the `[detect]` table of a TOML document (other tables belong to
    /// other parts of the gateway and are ignored here).
    pub fn from_toml(text: &str) -> Result<DetectConfig, ConfigError> {
        let file: ConfigFile = toml::from_str(text)?;
        file.detect.validate()?;
        Ok(file.detect)
    }

    /// Checks ranges that serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_paranoia("paranoia", self.paranoia)?;
        check_threshold("threshold", self.threshold)?;
        let l = &self.limits;
        for (name, value) in [
            ("max_values", l.max_values),
            ("max_value_bytes", l.max_value_bytes),
            ("max_depth", l.max_depth),
            ("max_parts", l.max_parts),
            ("max_body_bytes", l.max_body_bytes),
            ("max_elements", l.max_elements),
            ("max_inflated_bytes", l.max_inflated_bytes),
            ("max_inflate_ratio", l.max_inflate_ratio),
        ] {
            if value == 0 {
                return Err(ConfigError::Limit(name));
            }
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            let field = format!("endpoints[{i}]");
            if let Some(p) = e.paranoia {
                check_paranoia(&format!("{field}.paranoia"), p)?;
            }
            if let Some(t) = e.threshold {
                check_threshold(&format!("{field}.threshold"), t)?;
            }
            check_template(&field, &e.path)?;
        }
        for (i, c) in self.contracts.iter().enumerate() {
            check_template(&format!("contracts[{i}]"), &c.path)?;
        }
        Ok(())
    }
}

fn check_paranoia(field: &str, value: u8) -> Result<(), ConfigError> {
    if (1..=4).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::Paranoia {
            field: field.into(),
            value,
        })
    }
}

fn check_threshold(field: &str, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ConfigError::Threshold {
            field: field.into(),
            value,
        })
    }
}

fn check_template(field: &str, path: &str) -> Result<(), ConfigError> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(ConfigError::PathTemplate {
            field: field.into(),
            path: path.into(),
        })
    }
}

/// Whether `path` matches a template: `{name}` is one segment (or the part
/// of one between a literal prefix and suffix, `{sid}.json`), a final `*`
/// any rest.
pub fn template_matches(template: &str, path: &str) -> bool {
    let mut want = template.trim_end_matches('/').split('/');
    let mut got = path.trim_end_matches('/').split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some("*"), _) => return true,
            (Some(w), Some(g)) if w == g || segment_matches(w, g) => {}
            _ => return false,
        }
    }
}

/// `{id}` against any non-empty segment; `v{n}.json` against `v2.json`.
fn segment_matches(want: &str, got: &str) -> bool {
    let Some((prefix, rest)) = want.split_once('{') else {
        return false;
    };
    let Some((_, suffix)) = rest.split_once('}') else {
        return false;
    };
    got.len() > prefix.len() + suffix.len() && got.starts_with(prefix) && got.ends_with(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_detect_table_and_rejects_typos() {
        let cfg = DetectConfig::from_toml(
            "[detect]\nparanoia = 2\n[[detect.endpoints]]\npath = \"/graphql\"\nthreshold = 8\n[detect.graphql]\nallow_introspection = false\n",
        )
        .unwrap();
        assert_eq!(cfg.paranoia, 2);
        assert_eq!(cfg.endpoints[0].threshold, Some(8.0));
        assert!(!cfg.graphql.allow_introspection);
        assert!(DetectConfig::from_toml("[detect]\nparanoya = 2\n").is_err());
        assert!(matches!(
            DetectConfig::from_toml("[detect]\nparanoia = 7\n"),
            Err(ConfigError::Paranoia { .. })
        ));
    }

    #[test]
    fn templates_match_segments_and_rests() {
        assert!(template_matches("/users/{id}", "/users/42"));
        assert!(!template_matches("/users/{id}", "/users/42/files"));
        assert!(template_matches("/static/*", "/static/a/b.css"));
        assert!(!template_matches("/users/{id}", "/users/"));
        assert!(template_matches("/a/{sid}.json", "/a/AC1.json"));
        assert!(!template_matches("/a/{sid}.json", "/a/.json"));
        assert!(!template_matches("/a/{sid}.json", "/a/AC1.xml"));
    }
}
