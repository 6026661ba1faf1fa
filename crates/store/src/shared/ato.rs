//! Account-takeover counts kept in Redis, so that N gateways behind a load
//! balancer judge a credential-stuffing run on all of its attempts, as one
//! gateway seeing all the traffic would, instead of each on its share.
//!
//! The windows are the ones `rampart_behave::ato` keeps in memory (same
//! window, same cap, same counts), kept by one Lua script (`scripts::ATO`)
//! that is called twice per login: before the API answers, to slide the
//! attempt's windows and read their counts (the verdict is then taken by
//! `rampart_behave::ato::shared::SharedAto::judge`), and after, to record
//! the answer. Keys and ids are the HMACs `SharedAto` computes: no
//! username, address or fingerprint is written as it is.

use super::scripts;
use super::state::{SharedError, SharedState};
use rampart_behave::ato::shared::SharedKeys;
use rampart_behave::ato::{SourceTally, Tallies};
use std::time::Duration;

/// The windows' length and cap, as `[behave.ato]` sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtoWindows {
    pub window: Duration,
    /// Attempts kept per source and per account (the oldest go first).
    pub cap: usize,
}

/// Counts the script answers per source.
const PER_SOURCE: usize = 4;

impl SharedState {
    /// The Redis key of a source's window (for operators and tests):
    /// `{prefix}ato:source:{id as 32 hex digits}`.
    pub fn ato_source_key(&self, id: u128) -> String {
        format!("{}ato:source:{id:032x}", self.prefix)
    }

    /// The Redis key of an account's window: `{prefix}ato:account:{id}`.
    pub fn ato_account_key(&self, id: u128) -> String {
        format!("{}ato:account:{id:032x}", self.prefix)
    }

    /// Slides the attempt's windows and returns what they hold.
    pub async fn ato_tally(
        &self,
        keys: &SharedKeys,
        windows: AtoWindows,
    ) -> Result<Tallies, SharedError> {
        let counts: Vec<u64> = self.run_ato(keys, windows, "tally", "").await?;
        let sources = keys.sources.len();
        if counts.len() != sources * PER_SOURCE + 2 {
            return Err(SharedError::Unexpected(format!(
                "the account-takeover script answered {} counts for {sources} sources",
                counts.len()
            )));
        }
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let (per_source, rest) = counts.split_at(sources * PER_SOURCE);
        Ok(Tallies {
            sources: per_source
                .chunks_exact(PER_SOURCE)
                .map(|c| SourceTally {
                    failed_usernames: size(c[0]),
                    attempts: size(c[1]),
                    failures: size(c[2]),
                    addresses: size(c[3]),
                })
                .collect(),
            brute_force_failures: size(rest[0]),
            failing_addresses: size(rest[1]),
        })
    }

    /// Records how the attempt was answered in its sources' and its
    /// account's windows; returns how many old attempts left to keep the
    /// cap. An attempt without a username is not recorded (as locally).
    pub async fn ato_record(
        &self,
        keys: &SharedKeys,
        windows: AtoWindows,
        failed: bool,
    ) -> Result<u64, SharedError> {
        if keys.user.is_none() {
            return Ok(0);
        }
        let flag = if failed { "1" } else { "0" };
        self.run_ato(keys, windows, "record", flag).await
    }

    async fn run_ato<T: redis::FromRedisValue>(
        &self,
        keys: &SharedKeys,
        windows: AtoWindows,
        mode: &str,
        failed: &str,
    ) -> Result<T, SharedError> {
        let mut invocation = scripts::ATO.prepare_invoke();
        for &id in &keys.sources {
            invocation.key(self.ato_source_key(id));
        }
        if let Some(account) = keys.account {
            invocation.key(self.ato_account_key(account));
        }
        let window_ms = u64::try_from(windows.window.as_millis()).unwrap_or(u64::MAX);
        invocation
            .arg(mode)
            .arg(window_ms.max(1))
            .arg(windows.cap.max(1))
            .arg(keys.sources.len())
            .arg(keys.user.map(|u| format!("{u:016x}")).unwrap_or_default())
            .arg(format!("{:016x}", keys.address))
            .arg(failed);
        self.link
            .call(self.timeout, |mut connection| async move {
                invocation.invoke_async::<T>(&mut connection).await
            })
            .await
    }
}
