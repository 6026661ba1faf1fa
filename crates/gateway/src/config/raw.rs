//! The configuration file exactly as written: serde structs that mirror the
//! TOML tables. Unknown keys are errors (a typo must not silently disable a
//! protection). Validation into the typed configuration happens in `validate`.

use super::units::{ByteSize, ConfigDuration};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub admin: RawAdmin,
    #[serde(default)]
    pub events: RawEvents,
    #[serde(default)]
    pub pipeline: RawPipeline,
    #[serde(default)]
    pub listeners: Vec<RawListener>,
    #[serde(default)]
    pub upstreams: Vec<RawUpstream>,
    #[serde(default)]
    pub routes: Vec<RawRoute>,
    /// The detection engine's settings (see `rampart_detect::DetectConfig`).
    pub detect: Option<rampart_detect::DetectConfig>,
    pub discovery: Option<RawDiscovery>,
    /// Prevention: policy, CEL rules, rate limits, bans (see `rampart_prevent::PreventConfig`).
    pub prevent: Option<rampart_prevent::PreventConfig>,
    /// Where client identities are read from (see `crate::identity`).
    pub identity: Option<crate::identity::IdentityConfig>,
    /// The `behave` stage: what many requests over time say (see `super::behave`).
    pub behave: Option<RawBehave>,
    /// The `bots` stage: declared bots, verified claims, automation (see `super::bots`).
    pub bots: Option<super::RawBots>,
    /// Shared limits and bans across gateways (see `rampart_store::shared`).
    pub redis: Option<rampart_store::shared::RedisConfig>,
    /// The exchange recorder (see `super::record`).
    pub record: Option<RawRecord>,
}

/// `[record]`; see `super::record::RecordSettings` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub path: Option<PathBuf>,
    pub sample: Option<f64>,
    pub max_body_bytes: Option<ByteSize>,
    pub max_bytes: Option<ByteSize>,
    pub max_files: Option<usize>,
    pub queue_capacity: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehave {
    pub mode: Option<rampart_prevent::policy::Mode>,
    pub block_score: Option<f64>,
    pub bola: Option<RawBola>,
    pub ato: Option<RawAto>,
    pub bfla: Option<RawBfla>,
    pub slow: Option<RawSlow>,
    pub exposure: Option<RawExposure>,
    pub enumeration: Option<RawEnumeration>,
    pub signup: Option<RawSignup>,
    pub otp: Option<RawOtp>,
    pub anomaly: Option<super::RawAnomaly>,
}

/// `[behave.signup]`; see `rampart_behave::signup::SignupConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignup {
    pub window: Option<ConfigDuration>,
    pub per_source: Option<usize>,
    pub lookalike_accounts: Option<usize>,
    pub burst_score: Option<f64>,
    pub lookalike_score: Option<f64>,
    pub account_fields: Option<Vec<String>>,
    pub max_sources: Option<usize>,
    pub max_subjects: Option<usize>,
    pub max_entries_per_key: Option<usize>,
}

/// `[behave.otp]`; see `rampart_behave::otp::OtpConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOtp {
    pub window: Option<ConfigDuration>,
    pub per_recipient: Option<usize>,
    pub recipients_per_source: Option<usize>,
    pub victim_score: Option<f64>,
    pub pumping_score: Option<f64>,
    pub recipient_fields: Option<Vec<String>>,
    pub max_sources: Option<usize>,
    pub max_subjects: Option<usize>,
    pub max_entries_per_key: Option<usize>,
}

/// `[behave.bfla]`; see `rampart_behave::bfla::BflaConfig` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBfla {
    pub admin_functions: Option<Vec<String>>,
    pub established_requests: Option<usize>,
    pub escalation_score: Option<f64>,
    pub new_principal_score: Option<f64>,
    pub denied_requests: Option<usize>,
    pub denied_window: Option<ConfigDuration>,
    pub denied_score: Option<f64>,
    pub memory: Option<ConfigDuration>,
    pub max_principals: Option<usize>,
    pub admin_users: Option<Vec<String>>,
    pub admin_api_keys: Option<Vec<String>>,
}

/// `[behave.slow]`; see `rampart_behave::slow::SlowConfig` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlow {
    pub warmup_answers: Option<usize>,
    pub factor: Option<f64>,
    pub deviations: Option<f64>,
    pub min_slow: Option<ConfigDuration>,
    pub score: Option<f64>,
    pub repeated_requests: Option<usize>,
    pub window: Option<ConfigDuration>,
    pub repeated_score: Option<f64>,
    pub memory: Option<ConfigDuration>,
    pub max_endpoints: Option<usize>,
    pub max_clients: Option<usize>,
}

/// `[behave.exposure]`; see `rampart_behave::exposure::ExposureConfig`
/// for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExposure {
    pub secret_score: Option<f64>,
    pub warmup_answers: Option<usize>,
    pub factor: Option<f64>,
    pub min_excess: Option<usize>,
    pub excess_score: Option<f64>,
    pub repeated_responses: Option<usize>,
    pub window: Option<ConfigDuration>,
    pub repeated_score: Option<f64>,
    pub exempt_functions: Option<Vec<String>>,
    pub exempt_templates: Option<Vec<String>>,
    pub memory: Option<ConfigDuration>,
    pub max_endpoints: Option<usize>,
    pub max_clients: Option<usize>,
}

/// `[behave.enumeration]`; see
/// `rampart_behave::ato::enumeration::EnumerationConfig` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnumeration {
    pub window: Option<ConfigDuration>,
    pub usernames: Option<usize>,
    pub failure_ratio: Option<f64>,
    pub score: Option<f64>,
    pub functions: Option<Vec<String>>,
    pub max_sources: Option<usize>,
    pub max_answers_per_source: Option<usize>,
    pub max_leaking_endpoints: Option<usize>,
}

/// `[behave.ato]`; see `rampart_behave::ato::AtoConfig` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAto {
    pub window: Option<ConfigDuration>,
    pub brute_force_failures: Option<usize>,
    pub stuffing_usernames: Option<usize>,
    pub stuffing_usernames_per_asn: Option<usize>,
    pub stuffing_failure_ratio: Option<f64>,
    pub distributed_sources: Option<usize>,
    pub brute_force_score: Option<f64>,
    pub stuffing_score: Option<f64>,
    pub distributed_score: Option<f64>,
    pub max_sources: Option<usize>,
    pub max_accounts: Option<usize>,
    pub max_attempts_per_key: Option<usize>,
    pub username_fields: Option<Vec<String>>,
    pub failure_words: Option<Vec<String>>,
    pub secret: Option<String>,
}

/// `[behave.bola]`; see `rampart_behave::bola::BolaConfig` for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBola {
    pub window: Option<ConfigDuration>,
    pub memory: Option<ConfigDuration>,
    pub walk_ids: Option<usize>,
    pub walk_score: Option<f64>,
    pub foreign_score: Option<f64>,
    pub shared_owners: Option<usize>,
    pub max_principals: Option<usize>,
    pub max_ids_per_principal: Option<usize>,
    pub max_walks_per_principal: Option<usize>,
    pub max_objects: Option<usize>,
    pub max_ids_per_response: Option<usize>,
    pub sample_body_bytes: Option<ByteSize>,
    pub exempt_users: Option<Vec<String>>,
    pub exempt_api_keys: Option<Vec<String>>,
    pub exempt_functions: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiscovery {
    pub spec: Option<PathBuf>,
    pub sample_body_bytes: Option<ByteSize>,
    pub queue_capacity: Option<usize>,
    pub publish_interval: Option<ConfigDuration>,
    pub persist_interval: Option<ConfigDuration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    pub request_id_header: Option<String>,
    pub drain_timeout: Option<ConfigDuration>,
    pub header_read_timeout: Option<ConfigDuration>,
    pub idle_timeout: Option<ConfigDuration>,
    pub body_read_timeout: Option<ConfigDuration>,
    /// Bytes per second, written as a size (`"1KiB"`); 0 turns the check off.
    pub min_body_rate: Option<ByteSize>,
    pub max_header_bytes: Option<ByteSize>,
    pub reload_poll_interval: Option<ConfigDuration>,
    pub workers: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdmin {
    pub listen: Option<String>,
    /// Bearer token of the admin API (`/api/`), named `admin` in the audit trail.
    pub token: Option<String>,
    /// More bearer tokens, each with the name the audit trail records.
    #[serde(default)]
    pub tokens: Vec<RawAdminToken>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdminToken {
    pub name: String,
    pub token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvents {
    pub jsonl: Option<PathBuf>,
    pub sqlite: Option<PathBuf>,
    pub queue_capacity: Option<usize>,
    pub min_signal_score: Option<f64>,
    pub aggregate_window: Option<ConfigDuration>,
    pub jsonl_max_bytes: Option<ByteSize>,
    pub jsonl_max_files: Option<usize>,
    pub sqlite_max_age: Option<ConfigDuration>,
    pub sqlite_max_bytes: Option<ByteSize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    pub stages: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListener {
    pub name: Option<String>,
    pub listen: String,
    pub tls: Option<RawTls>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    pub name: String,
    pub addresses: Vec<String>,
    pub unhealthy_for: Option<ConfigDuration>,
    pub max_idle_per_address: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub name: String,
    pub host: Option<String>,
    pub path_prefix: Option<String>,
    pub upstream: String,
    pub max_header_bytes: Option<ByteSize>,
    pub max_body_bytes: Option<ByteSize>,
    pub inspect_body_bytes: Option<ByteSize>,
    pub connect_timeout: Option<ConfigDuration>,
    pub response_timeout: Option<ConfigDuration>,
    #[serde(default)]
    pub ip_allow: Vec<String>,
    #[serde(default)]
    pub ip_deny: Vec<String>,
}
