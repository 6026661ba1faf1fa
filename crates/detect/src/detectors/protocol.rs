//! Protocol anomalies: what a well-behaved HTTP client does not send.
//!
//! Invalid or disallowed methods and method-override tricks, missing or
//! odd framing headers (GET with a body, Content-Length with
//! Transfer-Encoding), abusive ranges, content types the API does not speak
//! or that hide a second charset or boundary, responses asked for in a
//! charset where ASCII does not stay ASCII, restricted headers and file
//! extensions, and what decoding had to repair (null bytes, overlong UTF-8,
//! `%u` escapes, CR/LF where a line must not break).

use super::Hit;
use crate::config::DetectConfig;
use crate::contract::EndpointContract;
use crate::location::Location;
use crate::parse::content_type::{BodyKind, ContentType};
use crate::parse::{Anomaly, Value};
use crate::shape::Shape;
use rampart_core::exchange::RequestView;

/// A request-level finding with the location it concerns.
pub type Finding = (Hit, Location, String);

const OVERRIDE_HEADERS: &[&str] = &[
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];
/// Request arguments that frameworks read as the "real" method.
const OVERRIDE_PARAMS: &[&str] = &["_method", "_HttpMethod", "x-http-method-override"];
/// Methods defined by RFC 9110 (and PATCH), whatever the configuration allows.
const STANDARD_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

/// Whether `value` names a method a server would act on.
fn names_http_method(value: &str, config: &DetectConfig) -> bool {
    let value = value.trim();
    STANDARD_METHODS
        .iter()
        .copied()
        .chain(config.allowed_methods.iter().map(String::as_str))
        .any(|m| m.eq_ignore_ascii_case(value))
}

const RESTRICTED_HEADERS: &[&str] = &[
    "proxy",
    "lock-token",
    "content-range",
    "translate",
    "if",
    "request-range",
];
const RESTRICTED_EXTENSIONS: &[&str] = &[
    ".asa",
    ".asax",
    ".ascx",
    ".backup",
    ".bak",
    ".bat",
    ".cdx",
    ".cer",
    ".cfg",
    ".cmd",
    ".com",
    ".config",
    ".conf",
    ".cs",
    ".csproj",
    ".csr",
    ".dat",
    ".db",
    ".dbf",
    ".dll",
    ".dos",
    ".htr",
    ".htw",
    ".ida",
    ".idc",
    ".idq",
    ".inc",
    ".ini",
    ".key",
    ".licx",
    ".lnk",
    ".log",
    ".mdb",
    ".old",
    ".pass",
    ".pdb",
    ".pol",
    ".printer",
    ".pwd",
    ".rdb",
    ".resources",
    ".resx",
    ".sql",
    ".swp",
    ".sys",
    ".vb",
    ".vbs",
    ".vbproj",
    ".vsdisco",
    ".webinfo",
    ".xsd",
    ".xsx",
    ".sqlite",
    ".sqlite3",
    ".orig",
    ".save",
    ".tmp",
    ".temp",
    ".git",
    ".svn",
];
const SAFE_CHARSETS: &[&str] = &[
    "utf-8",
    "utf8",
    "iso-8859-1",
    "iso-8859-15",
    "windows-1252",
    "us-ascii",
    "ascii",
    "utf-16",
    "utf-16le",
    "utf-16be",
];

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn header_text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

/// A `charset` asked for in `Accept` under which ASCII does not stay ASCII
/// (UTF-16/32, UTF-7, EBCDIC code pages such as CP1026): a response in it
/// slips past response inspection and the filters of whoever reads it.
fn ascii_unsafe_charset(accept: &str) -> Option<String> {
    accept
        .split([',', ';'])
        .filter_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
        .find(|charset| {
            !(matches!(
                charset.as_str(),
                "utf-8" | "utf8" | "us-ascii" | "ascii" | "*"
            ) || charset.starts_with("iso-8859-")
                || charset.starts_with("windows-125"))
        })
}

/// Paranoia level of signals that are normal for API clients (a host given
/// as an address, an empty `User-Agent` from a server-to-server client, a
/// body without `Content-Type`): at the default level 1 they score nothing,
/// so they neither make every request an event nor lower every threshold.
const NORMAL_FOR_APIS: u8 = 2;

/// Request-line and header anomalies.
/// `contract` is the endpoint's, declared or learned: what its template
/// says about the path.
pub fn inspect_request(
    req: &RequestView<'_>,
    config: &DetectConfig,
    contract: Option<&EndpointContract>,
    out: &mut Vec<Finding>,
) {
    let method = req.method;
    let hit = |rule, score: f64| Hit::new(rule, score, 0.9, 1);
    if !is_token(method) || method.len() > 20 {
        out.push((
            hit("protocol.invalid_method", 5.0),
            Location::Method,
            method.to_owned(),
        ));
    } else if !config.allowed_methods.iter().any(|m| m == method) {
        out.push((
            hit("protocol.method_not_allowed", 5.0),
            Location::Method,
            method.to_owned(),
        ));
    }
    for name in OVERRIDE_HEADERS {
        if let Some(v) = req.header(name) {
            let wanted = header_text(v);
            let allowed = config
                .allowed_methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(wanted.trim()));
            let score = if !allowed || matches!(method, "GET" | "HEAD") {
                5.0
            } else {
                3.0
            };
            out.push((
                hit("protocol.method_override", score),
                Location::Header((*name).into()),
                wanted,
            ));
        }
    }
    match req.header("host").map(header_text) {
        None => out.push((
            hit("protocol.missing_host", 5.0),
            Location::Header("host".into()),
            String::new(),
        )),
        Some(h) if h.trim().is_empty() => out.push((
            hit("protocol.missing_host", 5.0),
            Location::Header("host".into()),
            h,
        )),
        Some(h) => {
            let host = h
                .rsplit_once(':')
                .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                .map_or(h.as_str(), |(n, _)| n);
            if host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[') {
                out.push((
                    // Normal for APIs (health checks, service-to-service
                    // calls by address): counted from paranoia 2 only.
                    Hit::new("protocol.host_is_ip", 3.0, 0.5, NORMAL_FOR_APIS),
                    Location::Header("host".into()),
                    h.clone(),
                ));
            }
        }
    }
    if let Some(ua) = req.header("user-agent") {
        if ua.trim_ascii().is_empty() {
            out.push((
                Hit::new("protocol.empty_user_agent", 3.0, 0.5, NORMAL_FOR_APIS),
                Location::Header("user-agent".into()),
                String::new(),
            ));
        }
    }
    if let Some(charset) = req
        .header("accept")
        .map(header_text)
        .and_then(|accept| ascii_unsafe_charset(&accept))
    {
        out.push((
            hit("protocol.accept_charset", 5.0),
            Location::Header("accept".into()),
            charset,
        ));
    }
    for conn in req.headers_named("connection") {
        let text = header_text(conn).to_ascii_lowercase();
        let options: Vec<&str> = text.split(',').map(str::trim).collect();
        let repeated = options
            .iter()
            .enumerate()
            .any(|(i, o)| options[..i].contains(o));
        let conflicting = options.contains(&"close") && options.contains(&"keep-alive");
        if repeated || conflicting {
            out.push((
                hit("protocol.connection_header", 5.0),
                Location::Header("connection".into()),
                text.clone(),
            ));
        }
    }
    if let Some(range) = req.header("range").map(header_text) {
        let specs: Vec<&str> = range
            .split_once('=')
            .map_or(vec![], |(_, r)| r.split(',').collect());
        let backwards = specs.iter().any(|s| {
            s.trim().split_once('-').is_some_and(
                |(a, b)| matches!((a.parse::<u64>(), b.parse::<u64>()), (Ok(a), Ok(b)) if a > b),
            )
        });
        if specs.len() > 5 || backwards {
            out.push((
                hit("protocol.range_abuse", 5.0),
                Location::Header("range".into()),
                range.clone(),
            ));
        }
    }
    for name in RESTRICTED_HEADERS {
        if let Some(v) = req.header(name) {
            out.push((
                hit("protocol.restricted_header", 5.0),
                Location::Header((*name).into()),
                header_text(v),
            ));
        }
    }
    let content_length = req.header("content-length").map(header_text);
    if let Some(cl) = &content_length {
        if cl.trim().is_empty() || !cl.trim().bytes().all(|b| b.is_ascii_digit()) {
            out.push((
                hit("protocol.invalid_content_length", 5.0),
                Location::Header("content-length".into()),
                cl.clone(),
            ));
        }
    }
    let transfer_encoding = req.header("transfer-encoding").is_some();
    if transfer_encoding && content_length.is_some() {
        out.push((
            hit("protocol.smuggling_framing", 5.0),
            Location::Header("transfer-encoding".into()),
            String::new(),
        ));
    }
    let has_body = req.body.is_some_and(|b| !b.bytes.is_empty())
        || content_length
            .as_deref()
            .is_some_and(|c| c.trim().parse::<u64>().is_ok_and(|n| n > 0));
    if matches!(method, "GET" | "HEAD") && (has_body || transfer_encoding) {
        out.push((
            hit("protocol.body_on_get", 5.0),
            Location::Body,
            String::new(),
        ));
    }
    for &(name, value) in &req.headers {
        if value.contains(&0) || value.contains(&b'\n') || value.contains(&b'\r') {
            out.push((
                hit("protocol.header_control_character", 5.0),
                Location::Header(name.to_ascii_lowercase()),
                header_text(value),
            ));
        }
    }
    let raw_path = req.path.to_ascii_lowercase();
    if raw_path.contains("%0a") || raw_path.contains("%0d") || raw_path.contains('\n') {
        out.push((
            hit("protocol.newline_in_path", 5.0),
            Location::Path(None),
            req.path.to_owned(),
        ));
    }
    let last_segment = raw_path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    if last_segment.ends_with('~') || raw_path.contains("~/") {
        out.push((
            hit("protocol.backup_file", 5.0),
            Location::Path(None),
            req.path.to_owned(),
        ));
    } else if let Some(ext) = RESTRICTED_EXTENSIONS
        .iter()
        .find(|e| last_segment.ends_with(*e))
        .filter(|_| !ends_in_a_value(last_segment, contract))
    {
        // In API paths `.com` ends a domain or an e-mail address
        // (`/v2/domains/example.com`, `/users/ann%40example.com`) far more
        // often than a DOS program.
        let paranoia = if *ext == ".com" { NORMAL_FOR_APIS } else { 1 };
        out.push((
            Hit::new("protocol.restricted_extension", 5.0, 0.9, paranoia),
            Location::Path(None),
            (*ext).to_owned(),
        ));
    }
}

/// Whether the last path segment is a value rather than a file name: the
/// endpoint says so (see [`EndpointContract::ends_in_a_value`]), or the
/// segment is an e-mail address (`/users/ann%40example.com`).
fn ends_in_a_value(last_segment: &str, contract: Option<&EndpointContract>) -> bool {
    if contract.is_some_and(|c| c.ends_in_a_value(last_segment)) {
        return true;
    }
    if !last_segment.contains(['@', '%']) {
        return false;
    }
    let mut decoded = Vec::with_capacity(last_segment.len());
    rampart_core::form::decode_component(last_segment.as_bytes(), &mut decoded);
    std::str::from_utf8(&decoded).is_ok_and(|s| Shape::Email.fits(s))
}

/// Content-type anomalies of a request with a body.
/// A media type the endpoint (`contract`) is known to take is not judged
/// by the allow list.
pub fn inspect_content_type(
    ct: Option<&ContentType>,
    raw: Option<&str>,
    has_body: bool,
    contract: Option<&EndpointContract>,
    out: &mut Vec<Finding>,
) {
    let loc = || Location::Header("content-type".into());
    let hit = |rule, score: f64| Hit::new(rule, score, 0.85, 1);
    let Some(ct) = ct else {
        if has_body {
            // An ordinary chunked POST from a script often has none.
            out.push((
                Hit::new("protocol.missing_content_type", 5.0, 0.85, NORMAL_FOR_APIS),
                loc(),
                String::new(),
            ));
        }
        return;
    };
    let raw = raw.unwrap_or_default().to_owned();
    if ct.malformed {
        out.push((hit("protocol.malformed_content_type", 5.0), loc(), raw));
        return;
    }
    let known = contract.is_some_and(|c| c.takes_content_type(&ct.media_type));
    if matches!(ct.kind, BodyKind::Other | BodyKind::Wire) && !known {
        // APIs' binary wire formats are not web-server oddities; their
        // text runs are still inspected.
        let paranoia = if ct.kind == BodyKind::Wire {
            NORMAL_FOR_APIS
        } else {
            1
        };
        out.push((
            Hit::new("protocol.content_type_not_allowed", 5.0, 0.85, paranoia),
            loc(),
            raw.clone(),
        ));
    }
    if ct.charsets.len() > 1 {
        out.push((hit("protocol.multiple_charsets", 5.0), loc(), raw.clone()));
    } else if ct
        .charsets
        .iter()
        .any(|c| !SAFE_CHARSETS.contains(&c.as_str()))
    {
        out.push((hit("protocol.charset_not_allowed", 5.0), loc(), raw.clone()));
    }
    if ct.boundary.is_some() && ct.kind != BodyKind::Multipart {
        out.push((hit("protocol.boundary_on_non_multipart", 5.0), loc(), raw));
    }
}

/// What decoding and parsing reported about values and the body.
pub fn inspect_decomposition(
    values: &[Value],
    anomalies: &[Anomaly],
    config: &DetectConfig,
    out: &mut Vec<Finding>,
) {
    let mut args = 0usize;
    for v in values {
        inspect_value_shape(v, config, &mut args, out);
    }
    inspect_totals(args, anomalies, config, out);
}

/// What decoding reported about one value (a streamed body's values are
/// judged one by one as they complete); counts argument names in `args`.
pub fn inspect_value_shape(
    v: &Value,
    config: &DetectConfig,
    args: &mut usize,
    out: &mut Vec<Finding>,
) {
    let hit = |rule, score: f64| Hit::new(rule, score, 0.85, 1);
    let limits = &config.limits;
    {
        let f = &v.decoded.flags;
        let is_arg = matches!(
            v.location,
            Location::Query(_) | Location::Form(_) | Location::Json(_)
        );
        let is_arg_name = matches!(v.location, Location::QueryName(_) | Location::FormName(_));
        let is_header = matches!(v.location.root(), Location::Header(_));
        let text = || v.decoded.text.clone();
        if f.null_byte && !is_header {
            out.push((hit("protocol.null_byte", 5.0), v.location.clone(), text()));
        } else if f.overlong_utf8 || (f.invalid_utf8 && (is_arg || is_arg_name)) {
            out.push((
                hit("protocol.invalid_utf8", 5.0),
                v.location.clone(),
                text(),
            ));
        } else if f.percent_u {
            out.push((
                hit("protocol.iis_unicode_escape", 5.0),
                v.location.clone(),
                text(),
            ));
        } else if f.bad_percent && (is_arg || is_arg_name) {
            out.push((
                Hit::new("protocol.invalid_percent_encoding", 4.0, 0.6, 1),
                v.location.clone(),
                text(),
            ));
        }
        if let Location::Query(name) = &v.location {
            if OVERRIDE_PARAMS.contains(&name.as_str()) {
                // A verb override in the URL is a link-borne trick when it names
                // a method the server would honour; other values are noise.
                let paranoia = if names_http_method(&v.decoded.text, config) {
                    1
                } else {
                    2
                };
                out.push((
                    Hit::new("protocol.method_override", 5.0, 0.6, paranoia),
                    v.location.clone(),
                    text(),
                ));
            }
        }
        if is_arg_name {
            *args += 1;
            if matches!(v.location, Location::FormName(_))
                && OVERRIDE_PARAMS.contains(&v.decoded.text.as_str())
            {
                // HTML forms (Rails, Laravel) legitimately tunnel verbs through
                // a body field: only suspicious at higher paranoia.
                out.push((
                    Hit::new("protocol.method_override", 5.0, 0.6, 2),
                    v.location.clone(),
                    text(),
                ));
            }
            if v.decoded.text.chars().count() > limits.max_arg_name_length {
                out.push((
                    hit("protocol.argument_name_too_long", 5.0),
                    v.location.clone(),
                    text(),
                ));
            }
            if v.decoded.text.contains(['\r', '\n']) {
                out.push((
                    hit("protocol.newline_in_argument_name", 5.0),
                    v.location.clone(),
                    text(),
                ));
            }
        }
        if is_arg && v.decoded.text.chars().count() > limits.max_arg_value_length {
            out.push((
                hit("protocol.argument_too_long", 5.0),
                v.location.clone(),
                text(),
            ));
        }
        if matches!(v.location, Location::FileName(_))
            && v.decoded.text.len() > limits.max_file_name_length
        {
            out.push((
                hit("protocol.file_name_too_long", 5.0),
                v.location.clone(),
                text(),
            ));
        }
        if is_header && v.decoded.text.contains(['\r', '\n']) {
            out.push((
                hit("protocol.header_injection", 5.0),
                v.location.clone(),
                text(),
            ));
        }
    }
}

/// What the request's values add up to, and what parsing reported.
pub fn inspect_totals(
    args: usize,
    anomalies: &[Anomaly],
    config: &DetectConfig,
    out: &mut Vec<Finding>,
) {
    let hit = |rule, score: f64| Hit::new(rule, score, 0.85, 1);
    let limits = &config.limits;
    if args > limits.max_args {
        out.push((
            hit("protocol.too_many_arguments", 5.0),
            Location::Request,
            args.to_string(),
        ));
    }
    for a in anomalies {
        let (h, loc, evidence) = match a {
            Anomaly::MalformedBody { declared, reason } => (
                hit("protocol.malformed_body", 5.0),
                Location::Body,
                format!("{declared}: {reason}"),
            ),
            Anomaly::TooManyValues => (
                Hit::new("protocol.too_many_values", 3.0, 0.6, 1),
                Location::Request,
                String::new(),
            ),
            Anomaly::TooDeep { location } => (
                hit("protocol.nesting_too_deep", 5.0),
                Location::Body,
                location.clone(),
            ),
            Anomaly::TooManyElements { location, limit } => (
                hit("protocol.too_many_elements", 5.0),
                Location::Body,
                format!("limits.max_elements = {limit} reached at {location}"),
            ),
            Anomaly::ValueTooLong { location, limit } => (
                hit("protocol.value_too_long", 5.0),
                Location::Body,
                format!("limits.max_value_bytes = {limit} exceeded at {location}"),
            ),
            Anomaly::RepeatedArgument { name } => (
                Hit::new("protocol.parameter_pollution", 2.0, 0.4, 1),
                Location::Query(name.clone()),
                name.clone(),
            ),
            Anomaly::MultipartCharset { charset } => (
                hit("protocol.multipart_charset", 5.0),
                Location::Body,
                charset.clone(),
            ),
            Anomaly::MultipartEvasion { detail } => (
                hit("protocol.multipart_evasion", 5.0),
                Location::Body,
                detail.clone(),
            ),
            Anomaly::NestedEncoding { location } => (
                Hit::new("protocol.nested_encoding", 3.0, 0.6, 1),
                Location::Request,
                location.clone(),
            ),
            Anomaly::XmlEntities { .. } => continue,
        };
        out.push((h, loc, evidence));
    }
}
