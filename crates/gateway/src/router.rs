//! Picks the route for a request from its host and path.
//!
//! Routes for a specific host are tried before wildcard hosts, which come
//! before routes for any host; within each group the longest path prefix wins.
//! A prefix matches whole segments: `/api` takes `/api` and `/api/x`, not `/apix`.

use crate::config::{HostPattern, RouteSpec};

#[derive(Debug, Clone, Default)]
pub struct Router {
    /// (host, prefix, route index) in the order they are tried.
    entries: Vec<(Option<HostPattern>, String, usize)>,
}

impl Router {
    pub fn new(routes: &[RouteSpec]) -> Self {
        let mut entries: Vec<_> = routes
            .iter()
            .enumerate()
            .map(|(i, r)| (r.host.clone(), r.path_prefix.clone(), i))
            .collect();
        let host_rank = |h: &Option<HostPattern>| match h {
            Some(HostPattern::Exact(_)) => 0,
            Some(HostPattern::Suffix(_)) => 1,
            None => 2,
        };
        entries.sort_by(|a, b| {
            host_rank(&a.0)
                .cmp(&host_rank(&b.0))
                .then(b.1.len().cmp(&a.1.len()))
        });
        Router { entries }
    }

    /// The index of the route for this host (any case, port ignored) and path.
    pub fn route(&self, host: &str, path: &str) -> Option<usize> {
        let host = strip_port(host);
        self.entries
            .iter()
            .find(|(pattern, prefix, _)| {
                host_matches(pattern, host) && prefix_matches(prefix, path)
            })
            .map(|(_, _, index)| *index)
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &host[..i],
        _ => host,
    }
}

fn host_matches(pattern: &Option<HostPattern>, host: &str) -> bool {
    match pattern {
        None => true,
        Some(HostPattern::Exact(name)) => host.eq_ignore_ascii_case(name),
        Some(HostPattern::Suffix(suffix)) => {
            host.len() > suffix.len()
                && host.as_bytes()[host.len() - suffix.len()..]
                    .eq_ignore_ascii_case(suffix.as_bytes())
        }
    }
}

fn prefix_matches(prefix: &str, path: &str) -> bool {
    if !path.starts_with(prefix) {
        return false;
    }
    prefix.ends_with('/') || path.len() == prefix.len() || path.as_bytes()[prefix.len()] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GatewayConfig;
    use std::path::Path;

    fn router(routes: &str) -> Router {
        let text = format!(
            "[[listeners]]\nlisten = \"127.0.0.1:1\"\n[[upstreams]]\nname = \"u\"\naddresses = [\"127.0.0.1:2\"]\n{routes}"
        );
        Router::new(
            &GatewayConfig::parse(Path::new("t.toml"), &text)
                .unwrap()
                .routes,
        )
    }

    #[test]
    fn longest_prefix_on_segment_boundaries_wins() {
        let r = router(
            "[[routes]]\nname = \"root\"\nupstream = \"u\"\n[[routes]]\nname = \"api\"\npath_prefix = \"/api\"\nupstream = \"u\"\n",
        );
        assert_eq!(r.route("x", "/api"), Some(1));
        assert_eq!(r.route("x", "/api/users"), Some(1));
        assert_eq!(r.route("x", "/apix"), Some(0));
        assert_eq!(r.route("x", "/"), Some(0));
    }

    #[test]
    fn specific_hosts_before_wildcards_before_any_host() {
        let r = router(concat!(
            "[[routes]]\nname = \"any\"\npath_prefix = \"/v1\"\nupstream = \"u\"\n",
            "[[routes]]\nname = \"wild\"\nhost = \"*.example.com\"\nupstream = \"u\"\n",
            "[[routes]]\nname = \"exact\"\nhost = \"api.example.com\"\nupstream = \"u\"\n",
        ));
        assert_eq!(r.route("API.example.com:8443", "/v1/x"), Some(2));
        assert_eq!(r.route("shop.example.com", "/v1/x"), Some(1));
        assert_eq!(r.route("example.com", "/v1/x"), Some(0));
        assert_eq!(r.route("other.test", "/v2"), None);
        assert_eq!(r.route("[::1]:8080", "/v1"), Some(0));
    }
}
