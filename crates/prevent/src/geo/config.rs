//! The `[geo]` configuration section: which databases to read and the
//! country/ASN allow and deny lists of each route.
//!
//! ```toml
//! [geo]
//! database = "/var/lib/GeoIP/GeoLite2-City.mmdb"     # optional: overrides the embedded one
//! asn_database = "/var/lib/GeoIP/GeoLite2-ASN.mmdb"  # optional: ASNs for the fences
//!
//! [geo.default]                 # routes without their own section
//! deny_countries = ["KP"]
//!
//! [geo.routes.admin]            # the gateway route named "admin"
//! allow_countries = ["FR", "DE"]
//! deny_asns = [64512]
//! ```

use super::country::CountryCode;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The `[geo]` section.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoConfig {
    /// A GeoIP2/GeoLite2 Country or City file used instead of the embedded
    /// DB-IP Lite country database.
    #[serde(default)]
    pub database: Option<PathBuf>,
    /// A GeoIP2/GeoLite2 ASN (or ISP) file; without it ASNs are unknown.
    #[serde(default)]
    pub asn_database: Option<PathBuf>,
    /// The fence of routes that have no section of their own.
    #[serde(default)]
    pub default: Option<FenceRules>,
    /// Fences by gateway route name.
    #[serde(default)]
    pub routes: BTreeMap<String, FenceRules>,
}

/// The allow and deny lists of one route.
///
/// A deny list refuses what it names. A non-empty allow list refuses what it
/// does not name, including addresses whose country (or ASN) is unknown,
/// unless `allow_unknown` is set. When both allow lists are set, a client
/// must be in both.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FenceRules {
    #[serde(default)]
    pub allow_countries: Vec<CountryCode>,
    #[serde(default)]
    pub deny_countries: Vec<CountryCode>,
    #[serde(default)]
    pub allow_asns: Vec<u32>,
    #[serde(default)]
    pub deny_asns: Vec<u32>,
    /// Whether an allow list admits addresses the databases do not know.
    #[serde(default)]
    pub allow_unknown: bool,
}
