//! Finding a request's contract without trying every contract.
//!
//! A declared spec can bring thousands of contracts, and every request asks
//! which one is its own. Only contracts of the request's method whose
//! template has as many segments as its path can match (a template ending
//! in `*` matches deeper paths too), so they are grouped that way once, and
//! a request tries only its group, in configured order: the first contract
//! that matches wins, as it would in a plain scan.

use crate::config::template_matches;
use crate::contract::EndpointContract;
use std::collections::HashMap;

/// Contract positions by upper-case method and segment count.
#[derive(Debug, Default)]
pub struct ContractIndex {
    by_shape: HashMap<Box<str>, HashMap<usize, Vec<usize>>>,
    /// Templates with a `*` (the rest of the path), tried for any depth.
    open_ended: Vec<usize>,
}

fn segments(path: &str) -> usize {
    path.trim_end_matches('/').split('/').count()
}

impl ContractIndex {
    pub fn new(contracts: &[EndpointContract]) -> ContractIndex {
        let mut index = ContractIndex::default();
        for (i, contract) in contracts.iter().enumerate() {
            if contract.path.split('/').any(|s| s == "*") {
                index.open_ended.push(i);
                continue;
            }
            index
                .by_shape
                .entry(contract.method.to_ascii_uppercase().into())
                .or_default()
                .entry(segments(&contract.path))
                .or_default()
                .push(i);
        }
        index
    }

    /// The first contract, in configured order, that matches.
    pub fn find<'c>(
        &self,
        contracts: &'c [EndpointContract],
        method: &str,
        path: &str,
    ) -> Option<&'c EndpointContract> {
        let upper = method.to_ascii_uppercase();
        let shaped = self
            .by_shape
            .get(upper.as_str())
            .and_then(|by_depth| by_depth.get(&segments(path)))
            .and_then(|group| {
                group
                    .iter()
                    .copied()
                    .find(|&i| template_matches(&contracts[i].path, path))
            });
        let open = self
            .open_ended
            .iter()
            .copied()
            .find(|&i| contracts[i].matches(method, path));
        [shaped, open]
            .into_iter()
            .flatten()
            .min()
            .map(|i| &contracts[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(method: &str, path: &str) -> EndpointContract {
        toml::from_str(&format!("method = {method:?}\npath = {path:?}")).unwrap()
    }

    #[test]
    fn finds_what_a_scan_in_order_finds() {
        let contracts = [
            contract("GET", "/users/me"),
            contract("get", "/users/{id}"),
            contract("GET", "/files/*"),
            contract("GET", "/files/{name}"),
            contract("POST", "/users"),
        ];
        let index = ContractIndex::new(&contracts);
        for (method, path) in [
            ("GET", "/users/me"),
            ("GET", "/users/7/"),
            ("get", "/users/7"),
            ("GET", "/files/a"),
            ("GET", "/files/a/b"),
            ("POST", "/users"),
            ("POST", "/users/7"),
            ("DELETE", "/users/7"),
            ("GET", "/"),
        ] {
            let scanned = contracts.iter().find(|c| c.matches(method, path));
            assert_eq!(
                index.find(&contracts, method, path),
                scanned,
                "{method} {path}"
            );
        }
        assert_eq!(
            index.find(&contracts, "GET", "/files/a").unwrap().path,
            "/files/*",
            "configured order wins over depth"
        );
    }
}
