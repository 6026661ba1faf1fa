//! Bans made by one gateway, seen by all: the record in Redis that makes
//! escalation count every gateway's offences, the announcement that copies a
//! ban into every local ban list (or lifts one from all of them), and the
//! load that completes a gateway joining late or coming back after an outage.
//!
//! A target's record lives at `{prefix}ban:{target}` where `target` is
//! `net:{cidr}`, `api_key:{id}`, `user:{id}` or `fingerprint:{id}`.

use super::health::{Counters, SharedStateListener};
use super::link::{within, Session};
use super::scripts;
use ipnet::IpNet;
use rampart_prevent::ban::{BanKind, BanLadder};
use rampart_prevent::{Ban, BanTarget};
use redis::aio::MultiplexedConnection;
use redis::{Msg, PushInfo, RedisResult, Value};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// A ban and who it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedBan {
    pub target: BanTarget,
    pub ban: Ban,
}

/// Key names and the channel under one prefix, and who this gateway is.
#[derive(Debug, Clone)]
pub(crate) struct BanKeys {
    prefix: String,
    channel: String,
    /// Tells this gateway's own announcements apart.
    origin: String,
}

impl BanKeys {
    pub(crate) fn new(prefix: &str, origin: String) -> BanKeys {
        BanKeys {
            prefix: format!("{prefix}ban:"),
            channel: format!("{prefix}bans"),
            origin,
        }
    }

    /// Records one more offence of `target` and announces the ban.
    pub(crate) async fn ban(
        &self,
        connection: &mut MultiplexedConnection,
        ladder: &BanLadder,
        target: &BanTarget,
        reason: &str,
    ) -> RedisResult<Ban> {
        let target_text = encode_target(target);
        let mut invocation = scripts::BAN.key(format!("{}{target_text}", self.prefix));
        invocation
            .arg(reason)
            .arg(ladder.forget_after_millis())
            .arg(&self.channel)
            .arg(&self.origin)
            .arg(&target_text)
            .arg(ladder.steps_millis());
        let (strikes, until_millis): (u32, u64) = invocation.invoke_async(connection).await?;
        Ok(Ban {
            kind: kind_of(target),
            until_millis,
            strikes,
            reason: Arc::from(reason),
        })
    }

    /// Forgets `target`'s offences and announces the lift to every gateway.
    /// True when Redis held a record for it.
    pub(crate) async fn unban(
        &self,
        connection: &mut MultiplexedConnection,
        target: &BanTarget,
    ) -> RedisResult<bool> {
        let target_text = encode_target(target);
        let mut invocation = scripts::UNBAN.key(format!("{}{target_text}", self.prefix));
        invocation
            .arg(&self.channel)
            .arg(&self.origin)
            .arg(&target_text);
        let existed: u32 = invocation.invoke_async(connection).await?;
        Ok(existed > 0)
    }

    /// Every ban still active, by Redis's clock. Walks the records with
    /// `SCAN` (never `KEYS`, which would stall Redis on a large keyspace)
    /// and reads each batch in one pipeline; each round trip gets `step`.
    /// Records that are not ours to read (a stray key under the prefix) are
    /// skipped rather than failing the load.
    pub(crate) async fn load_all(
        &self,
        connection: &mut MultiplexedConnection,
        step: Duration,
    ) -> RedisResult<Vec<SharedBan>> {
        let pattern = format!("{}*", escape_glob(&self.prefix));
        let mut cursor = 0u64;
        let mut bans = Vec::new();
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1_000);
            let (next, keys): (u64, Vec<Vec<u8>>) =
                within(step, scan.query_async(connection)).await?;
            let keys: Vec<String> = keys
                .into_iter()
                .filter_map(|key| String::from_utf8(key).ok())
                .collect();
            if !keys.is_empty() {
                let mut batch = redis::pipe();
                batch.ignore_errors().cmd("TIME");
                for key in &keys {
                    batch
                        .cmd("HMGET")
                        .arg(key)
                        .arg("strikes")
                        .arg("until")
                        .arg("reason");
                }
                let mut replies: Vec<Value> = within(step, batch.query_async(connection)).await?;
                let (seconds, micros): (u64, u64) = redis::from_redis_value(replies.remove(0))?;
                let now_millis = seconds * 1_000 + micros / 1_000;
                let active = keys.iter().zip(replies).filter_map(|(key, reply)| {
                    let target = decode_target(key.strip_prefix(&self.prefix)?)?;
                    let (strikes, until_millis, reason): (u32, u64, String) =
                        redis::from_redis_value(reply).ok()?;
                    (until_millis > now_millis)
                        .then(|| shared_ban(target, strikes, until_millis, &reason))
                });
                bans.extend(active);
            }
            if next == 0 {
                return Ok(bans);
            }
            cursor = next;
        }
    }
}

/// Keeps a gateway's ban list in step with the others: subscribes and loads
/// on every connection, then passes on what the others announce.
pub(crate) struct BanFeed {
    pub(crate) keys: BanKeys,
    pub(crate) listener: Arc<dyn SharedStateListener>,
    pub(crate) counters: Arc<Counters>,
}

impl BanFeed {
    fn deliver(&self, ban: SharedBan) {
        Counters::bump(&self.counters.bans_received);
        self.listener.ban_received(ban);
    }
}

impl Session for BanFeed {
    /// Subscribes before [`Session::catch_up`] loads: a ban announced in
    /// between arrives twice, which is harmless, rather than not at all.
    async fn prepare(&self, mut connection: MultiplexedConnection) -> RedisResult<()> {
        connection.subscribe(&self.keys.channel).await
    }

    async fn catch_up(
        &self,
        mut connection: MultiplexedConnection,
        step: Duration,
    ) -> RedisResult<()> {
        for ban in self.keys.load_all(&mut connection, step).await? {
            self.deliver(ban);
        }
        Ok(())
    }

    fn pushed(&self, push: PushInfo) {
        // Anything but a channel message (subscription confirmations) is not a ban.
        let Some(message) = Msg::from_push_info(push) else {
            return;
        };
        if message.get_channel_name() != self.keys.channel {
            return;
        }
        let Some((origin, news)) = read_announcement(message.get_payload_bytes()) else {
            Counters::bump(&self.counters.bans_unreadable);
            return;
        };
        if origin == self.keys.origin {
            return;
        }
        match news {
            News::Banned(ban) => self.deliver(ban),
            News::Lifted(target) => {
                Counters::bump(&self.counters.lifts_received);
                self.listener.ban_lifted(target);
            }
        }
    }
}

/// A ban, or a lift, as the scripts publish it: a ban carries `strikes`,
/// `until` and `reason`; a lift carries `lifted: true` instead.
#[derive(Deserialize)]
struct Announcement {
    origin: String,
    target: String,
    #[serde(default)]
    lifted: bool,
    strikes: Option<u32>,
    until: Option<String>,
    reason: Option<String>,
}

/// What an announcement tells the other gateways.
#[derive(Debug, PartialEq, Eq)]
pub enum News {
    Banned(SharedBan),
    Lifted(BanTarget),
}

/// The announcing gateway and its news, from a message published on the
/// ban channel; `None` for anything this version cannot read (counted as
/// unreadable by the feed). The payload comes from whoever can publish on
/// the Redis channel: it is untrusted.
pub fn read_announcement(payload: &[u8]) -> Option<(String, News)> {
    serde_json::from_slice::<Announcement>(payload)
        .ok()
        .and_then(Announcement::read)
}

impl Announcement {
    /// The announcing gateway and its news; `None` for a target or a ban
    /// this version cannot read.
    fn read(self) -> Option<(String, News)> {
        let target = decode_target(&self.target)?;
        let news = if self.lifted {
            News::Lifted(target)
        } else {
            let until_millis = self.until?.parse().ok()?;
            News::Banned(shared_ban(
                target,
                self.strikes?,
                until_millis,
                &self.reason?,
            ))
        };
        Some((self.origin, news))
    }
}

fn shared_ban(target: BanTarget, strikes: u32, until_millis: u64, reason: &str) -> SharedBan {
    SharedBan {
        ban: Ban {
            kind: kind_of(&target),
            until_millis,
            strikes,
            reason: Arc::from(reason),
        },
        target,
    }
}

fn kind_of(target: &BanTarget) -> BanKind {
    match target {
        BanTarget::Network(_) => BanKind::Network,
        BanTarget::ApiKey(_) => BanKind::ApiKey,
        BanTarget::User(_) => BanKind::User,
        BanTarget::Fingerprint(_) => BanKind::Fingerprint,
    }
}

fn encode_target(target: &BanTarget) -> String {
    match target {
        BanTarget::Network(net) => format!("net:{net}"),
        BanTarget::ApiKey(id) => format!("api_key:{id}"),
        BanTarget::User(id) => format!("user:{id}"),
        BanTarget::Fingerprint(id) => format!("fingerprint:{id}"),
    }
}

fn decode_target(text: &str) -> Option<BanTarget> {
    let (kind, id) = text.split_once(':')?;
    let id = id.to_string();
    match kind {
        "net" => id.parse::<IpNet>().ok().map(BanTarget::Network),
        "api_key" => Some(BanTarget::ApiKey(id)),
        "user" => Some(BanTarget::User(id)),
        "fingerprint" => Some(BanTarget::Fingerprint(id)),
        _ => None,
    }
}

/// `SCAN MATCH` treats `*?[]\` as a glob: a prefix holding them must match
/// itself only.
fn escape_glob(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_through_their_key() {
        let targets = [
            BanTarget::ip("203.0.113.7".parse().unwrap()),
            BanTarget::Network("2001:db8::/32".parse().unwrap()),
            BanTarget::ApiKey("key:with:colons".into()),
            BanTarget::User("mallory".into()),
            BanTarget::Fingerprint("t13d1516h2_8daaf6152771".into()),
        ];
        for target in targets {
            assert_eq!(decode_target(&encode_target(&target)), Some(target));
        }
        assert_eq!(decode_target("net:not-a-network"), None);
        assert_eq!(decode_target("planet:mars"), None);
        assert_eq!(decode_target("no-kind"), None);
    }

    #[test]
    fn glob_characters_in_the_prefix_match_only_themselves() {
        assert_eq!(escape_glob("rampart:"), "rampart:");
        assert_eq!(escape_glob("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }

    #[test]
    fn announcements_are_read_and_foreign_formats_refused() {
        let text = r#"{"origin":"gw-1","target":"user:mallory","strikes":2,"until":"1732850000123","reason":"stuffing"}"#;
        let (origin, news) = serde_json::from_str::<Announcement>(text)
            .unwrap()
            .read()
            .unwrap();
        assert_eq!(origin, "gw-1");
        let News::Banned(ban) = news else {
            panic!("a ban, not a lift: {news:?}")
        };
        assert_eq!(ban.target, BanTarget::User("mallory".into()));
        assert_eq!(
            (ban.ban.kind, ban.ban.strikes, ban.ban.until_millis),
            (BanKind::User, 2, 1_732_850_000_123)
        );
        let bad_until = text.replace("1732850000123", "soon");
        let announcement = serde_json::from_str::<Announcement>(&bad_until).unwrap();
        assert!(announcement.read().is_none());
        let no_strikes = r#"{"origin":"gw-1","target":"user:mallory","until":"1","reason":"x"}"#;
        let announcement = serde_json::from_str::<Announcement>(no_strikes).unwrap();
        assert!(announcement.read().is_none(), "a ban needs its strikes");
    }

    #[test]
    fn a_lift_names_its_target_only() {
        let text = r#"{"origin":"gw-2","target":"api_key:k-123","lifted":true}"#;
        let (origin, news) = serde_json::from_str::<Announcement>(text)
            .unwrap()
            .read()
            .unwrap();
        assert_eq!(origin, "gw-2");
        assert_eq!(news, News::Lifted(BanTarget::ApiKey("k-123".into())));
        let unknown = text.replace("api_key:", "planet:");
        let announcement = serde_json::from_str::<Announcement>(&unknown).unwrap();
        assert!(announcement.read().is_none());
    }
}
