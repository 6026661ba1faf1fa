//! Honeypot endpoints: paths no legitimate client asks for (`/.env`,
//! `/wp-admin`), matched by method and by whole path segments.
//!
//! Segments are compared without regard to ASCII case, and empty and `.`
//! segments are skipped, so `//.ENV/` is `/.env`. Percent-decoding and `..`
//! are the gateway's path normalisation, done before prevention sees it.

use crate::deception::config::HoneypotConfig;
use std::sync::Arc;

/// One compiled honeypot.
#[derive(Debug)]
pub(super) struct Honeypot {
    pub(super) name: Arc<str>,
    segments: Vec<String>,
    /// Everything under the segments too, not only them.
    prefix: bool,
    /// Upper case; every method when empty.
    methods: Vec<String>,
}

impl Honeypot {
    /// From a validated configuration; `None` without a path or prefix.
    pub(super) fn compile(config: &HoneypotConfig) -> Option<Self> {
        let (pattern, prefix) = match (&config.path, &config.prefix) {
            (Some(path), _) => (path.as_str(), false),
            (None, Some(prefix)) => (prefix.as_str(), true),
            (None, None) => return None,
        };
        Some(Honeypot {
            name: Arc::from(config.display_name()),
            segments: segments(pattern).map(str::to_owned).collect(),
            prefix,
            methods: config
                .methods
                .iter()
                .map(|m| m.to_ascii_uppercase())
                .collect(),
        })
    }

    pub(super) fn matches(&self, method: &str, path: &str) -> bool {
        if !self.methods.is_empty() && !self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        let mut path_segments = segments(path);
        for expected in &self.segments {
            match path_segments.next() {
                Some(segment) if segment.eq_ignore_ascii_case(expected) => {}
                _ => return false,
            }
        }
        self.prefix || path_segments.next().is_none()
    }
}

/// The segments of a path that count, without its query.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .filter(|segment| !segment.is_empty() && *segment != ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn honeypot(path: Option<&str>, prefix: Option<&str>, methods: &[&str]) -> Honeypot {
        Honeypot::compile(&HoneypotConfig {
            name: None,
            path: path.map(str::to_owned),
            prefix: prefix.map(str::to_owned),
            methods: methods.iter().map(|m| m.to_string()).collect(),
        })
        .unwrap()
    }

    #[test]
    fn exact_paths_match_only_themselves() {
        let env = honeypot(Some("/.env"), None, &[]);
        for hit in ["/.env", "/.ENV", "//.env/", "/./.env", "/.env?x=1"] {
            assert!(env.matches("GET", hit), "{hit}");
        }
        for miss in [
            "/.env.example",
            "/.environment",
            "/app/.env",
            "/.env/x",
            "/",
        ] {
            assert!(!env.matches("GET", miss), "{miss}");
        }
    }

    #[test]
    fn prefixes_match_by_whole_segments() {
        let admin = honeypot(None, Some("/wp-admin/"), &[]);
        assert!(admin.matches("GET", "/wp-admin"));
        assert!(admin.matches("POST", "/wp-admin/setup.php"));
        assert!(!admin.matches("GET", "/wp-admins"));
        assert!(!admin.matches("GET", "/blog/wp-admin"));
    }

    #[test]
    fn methods_narrow_a_honeypot() {
        let debug = honeypot(Some("/debug"), None, &["post"]);
        assert!(debug.matches("POST", "/debug"));
        assert!(!debug.matches("GET", "/debug"));
    }
}
