//! Per-route geo-fences compiled from [`GeoConfig`] and checked per request.

use super::config::{FenceRules, GeoConfig};
use super::country::CountryCode;
use super::database::Location;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;

/// A fence that contradicts itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {value} is also in the allow list of the same fence")]
pub struct FenceError {
    pub key: String,
    pub value: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoDenial {
    CountryDenied(CountryCode),
    /// Not in the allow list; `None` when the country is unknown.
    CountryNotAllowed(Option<CountryCode>),
    AsnDenied(u32),
    /// Not in the allow list; `None` when the ASN is unknown.
    AsnNotAllowed(Option<u32>),
}

impl fmt::Display for GeoDenial {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeoDenial::CountryDenied(code) => write!(formatter, "country {code} is denied"),
            GeoDenial::CountryNotAllowed(Some(code)) => {
                write!(formatter, "country {code} is not allowed")
            }
            GeoDenial::CountryNotAllowed(None) => {
                formatter.write_str("unknown country is not allowed")
            }
            GeoDenial::AsnDenied(asn) => write!(formatter, "AS{asn} is denied"),
            GeoDenial::AsnNotAllowed(Some(asn)) => write!(formatter, "AS{asn} is not allowed"),
            GeoDenial::AsnNotAllowed(None) => formatter.write_str("unknown ASN is not allowed"),
        }
    }
}

/// One list, compiled for constant-time membership.
#[derive(Debug, Clone)]
struct Lists<T> {
    allow: HashSet<T>,
    deny: HashSet<T>,
}

impl<T: Copy + Eq + Hash + fmt::Display> Lists<T> {
    fn compile(allow: &[T], deny: &[T], deny_key: String) -> Result<Lists<T>, FenceError> {
        let allow: HashSet<T> = allow.iter().copied().collect();
        if let Some(both) = deny.iter().find(|value| allow.contains(value)) {
            return Err(FenceError {
                key: deny_key,
                value: both.to_string(),
            });
        }
        Ok(Lists {
            allow,
            deny: deny.iter().copied().collect(),
        })
    }

    /// `Err(true)`: denied; `Err(false)`: not allowed.
    fn check(&self, value: Option<T>, allow_unknown: bool) -> Result<(), bool> {
        match value {
            Some(value) if self.deny.contains(&value) => Err(true),
            Some(value) if !self.allow.is_empty() && !self.allow.contains(&value) => Err(false),
            None if !self.allow.is_empty() && !allow_unknown => Err(false),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone)]
struct Fence {
    countries: Lists<CountryCode>,
    asns: Lists<u32>,
    allow_unknown: bool,
}

impl Fence {
    fn compile(rules: &FenceRules, key: &str) -> Result<Fence, FenceError> {
        Ok(Fence {
            countries: Lists::compile(
                &rules.allow_countries,
                &rules.deny_countries,
                format!("{key}.deny_countries"),
            )?,
            asns: Lists::compile(
                &rules.allow_asns,
                &rules.deny_asns,
                format!("{key}.deny_asns"),
            )?,
            allow_unknown: rules.allow_unknown,
        })
    }

    fn check(&self, location: &Location) -> Option<GeoDenial> {
        if let Err(denied) = self.countries.check(location.country, self.allow_unknown) {
            return Some(match (denied, location.country) {
                (true, Some(code)) => GeoDenial::CountryDenied(code),
                (_, country) => GeoDenial::CountryNotAllowed(country),
            });
        }
        if let Err(denied) = self.asns.check(location.asn, self.allow_unknown) {
            return Some(match (denied, location.asn) {
                (true, Some(asn)) => GeoDenial::AsnDenied(asn),
                (_, asn) => GeoDenial::AsnNotAllowed(asn),
            });
        }
        None
    }
}

/// Every route's fence, ready to check.
#[derive(Debug, Clone, Default)]
pub struct GeoFence {
    routes: HashMap<String, Fence>,
    default: Option<Fence>,
}

impl GeoFence {
    /// Compiles the fences of `config`; an error names the offending key.
    pub fn compile(config: &GeoConfig) -> Result<GeoFence, FenceError> {
        let routes = config
            .routes
            .iter()
            .map(|(route, rules)| {
                let key = format!("geo.routes.{route}");
                Ok((route.clone(), Fence::compile(rules, &key)?))
            })
            .collect::<Result<_, FenceError>>()?;
        let default = match &config.default {
            Some(rules) => Some(Fence::compile(rules, "geo.default")?),
            None => None,
        };
        Ok(GeoFence { routes, default })
    }

    /// Why the route named `route` refuses a client at `location`, or `None`
    /// when it lets it through. Routes without a fence use the default one.
    pub fn check(&self, route: &str, location: &Location) -> Option<GeoDenial> {
        self.routes
            .get(route)
            .or(self.default.as_ref())
            .and_then(|fence| fence.check(location))
    }
}
