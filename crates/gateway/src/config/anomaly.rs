//! `[behave.anomaly]`: the learned anomaly model of the `behave` stage
//! (`rampart_behave::anomaly`), checked key by key, with warnings for
//! settings that make it blind or let one client teach it.

use super::units::ConfigDuration;
use super::Validator;
use rampart_behave::anomaly::AnomalyConfig;
use serde::Deserialize;

/// `[behave.anomaly]` as written; see `rampart_behave::anomaly::AnomalyConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnomaly {
    pub enabled: Option<bool>,
    pub warmup_values: Option<usize>,
    pub quorum_clients: Option<usize>,
    pub per_client_values: Option<usize>,
    pub factor: Option<f64>,
    pub deviations: Option<f64>,
    pub min_length: Option<usize>,
    pub rare_share: Option<f64>,
    pub numeric_share: Option<f64>,
    pub range_slack: Option<f64>,
    pub score: Option<f64>,
    pub warmup_minutes: Option<usize>,
    pub min_rate: Option<usize>,
    pub memory: Option<ConfigDuration>,
    pub max_endpoints: Option<usize>,
    pub max_parameters: Option<usize>,
    pub max_clients: Option<usize>,
}

/// Distinct clients a profile can be asked to wait for: each is kept.
const MAX_QUORUM: usize = 64;

impl Validator<'_> {
    /// The model's settings, `None` when `enabled = false`.
    pub(super) fn anomaly(&mut self, raw: RawAnomaly) -> Option<AnomalyConfig> {
        let d = AnomalyConfig::default();
        let key = |name: &str| format!("behave.anomaly.{name}");
        let quorum_clients = self.count(
            &key("quorum_clients"),
            raw.quorum_clients,
            d.quorum_clients,
            1,
            MAX_QUORUM,
        );
        if quorum_clients == 1 {
            self.warn(
                key("quorum_clients"),
                "1: a single client's values can make a parameter's profile, odd values included",
            );
        }
        let rare_share = self.ratio(&key("rare_share"), raw.rare_share.unwrap_or(d.rare_share));
        if rare_share == 0.0 {
            self.warn(
                key("rare_share"),
                "0: no character class is ever unusual, however rarely a parameter has it",
            );
        }
        let numeric_share = raw.numeric_share.unwrap_or(d.numeric_share);
        if !(0.5..=1.0).contains(&numeric_share) {
            self.problem(
                key("numeric_share"),
                format!(
                    "expected a share between 0.5 and 1 (most values numbers), got {numeric_share}"
                ),
            );
        }
        let range_slack = self.at_least(
            &key("range_slack"),
            raw.range_slack.unwrap_or(d.range_slack),
            0.0,
        );
        if range_slack == 0.0 {
            self.warn(
                key("range_slack"),
                "0: any number past the lowest or highest learned is out of range",
            );
        }
        let score = raw.score.unwrap_or(d.score);
        if !(score.is_finite() && score >= 0.0) {
            self.problem(
                key("score"),
                format!("expected a number of 0 or more, got {score}"),
            );
        } else if score == 0.0 {
            self.warn(
                key("score"),
                "0: anomalies are recorded but add nothing to a request's score",
            );
        }
        let config = AnomalyConfig {
            warmup_values: self.count(
                &key("warmup_values"),
                raw.warmup_values,
                d.warmup_values,
                1,
                1_000_000,
            ),
            quorum_clients,
            per_client_values: self.count(
                &key("per_client_values"),
                raw.per_client_values,
                d.per_client_values,
                1,
                1_000_000,
            ),
            factor: self.at_least(&key("factor"), raw.factor.unwrap_or(d.factor), 1.0),
            deviations: self.at_least(
                &key("deviations"),
                raw.deviations.unwrap_or(d.deviations),
                0.0,
            ),
            min_length: self.count(
                &key("min_length"),
                raw.min_length,
                d.min_length,
                0,
                1_000_000,
            ),
            rare_share,
            numeric_share,
            range_slack,
            score,
            warmup_minutes: self.count(
                &key("warmup_minutes"),
                raw.warmup_minutes,
                d.warmup_minutes,
                1,
                7 * 24 * 60,
            ),
            min_rate: self.count(&key("min_rate"), raw.min_rate, d.min_rate, 1, 10_000_000),
            memory: self.positive(&key("memory"), raw.memory.map_or(d.memory, |m| m.0)),
            max_endpoints: self.count(
                &key("max_endpoints"),
                raw.max_endpoints,
                d.max_endpoints,
                1,
                1_000_000,
            ),
            max_parameters: self.count(
                &key("max_parameters"),
                raw.max_parameters,
                d.max_parameters,
                1,
                1024,
            ),
            max_clients: self.count(
                &key("max_clients"),
                raw.max_clients,
                d.max_clients,
                1,
                1_000_000,
            ),
        };
        if config.per_client_values >= config.warmup_values {
            self.warn(
                key("per_client_values"),
                format!(
                    "not below warmup_values ({}): one client's values can fill a profile's warm-up",
                    config.warmup_values
                ),
            );
        }
        raw.enabled.unwrap_or(true).then_some(config)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::GatewayConfig;
    use std::path::Path;

    const MINIMAL: &str = "[[listeners]]\nlisten = \"127.0.0.1:8080\"\n\n[[upstreams]]\nname = \"api\"\naddresses = [\"127.0.0.1:3000\"]\n\n[[routes]]\nname = \"all\"\nupstream = \"api\"\n";

    fn parse(section: &str) -> Result<GatewayConfig, String> {
        let stages = "[pipeline]\nstages = [\"discover\", \"behave\"]\n";
        let text = format!("{stages}[behave.anomaly]\n{section}\n{MINIMAL}");
        GatewayConfig::parse(Path::new("/etc/rampart/rampart.toml"), &text)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_model_is_on_by_default_and_off_when_asked() {
        let config = parse("").unwrap();
        assert_eq!(config.behave.anomaly, Some(Default::default()));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(parse("enabled = false").unwrap().behave.anomaly, None);
        let tuned = parse("warmup_values = 100\nmemory = \"1d\"")
            .unwrap()
            .behave
            .anomaly
            .unwrap();
        assert_eq!((tuned.warmup_values, tuned.memory.as_secs()), (100, 86_400));
    }

    #[test]
    fn bad_values_are_refused_with_the_file_and_key_and_blinding_ones_warned_about() {
        let bad = "quorum_clients = 0\nnumeric_share = 0.3\nfactor = 0.5\nrare_share = 2\nscore = -1\nwarmup_minutes = 0\nmemory = \"0s\"\nmax_parameters = 5000\nwarmup = 3";
        assert!(
            parse(bad).unwrap_err().contains("warmup"),
            "unknown keys are refused"
        );
        let errors = parse(&bad.replace("\nwarmup = 3", "")).unwrap_err();
        for expected in [
            "/etc/rampart/rampart.toml: behave.anomaly.quorum_clients: expected a number between 1 and 64, got 0",
            "behave.anomaly.numeric_share: expected a share between 0.5 and 1 (most values numbers), got 0.3",
            "behave.anomaly.factor: expected a number of 1 or more, got 0.5",
            "behave.anomaly.rare_share: expected a number between 0 and 1, got 2",
            "behave.anomaly.score: expected a number of 0 or more, got -1",
            "behave.anomaly.warmup_minutes: expected a number between 1 and 10080, got 0",
            "behave.anomaly.memory: expected a duration greater than zero",
            "behave.anomaly.max_parameters: expected a number between 1 and 1024, got 5000",
        ] {
            assert!(errors.contains(expected), "{expected} in {errors}");
        }
        let blind = parse("quorum_clients = 1\nrare_share = 0\nrange_slack = 0\nscore = 0\nper_client_values = 50").unwrap();
        let warned: Vec<&str> = blind.warnings.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(
            warned,
            [
                "behave.anomaly.quorum_clients",
                "behave.anomaly.rare_share",
                "behave.anomaly.range_slack",
                "behave.anomaly.score",
                "behave.anomaly.per_client_values",
            ]
        );
    }
}
