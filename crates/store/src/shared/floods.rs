//! Sign-up and one-time-code tallies kept in Redis, so that N gateways
//! behind a load balancer judge a burst of sign-ups or a flood of codes on
//! all of its requests, as one gateway seeing all the traffic would.
//!
//! The windows are the ones `rampart_behave`'s tally keeps in memory (same
//! window, same cap, same counts), kept by the account-takeover script
//! (`scripts::ATO`) in its `count` mode: one call per request, before the
//! API answers, records it in its sources' and its subject's windows and
//! returns what they hold (the verdict is then taken by
//! `rampart_behave::shared_tally`). Keys and ids are the HMACs
//! `SharedTally` computes: no account, recipient, address or fingerprint
//! is written as it is.

use super::ato::AtoWindows;
use super::scripts;
use super::state::{SharedError, SharedState};
use rampart_behave::shared_tally::FloodKeys;
use rampart_behave::{FloodCounts, WindowCounts};

/// Counts the script answers per window.
const PER_WINDOW: usize = 4;

/// Which tally a request counts in: each has its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodKind {
    SignUp,
    Otp,
}

impl FloodKind {
    /// The detector's name, as keys and metrics say it.
    pub fn name(self) -> &'static str {
        match self {
            FloodKind::SignUp => "signup",
            FloodKind::Otp => "otp",
        }
    }
}

/// A request's windows after it was counted, and how many old requests
/// they forgot to keep the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloodCounted {
    pub counts: FloodCounts,
    pub dropped: u64,
}

impl SharedState {
    /// The Redis key of a source's window (for operators and tests):
    /// `{prefix}{signup|otp}:source:{id as 32 hex digits}`.
    pub fn flood_source_key(&self, kind: FloodKind, id: u128) -> String {
        format!("{}{}:source:{id:032x}", self.prefix, kind.name())
    }

    /// The Redis key of a subject's window:
    /// `{prefix}{signup|otp}:subject:{id}`.
    pub fn flood_subject_key(&self, kind: FloodKind, id: u128) -> String {
        format!("{}{}:subject:{id:032x}", self.prefix, kind.name())
    }

    /// Records a request in its windows and returns what they hold.
    pub async fn flood_count(
        &self,
        kind: FloodKind,
        keys: &FloodKeys,
        windows: AtoWindows,
    ) -> Result<FloodCounted, SharedError> {
        let mut invocation = scripts::ATO.prepare_invoke();
        for &id in &keys.sources {
            invocation.key(self.flood_source_key(kind, id));
        }
        invocation.key(self.flood_subject_key(kind, keys.subject));
        let window_ms = u64::try_from(windows.window.as_millis()).unwrap_or(u64::MAX);
        invocation
            .arg("count")
            .arg(window_ms.max(1))
            .arg(windows.cap.max(1))
            .arg(keys.sources.len())
            .arg(format!("{:016x}", keys.item))
            .arg(format!("{:016x}", keys.address))
            .arg("1");
        let counts: Vec<u64> = self
            .link
            .call(self.timeout, |mut connection| async move {
                invocation.invoke_async::<Vec<u64>>(&mut connection).await
            })
            .await?;
        let windows = keys.sources.len() + 1;
        if counts.len() != windows * PER_WINDOW + 1 {
            return Err(SharedError::Unexpected(format!(
                "the {} script answered {} counts for {windows} windows",
                kind.name(),
                counts.len()
            )));
        }
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let mut read: Vec<WindowCounts> = counts[..windows * PER_WINDOW]
            .chunks_exact(PER_WINDOW)
            .map(|c| WindowCounts {
                subjects: size(c[0]),
                requests: size(c[1]),
                addresses: size(c[3]),
            })
            .collect();
        let subject = read.pop().unwrap_or_default();
        Ok(FloodCounted {
            counts: FloodCounts {
                sources: read,
                subject,
            },
            dropped: counts[windows * PER_WINDOW],
        })
    }
}
