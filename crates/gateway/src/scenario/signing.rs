//! Web Bot Auth for scenario actors: an actor with `sign` has each of its
//! requests signed at expansion time, with the same signing code the
//! verifier is tested against (`rampart_behave::bots::signature::sign`),
//! so that a scenario can show a signed agent verified and a forgery
//! caught. A record carries its signature in its own headers, as the
//! exchange recorder keeps them (it masks credentials, and a signature is
//! none: it is bound to one host and expires).
//!
//! What is signed is what Web Bot Auth agents sign: `@authority` and
//! `signature-agent`, with `created` at the request's scenario time and
//! `expires` [`VALIDITY_SECONDS`] later, the `keyid` and
//! `tag="web-bot-auth"`.

use super::expand::{Fault, Planned, START_MILLIS};
use super::format::{ScenarioFile, SignSpec};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rampart_behave::bots::signature::{sign, thumbprint, Message};
use rampart_core::ExchangeRecord;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How long a signature is valid after its `created`.
pub const VALIDITY_SECONDS: u64 = 300;
/// Largest private key file read.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// An actor's key and what its signatures say.
struct Signer {
    seed: Vec<u8>,
    public: Vec<u8>,
    agent: String,
    keyid: String,
}

#[derive(Deserialize)]
struct PrivateJwk {
    kty: String,
    crv: String,
    d: String,
    x: String,
}

/// Signs the requests of every actor with a `sign` table; `dir` is the
/// scenario file's directory, which key paths are relative to.
pub fn sign_actors(file: &ScenarioFile, dir: &Path, plan: &mut [Planned]) -> Result<(), Fault> {
    let mut signers = BTreeMap::new();
    for (name, actor) in &file.actors {
        if let Some(spec) = &actor.sign {
            signers.insert(name.as_str(), Signer::load(name, spec, dir)?);
        }
    }
    for planned in plan.iter_mut() {
        if let Some(signer) = signers.get(planned.actor.as_str()) {
            let created = START_MILLIS.saturating_add(planned.at) / 1000;
            signer
                .sign(&mut planned.record, created)
                .map_err(|why| Fault {
                    key: format!("actors.{}.sign.key", planned.actor),
                    message: format!("cannot sign with this key: {why}"),
                })?;
        }
    }
    Ok(())
}

/// Whether `text` can be sent as a structured-field string (RFC 8941):
/// printable ASCII, without `"` and `\`, which would need escaping.
fn plain_string(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

impl Signer {
    fn load(actor: &str, spec: &SignSpec, dir: &Path) -> Result<Signer, Fault> {
        let key = format!("actors.{actor}.sign");
        let fault = |field: &str, message: String| Fault {
            key: format!("{key}.{field}"),
            message,
        };
        let path = dir.join(&spec.key);
        let text = read_bounded(&path)
            .map_err(|why| fault("key", format!("{}: {why}", path.display())))?;
        let expected = "expected an Ed25519 private key as a JWK (kty \"OKP\", crv \"Ed25519\", 32-byte base64url d and x)";
        let jwk: PrivateJwk = serde_json::from_str(&text)
            .map_err(|e| fault("key", format!("{}: {expected}: {e}", path.display())))?;
        let raw = |value: &str| {
            URL_SAFE_NO_PAD
                .decode(value)
                .ok()
                .filter(|bytes| bytes.len() == 32)
        };
        let (Some(seed), Some(public), "OKP", "Ed25519") =
            (raw(&jwk.d), raw(&jwk.x), jwk.kty.as_str(), jwk.crv.as_str())
        else {
            return Err(fault("key", format!("{}: {expected}", path.display())));
        };
        if !plain_string(&spec.agent) {
            return Err(fault(
                "agent",
                format!(
                    "expected printable ASCII without '\"' or '\\\\' (a URL such as \"https://agent.test\"), got {:?}",
                    spec.agent
                ),
            ));
        }
        let keyid = spec.keyid.clone().unwrap_or_else(|| thumbprint(&jwk.x));
        if !plain_string(&keyid) {
            return Err(fault(
                "keyid",
                format!("expected printable ASCII without '\"' or '\\\\' (a JWK thumbprint), got {keyid:?}"),
            ));
        }
        Ok(Signer {
            seed,
            public,
            agent: spec.agent.clone(),
            keyid,
        })
    }

    /// Adds `Signature-Agent`, `Signature-Input` and `Signature` to `record`,
    /// signed as created at `created` (seconds since the Unix epoch).
    fn sign(&self, record: &mut ExchangeRecord, created: u64) -> Result<(), String> {
        let headers = &mut record.request_headers;
        headers.retain(|(name, _)| {
            !["signature-agent", "signature-input", "signature"]
                .iter()
                .any(|signed| name.eq_ignore_ascii_case(signed))
        });
        headers.push(("signature-agent".into(), format!("\"{}\"", self.agent)));
        let input = format!(
            r#"("@authority" "signature-agent");created={created};expires={};keyid="{}";tag="web-bot-auth""#,
            created + VALIDITY_SECONDS,
            self.keyid
        );
        let (signature_input, signature) = sign(&Signed(record), &input, &self.seed, &self.public)?;
        record.request_headers.extend([
            ("signature-input".into(), signature_input),
            ("signature".into(), signature),
        ]);
        Ok(())
    }
}

/// The text of a regular file (never a pipe or a device, which could
/// block) of at most [`MAX_KEY_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err("expected a readable regular file".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(format!("larger than {MAX_KEY_FILE_BYTES} bytes"));
    }
    Ok(text)
}

/// A record's request as a signature covers it: as the offline gateway
/// hands it to the `bots` stage.
struct Signed<'a>(&'a ExchangeRecord);

impl Message for Signed<'_> {
    fn method(&self) -> &str {
        &self.0.method
    }

    fn authority(&self) -> &str {
        self.0.host.as_deref().unwrap_or_default()
    }

    fn path(&self) -> &str {
        &self.0.path
    }

    fn query(&self) -> Option<&str> {
        (!self.0.query.is_empty()).then_some(self.0.query.as_str())
    }

    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = (self.0.request_headers.iter())
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_behave::bots::signature::{check, KeyDirectory, SignatureCheck};

    /// RFC 9421 appendix B.1.4's Ed25519 key.
    const D: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    const X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";

    fn scenario(dir: &Path, sign: &str) -> Result<Vec<Planned>, String> {
        let key = format!(r#"{{"kty": "OKP", "crv": "Ed25519", "d": "{D}", "x": "{X}"}}"#);
        std::fs::write(dir.join("agent.jwk-private"), key).unwrap();
        let text = format!(
            r#"
name = "t"
config = "c.toml"
[actors.agent]
address = "192.0.2.1"
sign = {sign}
[[steps]]
actor = "agent"
repeat = 2
every = "1m"
request = {{ path = "/articles", query = "page=2", headers = {{ host = "API.test", signature = "sig1=:AA==:" }} }}
[[never]]
actor = "agent"
signal = "bots"
"#
        );
        let file: ScenarioFile = toml::from_str(&text).unwrap();
        let mut plan = super::super::expand::expand(&file).unwrap();
        sign_actors(&file, dir, &mut plan).map_err(|f| format!("{}: {}", f.key, f.message))?;
        Ok(plan)
    }

    fn checked(record: &ExchangeRecord, now: u64) -> Option<SignatureCheck> {
        let keys = format!(r#"{{"keys": [{{"kty": "OKP", "crv": "Ed25519", "x": "{X}"}}]}}"#);
        let directory = KeyDirectory::parse("https://agent.test", &keys).unwrap();
        check(&Signed(record), &[&directory], now as i64)
    }

    #[test]
    fn each_request_is_signed_at_its_scenario_time_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let plan = scenario(
            dir.path(),
            r#"{ key = "agent.jwk-private", agent = "https://agent.test" }"#,
        )
        .unwrap();
        let start = START_MILLIS / 1000;
        for (record, created) in [(&plan[0].record, start), (&plan[1].record, start + 60)] {
            assert_eq!(
                record.request_header("signature-agent"),
                Some("\"https://agent.test\"")
            );
            let input = record.request_header("signature-input").unwrap();
            assert_eq!(
                input,
                format!(
                    r#"sig1=("@authority" "signature-agent");created={created};expires={};keyid="{}";tag="web-bot-auth""#,
                    created + VALIDITY_SECONDS,
                    thumbprint(X)
                )
            );
            let signatures = (record.request_headers.iter())
                .filter(|(name, _)| name == "signature")
                .count();
            assert_eq!(signatures, 1, "the step's own signature is replaced");
            assert!(matches!(
                checked(record, created),
                Some(SignatureCheck::Verified { directory: 0, .. })
            ));
            assert!(
                matches!(checked(record, created + VALIDITY_SECONDS), Some(SignatureCheck::Failed(why)) if why.contains("expired")),
                "valid for {VALIDITY_SECONDS}s only"
            );
        }
    }

    #[test]
    fn another_keys_keyid_makes_a_forgery_the_verifier_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let plan = scenario(
            dir.path(),
            r#"{ key = "agent.jwk-private", agent = "https://agent.test", keyid = "not-this-key" }"#,
        )
        .unwrap();
        let created = START_MILLIS / 1000;
        let Some(SignatureCheck::UnknownKey { why, .. }) = checked(&plan[0].record, created) else {
            panic!("a forged keyid was accepted");
        };
        assert!(
            why.contains("\"not-this-key\" is in no configured directory"),
            "{why}"
        );
    }

    #[test]
    fn bad_signing_settings_name_their_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rsa.jwk"),
            r#"{"kty": "RSA", "crv": "", "d": "", "x": ""}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("big.jwk"), " ".repeat(5000)).unwrap();
        let cases = [
            (
                r#"{ key = "missing.jwk", agent = "https://a.test" }"#,
                "actors.agent.sign.key: ",
                "readable regular file",
            ),
            (
                r#"{ key = ".", agent = "https://a.test" }"#,
                "actors.agent.sign.key: ",
                "readable regular file",
            ),
            (
                r#"{ key = "big.jwk", agent = "https://a.test" }"#,
                "actors.agent.sign.key: ",
                "larger than 4096 bytes",
            ),
            (
                r#"{ key = "rsa.jwk", agent = "https://a.test" }"#,
                "actors.agent.sign.key: ",
                "expected an Ed25519 private key as a JWK",
            ),
            (
                r#"{ key = "agent.jwk-private", agent = 'https://a.test/"x' }"#,
                "actors.agent.sign.agent: ",
                "printable ASCII",
            ),
            (
                r#"{ key = "agent.jwk-private", agent = "https://a.test", keyid = "" }"#,
                "actors.agent.sign.keyid: ",
                "printable ASCII",
            ),
        ];
        for (sign, key, message) in cases {
            let found = scenario(dir.path(), sign).unwrap_err();
            assert!(
                found.starts_with(key) && found.contains(message),
                "{sign}: {found}"
            );
        }
    }

    #[test]
    fn a_key_whose_halves_do_not_match_cannot_sign() {
        let dir = tempfile::tempdir().unwrap();
        let mismatched = format!(r#"{{"kty": "OKP", "crv": "Ed25519", "d": "{D}", "x": "{D}"}}"#);
        std::fs::write(dir.path().join("odd.jwk"), mismatched).unwrap();
        let found = scenario(
            dir.path(),
            r#"{ key = "odd.jwk", agent = "https://a.test" }"#,
        )
        .unwrap_err();
        assert!(
            found.starts_with("actors.agent.sign.key: cannot sign with this key"),
            "{found}"
        );
    }
}
