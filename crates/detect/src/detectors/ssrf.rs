//! Remote file inclusion and server-side request forgery: URLs (or bare
//! hosts) that point the server at itself, its network, its cloud metadata
//! service, or at schemes no API needs (`file:`, `gopher:`, `dict:`...),
//! read as a URL parser reads them (circled and full-width look-alikes
//! mapped to ASCII, escaping backslashes dropped); and any remote URL in an
//! argument whose name says it holds a local path.

use super::Hit;
use std::net::{Ipv4Addr, Ipv6Addr};

const DANGEROUS_SCHEMES: &[&str] = &[
    "file:", "gopher:", "dict:", "ldap:", "ldaps:", "jar:", "netdoc:", "tftp:", "expect:", "phar:",
    "zip:", "glob:", "ssh2.", "rar:", "ogg:", "php:",
];

const METADATA_HOSTS: &[&str] = &[
    "169.254.169.254",
    "metadata.google.internal",
    "metadata.packet.net",
    "100.100.100.200",
    "fd00:ec2::254",
    "169.254.170.2",
    "metadata.azure.com",
    "instance-data",
];

/// Wildcard DNS services that resolve a name to any IP (DNS rebinding and
/// filter bypass).
const REBINDING_SUFFIXES: &[&str] = &[
    ".nip.io",
    ".xip.io",
    ".sslip.io",
    ".localtest.me",
    ".lvh.me",
    ".vcap.me",
    ".rbndr.us",
    ".1u.ms",
    ".traefik.me",
    ".localhost",
];

/// Parses an IPv4 host in dotted, decimal, octal or hex form.
fn parse_ipv4(host: &str) -> Option<Ipv4Addr> {
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(ip);
    }
    // Numbers wider than 32 bits keep their low bits in many parsers
    // (`http://7147006462/` is 169.254.169.254).
    let num = |p: &str| -> Option<u32> {
        let wide = if let Some(h) = p.strip_prefix("0x") {
            u64::from_str_radix(h.get(h.len().saturating_sub(16)..)?, 16).ok()
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(p, 8).ok()
        } else {
            p.parse::<u64>().ok()
        };
        wide.map(|w| (w & 0xffff_ffff) as u32)
    };
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [single] if single.bytes().all(|b| b.is_ascii_hexdigit() || b == b'x') => {
            num(single).map(Ipv4Addr::from)
        }
        [a, b] => {
            let (a, b) = (num(a)?, num(b)?);
            (a < 256 && b < (1 << 24)).then(|| Ipv4Addr::from(a << 24 | b))
        }
        [a, b, c] => {
            let (a, b, c) = (num(a)?, num(b)?, num(c)?);
            (a < 256 && b < 256 && c < (1 << 16)).then(|| Ipv4Addr::from(a << 24 | b << 16 | c))
        }
        [a, b, c, d] => {
            let v = [num(a)?, num(b)?, num(c)?, num(d)?];
            v.iter()
                .all(|x| *x < 256)
                .then(|| Ipv4Addr::new(v[0] as u8, v[1] as u8, v[2] as u8, v[3] as u8))
        }
        _ => None,
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.octets()[0] == 0
        || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || (ip.segments()[0] & 0xfe00) == 0xfc00
        || (ip.segments()[0] & 0xffc0) == 0xfe80
        || ip.to_ipv4_mapped().is_some_and(internal_v4)
}

/// What a host is.
enum HostKind {
    Metadata,
    Internal,
    Rebinding,
    PublicIp,
    Name,
}

fn classify(host: &str) -> HostKind {
    let host = host.trim_end_matches('.');
    if METADATA_HOSTS.contains(&host) {
        return HostKind::Metadata;
    }
    if [
        "localhost",
        "ip6-localhost",
        "ipv6-localhost",
        "ip6-loopback",
        "ipv6-loopback",
    ]
    .iter()
    .any(|p| {
        // `localhost.localdomain` and `localhost4` (an /etc/hosts alias) are
        // local; `localhost-docs.example.com` is someone's site.
        host.strip_prefix(p).is_some_and(|rest| {
            let rest = rest.strip_prefix(['4', '6']).unwrap_or(rest);
            rest.is_empty() || rest.starts_with('.')
        })
    }) || [
        ".internal",
        ".localdomain",
        ".local",
        ".svc",
        ".cluster.local",
    ]
    .iter()
    .any(|s| host.ends_with(s))
        && host.contains('.')
        || host == "kubernetes.default"
    {
        return HostKind::Internal;
    }
    if REBINDING_SUFFIXES
        .iter()
        .any(|s| host.ends_with(s) || host == &s[1..])
    {
        return HostKind::Rebinding;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    // `fe80::1%eth0`: a zone index names an interface, not another address.
    let bare = bare.split('%').next().unwrap_or(bare);
    if let Ok(v6) = bare.parse::<Ipv6Addr>() {
        return if internal_v6(v6) {
            HostKind::Internal
        } else {
            HostKind::PublicIp
        };
    }
    match parse_ipv4(host) {
        Some(ip) if ip == Ipv4Addr::new(169, 254, 169, 254) => HostKind::Metadata,
        Some(ip) if internal_v4(ip) => HostKind::Internal,
        Some(_) => HostKind::PublicIp,
        None => HostKind::Name,
    }
}

/// Host part of `scheme://[user@]host[:port]/...`.
fn url_host(after_scheme: &str) -> &str {
    let authority = after_scheme
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.starts_with('[') {
        return host_port
            .split(']')
            .next()
            .map_or(host_port, |h| &host_port[..h.len() + 1]);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

/// Special schemes a URL parser completes without `//` (`http:host`).
pub(super) const SLASHLESS_SCHEMES: &[&str] = &["http:", "https:", "ftp:"];

/// Judges the authority after `scheme://` (or a slashless special scheme);
/// `at_start`: the URL is the whole value. Returns whether it pushed a hit.
fn judge_authority(rest: &str, at_start: bool, url_field: bool, hits: &mut Vec<Hit>) -> bool {
    // Parsers disagree on `a@b@c` and `a &@b# @c`: judge every candidate host.
    let authority_end = rest.find(['/', '?', '\\']).unwrap_or(rest.len());
    let host = std::iter::once(url_host(rest))
        .chain(
            rest[..authority_end]
                .split('@')
                .skip(1)
                .map(|h| h.split([':', '#', ' ']).next().unwrap_or(h)),
        )
        .map(|h| (h, classify(h)))
        .max_by_key(|(_, kind)| match kind {
            HostKind::Metadata => 4,
            HostKind::Internal => 3,
            HostKind::Rebinding => 2,
            HostKind::PublicIp => 1,
            HostKind::Name => 0,
        })
        .map_or("", |(h, _)| h);
    match classify(host) {
        HostKind::Metadata => hits.push(Hit::new("ssrf.cloud_metadata", 5.0, 0.95, 1)),
        HostKind::Internal => hits.push(Hit::new("ssrf.internal_address", 5.0, 0.85, 1)),
        HostKind::Rebinding => hits.push(Hit::new("ssrf.rebinding_host", 5.0, 0.8, 1)),
        HostKind::PublicIp if !url_field => hits.push(Hit::new("rfi.ip_url", 5.0, 0.7, 1)),
        _ if at_start && rest.ends_with('?') && !url_field => {
            hits.push(Hit::new("rfi.trailing_question_mark", 5.0, 0.7, 1))
        }
        _ => return false,
    }
    true
}

/// The ASCII character a URL parser's IDNA mapping (UTS #46, NFKC) reads
/// for a look-alike: circled digits and letters, full-width forms, the
/// ideographic full stops.
fn ascii_lookalike(c: char) -> Option<char> {
    let code = u32::from(c);
    let offset = |base: u32, first: u8| char::from(first + (code - base) as u8);
    match code {
        0x2460..=0x2468 => Some(offset(0x2460, b'1')),
        0x24ea => Some('0'),
        0x24b6..=0x24cf => Some(offset(0x24b6, b'a')),
        0x24d0..=0x24e9 => Some(offset(0x24d0, b'a')),
        0xff01..=0xff5e => char::from_u32(code - 0xff01 + 0x21).map(|c| c.to_ascii_lowercase()),
        0x3002 | 0xff61 => Some('.'),
        _ => None,
    }
}

/// The value as a URL parser reads it: look-alikes mapped to ASCII and the
/// backslashes that only escape letters (`\l\o\c\a\l\h\o\s\t`) dropped.
/// Borrows when there is nothing to map.
fn as_parsed(value: &str) -> std::borrow::Cow<'_, str> {
    if value.is_ascii() && !value.contains('\\') {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_alphanumeric) {
            continue;
        }
        out.push(ascii_lookalike(c).unwrap_or(c));
    }
    std::borrow::Cow::Owned(out)
}

/// Last words of argument names that hold a local file or directory
/// (`mosConfig_absolute_path`, `_CONF[path]`, `include_dir`).
const PATH_NAME_ENDINGS: &[&str] = &["path", "dir", "directory", "root", "include", "require"];

/// Whether an argument's name says it holds a local path: a URL there is
/// remote file inclusion, however public its host.
pub fn names_local_path(name: &str) -> bool {
    let last = name
        .trim_end_matches(']')
        .rsplit(['_', '[', '.', '-'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    PATH_NAME_ENDINGS.contains(&last.as_str())
}

/// Looks for SSRF/RFI in a folded value; `url_field`: the contract says the
/// field carries URLs, so a public URL is expected there; `path_field`: the
/// argument's name says it holds a local path.
pub fn detect(folded: &str, url_field: bool, path_field: bool, hits: &mut Vec<Hit>) {
    let parsed = as_parsed(folded.trim());
    let value = parsed.as_ref();
    if let Some(scheme) = DANGEROUS_SCHEMES
        .iter()
        .find(|s| value.starts_with(*s) || value.contains(&format!(" {s}")))
    {
        let rule = if *scheme == "php:" || *scheme == "phar:" {
            "php.stream_wrapper"
        } else {
            "ssrf.dangerous_scheme"
        };
        hits.push(Hit::new(rule, 5.0, 0.9, 1));
        return;
    }
    if let Some(scheme) = value.strip_suffix('?') {
        if ["file", "ftp", "ftps", "http", "https"].contains(&scheme.trim_end_matches('?')) {
            hits.push(Hit::new("rfi.trailing_question_mark", 5.0, 0.6, 1));
            return;
        }
    }
    // A data URL's media type follows the colon (`data:text/html,...`);
    // `data: text/plain` in a sentence does not.
    let media_type = value
        .strip_prefix("data:")
        .filter(|rest| rest.contains('/') && !rest.starts_with(|c: char| c.is_ascii_whitespace()));
    if media_type.is_some() {
        hits.push(Hit::new("ssrf.data_url", 5.0, 0.8, 1));
        return;
    }
    if path_field
        && !url_field
        && ["http://", "https://", "ftp://", "ftps://"]
            .iter()
            .any(|s| value.starts_with(s))
    {
        hits.push(Hit::new("rfi.url_as_path", 5.0, 0.75, 1));
        return;
    }
    for (at, _) in value.match_indices("://") {
        let scheme_start = value[..at]
            .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '.')
            .map_or(0, |i| i + 1);
        let scheme = &value[scheme_start..at];
        if scheme.is_empty() {
            continue;
        }
        if judge_authority(&value[at + 3..], scheme_start == 0, url_field, hits) {
            return;
        }
    }
    // Special schemes need no slashes (WHATWG URL): `http:2852039166`, `http:/x`.
    if let Some(rest) = SLASHLESS_SCHEMES
        .iter()
        .find_map(|s| value.strip_prefix(s))
        .filter(|rest| !rest.starts_with("//"))
    {
        if judge_authority(rest.trim_start_matches(['/', '\\']), true, url_field, hits) {
            return;
        }
    }
    // A bare host or `host/path` where a URL is expected.
    let host = value.split(['/', ':']).next().unwrap_or("");
    if host.len() == value.len() || value[host.len()..].starts_with(['/', ':']) {
        match classify(host) {
            HostKind::Metadata => hits.push(Hit::new("ssrf.cloud_metadata", 5.0, 0.9, 1)),
            HostKind::Internal
                if value.len() > host.len() || host.contains('.') || host == "localhost" =>
            {
                hits.push(Hit::new("ssrf.internal_address", 5.0, 0.7, 1))
            }
            HostKind::Rebinding => hits.push(Hit::new("ssrf.rebinding_host", 5.0, 0.75, 1)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        let mut hits = Vec::new();
        detect(s, false, false, &mut hits);
        !hits.is_empty()
    }

    #[test]
    fn a_url_where_a_local_path_belongs_is_inclusion() {
        let in_path_field = |s: &str| {
            let mut hits = Vec::new();
            detect(s, false, true, &mut hits);
            !hits.is_empty()
        };
        assert!(names_local_path("mosConfig_absolute_path"));
        assert!(names_local_path("_CONF[path]"));
        assert!(!names_local_path("redirect_url"));
        assert!(!names_local_path("xpath_query"));
        assert!(in_path_field("https://foo.bar"));
        assert!(!in_path_field("/var/www/uploads"));
        assert!(!fires("https://foo.bar"));
    }

    #[test]
    fn catches_internal_metadata_schemes_and_ip_urls() {
        for attack in [
            "http://169.254.169.254/computemetadata/v1/",
            "http://2130706433/",
            "http://0x7f.1/admin",
            "gopher://127.0.0.1:6379/_",
            "file:///etc/passwd",
            "localhost/",
            "http://[::1]/",
            "http://a.127.0.0.1.nip.io/",
            "http://66.240.183.75/crash.php",
            "data:text/plain;base64,ssbsb3zlifbiuao=",
            "http:2852039166",
            "http:/0251.0376.0251.0376",
            "acap://①②⑦.⓪.⓪.①",
            "irc://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",
            "http://169。254。169。254/",
            "http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/",
            "http://[fe80::1%zone1]",
            "http://kubernetes.default.svc/api/v1/secrets",
            "http://vault.secrets.svc.cluster.local:8200/",
        ] {
            assert!(fires(attack), "missed: {attack}");
        }
    }

    #[test]
    fn stays_quiet_on_public_urls_and_text() {
        for benign in [
            "https://www.golino-piovani.com/",
            "http://jockel.de/category/app",
            "meet at the metadata talk",
            "10.5 kg",
            "v1.2.3.4",
            "https:example.com",
            "http: see the docs",
            "https://ｅｘａｍｐｌｅ.com/",
            "http://example.com/a\\b",
            "https://docs.svc-status.example.com/",
        ] {
            assert!(!fires(benign), "false positive: {benign}");
        }
    }
}
