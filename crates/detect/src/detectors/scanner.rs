//! Known attack tools, by the names and headers they announce themselves with.

use super::protocol::Finding;
use super::Hit;
use crate::location::Location;
use rampart_core::exchange::RequestView;

const SCANNER_AGENTS: &[&str] = &[
    "sqlmap",
    "nikto",
    "havij",
    "arachni",
    "acunetix",
    "nessus",
    "openvas",
    "w3af",
    "nmap",
    "masscan",
    "zgrab",
    "dirbuster",
    "gobuster",
    "feroxbuster",
    "ffuf",
    "wfuzz",
    "wpscan",
    "joomscan",
    "nuclei",
    "whatweb",
    "zap/",
    "owasp zap",
    "burpcollaborator",
    "commix",
    "jaeles",
    "xsser",
    "skipfish",
    "vega/",
    "netsparker",
    "appscan",
    "webinspect",
    "paros",
    "grabber",
    "grendel-scan",
    "bsqlbf",
    "brutus",
    "hydra",
    "morfeus",
    "zmeu",
    "sqlninja",
    "pangolin",
    "dotdotpwn",
    "fimap",
    "nsauditor",
    "webshag",
    "metis",
    "absinthe",
    "x-scan",
    "netlab360",
    "cgichk",
    "blackwidow",
    "webtrends security",
    "httrack",
    "mj12bot",
    "interactsh",
    "medusa",
    "fuzz faster",
];
const SCANNER_HEADERS: &[&str] = &[
    "acunetix-product",
    "acunetix-scanning-agreement",
    "acunetix-user-agreement",
    "x-scanner",
    "x-wipp",
    "x-request-memo",
    "x-request-managerhash",
];

/// Looks for scanner fingerprints in the headers.
pub fn inspect(req: &RequestView<'_>, out: &mut Vec<Finding>) {
    if let Some(ua) = req.header("user-agent") {
        let ua = String::from_utf8_lossy(ua).to_ascii_lowercase();
        if let Some(name) = SCANNER_AGENTS.iter().find(|s| ua.contains(*s)) {
            out.push((
                Hit::new("scanner.user_agent", 5.0, 0.9, 1),
                Location::Header("user-agent".into()),
                (*name).to_owned(),
            ));
            return;
        }
    }
    for &(name, _) in &req.headers {
        if SCANNER_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            out.push((
                Hit::new("scanner.header", 5.0, 0.9, 1),
                Location::Header(name.to_ascii_lowercase()),
                String::new(),
            ));
            return;
        }
    }
}
