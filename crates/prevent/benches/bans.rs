//! Ban lookups against one million banned addresses, the memory they take,
//! and what one more ban costs the gateway: it bans on its master copy and
//! publishes a snapshot (a clone) for lock-free lookups.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_core::ManualClock;
use rampart_prevent::ban::{BanConfig, BanList, BanTarget};
use rampart_prevent::ClientFacts;
use rampart_testkit::heap::{self, Counting};
use std::net::Ipv4Addr;
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ENTRIES: u32 = 1_000_000;

fn banned_address(n: u32) -> Ipv4Addr {
    // Spread over the space: every third address from 11.0.0.0.
    Ipv4Addr::from(0x0b00_0000 + n * 3)
}

fn million_bans() -> BanList {
    let clock = Arc::new(ManualClock::at(1_700_000_000_000));
    let config = BanConfig {
        max_entries: 2 * ENTRIES as usize,
        ..BanConfig::default()
    };
    let mut bans = BanList::new(&config, clock).expect("valid config");
    let reason: Arc<str> = Arc::from("bench");
    let before = heap::live();
    for n in 0..ENTRIES {
        bans.ban(&BanTarget::ip(banned_address(n).into()), reason.clone())
            .expect("room for a million");
    }
    // A few networks too, so lookups walk more than one prefix length.
    for net in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] {
        let net = net.parse().expect("valid network");
        bans.ban(&BanTarget::Network(net), reason.clone())
            .expect("room");
    }
    let bytes = heap::live() - before;
    println!(
        "ban list: {} entries, {} bytes, {:.1} bytes per entry",
        bans.len(),
        bytes,
        bytes as f64 / f64::from(ENTRIES)
    );
    bans
}

fn bench_lookups(c: &mut Criterion) {
    let bans = million_bans();
    let hit = ClientFacts::from_ip(banned_address(777_777).into());
    let miss = ClientFacts::from_ip(Ipv4Addr::new(8, 8, 4, 4).into());
    let mut with_identities = ClientFacts::from_ip(Ipv4Addr::new(8, 8, 4, 4).into());
    with_identities.api_key = Some("k-8b2f".into());
    with_identities.user = Some("alice".into());
    with_identities.fingerprint = Some("t13d1516h2_8daaf6152771".into());
    assert!(bans.is_banned(&hit).is_some());
    assert!(bans.is_banned(&miss).is_none());
    c.bench_function("ban_check_1m/hit", |b| {
        b.iter(|| bans.is_banned(black_box(&hit)))
    });
    c.bench_function("ban_check_1m/miss_ip_only", |b| {
        b.iter(|| bans.is_banned(black_box(&miss)))
    });
    c.bench_function("ban_check_1m/miss_all_identities", |b| {
        b.iter(|| bans.is_banned(black_box(&with_identities)))
    });
}

fn bench_changes(c: &mut Criterion) {
    let mut master = million_bans();
    let reason: Arc<str> = Arc::from("bench");
    let mut next = ENTRIES;
    c.bench_function("ban_change_1m/ban_and_publish", |b| {
        b.iter(|| {
            master
                .ban(&BanTarget::ip(banned_address(next).into()), reason.clone())
                .expect("room");
            next += 1;
            black_box(master.clone())
        })
    });
}

criterion_group!(benches, bench_lookups, bench_changes);
criterion_main!(benches);
