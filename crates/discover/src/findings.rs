//! Findings: what is wrong with an endpoint, with the evidence and a
//! severity.
//!
//! Most are misconfigurations visible in responses, found here; endpoints
//! that let anyone do privileged work or read secrets are found across an
//! endpoint's whole record by [`crate::exposure`].
//!
//! Seen from the traffic alone: CORS that lets any site read credentialed
//! answers, stack traces and debug output leaking internals, security headers
//! missing from successful answers, and version banners that name the server
//! or framework (the first thing an attacker checks against known CVEs).
//! Old API versions still live beside new ones are found across endpoints by
//! the inventory.

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

/// One finding, with what showed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    PermissiveCors {
        detail: String,
    },
    StackTrace {
        marker: Cow<'static, str>,
    },
    MissingSecurityHeader {
        header: Cow<'static, str>,
    },
    VersionBanner {
        header: String,
        value: String,
    },
    OldApiVersion {
        newer: String,
    },
    /// An administrative endpoint answered requests without credentials.
    UnauthenticatedAdmin {
        evidence: String,
    },
    /// An endpoint that deletes or resets answered requests without
    /// credentials.
    UnauthenticatedDestructive {
        evidence: String,
    },
    /// Credentials or secrets were answered to requests without credentials.
    UnauthenticatedSecrets {
        evidence: String,
    },
}

/// How urgently a finding needs an operator, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Hardening: worth fixing, exploits nothing alone.
    Low,
    /// Helps an attacker: leaked internals, a forgotten old version.
    Medium,
    /// Exploitable by another site or with little effort.
    High,
    /// Exploitable by anyone, now, without credentials.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The serialised name, also the metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl Finding {
    /// The serialised `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::PermissiveCors { .. } => "permissive_cors",
            Finding::StackTrace { .. } => "stack_trace",
            Finding::MissingSecurityHeader { .. } => "missing_security_header",
            Finding::VersionBanner { .. } => "version_banner",
            Finding::OldApiVersion { .. } => "old_api_version",
            Finding::UnauthenticatedAdmin { .. } => "unauthenticated_admin",
            Finding::UnauthenticatedDestructive { .. } => "unauthenticated_destructive",
            Finding::UnauthenticatedSecrets { .. } => "unauthenticated_secrets",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Finding::UnauthenticatedAdmin { .. }
            | Finding::UnauthenticatedDestructive { .. }
            | Finding::UnauthenticatedSecrets { .. } => Severity::Critical,
            Finding::PermissiveCors { .. } => Severity::High,
            Finding::StackTrace { .. } | Finding::OldApiVersion { .. } => Severity::Medium,
            Finding::VersionBanner { .. } | Finding::MissingSecurityHeader { .. } => Severity::Low,
        }
    }

    /// Weight of the finding in the risk score.
    pub fn risk_weight(&self) -> u32 {
        match self {
            Finding::UnauthenticatedAdmin { .. }
            | Finding::UnauthenticatedDestructive { .. }
            | Finding::UnauthenticatedSecrets { .. } => 20,
            Finding::PermissiveCors { .. } | Finding::StackTrace { .. } => 10,
            Finding::OldApiVersion { .. } | Finding::VersionBanner { .. } => 5,
            Finding::MissingSecurityHeader { .. } => 2,
        }
    }
}

/// Text that only stack traces and debug pages contain.
const STACK_MARKERS: &[&str] = &[
    "Traceback (most recent call last)",
    "Exception in thread",
    "at java.",
    "at org.springframework",
    "System.NullReferenceException",
    ".java:",
    "   at System.",
    "node_modules/",
    "Stack trace:",
    "stacktrace",
    "Whoops, looks like something went wrong",
    "Fatal error: ",
    "Warning: mysql",
    "ORA-0",
    "SQLSTATE[",
    "DEBUG = True",
    "django.core.exceptions",
    "goroutine ",
];

/// Bytes of a response body searched for stack traces.
const MAX_SCANNED_BODY: usize = 64 * 1024;

/// All stack-trace markers, searched in one pass.
fn stack_markers() -> &'static AhoCorasick {
    static MARKERS: OnceLock<AhoCorasick> = OnceLock::new();
    MARKERS.get_or_init(|| {
        AhoCorasick::new(STACK_MARKERS)
            .unwrap_or_else(|_| unreachable!("the markers are plain literals"))
    })
}

/// Headers every successful answer over HTTPS should carry.
const SECURITY_HEADERS: &[&str] = &["strict-transport-security", "x-content-type-options"];

/// Headers that announce software, and versions in them.
const BANNER_HEADERS: &[&str] = &[
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime",
];

/// Findings shown by one response.
pub fn in_response(
    request_origin: Option<&str>,
    status: u16,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    out: &mut impl FnMut(Finding),
) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    };
    if let Some(allow_origin) = header("access-control-allow-origin") {
        let credentials = header("access-control-allow-credentials")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let reflected = request_origin.is_some_and(|o| o == allow_origin && o != "null");
        if allow_origin == "null" || (credentials && (allow_origin == "*" || reflected)) {
            out(Finding::PermissiveCors {
                detail: format!("allow-origin {allow_origin}, credentials {credentials}"),
            });
        } else if reflected && request_origin.is_some() {
            out(Finding::PermissiveCors {
                detail: "allow-origin reflects the request origin".into(),
            });
        }
    }
    for (name, value) in headers {
        let Some(banner) = BANNER_HEADERS.iter().find(|b| name.eq_ignore_ascii_case(b)) else {
            continue;
        };
        let value = value.trim();
        if value.bytes().any(|b| b.is_ascii_digit()) || *banner != "server" {
            out(Finding::VersionBanner {
                header: (*banner).into(),
                value: value.chars().take(80).collect(),
            });
        }
    }
    if (200..300).contains(&status) {
        for name in SECURITY_HEADERS {
            if header(name).is_none() {
                out(Finding::MissingSecurityHeader {
                    header: Cow::Borrowed(name),
                });
            }
        }
    }
    // Debug output comes back in errors and in non-JSON pages.
    let json = header("content-type").is_some_and(|c| c.contains("json"));
    if let Some(body) = body.filter(|_| status >= 400 || !json) {
        let scanned = &body[..body.len().min(MAX_SCANNED_BODY)];
        if let Some(found) = stack_markers().find(scanned) {
            out(Finding::StackTrace {
                marker: Cow::Borrowed(STACK_MARKERS[found.pattern().as_usize()]),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(
        origin: Option<&str>,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Vec<Finding> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let mut out = Vec::new();
        in_response(origin, status, &headers, Some(body.as_bytes()), &mut |f| {
            out.push(f)
        });
        out
    }

    #[test]
    fn reports_cors_banners_traces_and_missing_headers() {
        let found = findings(
            Some("https://evil.test"),
            500,
            &[
                ("Access-Control-Allow-Origin", "https://evil.test"),
                ("Access-Control-Allow-Credentials", "true"),
                ("Server", "Apache/2.4.41"),
            ],
            "Traceback (most recent call last):\n  File \"app.py\"",
        );
        assert!(found
            .iter()
            .any(|f| matches!(f, Finding::PermissiveCors { .. })));
        assert!(found.iter().any(
            |f| matches!(f, Finding::VersionBanner { value, .. } if value == "Apache/2.4.41")
        ));
        assert!(found
            .iter()
            .any(|f| matches!(f, Finding::StackTrace { .. })));
        assert!(!found
            .iter()
            .any(|f| matches!(f, Finding::MissingSecurityHeader { .. })));
        let ok = findings(None, 200, &[("Server", "nginx")], "{}");
        assert_eq!(ok.len(), 2, "{ok:?}");
    }

    #[test]
    fn a_hardened_answer_has_no_findings() {
        let found = findings(
            Some("https://app.test"),
            200,
            &[
                ("Access-Control-Allow-Origin", "https://app.test"),
                ("Strict-Transport-Security", "max-age=1"),
                ("X-Content-Type-Options", "nosniff"),
            ],
            "{}",
        );
        assert_eq!(
            found.len(),
            1,
            "a reflected origin without credentials is still reported: {found:?}"
        );
    }
}
