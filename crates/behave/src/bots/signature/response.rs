//! A key directory's own response signature, as the HTTP Message
//! Signatures Directory draft (section "Binding keys to the directory
//! authority") has the directory server sign its response: one signature
//! per key, with `tag="http-message-signatures-directory"`, `keyid` the
//! key's thumbprint, covering `"@authority";req` (the authority the
//! directory was fetched from) and, when it includes it, `content-digest`.
//! A key without such a signature is dropped, as the draft says clients
//! should: a copy of someone's directory served from another host, or one
//! whose body was changed under a `content-digest`, keeps no key.

use super::fields::{self, Bare, Member};
use super::{
    check_times, field_value, param, signature_bytes, verify_with_key, KeyDirectory, Message,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::digest::{digest, SHA256, SHA512};

/// The `tag` of a directory response signature.
pub const DIRECTORY_TAG: &str = "http-message-signatures-directory";

/// A directory response, as its signatures cover it.
pub struct DirectoryResponse<'a> {
    /// Where the directory was fetched from (host, and port when not the
    /// default): the request's `@authority`.
    pub authority: &'a str,
    /// The response's header fields (lowercase names).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl Message for DirectoryResponse<'_> {
    fn method(&self) -> &str {
        ""
    }

    fn authority(&self) -> &str {
        self.authority
    }

    fn path(&self) -> &str {
        ""
    }

    fn query(&self) -> Option<&str> {
        None
    }

    fn header(&self, name: &str) -> Option<String> {
        field_value(self.headers, name)
    }

    fn is_response(&self) -> bool {
        true
    }
}

/// The keys of `directory` that signed `response` as the draft describes;
/// an error saying why when none did.
pub fn signed_keys(
    directory: KeyDirectory,
    response: &DirectoryResponse<'_>,
    now: i64,
) -> Result<KeyDirectory, String> {
    let input = response
        .header("signature-input")
        .ok_or("the response is not signed (no signature-input)")?;
    let inputs = fields::dictionary(&input).map_err(|e| format!("signature-input: {e}"))?;
    let signatures = response
        .header("signature")
        .ok_or("the response has signature-input but no signature")?;
    let signatures = fields::dictionary(&signatures).map_err(|e| format!("signature: {e}"))?;
    let mut signed: Vec<String> = Vec::new();
    let mut last_failure = format!("no signature tagged {DIRECTORY_TAG:?}");
    for (label, member) in &inputs {
        let Member::InnerList(components, params) = member else {
            continue;
        };
        if param(params, "tag") != Some(&Bare::String(DIRECTORY_TAG.into())) {
            continue;
        }
        let checked = signature_bytes(&signatures, label)
            .ok_or_else(|| "no signature for this label".to_string())
            .and_then(|bytes| verify_one(&directory, response, components, params, bytes, now));
        match checked {
            Ok(keyid) => signed.push(keyid),
            Err(why) => last_failure = format!("{label}: {why}"),
        }
    }
    directory
        .retain(|keyid, _| signed.iter().any(|s| s == keyid))
        .map_err(|_| format!("no key of the directory signed its response ({last_failure})"))
}

/// One directory signature; the keyid it verified with.
fn verify_one(
    directory: &KeyDirectory,
    response: &DirectoryResponse<'_>,
    components: &[(Bare, fields::Params)],
    params: &fields::Params,
    signature: &[u8],
    now: i64,
) -> Result<String, String> {
    let request_authority = (
        Bare::String("@authority".into()),
        vec![("req".to_string(), Bare::Boolean(true))],
    );
    if !components.contains(&request_authority) {
        return Err("\"@authority\";req is not covered".into());
    }
    if components
        .iter()
        .any(|(item, _)| *item == Bare::String("content-digest".into()))
    {
        check_digest(response)?;
    }
    check_times(params, now, None)?;
    let Some(Bare::String(keyid)) = param(params, "keyid") else {
        return Err("no keyid".into());
    };
    let key = directory
        .key(keyid)
        .ok_or_else(|| format!("keyid {keyid:?} is no key of the directory"))?;
    verify_with_key(response, components, params, signature, key)?;
    Ok(keyid.clone())
}

/// The `content-digest` (RFC 9530) matches the body: every `sha-256` and
/// `sha-512` member it has, and it has one at least.
fn check_digest(response: &DirectoryResponse<'_>) -> Result<(), String> {
    let header = response
        .header("content-digest")
        .ok_or("content-digest is covered but absent")?;
    let members = fields::dictionary(&header).map_err(|e| format!("content-digest: {e}"))?;
    let mut checked = false;
    for (algorithm, member) in &members {
        let actual = match algorithm.as_str() {
            "sha-256" => digest(&SHA256, response.body),
            "sha-512" => digest(&SHA512, response.body),
            _ => continue,
        };
        let Member::Item(Bare::Bytes(expected), _) = member else {
            return Err(format!("content-digest {algorithm} is not a byte sequence"));
        };
        if expected.as_slice() != actual.as_ref() {
            return Err(format!(
                "content-digest {algorithm} is not the body's ({})",
                STANDARD.encode(actual.as_ref())
            ));
        }
        checked = true;
    }
    match checked {
        true => Ok(()),
        false => Err("content-digest has no sha-256 or sha-512 member".into()),
    }
}
