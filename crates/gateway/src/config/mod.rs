//! The gateway's configuration: read from TOML, validated in full up front,
//! and turned into typed settings the proxy uses without further checks.
//!
//! Every problem is reported with the file, the key path and what was
//! expected; all problems of a file are reported at once.

mod anomaly;
mod behave;
mod bots;
mod bots_declared;
mod error;
mod events;
mod floods;
pub mod raw;
mod record;
pub mod units;

pub use anomaly::RawAnomaly;
pub use behave::BehaveSettings;
pub use bots::{BotsSettings, RawBots};
pub use error::{ConfigError, Problem};
pub use events::EventSettings;
pub use record::RecordSettings;

use crate::ipset::IpSet;
use http::HeaderName;
use rampart_discover::clients::MAX_COUNTED_CLIENTS;
use raw::{RawAdmin, RawConfig, RawListener, RawRoute, RawUpstream};
use std::collections::HashSet;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The file it was read from (relative paths inside are resolved against its directory).
    pub file: PathBuf,
    pub server: ServerSettings,
    pub admin_listen: SocketAddr,
    /// Bearer tokens of the admin API, each with the name the audit trail
    /// records (`admin` for `[admin] token`, `env` for `RAMPART_ADMIN_TOKEN`).
    /// Empty: the API refuses every request but its description.
    pub admin_tokens: Vec<AdminToken>,
    pub events: EventSettings,
    /// Set when the `discover` stage is listed or `[discovery]` is present.
    pub discovery: Option<crate::discovery::DiscoverySettings>,
    pub stages: Vec<StageKind>,
    pub listeners: Vec<ListenerSpec>,
    pub upstreams: Vec<UpstreamSpec>,
    pub routes: Vec<RouteSpec>,
    /// The detection engine, compiled from `[detect]` (defaults when absent).
    pub detect: DetectEngine,
    /// `[prevent]`, checked and its policy compiled (defaults when absent).
    pub prevent: PreventSettings,
    /// `[identity]`: where API keys and users are read from.
    pub identity: Arc<crate::identity::IdentityConfig>,
    /// `[behave]`: the `behave` stage's settings (defaults when absent).
    pub behave: BehaveSettings,
    /// `[bots]`: the `bots` stage's settings (defaults when absent).
    pub bots: BotsSettings,
    /// `[identity.jwt]` verification (keys loaded) and the weak-secret watch.
    pub tokens: Arc<crate::tokens::TokenGuard>,
    /// `[redis]`: limits and bans shared with other gateways (read at start).
    pub redis: Option<rampart_store::shared::RedisConfig>,
    /// `[record]`: the exchange recorder (read at start).
    pub record: Option<RecordSettings>,
    /// Valid settings that do nothing as written or are probably not what
    /// was meant (key path and why).
    pub warnings: Vec<Problem>,
}

/// One bearer token of the admin API and who holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken {
    /// Recorded in the audit trail as who made a change.
    pub name: String,
    pub token: String,
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminToken")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The environment variable whose value, when set and not empty, is an
/// admin token named `env` (read each time the file is loaded).
pub const ADMIN_TOKEN_ENV: &str = "RAMPART_ADMIN_TOKEN";

/// The shortest admin token accepted.
const MIN_ADMIN_TOKEN_CHARS: usize = 16;

/// The prevention settings with the policy compiled from them.
#[derive(Clone)]
pub struct PreventSettings {
    pub config: rampart_prevent::PreventConfig,
    pub policy: Arc<rampart_prevent::Policy>,
}

impl std::fmt::Debug for PreventSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.config.fmt(f)
    }
}

/// The compiled detection engine, shared by every route's `detect` stage.
#[derive(Clone)]
pub struct DetectEngine(pub Arc<rampart_detect::Engine>);

impl std::fmt::Debug for DetectEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DetectEngine")
    }
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub trusted_proxies: IpSet,
    pub request_id_header: HeaderName,
    pub drain_timeout: Duration,
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress:
    /// from accept, and from the end of each response.
    pub idle_timeout: Duration,
    /// How slowly a request body may arrive (see `crate::paced_body`).
    pub body_pace: crate::paced_body::BodyPace,
    pub max_header_bytes: u64,
    pub reload_poll_interval: Duration,
    /// Worker threads, each with its own event loop and its own listening
    /// sockets (SO_REUSEPORT among themselves, see `crate::bind`). Default:
    /// one per CPU.
    pub workers: usize,
}

/// The stages a pipeline can run, in the order configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageKind {
    IpLists,
    Detect,
    Discover,
    Prevent,
    Behave,
    Bots,
}

impl StageKind {
    const ALL: [(&'static str, StageKind); 6] = [
        ("ip_lists", StageKind::IpLists),
        ("detect", StageKind::Detect),
        ("discover", StageKind::Discover),
        ("prevent", StageKind::Prevent),
        ("behave", StageKind::Behave),
        ("bots", StageKind::Bots),
    ];

    fn from_name(name: &str) -> Option<StageKind> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    fn known_names() -> String {
        Self::ALL
            .iter()
            .map(|(n, _)| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Clone)]
pub struct ListenerSpec {
    pub name: String,
    pub listen: SocketAddr,
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl std::fmt::Debug for ListenerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerSpec")
            .field("name", &self.name)
            .field("listen", &self.listen)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamSpec {
    pub name: String,
    pub addresses: Vec<SocketAddr>,
    pub unhealthy_for: Duration,
    pub max_idle_per_address: usize,
}

/// Which requests a route takes: an optional host (exact, or `*.suffix`) and a path prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostPattern {
    Exact(String),
    /// `*.example.com` stored as `.example.com`.
    Suffix(String),
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub name: String,
    pub host: Option<HostPattern>,
    pub path_prefix: String,
    /// Index into [`GatewayConfig::upstreams`].
    pub upstream: usize,
    pub limits: RouteLimits,
    pub ip_allow: IpSet,
    pub ip_deny: IpSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteLimits {
    pub max_header_bytes: u64,
    pub max_body_bytes: u64,
    pub inspect_body_bytes: u64,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:9090";
const DEFAULT_MAX_HEADER_BYTES: u64 = 64 * 1024;
const DEFAULT_MAX_BODY_BYTES: u64 = 100 * 1024 * 1024;
const DEFAULT_INSPECT_BODY_BYTES: u64 = 64 * 1024;
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MIN_BODY_RATE: u64 = 1024;

impl GatewayConfig {
    /// Each warning as one line naming the file and the key.
    pub fn warning_lines(&self) -> Vec<String> {
        self.warnings
            .iter()
            .map(|w| format!("{}: {}: {}", self.file.display(), w.key, w.message))
            .collect()
    }

    /// Reads and validates a configuration file, with the admin token of
    /// the environment ([`ADMIN_TOKEN_ENV`]) when it is set.
    pub fn load(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::single(path.to_path_buf(), "", format!("cannot read the file: {e}"))
        })?;
        let env_token = std::env::var(ADMIN_TOKEN_ENV)
            .ok()
            .filter(|t| !t.is_empty());
        Self::parse_with_env_token(path, &text, env_token)
    }

    /// Validates configuration text; `path` is used for messages and relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<GatewayConfig, ConfigError> {
        Self::parse_with_env_token(path, text, None)
    }

    /// [`GatewayConfig::parse`] with the admin token the environment gave.
    pub fn parse_with_env_token(
        path: &Path,
        text: &str,
        env_token: Option<String>,
    ) -> Result<GatewayConfig, ConfigError> {
        let raw: RawConfig = serde_path_to_error::deserialize(toml::Deserializer::new(text))
            .map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                let location = inner
                    .span()
                    .map(|span| {
                        let (line, column) = line_and_column(text, span.start);
                        format!(" (line {line}, column {column})")
                    })
                    .unwrap_or_default();
                ConfigError::single(
                    path.to_path_buf(),
                    if key == "." { String::new() } else { key },
                    format!("{}{location}", inner.message().trim().replace('\n', ": ")),
                )
            })?;
        Validator::new(path).validate(raw, env_token)
    }
}

pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Collects every problem while turning raw settings into typed ones.
struct Validator<'a> {
    file: &'a Path,
    base_dir: PathBuf,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl<'a> Validator<'a> {
    fn new(file: &'a Path) -> Self {
        let base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Validator {
            file,
            base_dir,
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// A valid setting that does nothing as written, or probably not what
    /// was meant.
    fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }

    fn ip_set(&mut self, key: &str, entries: &[String]) -> IpSet {
        IpSet::parse(entries).unwrap_or_else(|(index, entry)| {
            self.problem(
                format!("{key}[{index}]"),
                format!(
                    "expected an IP address or CIDR network such as \"10.0.0.0/8\", got {entry:?}"
                ),
            );
            IpSet::default()
        })
    }

    fn validate(
        mut self,
        raw: RawConfig,
        env_token: Option<String>,
    ) -> Result<GatewayConfig, ConfigError> {
        let server = self.server(raw.server);
        let admin_listen = self.socket_addr(
            "admin.listen",
            raw.admin.listen.as_deref().unwrap_or(DEFAULT_ADMIN_LISTEN),
        );
        let events = self.events(raw.events);
        let record = raw.record.and_then(|record| self.record(record));
        let stages = self.stages(raw.pipeline.stages);
        let listeners = self.listeners(raw.listeners);
        let upstreams = self.upstreams(raw.upstreams);
        let routes = self.routes(raw.routes, &upstreams, server.max_header_bytes);
        let prevent = self.prevent(raw.prevent.unwrap_or_default());
        let identity = self.identity(raw.identity.unwrap_or_default());
        let behave = self.behave(raw.behave, &stages);
        let bots = self.bots(raw.bots, &stages);
        let tokens = self.tokens(identity.jwt.as_ref());
        let redis = raw.redis.filter(|redis| {
            let limits = prevent
                .as_ref()
                .map(|p| &p.config.limits[..])
                .unwrap_or(&[]);
            let checked = redis
                .check()
                .and_then(|()| redis.check_limit_names(limits.iter().map(|l| l.name.as_str())));
            if let Err(e) = &checked {
                let text = e.to_string();
                let (key, message) = text.split_once(": ").unwrap_or(("redis", &text));
                self.problem(key, message);
            }
            checked.is_ok()
        });
        self.ato_sharing(&behave, redis.is_some(), &stages);
        let (discovery, declared) =
            match raw.discovery.is_some() || stages.contains(&StageKind::Discover) {
                true => {
                    let (settings, declared) =
                        self.discovery(raw.discovery.unwrap_or_default(), &events);
                    (Some(settings), declared)
                }
                false => (None, None),
            };
        let detect_config = raw.detect.unwrap_or_default();
        let learned = self.learned(&detect_config.learned, discovery.is_some());
        let mut discovery = discovery;
        if let Some(settings) = &mut discovery {
            settings.learned = learned;
        }
        let detect = self.detect(detect_config, declared.as_ref());
        let admin_tokens = self.admin_tokens(raw.admin, env_token, admin_listen);
        let (Some(detect), Some(prevent), true) = (detect, prevent, self.problems.is_empty())
        else {
            return Err(ConfigError {
                file: self.file.to_path_buf(),
                problems: self.problems,
            });
        };
        Ok(GatewayConfig {
            file: self.file.to_path_buf(),
            server,
            admin_listen: admin_listen.unwrap_or(SocketAddr::from(([127, 0, 0, 1], 9090))),
            admin_tokens,
            discovery,
            events,
            stages,
            listeners,
            upstreams,
            routes,
            detect,
            prevent,
            identity: Arc::new(identity),
            behave,
            bots,
            tokens: Arc::new(tokens),
            redis,
            record,
            warnings: self.warnings,
        })
    }

    fn identity(
        &mut self,
        mut config: crate::identity::IdentityConfig,
    ) -> crate::identity::IdentityConfig {
        for (i, name) in config.api_key_headers.iter_mut().enumerate() {
            *name = name.to_ascii_lowercase();
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                self.problem(
                    format!("identity.api_key_headers[{i}]"),
                    format!("expected an HTTP header name, got {name:?}"),
                );
            }
        }
        if config.user_claim.is_empty() {
            self.problem(
                "identity.user_claim",
                "expected a JWT claim name, got an empty string",
            );
        }
        config
    }

    /// Loads the `[identity.jwt]` keys (files read now, and again on each
    /// reload); without it, tokens are only watched for weak secrets.
    fn tokens(&mut self, config: Option<&crate::tokens::JwtConfig>) -> crate::tokens::TokenGuard {
        let Some(config) = config else {
            return crate::tokens::TokenGuard::watching();
        };
        let clock: Arc<dyn rampart_core::Clock> = Arc::new(rampart_core::SystemClock);
        match crate::tokens::TokenGuard::load(config, |p| self.resolve(p), clock) {
            Ok((guard, warnings)) => {
                for (key, message) in warnings {
                    self.warn(key, message);
                }
                guard
            }
            Err(problems) => {
                for (key, message) in problems {
                    self.problem(key, message);
                }
                crate::tokens::TokenGuard::watching()
            }
        }
    }

    fn prevent(&mut self, mut config: rampart_prevent::PreventConfig) -> Option<PreventSettings> {
        config.add_preset_limits();
        let clock: Arc<dyn rampart_core::Clock> = Arc::new(rampart_core::SystemClock);
        config.geo.database = config.geo.database.take().map(|p| self.resolve(&p));
        config.geo.asn_database = config.geo.asn_database.take().map(|p| self.resolve(&p));
        if let Err(e) = rampart_prevent::GeoFence::compile(&config.geo) {
            self.problem("prevent.geo", e.to_string());
        }
        if let Err(e) = rampart_prevent::GeoLocator::from_config(&config.geo) {
            self.problem("prevent.geo", e.to_string());
        }
        for (i, limit) in config.limits.iter().enumerate() {
            if let Err(e) = rampart_prevent::RateLimiter::new(limit, Arc::clone(&clock)) {
                self.problem(format!("prevent.limits[{i}]"), e.to_string());
            }
        }
        for (i, limit) in config.unused_limits() {
            self.warn(
                format!("prevent.limits[{i}]"),
                format!(
                    "no rule applies this limit, so `{0}` does nothing: name it in a rule, e.g. \
                     action = {{ type = \"rate_limit\", limit = \"{0}\" }}",
                    limit.name
                ),
            );
        }
        if let Err(e) = rampart_prevent::BanList::new(&config.bans, Arc::clone(&clock)) {
            self.problem("prevent.bans", e.to_string());
        }
        match rampart_prevent::Deceiver::new(&config.deception, clock) {
            Err(rampart_prevent::DeceptionError::Invalid { key, expected }) => self.problem(
                format!("prevent.deception.{key}"),
                format!("expected {expected}"),
            ),
            Err(other) => self.problem("prevent.deception", other.to_string()),
            Ok(_) => {}
        }
        match config.compile_policy() {
            Ok(policy) => Some(PreventSettings {
                config,
                policy: Arc::new(policy),
            }),
            Err(e) => {
                self.problem("prevent.policy", e.to_string());
                None
            }
        }
    }

    /// The discovery settings, and the declared spec when one is set and
    /// reads (the detect stage's contracts are derived from it).
    fn discovery(
        &mut self,
        raw: raw::RawDiscovery,
        events: &EventSettings,
    ) -> (
        crate::discovery::DiscoverySettings,
        Option<rampart_discover::DeclaredSpec>,
    ) {
        let spec = raw.spec.map(|p| self.resolve(&p));
        let declared = spec.as_ref().and_then(|path| {
            let parsed = std::fs::read(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|bytes| {
                    rampart_discover::parse_spec(&bytes)
                        .map_err(|e| format!("{}: {e}", path.display()))
                });
            parsed
                .map_err(|message| self.problem("discovery.spec", message))
                .ok()
        });
        let queue_capacity = raw.queue_capacity.unwrap_or(10_000);
        if queue_capacity == 0 || queue_capacity > 1_000_000 {
            self.problem(
                "discovery.queue_capacity",
                format!("expected a number between 1 and 1000000, got {queue_capacity}"),
            );
        }
        let sample_body_bytes = raw.sample_body_bytes.map_or(16 * 1024, |s| s.0);
        if sample_body_bytes > 1024 * 1024 {
            self.problem(
                "discovery.sample_body_bytes",
                format!("expected at most 1MiB, got {sample_body_bytes} bytes"),
            );
        }
        let settings = crate::discovery::DiscoverySettings {
            spec,
            store: events.sqlite.clone(),
            queue_capacity,
            sample_body_bytes: sample_body_bytes as usize,
            publish_interval: self.positive(
                "discovery.publish_interval",
                raw.publish_interval.map_or(Duration::from_secs(2), |d| d.0),
            ),
            persist_interval: self.positive(
                "discovery.persist_interval",
                raw.persist_interval
                    .map_or(Duration::from_secs(30), |d| d.0),
            ),
            learned: None,
        };
        (settings, declared)
    }

    /// `[detect.learned]`, checked; `Some` when enabled (and usable).
    fn learned(
        &mut self,
        learned: &rampart_detect::LearnedConfig,
        has_discovery: bool,
    ) -> Option<rampart_detect::LearnedConfig> {
        if !learned.enabled {
            if *learned != rampart_detect::LearnedConfig::default() {
                self.warn(
                    "detect.learned",
                    "does nothing unless enabled = true: the settings are ignored",
                );
            }
            return None;
        }
        if !has_discovery {
            self.problem(
                "detect.learned.enabled",
                "expected discovery to be running: add \"discover\" to [pipeline] stages",
            );
        }
        if learned.min_samples == 0 {
            self.problem(
                "detect.learned.min_samples",
                "expected at least 1 request, got 0",
            );
        }
        if learned.min_clients == 0 {
            self.problem(
                "detect.learned.min_clients",
                "expected at least 1 client, got 0",
            );
        } else if learned.min_clients > MAX_COUNTED_CLIENTS as u64 {
            self.problem(
                "detect.learned.min_clients",
                format!(
                    "expected at most {MAX_COUNTED_CLIENTS} (the inventory counts no more distinct clients), got {}",
                    learned.min_clients
                ),
            );
        } else if learned.min_clients == 1 {
            self.warn(
                "detect.learned.min_clients",
                "1 lets a single client teach the gateway what an endpoint takes",
            );
        }
        if !(learned.min_share > 0.0 && learned.min_share <= 1.0) {
            self.problem(
                "detect.learned.min_share",
                format!(
                    "expected a share above 0 and at most 1 (0.01 is 1%), got {}",
                    learned.min_share
                ),
            );
        }
        Some(*learned)
    }

    fn detect(
        &mut self,
        mut config: rampart_detect::DetectConfig,
        declared: Option<&rampart_discover::DeclaredSpec>,
    ) -> Option<DetectEngine> {
        match declared {
            Some(spec) => crate::spec_contracts::add_spec_contracts(&mut config, spec),
            None if config.spec != rampart_detect::SpecEnforcement::default() => self.warn(
                "detect.spec",
                "does nothing without a declared spec: set [discovery] spec to an OpenAPI file",
            ),
            None => {}
        }
        match rampart_detect::Engine::new(config) {
            Ok(engine) => Some(DetectEngine(Arc::new(engine))),
            Err(e) => {
                self.problem("detect", e.to_string());
                None
            }
        }
    }

    fn server(&mut self, raw: raw::RawServer) -> ServerSettings {
        let trusted_proxies = self.ip_set("server.trusted_proxies", &raw.trusted_proxies);
        let header_text = raw.request_id_header.as_deref().unwrap_or("x-request-id");
        let request_id_header =
            HeaderName::from_bytes(header_text.as_bytes()).unwrap_or_else(|_| {
                self.problem(
                    "server.request_id_header",
                    format!("expected a valid HTTP header name, got {header_text:?}"),
                );
                HeaderName::from_static("x-request-id")
            });
        let max_header_bytes = raw
            .max_header_bytes
            .map_or(DEFAULT_MAX_HEADER_BYTES, |s| s.0);
        if !(1024..=1024 * 1024).contains(&max_header_bytes) {
            self.problem(
                "server.max_header_bytes",
                format!("expected a size between 1KiB and 1MiB, got {max_header_bytes} bytes"),
            );
        }
        let workers = raw
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        if !(1..=1024).contains(&workers) {
            self.problem(
                "server.workers",
                format!("expected between 1 and 1024 worker threads, got {workers}"),
            );
        }
        let body_pace = self.body_pace(&raw);
        ServerSettings {
            workers,
            trusted_proxies,
            request_id_header,
            drain_timeout: raw.drain_timeout.map_or(Duration::from_secs(30), |d| d.0),
            header_read_timeout: self.positive(
                "server.header_read_timeout",
                raw.header_read_timeout
                    .map_or(Duration::from_secs(10), |d| d.0),
            ),
            idle_timeout: self.positive(
                "server.idle_timeout",
                raw.idle_timeout.map_or(DEFAULT_IDLE_TIMEOUT, |d| d.0),
            ),
            body_pace,
            max_header_bytes,
            reload_poll_interval: self.positive(
                "server.reload_poll_interval",
                raw.reload_poll_interval
                    .map_or(Duration::from_secs(1), |d| d.0),
            ),
        }
    }

    /// `body_read_timeout` and `min_body_rate`: a rate of 0 is allowed (the
    /// check is off) but warned about, since one byte per read interval
    /// then holds a connection for as long as the client likes.
    fn body_pace(&mut self, raw: &raw::RawServer) -> crate::paced_body::BodyPace {
        let read_timeout = self.positive(
            "server.body_read_timeout",
            raw.body_read_timeout
                .map_or(DEFAULT_BODY_READ_TIMEOUT, |d| d.0),
        );
        let min_bytes_per_second = raw.min_body_rate.map_or(DEFAULT_MIN_BODY_RATE, |s| s.0);
        if min_bytes_per_second == 0 {
            self.warn(
                "server.min_body_rate",
                "0 turns the minimum body rate off: a client that sends one byte per \
                 body_read_timeout holds its connection as long as it likes",
            );
        }
        crate::paced_body::BodyPace {
            read_timeout,
            min_bytes_per_second,
        }
    }

    fn positive(&mut self, key: &str, value: Duration) -> Duration {
        if value.is_zero() {
            self.problem(key, "expected a duration greater than zero");
        }
        value
    }

    fn stages(&mut self, names: Option<Vec<String>>) -> Vec<StageKind> {
        let names = names.unwrap_or_else(|| vec!["ip_lists".to_string()]);
        let mut stages = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match StageKind::from_name(name) {
                Some(kind) if stages.contains(&kind) => self.problem(
                    format!("pipeline.stages[{i}]"),
                    format!("stage {name:?} is listed twice"),
                ),
                Some(kind) => stages.push(kind),
                None => self.problem(
                    format!("pipeline.stages[{i}]"),
                    format!("expected one of {}, got {name:?}", StageKind::known_names()),
                ),
            }
        }
        stages
    }

    /// `[admin] token`, `[[admin.tokens]]` and the environment's token;
    /// an admin listener off loopback must have one.
    fn admin_tokens(
        &mut self,
        raw: RawAdmin,
        env_token: Option<String>,
        listen: Option<SocketAddr>,
    ) -> Vec<AdminToken> {
        let named = raw
            .tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("admin.tokens[{i}]"), t.name, t.token));
        let given = raw
            .token
            .map(|token| ("admin.token".to_string(), "admin".to_string(), token))
            .into_iter()
            .chain(named)
            .chain(env_token.map(|token| (ADMIN_TOKEN_ENV.to_string(), "env".to_string(), token)));
        let mut tokens: Vec<AdminToken> = Vec::new();
        for (key, name, token) in given {
            if token.chars().count() < MIN_ADMIN_TOKEN_CHARS {
                self.problem(
                    key,
                    format!("expected a token of at least {MIN_ADMIN_TOKEN_CHARS} characters"),
                );
            } else if name.is_empty() || tokens.iter().any(|t| t.name == name) {
                self.problem(
                    key,
                    format!("expected a token name used once, got {name:?}"),
                );
            } else {
                tokens.push(AdminToken { name, token });
            }
        }
        if let Some(listen) = listen.filter(|l| !l.ip().is_loopback()) {
            if tokens.is_empty() {
                self.problem(
                    "admin.listen",
                    format!(
                        "expected a loopback address such as \"127.0.0.1:9090\" unless an admin token is set \
                         (admin.token, [[admin.tokens]] or {ADMIN_TOKEN_ENV}): {listen} would open the admin API to the network"
                    ),
                );
            }
        }
        tokens
    }

    fn socket_addr(&mut self, key: &str, text: &str) -> Option<SocketAddr> {
        match text.parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                self.problem(
                    key,
                    format!("expected an IP address and port such as \"127.0.0.1:8080\" or \"[::1]:8080\", got {text:?}"),
                );
                None
            }
        }
    }

    fn listeners(&mut self, raw: Vec<RawListener>) -> Vec<ListenerSpec> {
        if raw.is_empty() {
            self.problem("listeners", "expected at least one [[listeners]] entry");
        }
        let mut names = HashSet::new();
        let mut out: Vec<ListenerSpec> = Vec::new();
        for (i, listener) in raw.into_iter().enumerate() {
            let key = format!("listeners[{i}]");
            let name = listener.name.unwrap_or_else(|| format!("listener-{i}"));
            if !names.insert(name.clone()) {
                self.problem(
                    format!("{key}.name"),
                    format!("listener name {name:?} is used twice"),
                );
            }
            let Some(listen) = self.socket_addr(&format!("{key}.listen"), &listener.listen) else {
                continue;
            };
            let shared = out.iter().find(|other| {
                listen.port() != 0 && crate::port_holder::overlaps(other.listen, listen)
            });
            if let Some(other) = shared {
                self.problem(
                    format!("{key}.listen"),
                    format!(
                        "address {listen} overlaps listener {:?} on {} (same port, the same IP or a wildcard)",
                        other.name, other.listen
                    ),
                );
            }
            let tls = listener.tls.and_then(|tls| {
                crate::tls::server_config(&self.resolve(&tls.cert), &self.resolve(&tls.key))
                    .map_err(|error| self.problem(format!("{key}.tls"), error.to_string()))
                    .ok()
            });
            out.push(ListenerSpec { name, listen, tls });
        }
        out
    }

    fn upstreams(&mut self, raw: Vec<RawUpstream>) -> Vec<UpstreamSpec> {
        let mut names = HashSet::new();
        let mut out = Vec::new();
        for (i, upstream) in raw.into_iter().enumerate() {
            let key = format!("upstreams[{i}]");
            if upstream.name.is_empty() {
                self.problem(format!("{key}.name"), "expected a non-empty name");
            }
            if !names.insert(upstream.name.clone()) {
                self.problem(
                    format!("{key}.name"),
                    format!("upstream name {:?} is used twice", upstream.name),
                );
            }
            if upstream.addresses.is_empty() {
                self.problem(
                    format!("{key}.addresses"),
                    "expected at least one \"host:port\" address",
                );
            }
            let mut addresses = Vec::new();
            for (j, text) in upstream.addresses.iter().enumerate() {
                match text.to_socket_addrs().map(|mut it| it.next()) {
                    Ok(Some(addr)) => addresses.push(addr),
                    _ => self.problem(
                        format!("{key}.addresses[{j}]"),
                        format!("expected a resolvable \"host:port\" address, got {text:?}"),
                    ),
                }
            }
            let max_idle_per_address = upstream.max_idle_per_address.unwrap_or(64);
            if max_idle_per_address > 100_000 {
                self.problem(
                    format!("{key}.max_idle_per_address"),
                    format!("expected at most 100000, got {max_idle_per_address}"),
                );
            }
            out.push(UpstreamSpec {
                name: upstream.name,
                addresses,
                unhealthy_for: upstream
                    .unhealthy_for
                    .map_or(Duration::from_secs(10), |d| d.0),
                max_idle_per_address,
            });
        }
        out
    }

    fn routes(
        &mut self,
        raw: Vec<RawRoute>,
        upstreams: &[UpstreamSpec],
        server_max_header: u64,
    ) -> Vec<RouteSpec> {
        if raw.is_empty() {
            self.problem("routes", "expected at least one [[routes]] entry");
        }
        let mut names = HashSet::new();
        let mut matchers = HashSet::new();
        let mut out = Vec::new();
        for (i, route) in raw.into_iter().enumerate() {
            let key = format!("routes[{i}]");
            if !names.insert(route.name.clone()) {
                self.problem(
                    format!("{key}.name"),
                    format!("route name {:?} is used twice", route.name),
                );
            }
            let Some(upstream) = upstreams.iter().position(|u| u.name == route.upstream) else {
                let known: Vec<String> =
                    upstreams.iter().map(|u| format!("{:?}", u.name)).collect();
                self.problem(
                    format!("{key}.upstream"),
                    format!(
                        "expected the name of an [[upstreams]] entry, got {:?} (known: {})",
                        route.upstream,
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
                continue;
            };
            let path_prefix = route.path_prefix.unwrap_or_else(|| "/".to_string());
            if !path_prefix.starts_with('/') {
                self.problem(
                    format!("{key}.path_prefix"),
                    format!("expected a path starting with \"/\", got {path_prefix:?}"),
                );
            }
            let host = route
                .host
                .as_deref()
                .map(|h| self.host_pattern(&format!("{key}.host"), h));
            if !matchers.insert((host.clone(), path_prefix.clone())) {
                self.problem(
                    format!("{key}.path_prefix"),
                    "another route already has the same host and path_prefix",
                );
            }
            let limits = RouteLimits {
                max_header_bytes: route.max_header_bytes.map_or(server_max_header, |s| s.0),
                max_body_bytes: route.max_body_bytes.map_or(DEFAULT_MAX_BODY_BYTES, |s| s.0),
                inspect_body_bytes: route
                    .inspect_body_bytes
                    .map_or(DEFAULT_INSPECT_BODY_BYTES, |s| s.0),
                connect_timeout: self.positive(
                    &format!("{key}.connect_timeout"),
                    route
                        .connect_timeout
                        .map_or(Duration::from_secs(5), |d| d.0),
                ),
                response_timeout: self.positive(
                    &format!("{key}.response_timeout"),
                    route
                        .response_timeout
                        .map_or(Duration::from_secs(60), |d| d.0),
                ),
            };
            if limits.max_header_bytes > server_max_header {
                self.problem(
                    format!("{key}.max_header_bytes"),
                    format!(
                        "expected at most server.max_header_bytes ({server_max_header}), got {}",
                        limits.max_header_bytes
                    ),
                );
            }
            if limits.inspect_body_bytes > 64 * 1024 * 1024 {
                self.problem(
                    format!("{key}.inspect_body_bytes"),
                    format!(
                        "expected at most 64MiB (it is held in memory per request), got {} bytes",
                        limits.inspect_body_bytes
                    ),
                );
            }
            let ip_allow = self.ip_set(&format!("{key}.ip_allow"), &route.ip_allow);
            let ip_deny = self.ip_set(&format!("{key}.ip_deny"), &route.ip_deny);
            out.push(RouteSpec {
                name: route.name,
                host,
                path_prefix,
                upstream,
                limits,
                ip_allow,
                ip_deny,
            });
        }
        out
    }

    fn host_pattern(&mut self, key: &str, text: &str) -> HostPattern {
        let lower = text.trim().to_ascii_lowercase();
        let valid_name = |s: &str| {
            !s.is_empty()
                && s.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || b == b'-'
                        || b == b'.'
                        || b == b':'
                        || b == b'['
                        || b == b']'
                })
        };
        match lower.strip_prefix("*.") {
            Some(suffix) if valid_name(suffix) => HostPattern::Suffix(format!(".{suffix}")),
            None if valid_name(&lower) => HostPattern::Exact(lower),
            _ => {
                self.problem(key, format!("expected a host name such as \"api.example.com\" or \"*.example.com\", got {text:?}"));
                HostPattern::Exact(lower)
            }
        }
    }
}

#[cfg(test)]
mod tests;
