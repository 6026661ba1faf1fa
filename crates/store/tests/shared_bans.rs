//! Shared bans against a real Redis: announced to the other gateways,
//! loaded by one that joins later, escalating on offences seen anywhere,
//! and lifted everywhere at once.

mod support;

use rampart_prevent::ban::{BanKind, BanLadder};
use rampart_prevent::{BanConfig, BanTarget};
use rampart_store::shared::SharedBan;
use support::server::RedisServer;
use support::{config, connected, redis_micros};

fn ladder() -> BanLadder {
    BanLadder::new(&BanConfig {
        escalation_seconds: vec![60, 600],
        forget_after_seconds: 3_600,
        ..BanConfig::default()
    })
    .expect("a valid ladder")
}

fn redis_millis(server: &RedisServer) -> u64 {
    redis_micros(&mut server.connection()) / 1_000
}

#[tokio::test]
async fn a_ban_reaches_every_gateway_and_escalates_across_them() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let settings = config(&server.url());
    let (first, mut first_reports) = connected(&settings).await;
    let (second, mut second_reports) = connected(&settings).await;
    let mallory = BanTarget::User("mallory".into());

    let before = redis_millis(&server);
    let ban = first
        .ban(&ladder(), &mallory, "credential_stuffing")
        .await
        .unwrap();
    let after = redis_millis(&server);
    assert_eq!(
        (ban.kind, ban.strikes, &*ban.reason),
        (BanKind::User, 1, "credential_stuffing")
    );
    assert!(before + 60_000 <= ban.until_millis && ban.until_millis <= after + 60_000);
    let announced = second_reports.next_ban().await;
    assert_eq!(
        announced,
        SharedBan {
            target: mallory.clone(),
            ban
        }
    );

    // The second gateway's ban of the same target is a repeat offence.
    let before = redis_millis(&server);
    let repeat = second
        .ban(&ladder(), &mallory, "credential_stuffing")
        .await
        .unwrap();
    let after = redis_millis(&server);
    assert_eq!(repeat.strikes, 2);
    assert!(before + 600_000 <= repeat.until_millis && repeat.until_millis <= after + 600_000);
    // The first gateway hears of it, and never of its own ban.
    let heard = first_reports.next_ban().await;
    assert_eq!(
        heard,
        SharedBan {
            target: mallory.clone(),
            ban: repeat.clone()
        }
    );
    assert!(first_reports.pending_bans().is_empty());

    let network = BanTarget::Network("198.51.100.0/24".parse().unwrap());
    let network_ban = second.ban(&ladder(), &network, "scanner").await.unwrap();
    let heard = first_reports.next_ban().await;
    assert_eq!(
        (heard.target, heard.ban.kind),
        (network.clone(), BanKind::Network)
    );

    // A gateway joining now gets both active bans when it connects.
    let (third, mut third_reports) = connected(&settings).await;
    let mut loaded = vec![
        third_reports.next_ban().await,
        third_reports.next_ban().await,
    ];
    loaded.sort_by_key(|shared| shared.ban.strikes);
    let expected = vec![
        SharedBan {
            target: network.clone(),
            ban: network_ban,
        },
        SharedBan {
            target: mallory.clone(),
            ban: repeat,
        },
    ];
    assert_eq!(loaded, expected);
    let mut asked = third.load_bans().await.unwrap();
    asked.sort_by_key(|shared| shared.ban.strikes);
    assert_eq!(asked, expected);
}

#[tokio::test]
async fn a_lift_reaches_every_other_gateway_and_forgets_the_offences() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let settings = config(&server.url());
    let (first, mut first_reports) = connected(&settings).await;
    let (second, mut second_reports) = connected(&settings).await;
    let key = BanTarget::ApiKey("k-stolen".into());
    first.ban(&ladder(), &key, "scraping").await.unwrap();
    second.ban(&ladder(), &key, "scraping").await.unwrap();
    assert_eq!(second_reports.next_ban().await.target, key);
    assert_eq!(first_reports.next_ban().await.ban.strikes, 2);

    assert!(second.unban(&key).await.unwrap(), "Redis held the record");
    assert_eq!(first_reports.next_lift().await, key);
    assert!(
        second_reports.pending_lifts().is_empty(),
        "a gateway does not hear its own lift"
    );
    assert!(first.load_bans().await.unwrap().is_empty());
    // The offences are forgotten: the next ban starts the ladder again.
    let fresh = first.ban(&ladder(), &key, "scraping").await.unwrap();
    assert_eq!(fresh.strikes, 1);

    // A target Redis never held (banned locally while Redis was out) is
    // still announced, so that every gateway drops it.
    let local_only = BanTarget::User("eve".into());
    assert!(!first.unban(&local_only).await.unwrap());
    assert_eq!(second_reports.next_lift().await, local_only);
}

#[tokio::test]
async fn ended_bans_are_not_loaded_but_still_escalate() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let settings = config(&server.url());
    let (state, _reports) = connected(&settings).await;
    // A ban that ended a minute ago and is remembered for escalation, as
    // the ban script leaves it.
    let ended = redis_millis(&server) - 60_000;
    let () = redis::cmd("HSET")
        .arg("test:ban:api_key:k-1")
        .arg("strikes")
        .arg(1)
        .arg("until")
        .arg(ended)
        .arg("reason")
        .arg("abuse")
        .query(&mut server.connection())
        .unwrap();
    assert_eq!(state.load_bans().await.unwrap(), Vec::new());
    let again = state
        .ban(&ladder(), &BanTarget::ApiKey("k-1".into()), "abuse")
        .await
        .unwrap();
    assert_eq!(again.strikes, 2);
    let forgotten_in_ms: i64 = redis::cmd("PTTL")
        .arg("test:ban:api_key:k-1")
        .query(&mut server.connection())
        .unwrap();
    assert!(forgotten_in_ms > 600_000 && forgotten_in_ms <= 600_000 + 3_600_000);
}

#[tokio::test]
async fn the_load_walks_every_batch_and_skips_what_is_not_a_ban() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (state, _reports) = connected(&config(&server.url())).await;
    const BANNED: usize = 2_500;
    let until = redis_millis(&server) + 3_600_000;
    let mut records = redis::pipe();
    for n in 0..BANNED {
        records
            .cmd("HSET")
            .arg(format!("test:ban:user:user-{n}"))
            .arg("strikes")
            .arg(1)
            .arg("until")
            .arg(until)
            .arg("reason")
            .arg("bulk")
            .ignore();
    }
    // Not ours to read: a string, a hash missing fields, an unknown kind.
    records
        .cmd("SET")
        .arg("test:ban:user:stray")
        .arg("x")
        .ignore();
    records
        .cmd("HSET")
        .arg("test:ban:user:partial")
        .arg("strikes")
        .arg(1)
        .ignore();
    records
        .cmd("HSET")
        .arg("test:ban:planet:mars")
        .arg("strikes")
        .arg(1)
        .arg("until")
        .arg(until)
        .arg("reason")
        .arg("x")
        .ignore();
    let () = records.query(&mut server.connection()).unwrap();

    let bans = state.load_bans().await.unwrap();
    assert_eq!(bans.len(), BANNED);
    assert!(bans
        .iter()
        .all(|shared| matches!(&shared.target, BanTarget::User(id) if id.starts_with("user-"))));
}
