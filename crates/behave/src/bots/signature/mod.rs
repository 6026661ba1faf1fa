//! Web Bot Auth: agents that sign their requests with HTTP Message
//! Signatures (RFC 9421) and publish their keys in a directory.
//!
//! A request carries `Signature-Input` (what is covered, with `created`,
//! `expires`, `keyid`...), `Signature` (the signature bytes, under the same
//! label) and `Signature-Agent` (where the agent's key directory lives). A
//! signature is accepted when all of these hold: the covered components
//! include `@authority`, and `signature-agent` when that header is sent;
//! `created` and `expires` are present, `created` is not in the future
//! (beyond `MAX_SKEW_SECONDS`), `expires` is not past, and the validity is
//! at most `MAX_VALIDITY_SECONDS`; `alg`, when given, is `ed25519`; `keyid`
//! is the JWK thumbprint (RFC 7638) of an Ed25519 key of a configured
//! directory, the one whose agent the `Signature-Agent` names when it names
//! one; and the Ed25519 signature over the signature base (RFC 9421 section
//! 2.5, built here from the request) verifies. A verified signature's
//! `nonce` is reported with its `expires`, for the detector's
//! [`replay::NonceCache`] to refuse it the second time. Directories are
//! configured files or fetched by the gateway, whose response signature
//! `response` checks.

mod base;
mod directory;
pub mod fields;
pub mod replay;
pub mod response;
mod sign;
mod source;

pub use base::{field_value, signature_base, Message};
pub use directory::{thumbprint, DirectoryError, KeyDirectory, MAX_DIRECTORY_BYTES, MAX_KEYS};
pub use sign::sign;
pub use source::{DirectorySource, FetchedDirectory};

use fields::{Bare, Member};
use ring::signature::{UnparsedPublicKey, ED25519};

/// Tolerated clock difference for `created`.
pub const MAX_SKEW_SECONDS: i64 = 60;
/// Longest validity (`expires - created`) accepted.
pub const MAX_VALIDITY_SECONDS: i64 = 24 * 3600;

/// How a signed request came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verified with a key of the directory at this index; `nonce` and
    /// `expires` are the signature's, to remember the nonce until then.
    Verified {
        directory: usize,
        keyid: String,
        nonce: Option<String>,
        expires: i64,
    },
    /// Signed, but the signature does not hold, for this reason.
    Failed(String),
    /// Signed with a keyid that none of these directories (indices) of the
    /// agent holds: a failure, and a reason to fetch them again.
    UnknownKey {
        directories: Vec<usize>,
        why: String,
    },
    /// Signed by an agent no configured directory is for: nothing to check
    /// it against, so nothing is believed and nothing held against it.
    UnknownAgent,
}

fn param<'a>(params: &'a fields::Params, name: &str) -> Option<&'a Bare> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Checks the signatures of a request that has a `Signature-Input`;
/// `None` when it has none. Only signatures of agents with a configured
/// directory are checked (`UnknownAgent` when there is none). `now` is in seconds since the Unix epoch.
pub fn check(
    message: &dyn Message,
    directories: &[&KeyDirectory],
    now: i64,
) -> Option<SignatureCheck> {
    let input = message.header("signature-input")?;
    Some(verify(message, &input, directories, now).unwrap_or_else(SignatureCheck::Failed))
}

fn verify(
    message: &dyn Message,
    input: &str,
    directories: &[&KeyDirectory],
    now: i64,
) -> Result<SignatureCheck, String> {
    let inputs = fields::dictionary(input).map_err(|e| format!("signature-input: {e}"))?;
    let signatures = message.header("signature").ok_or("no signature header")?;
    let signatures = fields::dictionary(&signatures).map_err(|e| format!("signature: {e}"))?;
    let agent_header = message.header("signature-agent");
    let mut last_failure = String::from("no signature label in signature-input");
    let mut unknown_key_in = Vec::new();
    let mut known_agent = false;
    for (label, member) in &inputs {
        let Member::InnerList(components, params) = member else {
            continue;
        };
        let agent = agent_header
            .as_deref()
            .and_then(|h| signature_agent(h, label));
        if !directories
            .iter()
            .any(|d| agent.as_deref().is_none_or(|a| d.agent == a))
        {
            continue;
        }
        known_agent = true;
        let Some(bytes) = signature_bytes(&signatures, label) else {
            last_failure = format!("no signature for label {label}");
            continue;
        };
        match verify_one(
            message,
            components,
            params,
            bytes,
            agent.as_deref(),
            directories,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(Unverified::UnknownKey(why, directories)) => {
                last_failure = format!("{label}: {why}");
                unknown_key_in = directories;
            }
            Err(Unverified::Failed(why)) => last_failure = format!("{label}: {why}"),
        }
    }
    match (known_agent, unknown_key_in.is_empty()) {
        (false, _) => Ok(SignatureCheck::UnknownAgent),
        (true, true) => Err(last_failure),
        (true, false) => Ok(SignatureCheck::UnknownKey {
            directories: unknown_key_in,
            why: last_failure,
        }),
    }
}

/// The signature under `label` in a parsed `Signature` field.
fn signature_bytes<'a>(signatures: &'a [(String, Member)], label: &str) -> Option<&'a [u8]> {
    signatures
        .iter()
        .find(|(l, _)| l == label)
        .and_then(|(_, m)| match m {
            Member::Item(Bare::Bytes(bytes), _) => Some(bytes.as_slice()),
            _ => None,
        })
}

/// The `Signature-Agent` for `label`: a string, or the dictionary member of
/// that label.
fn signature_agent(header: &str, label: &str) -> Option<String> {
    fields::string_item(header).or_else(|| {
        fields::dictionary(header)
            .ok()?
            .into_iter()
            .find_map(|(l, m)| match m {
                Member::Item(Bare::String(agent), _) if l == label => Some(agent),
                _ => None,
            })
    })
}

/// Why one signature label did not verify.
enum Unverified {
    Failed(String),
    /// No directory of the agent (these indices) holds the keyid.
    UnknownKey(String, Vec<usize>),
}

impl From<String> for Unverified {
    fn from(why: String) -> Self {
        Unverified::Failed(why)
    }
}

/// Whether the covered components include `name`.
fn covers(components: &[(Bare, fields::Params)], name: &str) -> bool {
    components
        .iter()
        .any(|(item, _)| *item == Bare::String(name.into()))
}

fn verify_one(
    message: &dyn Message,
    components: &[(Bare, fields::Params)],
    params: &fields::Params,
    signature: &[u8],
    agent: Option<&str>,
    directories: &[&KeyDirectory],
    now: i64,
) -> Result<SignatureCheck, Unverified> {
    if !covers(components, "@authority") {
        return Err(Unverified::Failed("@authority is not covered".into()));
    }
    if message.header("signature-agent").is_some() && !covers(components, "signature-agent") {
        return Err(Unverified::Failed(
            "signature-agent is sent but not covered".into(),
        ));
    }
    let expires = check_times(params, now, Some(MAX_VALIDITY_SECONDS))?;
    let Some(Bare::String(keyid)) = param(params, "keyid") else {
        return Err(Unverified::Failed("no keyid".into()));
    };
    let of_agent = || {
        directories
            .iter()
            .enumerate()
            .filter(|(_, d)| agent.is_none_or(|a| d.agent == a))
    };
    let Some((directory, key)) = of_agent().find_map(|(i, d)| d.key(keyid).map(|k| (i, k))) else {
        return Err(Unverified::UnknownKey(
            format!("keyid {keyid:?} is in no configured directory for this agent"),
            of_agent().map(|(i, _)| i).collect(),
        ));
    };
    verify_with_key(message, components, params, signature, key)?;
    let nonce = match param(params, "nonce") {
        Some(Bare::String(nonce)) => Some(nonce.clone()),
        _ => None,
    };
    Ok(SignatureCheck::Verified {
        directory,
        keyid: keyid.clone(),
        nonce,
        expires,
    })
}

/// Checks `created` and `expires` (present, not in the future beyond the
/// skew, not past, and valid for at most `max_validity` seconds when
/// given); gives `expires`.
fn check_times(
    params: &fields::Params,
    now: i64,
    max_validity: Option<i64>,
) -> Result<i64, String> {
    let time = |name| match param(params, name) {
        Some(Bare::Integer(t)) => Ok(*t),
        _ => Err(format!("no {name} parameter")),
    };
    let (created, expires) = (time("created")?, time("expires")?);
    if created > now + MAX_SKEW_SECONDS {
        return Err(format!("created {created} is in the future"));
    }
    if expires <= now {
        return Err(format!("expired at {expires}"));
    }
    if let Some(max) = max_validity.filter(|max| expires - created > *max) {
        return Err(format!(
            "valid for {}s, more than {max}s",
            expires - created
        ));
    }
    Ok(expires)
}

/// Checks `alg` (when given, `ed25519`) and the Ed25519 signature over the
/// signature base with `key`.
fn verify_with_key(
    message: &dyn Message,
    components: &[(Bare, fields::Params)],
    params: &fields::Params,
    signature: &[u8],
    key: &[u8],
) -> Result<(), String> {
    if let Some(alg) = param(params, "alg") {
        if *alg != Bare::String("ed25519".into()) {
            return Err("alg is not ed25519".into());
        }
    }
    let base = signature_base(message, components, params)?;
    UnparsedPublicKey::new(&ED25519, key)
        .verify(base.as_bytes(), signature)
        .map_err(|_| "the signature does not verify".to_string())
}

#[cfg(test)]
pub(crate) mod tests;
