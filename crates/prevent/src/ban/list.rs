//! Who is banned, until when, and how often they offended.
//!
//! Entries outlive their ban by `forget_after_seconds` so that a repeat
//! offence escalates; [`BanList::sweep`] drops the forgotten ones and runs by
//! itself when the list is full. Lookups take `&self` and allocate nothing;
//! the gateway reads published snapshots of the list (clones) without a lock:
//! every map is copy-on-write by shard ([`CowMap`]), so a snapshot shares the
//! list and a ban copies 1/256 of one map, not the whole list.

use super::ladder::{BanConfig, BanConfigError, BanLadder};
use super::prefix::NetworkTable;
use super::shards::CowMap;
use crate::facts::ClientFacts;
use ipnet::IpNet;
use rampart_core::Clock;
use std::net::IpAddr;
use std::sync::Arc;

/// What can be banned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BanTarget {
    /// One address or a whole network (`10.0.0.0/8`, `2001:db8::/32`).
    Network(IpNet),
    ApiKey(String),
    User(String),
    Fingerprint(String),
}

impl BanTarget {
    /// A ban on exactly this address.
    pub fn ip(ip: IpAddr) -> BanTarget {
        BanTarget::Network(IpNet::from(ip))
    }
}

/// Which of the client's identities a ban matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanKind {
    Network,
    ApiKey,
    User,
    Fingerprint,
}

/// An active ban, as found by a lookup or made by [`BanList::ban`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub kind: BanKind,
    /// When the ban ends, milliseconds since the Unix epoch.
    pub until_millis: u64,
    /// How many offences this ban counts, 1 for the first.
    pub strikes: u32,
    /// Why the target was banned, e.g. the rule or detector name.
    pub reason: Arc<str>,
}

/// A ban in force, as [`BanList::active`] lists it for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveBan {
    pub target: BanTarget,
    /// When this ban (its latest strike) started, milliseconds since the epoch.
    pub since_millis: u64,
    pub until_millis: u64,
    pub strikes: u32,
    pub reason: Arc<str>,
}

#[derive(Debug, Clone)]
struct Entry {
    since_millis: u64,
    until_millis: u64,
    strikes: u32,
    reason: Arc<str>,
}

/// The list is full of targets still banned or remembered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ban list full ({0} entries): ban refused")]
pub struct BanListFull(pub usize);

/// Bans by network, API key, user and fingerprint. A clone is a snapshot
/// (the gateway publishes one after each change for lock-free lookups).
#[derive(Clone)]
pub struct BanList {
    ladder: BanLadder,
    max_entries: usize,
    networks: NetworkTable<Entry>,
    api_keys: CowMap<Arc<str>, Entry>,
    users: CowMap<Arc<str>, Entry>,
    fingerprints: CowMap<Arc<str>, Entry>,
    clock: Arc<dyn Clock>,
}

impl BanList {
    pub fn new(config: &BanConfig, clock: Arc<dyn Clock>) -> Result<BanList, BanConfigError> {
        if config.max_entries == 0 {
            return Err(BanConfigError::NoEntries);
        }
        Ok(BanList {
            ladder: BanLadder::new(config)?,
            max_entries: config.max_entries,
            networks: NetworkTable::new(),
            api_keys: CowMap::new(),
            users: CowMap::new(),
            fingerprints: CowMap::new(),
            clock,
        })
    }

    /// The active ban on any of the client's identities: address (including
    /// banned networks that hold it), then API key, user and fingerprint.
    pub fn is_banned(&self, client: &ClientFacts) -> Option<Ban> {
        let now = self.clock.now_millis();
        let active = |entry: &Entry| entry.until_millis > now;
        if let Some(entry) = self.networks.find_covering(client.ip, active) {
            return Some(entry.to_ban(BanKind::Network));
        }
        let identities = [
            (BanKind::ApiKey, &self.api_keys, client.api_key.as_deref()),
            (BanKind::User, &self.users, client.user.as_deref()),
            (
                BanKind::Fingerprint,
                &self.fingerprints,
                client.fingerprint.as_deref(),
            ),
        ];
        identities.into_iter().find_map(|(kind, map, id)| {
            let entry = map.get(id?)?;
            active(entry).then(|| entry.to_ban(kind))
        })
    }

    /// Bans the target for the duration its offence count calls for: the
    /// first offence gets the first step of the ladder, a repeat before the
    /// previous one is forgotten the next step.
    pub fn ban(&mut self, target: &BanTarget, reason: Arc<str>) -> Result<Ban, BanListFull> {
        let now = self.clock.now_millis();
        let forget = self.ladder.forget_after_millis();
        let previous_strikes = self
            .entry_mut(target)
            .filter(|entry| entry.until_millis.saturating_add(forget) > now)
            .map_or(0, |entry| entry.strikes);
        let strikes = previous_strikes.saturating_add(1);
        let entry = Entry {
            since_millis: now,
            until_millis: now.saturating_add(self.ladder.duration_millis(strikes)),
            strikes,
            reason,
        };
        let ban = entry.to_ban(target.kind());
        self.store(target, entry)?;
        Ok(ban)
    }

    /// Takes in a ban decided elsewhere (another gateway, through shared
    /// state) as it was decided: its end and strike count. A ban already
    /// known here that ends later, or counts more strikes, is kept.
    pub fn adopt(&mut self, target: &BanTarget, ban: &Ban) -> Result<(), BanListFull> {
        if let Some(existing) = self.entry_mut(target) {
            if existing.until_millis >= ban.until_millis && existing.strikes >= ban.strikes {
                return Ok(());
            }
        }
        let entry = Entry {
            since_millis: self.clock.now_millis(),
            until_millis: ban.until_millis,
            strikes: ban.strikes,
            reason: Arc::clone(&ban.reason),
        };
        self.store(target, entry)
    }

    /// Replaces the target's entry or adds one, sweeping when full.
    fn store(&mut self, target: &BanTarget, entry: Entry) -> Result<(), BanListFull> {
        if let Some(existing) = self.entry_mut(target) {
            *existing = entry;
            return Ok(());
        }
        if self.len() >= self.max_entries {
            self.sweep();
            if self.len() >= self.max_entries {
                return Err(BanListFull(self.max_entries));
            }
        }
        match target {
            BanTarget::Network(net) => self.networks.insert(*net, entry),
            BanTarget::ApiKey(id) => insert(&mut self.api_keys, id, entry),
            BanTarget::User(id) => insert(&mut self.users, id, entry),
            BanTarget::Fingerprint(id) => insert(&mut self.fingerprints, id, entry),
        }
        Ok(())
    }

    /// Lifts a ban and forgets the target's offences. `true` if it was known.
    pub fn unban(&mut self, target: &BanTarget) -> bool {
        match target {
            BanTarget::Network(net) => self.networks.remove(*net).is_some(),
            BanTarget::ApiKey(id) => self.api_keys.remove(id.as_str()).is_some(),
            BanTarget::User(id) => self.users.remove(id.as_str()).is_some(),
            BanTarget::Fingerprint(id) => self.fingerprints.remove(id.as_str()).is_some(),
        }
    }

    /// Drops targets whose offences are forgotten; returns how many.
    pub fn sweep(&mut self) -> usize {
        let before = self.len();
        let now = self.clock.now_millis();
        let forget = self.ladder.forget_after_millis();
        let remembered = |entry: &Entry| entry.until_millis.saturating_add(forget) > now;
        self.networks.retain(remembered);
        for map in [&mut self.api_keys, &mut self.users, &mut self.fingerprints] {
            map.retain(remembered);
        }
        before - self.len()
    }

    /// The bans in force now (not those only remembered for escalation),
    /// in no particular order.
    pub fn active(&self) -> Vec<ActiveBan> {
        let now = self.clock.now_millis();
        let networks = self
            .networks
            .iter()
            .map(|(net, entry)| (BanTarget::Network(net), entry));
        let others = [
            (&self.api_keys, BanTarget::ApiKey as fn(String) -> BanTarget),
            (&self.users, BanTarget::User),
            (&self.fingerprints, BanTarget::Fingerprint),
        ]
        .into_iter()
        .flat_map(|(map, target)| {
            map.iter()
                .map(move |(id, entry)| (target(id.to_string()), entry))
        });
        networks
            .chain(others)
            .filter(|(_, entry)| entry.until_millis > now)
            .map(|(target, entry)| ActiveBan {
                target,
                since_millis: entry.since_millis,
                until_millis: entry.until_millis,
                strikes: entry.strikes,
                reason: Arc::clone(&entry.reason),
            })
            .collect()
    }

    /// Targets banned or remembered.
    pub fn len(&self) -> usize {
        self.networks.len() + self.api_keys.len() + self.users.len() + self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entry_mut(&mut self, target: &BanTarget) -> Option<&mut Entry> {
        match target {
            BanTarget::Network(net) => self.networks.get_mut(*net),
            BanTarget::ApiKey(id) => self.api_keys.get_mut(id.as_str()),
            BanTarget::User(id) => self.users.get_mut(id.as_str()),
            BanTarget::Fingerprint(id) => self.fingerprints.get_mut(id.as_str()),
        }
    }
}

fn insert(map: &mut CowMap<Arc<str>, Entry>, id: &str, entry: Entry) {
    map.insert(Arc::from(id), entry);
}

impl BanTarget {
    fn kind(&self) -> BanKind {
        match self {
            BanTarget::Network(_) => BanKind::Network,
            BanTarget::ApiKey(_) => BanKind::ApiKey,
            BanTarget::User(_) => BanKind::User,
            BanTarget::Fingerprint(_) => BanKind::Fingerprint,
        }
    }
}

impl Entry {
    fn to_ban(&self, kind: BanKind) -> Ban {
        Ban {
            kind,
            until_millis: self.until_millis,
            strikes: self.strikes,
            reason: self.reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::ManualClock;
    use std::time::Duration;

    const START: u64 = 1_700_000_000_000;

    fn list(config: BanConfig) -> (BanList, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at(START));
        (BanList::new(&config, clock.clone()).unwrap(), clock)
    }

    #[test]
    fn active_lists_bans_in_force_with_their_start_not_those_only_remembered() {
        let (mut bans, clock) = list(BanConfig::default());
        let net: IpNet = "203.0.113.0/24".parse().unwrap();
        bans.ban(&BanTarget::Network(net), Arc::from("scan"))
            .unwrap();
        bans.ban(&BanTarget::User("mallory".into()), Arc::from("ato"))
            .unwrap();
        let mut active = bans.active();
        active.sort_by_key(|b| format!("{:?}", b.target));
        assert_eq!(active.len(), 2);
        assert_eq!(active[0].target, BanTarget::Network(net));
        assert_eq!(active[0].since_millis, START);
        assert!(active[0].until_millis > START);
        assert_eq!(active[1].target, BanTarget::User("mallory".into()));
        assert_eq!(&*active[1].reason, "ato");
        clock.advance(Duration::from_secs(24 * 3600));
        assert!(bans.active().is_empty(), "ended bans are not listed");
        assert_eq!(bans.len(), 2, "but still remembered");
    }

    fn client(ip: &str) -> ClientFacts {
        ClientFacts::from_ip(ip.parse().unwrap())
    }

    fn reason() -> Arc<str> {
        Arc::from("credential_stuffing")
    }

    #[test]
    fn a_ban_ends_after_its_ttl() {
        let (mut bans, clock) = list(BanConfig::default());
        let ban = bans
            .ban(&BanTarget::ip("203.0.113.7".parse().unwrap()), reason())
            .unwrap();
        assert_eq!(ban.until_millis, START + 60_000);
        let found = bans.is_banned(&client("203.0.113.7")).unwrap();
        assert_eq!((found.kind, found.strikes), (BanKind::Network, 1));
        assert_eq!(&*found.reason, "credential_stuffing");
        assert_eq!(bans.is_banned(&client("203.0.113.8")), None);
        clock.advance(Duration::from_secs(60));
        assert_eq!(bans.is_banned(&client("203.0.113.7")), None);
    }

    #[test]
    fn adopted_bans_keep_their_end_and_strikes_and_never_shorten_one() {
        let (mut bans, clock) = list(BanConfig::default());
        let target = BanTarget::ApiKey("k-1".into());
        let from_elsewhere = Ban {
            kind: BanKind::ApiKey,
            until_millis: START + 600_000,
            strikes: 2,
            reason: Arc::from("honeypot"),
        };
        bans.adopt(&target, &from_elsewhere).unwrap();
        let mut client = client("192.0.2.1");
        client.api_key = Some("k-1".into());
        assert_eq!(bans.is_banned(&client), Some(from_elsewhere.clone()));
        let shorter = Ban {
            until_millis: START + 60_000,
            strikes: 1,
            ..from_elsewhere.clone()
        };
        bans.adopt(&target, &shorter).unwrap();
        assert_eq!(bans.is_banned(&client), Some(from_elsewhere));
        // A local repeat offence escalates from the adopted strikes.
        clock.advance(Duration::from_secs(600));
        assert_eq!(bans.ban(&target, reason()).unwrap().strikes, 3);
    }

    #[test]
    fn repeat_offences_escalate_until_forgotten() {
        let (mut bans, clock) = list(BanConfig::default());
        let target = BanTarget::User("mallory".into());
        let durations: Vec<u64> = (0..5)
            .map(|_| {
                let ban = bans.ban(&target, reason()).unwrap();
                let duration = ban.until_millis - clock.now_millis();
                clock.advance(Duration::from_millis(duration));
                duration / 1_000
            })
            .collect();
        assert_eq!(durations, [60, 600, 3_600, 86_400, 86_400]);
        // A day after the last ban ended, the offences are forgotten.
        clock.advance(Duration::from_secs(86_400));
        assert_eq!(bans.ban(&target, reason()).unwrap().strikes, 1);
    }

    #[test]
    fn networks_and_identities_are_all_checked() {
        let (mut bans, _) = list(BanConfig::default());
        bans.ban(
            &BanTarget::Network("198.51.100.0/24".parse().unwrap()),
            reason(),
        )
        .unwrap();
        bans.ban(&BanTarget::ApiKey("key-1".into()), reason())
            .unwrap();
        bans.ban(&BanTarget::Fingerprint("t13d1516h2".into()), reason())
            .unwrap();
        assert_eq!(
            bans.is_banned(&client("198.51.100.200")).unwrap().kind,
            BanKind::Network
        );
        let mut visitor = client("192.0.2.1");
        assert_eq!(bans.is_banned(&visitor), None);
        visitor.api_key = Some("key-1".into());
        assert_eq!(bans.is_banned(&visitor).unwrap().kind, BanKind::ApiKey);
        visitor.api_key = Some("key-2".into());
        visitor.user = Some("key-1".into());
        assert_eq!(
            bans.is_banned(&visitor),
            None,
            "kinds are separate namespaces"
        );
        visitor.fingerprint = Some("t13d1516h2".into());
        assert_eq!(bans.is_banned(&visitor).unwrap().kind, BanKind::Fingerprint);
    }

    #[test]
    fn an_expired_host_ban_does_not_hide_an_active_network_ban() {
        let (mut bans, clock) = list(BanConfig {
            escalation_seconds: vec![10, 100],
            ..BanConfig::default()
        });
        let host = BanTarget::ip("10.0.0.5".parse().unwrap());
        bans.ban(&host, reason()).unwrap();
        bans.ban(&BanTarget::Network("10.0.0.0/8".parse().unwrap()), reason())
            .unwrap();
        bans.ban(&BanTarget::Network("10.0.0.0/8".parse().unwrap()), reason())
            .unwrap();
        clock.advance(Duration::from_secs(20));
        let found = bans.is_banned(&client("10.0.0.5")).unwrap();
        assert_eq!(found.strikes, 2);
    }

    #[test]
    fn a_full_list_sweeps_forgotten_targets_then_refuses() {
        let (mut bans, clock) = list(BanConfig {
            escalation_seconds: vec![10],
            forget_after_seconds: 10,
            max_entries: 2,
        });
        bans.ban(&BanTarget::User("a".into()), reason()).unwrap();
        bans.ban(&BanTarget::User("b".into()), reason()).unwrap();
        clock.advance(Duration::from_secs(15));
        // Both bans ended but both targets are remembered: no room.
        assert_eq!(
            bans.ban(&BanTarget::User("c".into()), reason()),
            Err(BanListFull(2))
        );
        // Re-banning a known target needs no room.
        assert_eq!(
            bans.ban(&BanTarget::User("a".into()), reason())
                .unwrap()
                .strikes,
            2
        );
        clock.advance(Duration::from_secs(10));
        assert!(bans.ban(&BanTarget::User("c".into()), reason()).is_ok());
        assert_eq!(
            bans.len(),
            2,
            "b was forgotten and swept, a is still remembered"
        );
    }

    #[test]
    fn unban_lifts_the_ban_and_the_history() {
        let (mut bans, _) = list(BanConfig::default());
        let target = BanTarget::Network("2001:db8::/32".parse().unwrap());
        bans.ban(&target, reason()).unwrap();
        assert!(bans.is_banned(&client("2001:db8::1")).is_some());
        assert!(bans.unban(&target));
        assert!(!bans.unban(&target));
        assert_eq!(bans.is_banned(&client("2001:db8::1")), None);
        assert_eq!(bans.ban(&target, reason()).unwrap().strikes, 1);
        assert!(!bans.is_empty());
    }

    #[test]
    fn config_from_toml_rejects_unknown_fields() {
        let config: BanConfig = toml::from_str("escalation_seconds = [30, 300]").unwrap();
        assert_eq!(config.escalation_seconds, [30, 300]);
        assert_eq!(config.max_entries, 1_000_000);
        assert!(toml::from_str::<BanConfig>("ttl = 3").is_err());
        let clock = Arc::new(ManualClock::at(0));
        let zero = BanConfig {
            max_entries: 0,
            ..BanConfig::default()
        };
        assert_eq!(
            BanList::new(&zero, clock).err(),
            Some(BanConfigError::NoEntries)
        );
    }
}
