//! Geo-fencing: where a client is (country, autonomous system) and whether
//! a route lets clients from there in.
//!
//! A country database is compiled into the binary (DB-IP Lite, CC BY 4.0, chosen by measured accuracy; see
//! `crates/prevent/data/SOURCE.md`) so fences work with no download; a
//! GeoIP2/GeoLite2 Country or City file overrides it and an ASN file adds
//! autonomous system numbers ([`GeoConfig`]).
//!
//! ```text
//! let locator = GeoLocator::from_config(&geo)?;   // at load; reload builds a new one
//! let fence = GeoFence::compile(&geo)?;
//! // request_headers:
//! let location = locator.lookup(client_ip)?;        // fills ClientFacts.country / .asn
//! if let Some(denial) = fence.check(&facts.route, &location) { /* 403, record denial */ }
//! ```
//!
//! - [`country`]: validated ISO 3166-1 alpha-2 codes.
//! - [`database`]: one MaxMind DB file, checked at load, read per lookup.
//! - [`locator`]: the country and ASN databases combined.
//! - [`config`]: the `[geo]` section.
//! - [`fence`]: allow/deny lists per route and their check.
pub mod config;
pub mod country;
pub mod database;
pub mod fence;
pub mod locator;
mod structure;

pub use config::{FenceRules, GeoConfig};
pub use country::{CountryCode, InvalidCountryCode};
pub use database::{GeoDatabase, GeoDbError, Location, MAX_DATABASE_BYTES};
pub use fence::{FenceError, GeoDenial, GeoFence};
pub use locator::GeoLocator;
