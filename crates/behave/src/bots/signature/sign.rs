//! Signing a request as a Web Bot Auth agent: real Ed25519 signatures with
//! `ring`, so the verifier is tested against what a signer produces, and
//! the scenario harness (`rampart scenarios run`, `rampart demo
//! --scenarios`, in the binary) can show a signed agent's requests.

use super::base::{signature_base, Message};
use super::fields::{self, Member};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::Ed25519KeyPair;

/// The `Signature-Input` and `Signature` header values signing `message`
/// under label `sig1` with the Ed25519 key of this seed and public key;
/// `input` is the inner list with its parameters, e.g.
/// `("@authority" "signature-agent");created=1;expires=2;keyid="..."`.
pub fn sign(
    message: &dyn Message,
    input: &str,
    seed: &[u8],
    public: &[u8],
) -> Result<(String, String), String> {
    let pair = Ed25519KeyPair::from_seed_and_public_key(seed, public).map_err(|e| e.to_string())?;
    let signature_input = format!("sig1={input}");
    let parsed = fields::dictionary(&signature_input).map_err(|e| e.to_string())?;
    let Some((_, Member::InnerList(items, params))) = parsed.into_iter().next() else {
        return Err("the input is not an inner list".into());
    };
    let base = signature_base(message, &items, &params)?;
    let signature = STANDARD.encode(pair.sign(base.as_bytes()));
    Ok((signature_input, format!("sig1=:{signature}:")))
}
