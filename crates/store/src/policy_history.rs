//! The history of the gateway's policy (its configuration file): every
//! change applied through the admin API, with who made it, when, the whole
//! text and a diff against the version before, so an operator can see what
//! changed and return to any kept version. The table keeps the newest
//! [`MAX_POLICY_VERSIONS`]; version numbers are never reused.

use crate::error::StoreError;
use crate::store::Store;
use rusqlite::{OptionalExtension, Row};

/// Versions kept; older ones are deleted as new ones are recorded.
pub const MAX_POLICY_VERSIONS: u64 = 500;

/// One recorded version of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyChange {
    /// 1, 2, 3... in the order recorded.
    pub version: u64,
    /// RFC 3339, as the caller gave it.
    pub time: String,
    /// Who applied it (the admin API's caller).
    pub who: String,
    /// The whole configuration text of this version.
    pub text: String,
    /// A unified diff from the version before (empty for the first).
    pub diff: String,
}

impl PolicyChange {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<PolicyChange> {
        Ok(PolicyChange {
            version: row.get(0)?,
            time: row.get(1)?,
            who: row.get(2)?,
            text: row.get(3)?,
            diff: row.get(4)?,
        })
    }
}

impl Store {
    /// Records a new version after the newest, trims the oldest beyond
    /// [`MAX_POLICY_VERSIONS`], and returns its number.
    pub fn record_policy(
        &mut self,
        time: &str,
        who: &str,
        text: &str,
        diff: &str,
    ) -> Result<u64, StoreError> {
        let error = |source| StoreError::query(&self.path, "record_policy", source);
        let tx = self.conn.transaction().map_err(error)?;
        let version: u64 = tx
            .query_row(
                "SELECT coalesce(max(version), 0) + 1 FROM policy_history",
                [],
                |row| row.get(0),
            )
            .map_err(error)?;
        tx.execute(
            "INSERT INTO policy_history (version, time, who, text, diff) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (version, time, who, text, diff),
        )
        .map_err(error)?;
        tx.execute(
            "DELETE FROM policy_history WHERE version <= ?1",
            (version.saturating_sub(MAX_POLICY_VERSIONS),),
        )
        .map_err(error)?;
        tx.commit().map_err(error)?;
        Ok(version)
    }

    /// The newest recorded version, if any.
    pub fn latest_policy(&self) -> Result<Option<PolicyChange>, StoreError> {
        self.conn
            .query_row(
                "SELECT version, time, who, text, diff FROM policy_history \
                 ORDER BY version DESC LIMIT 1",
                [],
                PolicyChange::from_row,
            )
            .optional()
            .map_err(|source| StoreError::query(&self.path, "latest_policy", source))
    }

    /// One version, if it is still kept.
    pub fn policy_version(&self, version: u64) -> Result<Option<PolicyChange>, StoreError> {
        self.conn
            .query_row(
                "SELECT version, time, who, text, diff FROM policy_history WHERE version = ?1",
                (version,),
                PolicyChange::from_row,
            )
            .optional()
            .map_err(|source| StoreError::query(&self.path, "policy_version", source))
    }

    /// Up to `limit` versions, newest first, without their text and diff
    /// (empty strings): the list an operator picks from.
    pub fn policy_history(&self, limit: u64) -> Result<Vec<PolicyChange>, StoreError> {
        let error = |source| StoreError::query(&self.path, "policy_history", source);
        let mut statement = self
            .conn
            .prepare(
                "SELECT version, time, who, '', '' FROM policy_history \
                 ORDER BY version DESC LIMIT ?1",
            )
            .map_err(error)?;
        let rows = statement
            .query_map((limit,), PolicyChange::from_row)
            .map_err(error)?;
        rows.collect::<Result<_, _>>().map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_survive_reopening_and_the_oldest_are_trimmed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rampart.db");
        {
            let mut store = Store::open(&path).expect("opens");
            assert_eq!(store.latest_policy().expect("read"), None);
            assert_eq!(
                store.record_policy("t1", "alice", "a = 1\n", "").unwrap(),
                1
            );
            assert_eq!(
                store
                    .record_policy("t2", "bob", "a = 2\n", "-a = 1\n+a = 2\n")
                    .unwrap(),
                2
            );
        }
        let mut store = Store::open(&path).expect("reopens");
        let latest = store.latest_policy().unwrap().expect("a version");
        assert_eq!((latest.version, latest.who.as_str()), (2, "bob"));
        assert_eq!(latest.diff, "-a = 1\n+a = 2\n");
        assert_eq!(store.policy_version(1).unwrap().unwrap().text, "a = 1\n");
        let listed = store.policy_history(10).unwrap();
        assert_eq!(listed.iter().map(|c| c.version).collect::<Vec<_>>(), [2, 1]);
        assert!(listed[0].text.is_empty(), "the list leaves the text out");
        for n in 3..=MAX_POLICY_VERSIONS + 2 {
            store.record_policy("t", "bot", "x", "").unwrap();
            assert_eq!(store.latest_policy().unwrap().unwrap().version, n);
        }
        assert_eq!(store.policy_version(2).unwrap(), None, "trimmed");
        assert!(store.policy_version(3).unwrap().is_some());
        assert_eq!(
            store.policy_history(u64::MAX >> 1).unwrap().len() as u64,
            MAX_POLICY_VERSIONS
        );
    }
}
