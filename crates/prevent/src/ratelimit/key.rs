//! What a limit counts by: the client's address or subnet, an identity, the
//! endpoint, or several of them together.
//!
//! A key is folded into a 128-bit fingerprint with SipHash-1-3 keyed at
//! random per limiter, so the store holds a fixed 16 bytes per key whatever
//! the length of an attacker's API key, and nobody outside the process can
//! craft two keys that collide. Limits shared through Redis need the same
//! fingerprint in every gateway: [`KeyHasher::shared_fingerprint`] keys the
//! same hash from the limit's name instead.

use crate::facts::RequestFacts;
use crate::policy::key_expression::KeyExpression;
use crate::policy::RuleError;
use serde::Deserialize;
use siphasher::sip128::{Hasher128, SipHasher13};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

/// One part of a limit key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPart {
    /// The client address.
    Ip,
    /// The client's subnet: `/subnet_v4` for IPv4, `/subnet_v6` for IPv6.
    Subnet,
    ApiKey,
    User,
    Fingerprint,
    /// The endpoint template, or the raw path when the endpoint is unknown.
    Endpoint,
}

/// The parts of a key and the subnet sizes, as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// All parts must be present for the limit to apply to a request.
    #[serde(default)]
    pub parts: Vec<KeyPart>,
    /// A CEL expression whose value (a string or an int) is one more part
    /// of the key (see `policy::key_expression`).
    #[serde(default)]
    pub expression: Option<String>,
    #[serde(default = "default_subnet_v4")]
    pub subnet_v4: u8,
    #[serde(default = "default_subnet_v6")]
    pub subnet_v6: u8,
}

fn default_subnet_v4() -> u8 {
    24
}

fn default_subnet_v6() -> u8 {
    64
}

impl KeySpec {
    /// A key spec of these parts with the default subnet sizes (/24, /64).
    pub fn of(parts: &[KeyPart]) -> Self {
        KeySpec {
            parts: parts.to_vec(),
            expression: None,
            subnet_v4: default_subnet_v4(),
            subnet_v6: default_subnet_v6(),
        }
    }
}

/// A key's fingerprint, valid only for the limiter that computed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitKey(pub(crate) u128);

/// Turns request facts into limit keys for one limiter.
#[derive(Debug, Clone)]
pub struct KeyHasher {
    spec: KeySpec,
    expression: Option<Arc<KeyExpression>>,
    /// SipHash keys drawn at random for this limiter's local keys.
    local_keys: (u64, u64),
    /// SipHash keys every gateway derives alike from the limit's name, for
    /// keys shared through Redis.
    shared_keys: (u64, u64),
}

impl KeyHasher {
    /// Compiles the spec's expression, if any; the error names `limit`.
    pub fn new(limit: &str, spec: KeySpec) -> Result<Self, RuleError> {
        let expression = spec
            .expression
            .as_deref()
            .map(|source| KeyExpression::compile(limit, source).map(Arc::new))
            .transpose()?;
        let random = RandomState::new();
        let mut named = SipHasher13::new_with_keys(SHARED_DOMAIN.0, SHARED_DOMAIN.1);
        write_field(&mut named, 0, limit.as_bytes());
        let named = named.finish128();
        Ok(KeyHasher {
            spec,
            expression,
            local_keys: (random.hash_one(1u8), random.hash_one(2u8)),
            shared_keys: (named.h1, named.h2),
        })
    }

    pub fn spec(&self) -> &KeySpec {
        &self.spec
    }

    /// The request's key, or `None` when one of the parts is absent (a limit
    /// by API key does not apply to a request without one).
    pub fn key_for(&self, facts: &RequestFacts) -> Option<LimitKey> {
        self.fingerprint(facts, self.local_keys).map(LimitKey)
    }

    /// The request's key as every gateway computes it, for limits shared
    /// through Redis: the same parts under keys derived from the limit's
    /// name, so the fingerprint is public but finding two keys that share it
    /// still takes about 2^64 tries.
    pub fn shared_fingerprint(&self, facts: &RequestFacts) -> Option<u128> {
        self.fingerprint(facts, self.shared_keys)
    }

    fn fingerprint(&self, facts: &RequestFacts, (k0, k1): (u64, u64)) -> Option<u128> {
        let mut hasher = SipHasher13::new_with_keys(k0, k1);
        let client = &facts.client;
        for part in &self.spec.parts {
            match part {
                KeyPart::Ip => hash_ip(&mut hasher, client.ip, 128),
                KeyPart::Subnet => {
                    let prefix = match client.ip {
                        IpAddr::V4(_) => self.spec.subnet_v4,
                        IpAddr::V6(_) => self.spec.subnet_v6,
                    };
                    hash_ip(&mut hasher, client.ip, prefix)
                }
                KeyPart::ApiKey => {
                    write_field(&mut hasher, 3, client.api_key.as_deref()?.as_bytes())
                }
                KeyPart::User => write_field(&mut hasher, 4, client.user.as_deref()?.as_bytes()),
                KeyPart::Fingerprint => {
                    write_field(&mut hasher, 5, client.fingerprint.as_deref()?.as_bytes())
                }
                KeyPart::Endpoint => {
                    let endpoint = facts.endpoint.template.as_deref().unwrap_or(&facts.path);
                    write_field(&mut hasher, 6, endpoint.as_bytes())
                }
            }
        }
        if let Some(expression) = &self.expression {
            write_field(&mut hasher, 7, expression.evaluate(facts)?.as_bytes());
        }
        Some(hasher.finish128().as_u128())
    }
}

/// Fixed SipHash keys from which shared keys are derived per limit name.
const SHARED_DOMAIN: (u64, u64) = (0x7261_6d70_6172_742d, 0x6c69_6d69_742d_6b65);

/// Writes one field as tag, length and bytes: explicit bytes (not `Hash`,
/// whose encoding Rust may change) so shared fingerprints stay the same
/// across builds, and the length keeps `("ab","c")` apart from `("a","bc")`.
fn write_field(hasher: &mut SipHasher13, tag: u8, bytes: &[u8]) {
    hasher.write(&[tag]);
    hasher.write(&(bytes.len() as u64).to_le_bytes());
    hasher.write(bytes);
}

/// Hashes the address masked to `prefix` bits, tagged by family and prefix.
fn hash_ip(hasher: &mut SipHasher13, ip: IpAddr, prefix: u8) {
    let mut field = [0u8; 17];
    let (tag, prefix) = match ip {
        IpAddr::V4(v4) => {
            let prefix = prefix.min(32);
            let masked = u32::from(v4)
                .checked_shr(32 - u32::from(prefix))
                .unwrap_or(0);
            field[1..5].copy_from_slice(&masked.to_le_bytes());
            (1, prefix)
        }
        IpAddr::V6(v6) => {
            let prefix = prefix.min(128);
            let masked = u128::from(v6)
                .checked_shr(128 - u32::from(prefix))
                .unwrap_or(0);
            field[1..].copy_from_slice(&masked.to_le_bytes());
            (2, prefix)
        }
    };
    field[0] = prefix;
    write_field(hasher, tag, &field);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(ip: &str) -> RequestFacts {
        RequestFacts::new("POST", "/login", ip.parse().unwrap())
    }

    #[test]
    fn subnet_keys_group_a_slash_24_and_a_slash_64() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::Subnet])).unwrap();
        let key = |ip| keys.key_for(&facts(ip)).unwrap();
        assert_eq!(key("10.1.2.3"), key("10.1.2.250"));
        assert_ne!(key("10.1.2.3"), key("10.1.3.3"));
        assert_eq!(key("2001:db8:0:1::1"), key("2001:db8:0:1:ffff::9"));
        assert_ne!(key("2001:db8:0:1::1"), key("2001:db8:0:2::1"));
    }

    #[test]
    fn ip_keys_tell_every_address_apart() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::Ip])).unwrap();
        let key = |ip| keys.key_for(&facts(ip)).unwrap();
        assert_ne!(key("10.1.2.3"), key("10.1.2.4"));
        assert_eq!(key("10.1.2.3"), key("10.1.2.3"));
    }

    #[test]
    fn a_missing_part_means_the_limit_does_not_apply() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::ApiKey])).unwrap();
        let mut request = facts("10.0.0.1");
        assert_eq!(keys.key_for(&request), None);
        request.client.api_key = Some("k-1".into());
        assert!(keys.key_for(&request).is_some());
    }

    #[test]
    fn composite_keys_separate_endpoints_and_identities() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::User, KeyPart::Endpoint])).unwrap();
        let mut alice_login = facts("10.0.0.1");
        alice_login.client.user = Some("alice".into());
        let mut alice_search = alice_login.clone();
        alice_search.path = "/search".into();
        let mut bob_login = alice_login.clone();
        bob_login.client.user = Some("bob".into());
        let mut alice_elsewhere = alice_login.clone();
        alice_elsewhere.client.ip = "192.0.2.9".parse().unwrap();
        let key = |f: &RequestFacts| keys.key_for(f).unwrap();
        assert_ne!(key(&alice_login), key(&alice_search));
        assert_ne!(key(&alice_login), key(&bob_login));
        assert_eq!(key(&alice_login), key(&alice_elsewhere));
    }

    #[test]
    fn endpoint_uses_the_template_when_known() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::Endpoint])).unwrap();
        let mut first = facts("10.0.0.1");
        first.path = "/users/1".into();
        first.endpoint.template = Some("/users/{id}".into());
        let mut second = first.clone();
        second.path = "/users/2".into();
        assert_eq!(keys.key_for(&first), keys.key_for(&second));
    }

    #[test]
    fn fields_do_not_run_into_each_other() {
        let keys = KeyHasher::new("t", KeySpec::of(&[KeyPart::ApiKey, KeyPart::User])).unwrap();
        let mut first = facts("10.0.0.1");
        first.client.api_key = Some("ab".into());
        first.client.user = Some("c".into());
        let mut second = first.clone();
        second.client.api_key = Some("a".into());
        second.client.user = Some("bc".into());
        assert_ne!(keys.key_for(&first), keys.key_for(&second));
    }

    #[test]
    fn an_expression_adds_a_computed_part() {
        let mut spec = KeySpec::of(&[KeyPart::Ip]);
        spec.expression = Some("client.api_key".into());
        let keys = KeyHasher::new("t", spec).unwrap();
        let mut first = facts("10.0.0.1");
        assert_eq!(keys.key_for(&first), None, "empty value: not limited");
        first.client.api_key = Some("tenant-a".into());
        let mut second = first.clone();
        second.client.api_key = Some("tenant-b".into());
        assert!(keys.key_for(&first).is_some());
        assert_ne!(keys.key_for(&first), keys.key_for(&second));

        let mut only_expression = KeySpec::of(&[]);
        only_expression.expression = Some("client.nope".into());
        let error = KeyHasher::new("per-tenant", only_expression).unwrap_err();
        assert!(error.to_string().contains("per-tenant"), "{error}");
    }

    #[test]
    fn shared_fingerprints_agree_across_hashers_and_differ_by_limit() {
        let spec = KeySpec::of(&[KeyPart::Ip, KeyPart::ApiKey]);
        let first = KeyHasher::new("login", spec.clone()).unwrap();
        let second = KeyHasher::new("login", spec.clone()).unwrap();
        let other_limit = KeyHasher::new("search", spec).unwrap();
        let mut request = facts("10.0.0.1");
        request.client.api_key = Some("k".into());
        assert_eq!(
            first.shared_fingerprint(&request),
            second.shared_fingerprint(&request),
            "two gateways, one key"
        );
        assert_ne!(
            first.shared_fingerprint(&request),
            other_limit.shared_fingerprint(&request)
        );
        // Local keys are private to each limiter.
        assert_ne!(first.key_for(&request), second.key_for(&request));
        // Pinned: a change of encoding would split a cluster's counts
        // between gateways of two versions during an upgrade.
        assert_eq!(
            format!("{:032x}", first.shared_fingerprint(&request).unwrap()),
            PINNED_LOGIN_FINGERPRINT
        );
    }

    const PINNED_LOGIN_FINGERPRINT: &str = "3ade6ad59c2f3df295b8788b658cf782";
}
