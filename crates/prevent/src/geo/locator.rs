//! The databases a gateway consults, combined into one lookup.

use super::config::GeoConfig;
use super::database::{GeoDatabase, GeoDbError, Location};
use std::net::IpAddr;

/// The country database (embedded unless configured) and an optional ASN one.
#[derive(Debug)]
pub struct GeoLocator {
    country: GeoDatabase,
    asn: Option<GeoDatabase>,
}

impl GeoLocator {
    /// Loads what `config` names; errors name the key (`geo.database`, ...).
    pub fn from_config(config: &GeoConfig) -> Result<GeoLocator, GeoDbError> {
        let country = match &config.database {
            Some(path) => GeoDatabase::open(path, "geo.database")?.expect_kind(
                &["country", "city", "enterprise"],
                "countries (a Country, City or Enterprise database)",
                "geo.database",
            )?,
            None => GeoDatabase::embedded()?,
        };
        let asn = match &config.asn_database {
            Some(path) => Some(GeoDatabase::open(path, "geo.asn_database")?.expect_kind(
                &["asn", "isp", "enterprise"],
                "autonomous system numbers (an ASN, ISP or Enterprise database)",
                "geo.asn_database",
            )?),
            None => None,
        };
        Ok(GeoLocator::new(country, asn))
    }

    /// Combines already loaded databases.
    pub fn new(country: GeoDatabase, asn: Option<GeoDatabase>) -> GeoLocator {
        GeoLocator { country, asn }
    }

    /// The country and ASN of `ip`: each from the first database that knows it.
    pub fn lookup(&self, ip: IpAddr) -> Result<Location, GeoDbError> {
        let mut location = self.country.lookup(ip)?;
        if let Some(asn_database) = &self.asn {
            let from_asn = asn_database.lookup(ip)?;
            location.asn = location.asn.or(from_asn.asn);
            location.country = location.country.or(from_asn.country);
        }
        Ok(location)
    }
}
