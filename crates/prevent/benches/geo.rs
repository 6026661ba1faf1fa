//! Geo lookup cost: the embedded database for IPv4 and IPv6, and a fence check.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_prevent::geo::{GeoConfig, GeoFence, GeoLocator};
use std::net::IpAddr;

fn lookups(c: &mut Criterion) {
    let locator = GeoLocator::from_config(&GeoConfig::default()).expect("embedded database");
    // Spread over the address space so the tree walk is not one cached path.
    let v4: Vec<IpAddr> = (0..1024u32)
        .map(|i| IpAddr::from((i.wrapping_mul(2_654_435_761)).to_be_bytes()))
        .collect();
    let v6: Vec<IpAddr> = (0..1024u128)
        .map(|i| {
            IpAddr::from(std::net::Ipv6Addr::from(
                (0x2000_u128 << 112) | i.wrapping_mul(0x9e37_79b9_7f4a_7c15) << 64,
            ))
        })
        .collect();
    for (name, addresses) in [("geo_lookup_ipv4", &v4), ("geo_lookup_ipv6", &v6)] {
        let mut next = addresses.iter().cycle();
        c.bench_function(name, |b| {
            b.iter(|| locator.lookup(black_box(*next.next().unwrap_or(&addresses[0]))))
        });
    }

    let config: GeoConfig = toml::from_str(
        "[routes.admin]\nallow_countries = [\"FR\", \"DE\", \"US\"]\ndeny_asns = [64500]\n",
    )
    .expect("fence config");
    let fence = GeoFence::compile(&config).expect("fence");
    let mut next = v4.iter().cycle();
    c.bench_function("geo_lookup_and_fence_ipv4", |b| {
        b.iter(|| {
            let ip = *next.next().unwrap_or(&v4[0]);
            let location = locator.lookup(black_box(ip)).unwrap_or_default();
            fence.check("admin", &location)
        })
    });
}

criterion_group!(benches, lookups);
criterion_main!(benches);
