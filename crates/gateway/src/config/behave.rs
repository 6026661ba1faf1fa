//! `[behave]` and its detectors' tables (`[behave.bola]`, `[behave.ato]`,
//! `[behave.bfla]`, `[behave.slow]`, `[behave.exposure]`,
//! `[behave.enumeration]`; `[behave.signup]` and `[behave.otp]` are read in
//! `floods`, `[behave.anomaly]` in `anomaly`): the settings of the `behave` stage, checked key
//! by key, and the warnings for a stage or a signal that could do nothing.

use super::raw::{RawAto, RawBehave, RawBfla, RawBola, RawEnumeration, RawExposure, RawSlow};
use super::{StageKind, Validator};
use rampart_behave::anomaly::AnomalyConfig;
use rampart_behave::ato::enumeration::EnumerationConfig;
use rampart_behave::ato::shared::{AtoSecret, MIN_SECRET_CHARS};
use rampart_behave::ato::AtoConfig;
use rampart_behave::bfla::BflaConfig;
use rampart_behave::bola::BolaConfig;
use rampart_behave::exposure::ExposureConfig;
use rampart_behave::otp::OtpConfig;
use rampart_behave::signup::SignupConfig;
use rampart_behave::slow::SlowConfig;
use rampart_discover::function::BusinessFunction;
use rampart_prevent::policy::Mode;

/// What the `behave` stage runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct BehaveSettings {
    /// `monitor`: record what would have been refused, refuse nothing.
    pub mode: Mode,
    /// The sum of an exchange's behaviour signal scores that refuses it.
    pub block_score: f64,
    pub bola: BolaConfig,
    pub ato: AtoConfig,
    /// `[behave.ato] secret`: with `[redis]`, account-takeover counts are
    /// kept in Redis under keys hashed with it.
    pub ato_secret: Option<AtoSecret>,
    pub bfla: BflaConfig,
    pub slow: SlowConfig,
    pub exposure: ExposureConfig,
    pub enumeration: EnumerationConfig,
    pub signup: SignupConfig,
    pub otp: OtpConfig,
    /// `[behave.anomaly]`, unless `enabled = false`.
    pub anomaly: Option<AnomalyConfig>,
    /// How much of each response body the detector reads for ids.
    pub sample_body_bytes: usize,
}

impl Default for BehaveSettings {
    fn default() -> Self {
        BehaveSettings {
            mode: Mode::Enforce,
            block_score: 5.0,
            bola: BolaConfig::default(),
            ato: AtoConfig::default(),
            ato_secret: None,
            bfla: BflaConfig::default(),
            slow: SlowConfig::default(),
            exposure: ExposureConfig {
                exempt_functions: credential_functions(),
                ..ExposureConfig::default()
            },
            enumeration: EnumerationConfig::default(),
            signup: SignupConfig::default(),
            otp: OtpConfig::default(),
            anomaly: Some(AnomalyConfig::default()),
            sample_body_bytes: 64 * 1024,
        }
    }
}

/// Discovery's business functions whose answers hand out credentials.
fn credential_functions() -> Vec<String> {
    BusinessFunction::ALL
        .iter()
        .filter(|f| f.hands_out_credentials())
        .map(|f| f.as_str().to_string())
        .collect()
}

/// Bounds on every `max_*` key: a typo must not ask for unbounded memory.
const MAX_ENTRIES: usize = 10_000_000;

impl Validator<'_> {
    pub(super) fn behave(
        &mut self,
        raw: Option<RawBehave>,
        stages: &[StageKind],
    ) -> BehaveSettings {
        let position = |kind| stages.iter().position(|s| *s == kind);
        match (position(StageKind::Behave), position(StageKind::Discover)) {
            (None, _) if raw.is_some() => self.warn(
                "behave",
                "the \"behave\" stage is not listed in pipeline.stages: these settings do nothing",
            ),
            (Some(_), None) => self.warn(
                "pipeline.stages",
                "\"behave\" needs the \"discover\" stage for endpoint templates: without it no request is judged",
            ),
            (Some(behave), Some(discover)) if behave < discover => self.warn(
                "pipeline.stages",
                "\"behave\" is listed before \"discover\": it runs before the endpoint is known and judges nothing",
            ),
            _ => {}
        }
        let raw = raw.unwrap_or_default();
        let defaults = BehaveSettings::default();
        let block_score = raw.block_score.unwrap_or(defaults.block_score);
        if !(block_score.is_finite() && block_score > 0.0) {
            self.problem(
                "behave.block_score",
                format!("expected a number above 0, got {block_score}"),
            );
        }
        let (bola, sample_body_bytes) = self.bola(raw.bola.unwrap_or_default());
        if bola.walk_score * 2.0 < block_score && bola.walk_score + bola.foreign_score < block_score
        {
            self.warn(
                "behave.block_score",
                format!(
                    "no BOLA signal reaches {block_score} (walk_score {} grows to twice that at most): no walk is refused",
                    bola.walk_score
                ),
            );
        }
        let mut raw_ato = raw.ato.unwrap_or_default();
        let ato_secret = self.ato_secret(raw_ato.secret.take());
        let ato = self.ato(raw_ato);
        let bfla = self.bfla(raw.bfla.unwrap_or_default());
        let slow = self.slow(raw.slow.unwrap_or_default());
        let exposure = self.exposure(raw.exposure.unwrap_or_default());
        let enumeration = self.enumeration(raw.enumeration.unwrap_or_default());
        let signup = self.signup(raw.signup.unwrap_or_default());
        let otp = self.otp(raw.otp.unwrap_or_default());
        let anomaly = self.anomaly(raw.anomaly.unwrap_or_default());
        // The strongest refusable signal of each detector (most grow to
        // twice their score); BOLA's walks are warned about above.
        let strongest = [
            (
                "account takeover",
                // The distributed signal does not grow.
                (2.0 * ato.brute_force_score.max(ato.stuffing_score)).max(ato.distributed_score),
            ),
            (
                "function-level authorisation",
                bfla.escalation_score.max(2.0 * bfla.denied_score),
            ),
            ("slow upstream", 2.0 * slow.repeated_score),
            ("data exposure", 2.0 * exposure.repeated_score),
            ("account enumeration", 2.0 * enumeration.score),
            (
                "fake accounts",
                2.0 * signup.burst_score.max(signup.lookalike_score),
            ),
            (
                "one-time codes",
                2.0 * otp.victim_score.max(otp.pumping_score),
            ),
        ];
        let short: Vec<String> = strongest
            .iter()
            .filter(|(_, score)| *score < block_score)
            .map(|(name, score)| format!("{name} (at most {score})"))
            .collect();
        if !short.is_empty() {
            self.warn(
                "behave.block_score",
                format!(
                    "no signal of {} reaches {block_score}: they are recorded, never refused",
                    short.join(", ")
                ),
            );
        }
        BehaveSettings {
            mode: raw.mode.unwrap_or(defaults.mode),
            block_score,
            bola,
            ato,
            ato_secret,
            bfla,
            slow,
            exposure,
            enumeration,
            signup,
            otp,
            anomaly,
            sample_body_bytes,
        }
    }

    fn bola(&mut self, raw: RawBola) -> (BolaConfig, usize) {
        let d = BolaConfig::default();
        let walk_ids = self.count("behave.bola.walk_ids", raw.walk_ids, d.walk_ids, 2, 1000);
        let shared_owners = self.count(
            "behave.bola.shared_owners",
            raw.shared_owners,
            d.shared_owners,
            1,
            64,
        );
        let max_principals = self.count(
            "behave.bola.max_principals",
            raw.max_principals,
            d.max_principals,
            1,
            MAX_ENTRIES,
        );
        let max_ids_per_principal = self.count(
            "behave.bola.max_ids_per_principal",
            raw.max_ids_per_principal,
            d.max_ids_per_principal,
            1,
            1_000_000,
        );
        let max_walks_per_principal = self.count(
            "behave.bola.max_walks_per_principal",
            raw.max_walks_per_principal,
            d.max_walks_per_principal,
            1,
            10_000,
        );
        let max_objects = self.count(
            "behave.bola.max_objects",
            raw.max_objects,
            d.max_objects,
            1,
            MAX_ENTRIES,
        );
        let max_ids_per_response = self.count(
            "behave.bola.max_ids_per_response",
            raw.max_ids_per_response,
            d.max_ids_per_response,
            1,
            10_000,
        );
        let walk_score = self.score(
            "behave.bola.walk_score",
            raw.walk_score.unwrap_or(d.walk_score),
        );
        let foreign_score = self.score(
            "behave.bola.foreign_score",
            raw.foreign_score.unwrap_or(d.foreign_score),
        );
        if shared_owners == 1 {
            self.warn(
                "behave.bola.shared_owners",
                "1 makes every owned object shared: no request is a foreign-object signal",
            );
        }
        let window = self.positive("behave.bola.window", raw.window.map_or(d.window, |w| w.0));
        let memory = self.positive("behave.bola.memory", raw.memory.map_or(d.memory, |m| m.0));
        if memory < window {
            self.warn(
                "behave.bola.memory",
                "shorter than behave.bola.window: walks are forgotten before their window ends",
            );
        }
        let sample_body_bytes = raw.sample_body_bytes.map_or(64 * 1024, |s| s.0);
        if sample_body_bytes > 1024 * 1024 {
            self.problem(
                "behave.bola.sample_body_bytes",
                format!("expected at most 1MiB, got {sample_body_bytes} bytes"),
            );
        }
        let exempt_functions = self.functions(
            "behave.bola.exempt_functions",
            raw.exempt_functions.unwrap_or(d.exempt_functions),
        );
        let bola = BolaConfig {
            window,
            memory,
            walk_ids,
            walk_score,
            foreign_score,
            shared_owners,
            max_principals,
            max_ids_per_principal,
            max_walks_per_principal,
            max_objects,
            max_ids_per_response,
            exempt_users: raw.exempt_users.unwrap_or_default(),
            exempt_api_keys: raw.exempt_api_keys.unwrap_or_default(),
            exempt_functions,
        };
        (bola, sample_body_bytes as usize)
    }

    fn ato(&mut self, raw: RawAto) -> AtoConfig {
        let d = AtoConfig::default();
        let brute_force_failures = self.count(
            "behave.ato.brute_force_failures",
            raw.brute_force_failures,
            d.brute_force_failures,
            2,
            10_000,
        );
        let stuffing_usernames = self.count(
            "behave.ato.stuffing_usernames",
            raw.stuffing_usernames,
            d.stuffing_usernames,
            2,
            10_000,
        );
        let stuffing_usernames_per_asn = self.count(
            "behave.ato.stuffing_usernames_per_asn",
            raw.stuffing_usernames_per_asn,
            d.stuffing_usernames_per_asn,
            2,
            10_000,
        );
        if stuffing_usernames_per_asn < stuffing_usernames {
            self.warn(
                "behave.ato.stuffing_usernames_per_asn",
                format!("below stuffing_usernames ({stuffing_usernames}): a whole provider, where many people log in, is judged more strictly than one address"),
            );
        }
        let distributed_sources = self.count(
            "behave.ato.distributed_sources",
            raw.distributed_sources,
            d.distributed_sources,
            2,
            10_000,
        );
        let max_sources = self.count(
            "behave.ato.max_sources",
            raw.max_sources,
            d.max_sources,
            1,
            MAX_ENTRIES,
        );
        let max_accounts = self.count(
            "behave.ato.max_accounts",
            raw.max_accounts,
            d.max_accounts,
            1,
            MAX_ENTRIES,
        );
        let max_attempts_per_key = self.count(
            "behave.ato.max_attempts_per_key",
            raw.max_attempts_per_key,
            d.max_attempts_per_key,
            1,
            100_000,
        );
        let highest = brute_force_failures
            .max(stuffing_usernames)
            .max(stuffing_usernames_per_asn)
            .max(distributed_sources);
        if max_attempts_per_key < highest {
            self.warn(
                "behave.ato.max_attempts_per_key",
                format!("below a threshold ({highest}): that signal can never be raised"),
            );
        }
        let stuffing_failure_ratio = self.ratio(
            "behave.ato.stuffing_failure_ratio",
            raw.stuffing_failure_ratio
                .unwrap_or(d.stuffing_failure_ratio),
        );
        if stuffing_failure_ratio == 0.0 {
            self.warn(
                "behave.ato.stuffing_failure_ratio",
                "0: a shared address where many people log in, mostly successfully, is reported as credential stuffing",
            );
        }
        let window = self.positive("behave.ato.window", raw.window.map_or(d.window, |w| w.0));
        let username_fields = raw.username_fields.unwrap_or(d.username_fields);
        if username_fields.is_empty() {
            self.problem(
                "behave.ato.username_fields",
                "expected at least one field name: without a username no attempt is remembered",
            );
        }
        AtoConfig {
            window,
            brute_force_failures,
            stuffing_usernames,
            stuffing_usernames_per_asn,
            stuffing_failure_ratio,
            distributed_sources,
            brute_force_score: self.score(
                "behave.ato.brute_force_score",
                raw.brute_force_score.unwrap_or(d.brute_force_score),
            ),
            stuffing_score: self.score(
                "behave.ato.stuffing_score",
                raw.stuffing_score.unwrap_or(d.stuffing_score),
            ),
            distributed_score: self.score(
                "behave.ato.distributed_score",
                raw.distributed_score.unwrap_or(d.distributed_score),
            ),
            max_sources,
            max_accounts,
            max_attempts_per_key,
            username_fields,
            failure_words: raw.failure_words.unwrap_or(d.failure_words),
        }
    }

    fn ato_secret(&mut self, secret: Option<String>) -> Option<AtoSecret> {
        let secret = secret?;
        let chars = secret.chars().count();
        let checked = AtoSecret::new(secret);
        if checked.is_none() {
            self.problem(
                "behave.ato.secret",
                format!("expected at least {MIN_SECRET_CHARS} characters, the same on every gateway, got {chars}"),
            );
        }
        checked
    }

    /// Warns when `[behave.ato] secret` and `[redis]` come one without the
    /// other: account-takeover, sign-up and code counts are shared only
    /// with both.
    pub(super) fn ato_sharing(
        &mut self,
        behave: &BehaveSettings,
        redis: bool,
        stages: &[StageKind],
    ) {
        if !stages.contains(&StageKind::Behave) {
            return;
        }
        match (behave.ato_secret.is_some(), redis) {
            (true, false) => self.warn(
                "behave.ato.secret",
                "does nothing without [redis]: account-takeover, sign-up and code counts stay in this gateway",
            ),
            (false, true) => self.warn(
                "behave.ato.secret",
                "not set while [redis] is: account-takeover, sign-up and code counts stay per \
                 gateway, so N gateways behind a load balancer each see a share of a credential-stuffing \
                 run or a burst; set the same secret on every gateway to count them in Redis",
            ),
            _ => {}
        }
    }

    fn bfla(&mut self, raw: RawBfla) -> BflaConfig {
        let d = BflaConfig::default();
        let admin_functions = self.functions(
            "behave.bfla.admin_functions",
            raw.admin_functions.unwrap_or(d.admin_functions),
        );
        if admin_functions.is_empty() {
            self.warn(
                "behave.bfla.admin_functions",
                "empty: no call is admin work, function-level authorisation judges nothing",
            );
        }
        let escalation_score = self.score(
            "behave.bfla.escalation_score",
            raw.escalation_score.unwrap_or(d.escalation_score),
        );
        let new_principal_score = self.score(
            "behave.bfla.new_principal_score",
            raw.new_principal_score.unwrap_or(d.new_principal_score),
        );
        if new_principal_score > escalation_score {
            self.warn(
                "behave.bfla.new_principal_score",
                "above escalation_score: a principal with no history weighs more than one known to do no admin work",
            );
        }
        BflaConfig {
            admin_functions,
            established_requests: self.count(
                "behave.bfla.established_requests",
                raw.established_requests,
                d.established_requests,
                1,
                1_000_000,
            ),
            escalation_score,
            new_principal_score,
            denied_requests: self.count(
                "behave.bfla.denied_requests",
                raw.denied_requests,
                d.denied_requests,
                1,
                10_000,
            ),
            denied_window: self.positive(
                "behave.bfla.denied_window",
                raw.denied_window.map_or(d.denied_window, |w| w.0),
            ),
            denied_score: self.score(
                "behave.bfla.denied_score",
                raw.denied_score.unwrap_or(d.denied_score),
            ),
            memory: self.positive("behave.bfla.memory", raw.memory.map_or(d.memory, |m| m.0)),
            max_principals: self.count(
                "behave.bfla.max_principals",
                raw.max_principals,
                d.max_principals,
                1,
                MAX_ENTRIES,
            ),
            admin_users: raw.admin_users.unwrap_or_default(),
            admin_api_keys: raw.admin_api_keys.unwrap_or_default(),
        }
    }

    fn slow(&mut self, raw: RawSlow) -> SlowConfig {
        let d = SlowConfig::default();
        SlowConfig {
            warmup_answers: self.count(
                "behave.slow.warmup_answers",
                raw.warmup_answers,
                d.warmup_answers,
                1,
                100_000,
            ),
            factor: self.at_least("behave.slow.factor", raw.factor.unwrap_or(d.factor), 1.0),
            deviations: self.at_least(
                "behave.slow.deviations",
                raw.deviations.unwrap_or(d.deviations),
                0.0,
            ),
            min_slow: self.positive(
                "behave.slow.min_slow",
                raw.min_slow.map_or(d.min_slow, |m| m.0),
            ),
            score: self.score("behave.slow.score", raw.score.unwrap_or(d.score)),
            repeated_requests: self.count(
                "behave.slow.repeated_requests",
                raw.repeated_requests,
                d.repeated_requests,
                1,
                10_000,
            ),
            window: self.positive("behave.slow.window", raw.window.map_or(d.window, |w| w.0)),
            repeated_score: self.score(
                "behave.slow.repeated_score",
                raw.repeated_score.unwrap_or(d.repeated_score),
            ),
            memory: self.positive("behave.slow.memory", raw.memory.map_or(d.memory, |m| m.0)),
            max_endpoints: self.count(
                "behave.slow.max_endpoints",
                raw.max_endpoints,
                d.max_endpoints,
                1,
                MAX_ENTRIES,
            ),
            max_clients: self.count(
                "behave.slow.max_clients",
                raw.max_clients,
                d.max_clients,
                1,
                MAX_ENTRIES,
            ),
        }
    }

    fn exposure(&mut self, raw: RawExposure) -> ExposureConfig {
        let d = ExposureConfig::default();
        ExposureConfig {
            secret_score: self.score(
                "behave.exposure.secret_score",
                raw.secret_score.unwrap_or(d.secret_score),
            ),
            warmup_answers: self.count(
                "behave.exposure.warmup_answers",
                raw.warmup_answers,
                d.warmup_answers,
                1,
                100_000,
            ),
            factor: self.at_least(
                "behave.exposure.factor",
                raw.factor.unwrap_or(d.factor),
                1.0,
            ),
            min_excess: self.count(
                "behave.exposure.min_excess",
                raw.min_excess,
                d.min_excess,
                1,
                100_000,
            ),
            excess_score: self.score(
                "behave.exposure.excess_score",
                raw.excess_score.unwrap_or(d.excess_score),
            ),
            repeated_responses: self.count(
                "behave.exposure.repeated_responses",
                raw.repeated_responses,
                d.repeated_responses,
                1,
                10_000,
            ),
            window: self.positive(
                "behave.exposure.window",
                raw.window.map_or(d.window, |w| w.0),
            ),
            repeated_score: self.score(
                "behave.exposure.repeated_score",
                raw.repeated_score.unwrap_or(d.repeated_score),
            ),
            exempt_functions: self.functions(
                "behave.exposure.exempt_functions",
                raw.exempt_functions.unwrap_or_else(credential_functions),
            ),
            exempt_templates: raw.exempt_templates.unwrap_or_default(),
            memory: self.positive(
                "behave.exposure.memory",
                raw.memory.map_or(d.memory, |m| m.0),
            ),
            max_endpoints: self.count(
                "behave.exposure.max_endpoints",
                raw.max_endpoints,
                d.max_endpoints,
                1,
                MAX_ENTRIES,
            ),
            max_clients: self.count(
                "behave.exposure.max_clients",
                raw.max_clients,
                d.max_clients,
                1,
                MAX_ENTRIES,
            ),
        }
    }

    fn enumeration(&mut self, raw: RawEnumeration) -> EnumerationConfig {
        let d = EnumerationConfig::default();
        let usernames = self.count(
            "behave.enumeration.usernames",
            raw.usernames,
            d.usernames,
            2,
            10_000,
        );
        let max_answers_per_source = self.count(
            "behave.enumeration.max_answers_per_source",
            raw.max_answers_per_source,
            d.max_answers_per_source,
            1,
            100_000,
        );
        if max_answers_per_source < usernames {
            self.warn(
                "behave.enumeration.max_answers_per_source",
                format!("below usernames ({usernames}): enumeration can never be reported"),
            );
        }
        EnumerationConfig {
            window: self.positive(
                "behave.enumeration.window",
                raw.window.map_or(d.window, |w| w.0),
            ),
            usernames,
            failure_ratio: self.ratio(
                "behave.enumeration.failure_ratio",
                raw.failure_ratio.unwrap_or(d.failure_ratio),
            ),
            score: self.score("behave.enumeration.score", raw.score.unwrap_or(d.score)),
            functions: self.functions(
                "behave.enumeration.functions",
                raw.functions.unwrap_or(d.functions),
            ),
            max_sources: self.count(
                "behave.enumeration.max_sources",
                raw.max_sources,
                d.max_sources,
                1,
                MAX_ENTRIES,
            ),
            max_answers_per_source,
            max_leaking_endpoints: self.count(
                "behave.enumeration.max_leaking_endpoints",
                raw.max_leaking_endpoints,
                d.max_leaking_endpoints,
                1,
                1_000_000,
            ),
        }
    }

    /// Business function names, each checked against discovery's.
    fn functions(&mut self, key: &str, names: Vec<String>) -> Vec<String> {
        for (i, name) in names.iter().enumerate() {
            if !BusinessFunction::ALL.iter().any(|f| f.as_str() == name) {
                let known: Vec<String> = BusinessFunction::ALL
                    .iter()
                    .map(|f| format!("{:?}", f.as_str()))
                    .collect();
                self.problem(
                    format!("{key}[{i}]"),
                    format!("expected one of {}, got {name:?}", known.join(", ")),
                );
            }
        }
        names
    }

    /// A share, between 0 and 1.
    pub(super) fn ratio(&mut self, key: &str, value: f64) -> f64 {
        if !(0.0..=1.0).contains(&value) {
            self.problem(
                key,
                format!("expected a number between 0 and 1, got {value}"),
            );
        }
        value
    }

    /// A number of `low` or more (a multiplier of a baseline: 1).
    pub(super) fn at_least(&mut self, key: &str, value: f64, low: f64) -> f64 {
        if !(value.is_finite() && value >= low) {
            self.problem(
                key,
                format!("expected a number of {low} or more, got {value}"),
            );
        }
        value
    }

    /// A count setting, `default` when absent, checked against its range.
    pub(super) fn count(
        &mut self,
        key: &str,
        value: Option<usize>,
        default: usize,
        low: usize,
        high: usize,
    ) -> usize {
        let value = value.unwrap_or(default);
        if !(low..=high).contains(&value) {
            self.problem(
                key,
                format!("expected a number between {low} and {high}, got {value}"),
            );
        }
        value
    }

    pub(super) fn score(&mut self, key: &str, value: f64) -> f64 {
        if !(value.is_finite() && value >= 0.0) {
            self.problem(key, format!("expected a number of 0 or more, got {value}"));
        } else if value == 0.0 {
            self.warn(
                key,
                "0: this signal is recorded but never counts towards behave.block_score",
            );
        }
        value
    }
}
