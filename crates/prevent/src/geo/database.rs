//! Country and ASN lookup in MaxMind DB files: the embedded DB-IP Lite
//! country database by default, a user's GeoIP2/GeoLite2 files when configured.
//!
//! The file format is read by the `maxminddb` crate; this module adds the
//! checks that crate leaves to its caller (a bounded file size, a search tree
//! that fits in the file, a supported record size) so a hostile or truncated
//! file is refused at load instead of failing at lookup time.
//!
//! `maxminddb` 0.26 indexes its buffer without bounds checks in places and
//! panics on some corrupt files (found by this crate's tests), so every call
//! into it runs under [`contained`], which turns such a panic into an error.
//! It also recurses without a limit, which no panic handler can contain: the
//! file's whole structure is walked first, bounded (`structure`).

use super::country::CountryCode;
use super::structure;
use maxminddb::Reader;
use serde::Deserialize;
use std::borrow::Cow;
use std::net::IpAddr;
use std::path::Path;

/// DB-IP's IP to Country Lite database (CC BY 4.0, IP Geolocation by
/// DB-IP, https://db-ip.com), chosen by measured accuracy: `data/SOURCE.md`.
static EMBEDDED_COUNTRY_DB: &[u8] = include_bytes!("../../data/dbip-country.mmdb");

/// Larger files are refused: GeoIP2 City is about 130 MB, Enterprise about 600 MB.
pub const MAX_DATABASE_BYTES: u64 = 1 << 30;

/// Why a database could not be loaded or read.
#[derive(Debug, thiserror::Error)]
pub enum GeoDbError {
    #[error("`{key}`: cannot read {path}: {source}")]
    Read {
        key: String,
        path: String,
        source: std::io::Error,
    },
    #[error("`{key}`: {path} is {size} bytes, more than the {MAX_DATABASE_BYTES} allowed")]
    TooLarge {
        key: String,
        path: String,
        size: u64,
    },
    #[error("`{key}`: {origin} is not a usable MaxMind DB: {reason}")]
    Invalid {
        key: String,
        origin: String,
        reason: String,
    },
    #[error("`{key}`: {origin} is a {database_type:?} database, expected one with {expected}")]
    WrongKind {
        key: String,
        origin: String,
        database_type: String,
        expected: &'static str,
    },
    #[error("looking up {ip}: {reason}")]
    Lookup { ip: IpAddr, reason: String },
}

/// What the databases know about an address; `None` when they do not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub country: Option<CountryCode>,
    pub asn: Option<u32>,
}

/// One loaded MaxMind DB file.
pub struct GeoDatabase {
    reader: Reader<Cow<'static, [u8]>>,
    origin: String,
}

/// The fields read from a record, whichever layout the file uses: the flat
/// `country_code` of the embedded database (and of IPtoASN files), GeoIP2 Country/City's `country.iso_code` (falling back
/// to `registered_country`), GeoIP2/GeoLite2 ASN's `autonomous_system_number`.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    country_code: Option<&'a str>,
    #[serde(borrow)]
    country: Option<CountryRecord<'a>>,
    #[serde(borrow)]
    registered_country: Option<CountryRecord<'a>>,
    autonomous_system_number: Option<u32>,
}

#[derive(Deserialize)]
struct CountryRecord<'a> {
    iso_code: Option<&'a str>,
}

impl Record<'_> {
    fn location(&self) -> Location {
        fn nested<'a>(record: &Option<CountryRecord<'a>>) -> Option<&'a str> {
            record.as_ref().and_then(|country| country.iso_code)
        }
        let country = self
            .country_code
            .or_else(|| nested(&self.country))
            .or_else(|| nested(&self.registered_country))
            // Placeholders such as IPtoASN's "None" are not countries.
            .and_then(|code| code.parse().ok());
        Location {
            country,
            asn: self.autonomous_system_number.filter(|&asn| asn != 0),
        }
    }
}

impl GeoDatabase {
    /// The country database compiled into the binary.
    pub fn embedded() -> Result<GeoDatabase, GeoDbError> {
        GeoDatabase::from_bytes(
            Cow::Borrowed(EMBEDDED_COUNTRY_DB),
            "the embedded DB-IP Lite country database",
            "geo",
        )
    }

    /// Loads a file; `key` names the configuration key in errors.
    pub fn open(path: &Path, key: &str) -> Result<GeoDatabase, GeoDbError> {
        let shown = path.display().to_string();
        let read_error = |source| GeoDbError::Read {
            key: key.to_owned(),
            path: shown.clone(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read_error)?.len();
        if size > MAX_DATABASE_BYTES {
            return Err(GeoDbError::TooLarge {
                key: key.to_owned(),
                path: shown,
                size,
            });
        }
        let bytes = std::fs::read(path).map_err(read_error)?;
        GeoDatabase::from_bytes(Cow::Owned(bytes), &shown, key)
    }

    /// Loads a database already in memory; `origin` says where it came from.
    pub fn from_bytes(
        bytes: Cow<'static, [u8]>,
        origin: &str,
        key: &str,
    ) -> Result<GeoDatabase, GeoDbError> {
        let invalid = |reason: String| GeoDbError::Invalid {
            key: key.to_owned(),
            origin: origin.to_owned(),
            reason,
        };
        let length = bytes.len();
        structure::check_metadata(&bytes).map_err(invalid)?;
        let metadata = contained(|| Reader::from_source(&bytes[..]))
            .and_then(|parsed| parsed.map_err(|error| error.to_string()))
            .map_err(invalid)?
            .metadata;
        if !matches!(metadata.record_size, 24 | 28 | 32) {
            return Err(invalid(format!(
                "record size {} (expected 24, 28 or 32)",
                metadata.record_size
            )));
        }
        if !matches!(metadata.ip_version, 4 | 6) {
            return Err(invalid(format!("IP version {}", metadata.ip_version)));
        }
        let tree_bytes = u64::from(metadata.node_count) * u64::from(metadata.record_size) / 4;
        if tree_bytes + 16 > length as u64 {
            return Err(invalid(format!(
                "its search tree ({} nodes) is larger than the file",
                metadata.node_count
            )));
        }
        let tree = structure::Tree {
            node_count: metadata.node_count,
            record_size: metadata.record_size,
        };
        structure::check_records(&bytes, &tree).map_err(invalid)?;
        let reader = contained(|| Reader::from_source(bytes))
            .and_then(|parsed| parsed.map_err(|error| error.to_string()))
            .map_err(invalid)?;
        Ok(GeoDatabase {
            reader,
            origin: origin.to_owned(),
        })
    }

    /// The file's `database_type`, e.g. `GeoLite2-Country`.
    pub fn database_type(&self) -> &str {
        &self.reader.metadata.database_type
    }

    /// Refuses a database whose type names none of `wanted` (case-insensitive),
    /// so an ASN file given as the country database is caught at load.
    pub fn expect_kind(
        self,
        wanted: &[&str],
        expected: &'static str,
        key: &str,
    ) -> Result<GeoDatabase, GeoDbError> {
        let kind = self.database_type().to_ascii_lowercase();
        if wanted.iter().any(|word| kind.contains(word)) {
            return Ok(self);
        }
        Err(GeoDbError::WrongKind {
            key: key.to_owned(),
            origin: self.origin,
            database_type: self.reader.metadata.database_type,
            expected,
        })
    }

    /// What this database knows about `ip`.
    pub fn lookup(&self, ip: IpAddr) -> Result<Location, GeoDbError> {
        // An IPv4 address in an IPv4-only database is the only mapping the
        // reader does not do itself: IPv4-mapped IPv6 addresses are unwrapped.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        if ip.is_ipv6() && self.reader.metadata.ip_version == 4 {
            return Ok(Location::default());
        }
        let found = contained(|| {
            self.reader
                .lookup::<Record>(ip)
                .map(|record| record.map(|r| r.location()).unwrap_or_default())
        });
        found
            .and_then(|result| result.map_err(|error| error.to_string()))
            .map_err(|reason| GeoDbError::Lookup {
                ip,
                reason: format!("{}: {reason}", self.origin),
            })
    }
}

/// Runs a call into `maxminddb`, reporting a panic on corrupt data as an error.
/// The reader is only read, never left half-updated, so unwinding is safe.
fn contained<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
        .map_err(|_| "corrupt database (the reader panicked)".to_owned())
}

impl std::fmt::Debug for GeoDatabase {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("GeoDatabase")
            .field("origin", &self.origin)
            .field("database_type", &self.database_type())
            .finish()
    }
}
