//! How long a ban lasts, by how many times the target offended recently.

use serde::Deserialize;

/// The `[prevent.bans]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BanConfig {
    /// Ban durations for the first, second, ... offence; the last repeats.
    #[serde(default = "default_escalation")]
    pub escalation_seconds: Vec<u64>,
    /// A target's offences are forgotten this long after its last ban ends.
    #[serde(default = "default_forget_after")]
    pub forget_after_seconds: u64,
    /// The most targets remembered at once, banned or remembered for
    /// escalation.
    #[serde(default = "default_max_entries")]
    pub max_entries: usize,
}

fn default_escalation() -> Vec<u64> {
    vec![60, 600, 3_600, 86_400]
}

fn default_forget_after() -> u64 {
    86_400
}

fn default_max_entries() -> usize {
    1_000_000
}

impl Default for BanConfig {
    fn default() -> Self {
        BanConfig {
            escalation_seconds: default_escalation(),
            forget_after_seconds: default_forget_after(),
            max_entries: default_max_entries(),
        }
    }
}

/// A ban configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BanConfigError {
    #[error("bans: escalation_seconds needs at least one duration, all above 0")]
    Escalation,
    #[error("bans: max_entries must be at least 1")]
    NoEntries,
}

/// The validated escalation ladder, in milliseconds: what the local ban
/// list applies, and what the shared (Redis) ban script is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanLadder {
    steps_millis: Vec<u64>,
    forget_after_millis: u64,
}

impl BanLadder {
    /// Refuses a ladder with no steps or a zero step.
    pub fn new(config: &BanConfig) -> Result<BanLadder, BanConfigError> {
        let steps = &config.escalation_seconds;
        if steps.is_empty() || steps.contains(&0) {
            return Err(BanConfigError::Escalation);
        }
        Ok(BanLadder {
            steps_millis: steps.iter().map(|s| s.saturating_mul(1_000)).collect(),
            forget_after_millis: config.forget_after_seconds.saturating_mul(1_000),
        })
    }

    /// Ban durations for the first, second, ... offence; the last repeats.
    pub fn steps_millis(&self) -> &[u64] {
        &self.steps_millis
    }

    /// How long a target's offences are remembered after its last ban ends.
    pub fn forget_after_millis(&self) -> u64 {
        self.forget_after_millis
    }

    /// The ban duration for the `strike`-th offence (1-based).
    pub(crate) fn duration_millis(&self, strike: u32) -> u64 {
        let index = (strike.max(1) as usize - 1).min(self.steps_millis.len() - 1);
        self.steps_millis[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_step_repeats() {
        let ladder = BanLadder::new(&BanConfig::default()).unwrap();
        assert_eq!(
            ladder.steps_millis(),
            [60_000, 600_000, 3_600_000, 86_400_000]
        );
        assert_eq!(ladder.forget_after_millis(), 86_400_000);
        assert_eq!(ladder.duration_millis(1), 60_000);
        assert_eq!(ladder.duration_millis(2), 600_000);
        assert_eq!(ladder.duration_millis(4), 86_400_000);
        assert_eq!(ladder.duration_millis(40), 86_400_000);
    }

    #[test]
    fn empty_or_zero_steps_are_refused() {
        let mut config = BanConfig {
            escalation_seconds: vec![],
            ..BanConfig::default()
        };
        assert_eq!(BanLadder::new(&config), Err(BanConfigError::Escalation));
        config.escalation_seconds = vec![60, 0];
        assert_eq!(BanLadder::new(&config), Err(BanConfigError::Escalation));
    }
}
