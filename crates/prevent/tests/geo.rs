//! Geo lookup and fences against small MaxMind DB files built here
//! (`rampart_testkit::mmdb`), and a few
//! well-known addresses against the embedded database.

use rampart_prevent::geo::{
    CountryCode, GeoConfig, GeoDatabase, GeoDbError, GeoDenial, GeoFence, GeoLocator, Location,
};
use std::borrow::Cow;
use std::net::IpAddr;

use mmdb::Value::{Map, Text, Uint32};
use rampart_testkit::mmdb;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn code(text: &str) -> CountryCode {
    text.parse().unwrap()
}

fn load(database_type: &'static str, bytes: Vec<u8>) -> GeoDatabase {
    GeoDatabase::from_bytes(Cow::Owned(bytes), database_type, "test").unwrap()
}

/// A GeoIP2-Country layout: FR for 192.0.2.0/24 and 2001:db8::/32, a
/// registered country only for 198.51.100.0/24, DE for 192.0.2.128/25.
fn country_db() -> GeoDatabase {
    let country = |iso| Map(vec![("country", Map(vec![("iso_code", Text(iso))]))]);
    let (a, a_len) = mmdb::v4(192, 0, 2, 0, 24);
    let (b, b_len) = mmdb::v4(198, 51, 100, 0, 24);
    let (c, c_len) = mmdb::v4(192, 0, 2, 128, 25);
    let v6 = 0x2001_0db8_u128 << 96;
    load(
        "GeoLite2-Country",
        mmdb::build(
            "GeoLite2-Country",
            &[
                (a, a_len, country("FR")),
                (
                    b,
                    b_len,
                    Map(vec![(
                        "registered_country",
                        Map(vec![("iso_code", Text("NL"))]),
                    )]),
                ),
                (c, c_len, country("DE")),
                (v6, 32, country("FR")),
            ],
        ),
    )
}

fn asn_db() -> GeoDatabase {
    let (a, a_len) = mmdb::v4(192, 0, 2, 0, 24);
    let record = Map(vec![
        ("autonomous_system_number", Uint32(64_500)),
        ("autonomous_system_organization", Text("Example Net")),
    ]);
    load(
        "GeoLite2-ASN",
        mmdb::build("GeoLite2-ASN", &[(a, a_len, record)]),
    )
}

#[test]
fn geoip2_country_records_are_read_for_ipv4_and_ipv6() {
    let db = country_db();
    assert_eq!(db.database_type(), "GeoLite2-Country");
    let country = |text| db.lookup(ip(text)).unwrap().country;
    assert_eq!(country("192.0.2.1"), Some(code("FR")));
    assert_eq!(country("192.0.2.200"), Some(code("DE")));
    assert_eq!(country("198.51.100.7"), Some(code("NL")));
    assert_eq!(country("2001:db8::1"), Some(code("FR")));
    assert_eq!(country("::ffff:192.0.2.1"), Some(code("FR")));
    assert_eq!(country("203.0.113.1"), None);
    assert_eq!(country("2001:db9::1"), None);
}

#[test]
fn the_locator_merges_country_and_asn_databases() {
    let locator = GeoLocator::new(country_db(), Some(asn_db()));
    assert_eq!(
        locator.lookup(ip("192.0.2.5")).unwrap(),
        Location {
            country: Some(code("FR")),
            asn: Some(64_500)
        }
    );
    assert_eq!(
        locator.lookup(ip("2001:db8::5")).unwrap(),
        Location {
            country: Some(code("FR")),
            asn: None
        }
    );
}

#[test]
fn the_embedded_database_knows_well_known_addresses() {
    let locator = GeoLocator::from_config(&GeoConfig::default()).unwrap();
    let country = |text| {
        locator
            .lookup(ip(text))
            .unwrap()
            .country
            .map(|c| c.to_string())
    };
    assert_eq!(country("8.8.8.8").as_deref(), Some("US"));
    // Deutsche Telekom's IPv6 block (Google's IPv6 resolver is anycast: no
    // one country is right for it).
    assert_eq!(country("2003:e0::1").as_deref(), Some("DE"));
    // DENIC (Frankfurt) and NTT America.
    assert_eq!(country("81.91.160.1").as_deref(), Some("DE"));
    assert_eq!(country("129.250.35.250").as_deref(), Some("US"));
    assert_eq!(country("127.0.0.1"), None);
    assert_eq!(country("10.1.2.3"), None);
    assert_eq!(locator.lookup(ip("8.8.8.8")).unwrap().asn, None);
}

#[test]
fn user_files_override_and_are_checked_with_the_key_named() {
    let dir = std::env::temp_dir().join(format!("rampart-geo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let country_path = dir.join("country.mmdb");
    let (a, a_len) = mmdb::v4(8, 8, 8, 0, 24);
    let country = Map(vec![("country", Map(vec![("iso_code", Text("JP"))]))]);
    std::fs::write(
        &country_path,
        mmdb::build("GeoIP2-City", &[(a, a_len, country)]),
    )
    .unwrap();
    let config: GeoConfig = toml::from_str(&format!(
        "database = {:?}\n",
        country_path.to_str().unwrap()
    ))
    .unwrap();
    let locator = GeoLocator::from_config(&config).unwrap();
    assert_eq!(
        locator.lookup(ip("8.8.8.8")).unwrap().country,
        Some(code("JP"))
    );

    // An ASN file where a country file is expected.
    let asn_path = dir.join("asn.mmdb");
    let record = Map(vec![("autonomous_system_number", Uint32(15_169))]);
    std::fs::write(
        &asn_path,
        mmdb::build("GeoLite2-ASN", &[(a, a_len, record)]),
    )
    .unwrap();
    let swapped = GeoConfig {
        database: Some(asn_path.clone()),
        ..GeoConfig::default()
    };
    let error = GeoLocator::from_config(&swapped).unwrap_err();
    assert!(matches!(error, GeoDbError::WrongKind { .. }), "{error}");
    assert!(error.to_string().starts_with("`geo.database`"), "{error}");

    let with_asn = GeoConfig {
        asn_database: Some(asn_path),
        ..GeoConfig::default()
    };
    let location = GeoLocator::from_config(&with_asn)
        .unwrap()
        .lookup(ip("8.8.8.8"))
        .unwrap();
    assert_eq!(location.asn, Some(15_169));
    assert_eq!(location.country, Some(code("US")));

    let garbage = dir.join("garbage.mmdb");
    std::fs::write(&garbage, b"not a database").unwrap();
    let error = GeoLocator::from_config(&GeoConfig {
        asn_database: Some(garbage),
        ..GeoConfig::default()
    })
    .unwrap_err();
    assert!(matches!(error, GeoDbError::Invalid { .. }), "{error}");
    assert!(error.to_string().starts_with("`geo.asn_database`"));

    let error = GeoLocator::from_config(&GeoConfig {
        database: Some(dir.join("missing.mmdb")),
        ..GeoConfig::default()
    })
    .unwrap_err();
    assert!(matches!(error, GeoDbError::Read { .. }), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_and_corrupt_databases_are_refused_or_fail_cleanly() {
    let (a, a_len) = mmdb::v4(192, 0, 2, 0, 24);
    let good = mmdb::build("GeoLite2-ASN", &[(a, a_len, Uint32(1))]);
    // Every truncation that keeps the metadata but cuts the tree is refused.
    let metadata_at = good
        .windows(14)
        .position(|w| w == b"\xab\xcd\xefMaxMind.com")
        .unwrap();
    for cut in 0..metadata_at {
        let mut bytes = good[cut..metadata_at].to_vec();
        bytes.extend_from_slice(&good[metadata_at..]);
        if let Ok(db) = GeoDatabase::from_bytes(Cow::Owned(bytes), "cut", "test") {
            // Whatever loads must answer or fail without panicking.
            let _ = db.lookup(ip("192.0.2.1"));
            let _ = db.lookup(ip("2001:db8::1"));
        }
    }
    // Flipping any byte of the tree or data never panics a lookup; some
    // flips make the reader fail, and that surfaces as a lookup error.
    let mut lookup_errors = 0;
    for index in 0..metadata_at {
        let mut bytes = good.clone();
        bytes[index] ^= 0xff;
        if let Ok(db) = GeoDatabase::from_bytes(Cow::Owned(bytes), "flipped", "test") {
            if let Err(error) = db.lookup(ip("192.0.2.1")) {
                assert!(matches!(error, GeoDbError::Lookup { .. }), "{error}");
                lookup_errors += 1;
            }
        }
    }
    assert!(lookup_errors > 0);
    let error = GeoDatabase::from_bytes(Cow::Borrowed(b"\xab\xcd\xefMaxMind.com"), "x", "k");
    assert!(error.is_err());
}

#[test]
fn fences_deny_allow_and_fall_back_to_the_default() {
    let config: GeoConfig = toml::from_str(
        r#"
        [default]
        deny_countries = ["kp"]

        [routes.admin]
        allow_countries = ["FR", "DE"]
        deny_asns = [64500]

        [routes.partners]
        allow_asns = [64501]
        allow_unknown = true

        [routes.open]
        "#,
    )
    .unwrap();
    let fence = GeoFence::compile(&config).unwrap();
    let at = |country: Option<&str>, asn| Location {
        country: country.map(code),
        asn,
    };
    assert_eq!(fence.check("admin", &at(Some("FR"), Some(1))), None);
    assert_eq!(
        fence.check("admin", &at(Some("US"), None)),
        Some(GeoDenial::CountryNotAllowed(Some(code("US"))))
    );
    assert_eq!(
        fence.check("admin", &at(None, None)),
        Some(GeoDenial::CountryNotAllowed(None))
    );
    assert_eq!(
        fence.check("admin", &at(Some("DE"), Some(64_500))),
        Some(GeoDenial::AsnDenied(64_500))
    );
    assert_eq!(fence.check("partners", &at(None, None)), None);
    assert_eq!(
        fence.check("partners", &at(None, Some(7))),
        Some(GeoDenial::AsnNotAllowed(Some(7)))
    );
    assert_eq!(
        fence.check("elsewhere", &at(Some("KP"), None)),
        Some(GeoDenial::CountryDenied(code("KP")))
    );
    assert_eq!(fence.check("", &at(Some("FR"), None)), None);
    assert_eq!(fence.check("open", &at(Some("KP"), None)), None);
    assert_eq!(
        GeoDenial::CountryNotAllowed(None).to_string(),
        "unknown country is not allowed"
    );
}

#[test]
fn config_errors_name_the_key() {
    let error =
        toml::from_str::<GeoConfig>("[routes.admin]\nallow_countries = [\"FR\", \"USA\"]\n")
            .unwrap_err()
            .to_string();
    assert!(
        error.contains("allow_countries") && error.contains("\"USA\""),
        "{error}"
    );
    let error = toml::from_str::<GeoConfig>("[routes.admin]\nallow_country = [\"FR\"]\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("allow_country"), "{error}");
    assert!(toml::from_str::<GeoConfig>("datbase = \"x\"\n").is_err());

    let config: GeoConfig =
        toml::from_str("[routes.admin]\nallow_asns = [1]\ndeny_asns = [2, 1]\n").unwrap();
    let error = GeoFence::compile(&config).unwrap_err();
    assert_eq!(error.key, "geo.routes.admin.deny_asns");
    assert_eq!(error.value, "1");
}
