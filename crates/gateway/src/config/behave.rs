//! `[behave]`, `[behave.bola]` and `[behave.ato]`: the settings of the `behave` stage,
//! checked key by key, and the warnings for a stage that could do nothing
//! where it is listed.

use super::raw::{RawAto, RawBehave, RawBola};
use super::{StageKind, Validator};
use rampart_behave::ato::AtoConfig;
use rampart_behave::bola::BolaConfig;
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
            sample_body_bytes: 64 * 1024,
        }
    }
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
        let ato = self.ato(raw.ato.unwrap_or_default());
        // Each account-takeover signal grows to twice its score at most.
        let strongest_ato = ato
            .brute_force_score
            .max(ato.stuffing_score)
            .max(ato.distributed_score);
        if strongest_ato * 2.0 < block_score {
            self.warn(
                "behave.block_score",
                format!(
                    "no account-takeover signal reaches {block_score} (the strongest, {strongest_ato}, grows to twice that at most): no login attack is refused"
                ),
            );
        }
        BehaveSettings {
            mode: raw.mode.unwrap_or(defaults.mode),
            block_score,
            bola,
            ato,
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
        let exempt_functions = raw.exempt_functions.unwrap_or(d.exempt_functions);
        for (i, name) in exempt_functions.iter().enumerate() {
            if !BusinessFunction::ALL.iter().any(|f| f.as_str() == name) {
                let known: Vec<String> = BusinessFunction::ALL
                    .iter()
                    .map(|f| format!("{:?}", f.as_str()))
                    .collect();
                self.problem(
                    format!("behave.bola.exempt_functions[{i}]"),
                    format!("expected one of {}, got {name:?}", known.join(", ")),
                );
            }
        }
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
            .max(distributed_sources);
        if max_attempts_per_key < highest {
            self.warn(
                "behave.ato.max_attempts_per_key",
                format!("below a threshold ({highest}): that signal can never be raised"),
            );
        }
        let stuffing_failure_ratio = raw
            .stuffing_failure_ratio
            .unwrap_or(d.stuffing_failure_ratio);
        if !(0.0..=1.0).contains(&stuffing_failure_ratio) {
            self.problem(
                "behave.ato.stuffing_failure_ratio",
                format!("expected a number between 0 and 1, got {stuffing_failure_ratio}"),
            );
        } else if stuffing_failure_ratio == 0.0 {
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

    fn score(&mut self, key: &str, value: f64) -> f64 {
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
