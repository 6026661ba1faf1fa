//! One forward-confirmed reverse DNS lookup, with `hickory-resolver`: the
//! PTR records of the address, then the A (IPv4) or AAAA (IPv6) records
//! of each PTR name that is in a configured domain. Only the configured
//! nameserver is asked (the system configuration is not read), with no
//! search domains, one attempt per query and `[bots.dns] timeout` each.

use crate::config::DnsSettings;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::{Name, RData};
use hickory_resolver::TokioResolver;
use rampart_behave::bots::reverse_dns::{in_domain, PtrName, MAX_PTR_NAMES};
use rampart_behave::bots::ReverseDns;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Why a lookup found nothing to judge with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    Timeout,
    /// The resolver answered with an error, or could not be asked.
    Failed,
}

/// What a lookup found, and for how long its records said it holds.
pub struct Found {
    pub reverse_dns: ReverseDns,
    pub ttl: Duration,
}

/// A resolver that asks `nameserver` only.
pub fn resolver(nameserver: SocketAddr, settings: &DnsSettings) -> Result<TokioResolver, String> {
    let mut server = NameServerConfig::udp_and_tcp(nameserver.ip());
    for connection in &mut server.connections {
        connection.port = nameserver.port();
    }
    let mut options = ResolverOpts::default();
    options.timeout = settings.timeout;
    options.attempts = 1;
    // The gateway keeps its own bounded cache of verdicts.
    options.cache_size = 0;
    options.ndots = 0;
    TokioResolver::builder_with_config(
        ResolverConfig::from_parts(None, Vec::new(), vec![server]),
        TokioRuntimeProvider::default(),
    )
    .with_options(options)
    .build()
    .map_err(|e| format!("cannot set up the resolver for {nameserver}: {e}"))
}

fn classify(error: &NetError) -> LookupError {
    match error {
        NetError::Timeout => LookupError::Timeout,
        _ => LookupError::Failed,
    }
}

fn remaining(until: Instant) -> Duration {
    until.saturating_duration_since(Instant::now())
}

/// Looks `address` up; `domains` are those any claim may need (names
/// outside all of them are kept, unconfirmed, for the evidence).
pub async fn forward_confirmed(
    resolver: &TokioResolver,
    address: IpAddr,
    domains: &[String],
) -> Result<Found, LookupError> {
    let address = address.to_canonical();
    let ptr = match resolver.reverse_lookup(Name::from(address)).await {
        Ok(ptr) => ptr,
        Err(e) if e.is_no_records_found() => {
            return Ok(Found {
                reverse_dns: ReverseDns::NoPtr,
                ttl: Duration::MAX,
            })
        }
        Err(e) => return Err(classify(&e)),
    };
    let mut ttl = remaining(ptr.valid_until());
    let hosts: Vec<String> = ptr
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::PTR(name) => Some(name.0.to_ascii()),
            _ => None,
        })
        .map(|name| name.strip_suffix('.').unwrap_or(&name).to_string())
        .take(MAX_PTR_NAMES)
        .collect();
    if hosts.is_empty() {
        return Ok(Found {
            reverse_dns: ReverseDns::NoPtr,
            ttl,
        });
    }
    let mut names = Vec::with_capacity(hosts.len());
    for host in hosts {
        let wanted = domains.iter().any(|d| in_domain(&host, d));
        let confirmed = match wanted {
            true => {
                let (confirmed, until) = resolves_to(resolver, &host, address).await?;
                ttl = ttl.min(until.map_or(ttl, remaining));
                confirmed
            }
            false => false,
        };
        names.push(PtrName {
            name: host,
            confirmed,
        });
    }
    Ok(Found {
        reverse_dns: ReverseDns::Names(names),
        ttl,
    })
}

/// Whether `host`'s records of `address`'s family contain it, and until
/// when the answer holds (`None`: the name has no such records).
async fn resolves_to(
    resolver: &TokioResolver,
    host: &str,
    address: IpAddr,
) -> Result<(bool, Option<Instant>), LookupError> {
    // A PTR name that is no host name cannot resolve back to anything.
    let Ok(fqdn) = Name::from_ascii(format!("{host}.")) else {
        return Ok((false, None));
    };
    let lookup = match address {
        IpAddr::V4(_) => resolver.ipv4_lookup(fqdn).await,
        IpAddr::V6(_) => resolver.ipv6_lookup(fqdn).await,
    };
    let lookup = match lookup {
        Ok(lookup) => lookup,
        Err(e) if e.is_no_records_found() => return Ok((false, None)),
        Err(e) => return Err(classify(&e)),
    };
    let found = lookup
        .answers()
        .iter()
        .any(|record| match (&record.data, address) {
            (RData::A(a), IpAddr::V4(v4)) => a.0 == v4,
            (RData::AAAA(aaaa), IpAddr::V6(v6)) => aaaa.0 == v6,
            _ => false,
        });
    Ok((found, Some(lookup.valid_until())))
}
