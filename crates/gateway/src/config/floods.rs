//! `[behave.signup]` and `[behave.otp]`: the fake-account and
//! one-time-code flood detectors (`rampart_behave::signup`,
//! `rampart_behave::otp`), checked key by key. Both count requests in a
//! tally whose bounds (`max_sources`, `max_subjects`,
//! `max_entries_per_key`) are read the same way.

use super::raw::{RawOtp, RawSignup};
use super::Validator;
use rampart_behave::otp::OtpConfig;
use rampart_behave::signup::SignupConfig;
use rampart_behave::TallyBounds;

/// Bound on every `max_*` key: a typo must not ask for unbounded memory.
const MAX_ENTRIES: usize = 10_000_000;

impl Validator<'_> {
    pub(super) fn signup(&mut self, raw: RawSignup) -> SignupConfig {
        let d = SignupConfig::default();
        let key = |name: &str| format!("behave.signup.{name}");
        let per_source = self.count(&key("per_source"), raw.per_source, d.per_source, 2, 100_000);
        let lookalike_accounts = self.count(
            &key("lookalike_accounts"),
            raw.lookalike_accounts,
            d.lookalike_accounts,
            2,
            100_000,
        );
        let bounds = self.tally_bounds(
            "behave.signup",
            [raw.max_sources, raw.max_subjects, raw.max_entries_per_key],
            per_source.max(lookalike_accounts),
        );
        let account_fields = raw.account_fields.unwrap_or(d.account_fields);
        self.fields(&key("account_fields"), &account_fields);
        SignupConfig {
            window: self.positive(&key("window"), raw.window.map_or(d.window, |w| w.0)),
            per_source,
            lookalike_accounts,
            burst_score: self.score(
                &key("burst_score"),
                raw.burst_score.unwrap_or(d.burst_score),
            ),
            lookalike_score: self.score(
                &key("lookalike_score"),
                raw.lookalike_score.unwrap_or(d.lookalike_score),
            ),
            bounds,
            account_fields,
        }
    }

    pub(super) fn otp(&mut self, raw: RawOtp) -> OtpConfig {
        let d = OtpConfig::default();
        let key = |name: &str| format!("behave.otp.{name}");
        let per_recipient = self.count(
            &key("per_recipient"),
            raw.per_recipient,
            d.per_recipient,
            2,
            100_000,
        );
        let recipients_per_source = self.count(
            &key("recipients_per_source"),
            raw.recipients_per_source,
            d.recipients_per_source,
            2,
            100_000,
        );
        let bounds = self.tally_bounds(
            "behave.otp",
            [raw.max_sources, raw.max_subjects, raw.max_entries_per_key],
            per_recipient.max(recipients_per_source),
        );
        let recipient_fields = raw.recipient_fields.unwrap_or(d.recipient_fields);
        self.fields(&key("recipient_fields"), &recipient_fields);
        OtpConfig {
            window: self.positive(&key("window"), raw.window.map_or(d.window, |w| w.0)),
            per_recipient,
            recipients_per_source,
            victim_score: self.score(
                &key("victim_score"),
                raw.victim_score.unwrap_or(d.victim_score),
            ),
            pumping_score: self.score(
                &key("pumping_score"),
                raw.pumping_score.unwrap_or(d.pumping_score),
            ),
            bounds,
            recipient_fields,
        }
    }

    /// A tally's bounds under `table` (`max_sources`, `max_subjects`,
    /// `max_entries_per_key`, as given); `highest` is the largest threshold
    /// counted in one key's window, which `max_entries_per_key` must hold.
    fn tally_bounds(
        &mut self,
        table: &str,
        [max_sources, max_subjects, max_entries_per_key]: [Option<usize>; 3],
        highest: usize,
    ) -> TallyBounds {
        let d = TallyBounds::default();
        let max_entries_per_key = self.count(
            &format!("{table}.max_entries_per_key"),
            max_entries_per_key,
            d.max_entries_per_key,
            1,
            100_000,
        );
        if max_entries_per_key < highest {
            self.warn(
                format!("{table}.max_entries_per_key"),
                format!("below a threshold ({highest}): that signal can never be raised"),
            );
        }
        TallyBounds {
            max_sources: self.count(
                &format!("{table}.max_sources"),
                max_sources,
                d.max_sources,
                1,
                MAX_ENTRIES,
            ),
            max_subjects: self.count(
                &format!("{table}.max_subjects"),
                max_subjects,
                d.max_subjects,
                1,
                MAX_ENTRIES,
            ),
            max_entries_per_key,
        }
    }

    /// Body field names: at least one, none empty.
    fn fields(&mut self, key: &str, fields: &[String]) {
        if fields.is_empty() || fields.iter().any(String::is_empty) {
            self.problem(
                key,
                "expected a list of non-empty field names (without one, requests are counted by source only)",
            );
        }
    }
}
