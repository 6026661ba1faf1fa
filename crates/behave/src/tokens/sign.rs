//! Signs tokens for tests, here and in the gateway's (feature
//! `test-support`): real signatures with `ring`, so the verifier is tested
//! against what an issuer, or a forger, would really send.

use super::Algorithm;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use serde_json::Value;

/// What signs a test token.
pub enum Signer<'k> {
    /// An HMAC secret.
    Secret(&'k [u8]),
    /// A PKCS#8 (DER) private key of the algorithm's kind.
    Pkcs8(&'k [u8]),
}

/// `header` (to which `alg` is added) and `claims`, signed with `alg`.
pub fn token(alg: Algorithm, signer: Signer<'_>, header: Value, claims: &Value) -> String {
    let mut header = header;
    header["alg"] = Value::from(alg.name());
    let input = signing_input(&header, claims);
    let signature = sign(alg, signer, input.as_bytes());
    format!("{input}.{}", B64.encode(signature))
}

/// A token whose header says what it likes (`alg: none`, a lie about the
/// algorithm...) and whose signature is `signature`.
pub fn forged(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}",
        signing_input(header, claims),
        B64.encode(signature)
    )
}

/// `header.claims`, what a signature covers.
pub fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

/// The signature of `input` with `alg`.
pub fn sign(alg: Algorithm, signer: Signer<'_>, input: &[u8]) -> Vec<u8> {
    let rng = SystemRandom::new();
    match (signer, alg.hmac()) {
        (Signer::Secret(secret), Some(hmac)) => {
            ring::hmac::sign(&ring::hmac::Key::new(hmac, secret), input)
                .as_ref()
                .to_vec()
        }
        (Signer::Pkcs8(der), None) => {
            let rsa: Option<&'static dyn signature::RsaEncoding> = match alg {
                Algorithm::RS256 => Some(&signature::RSA_PKCS1_SHA256),
                Algorithm::RS384 => Some(&signature::RSA_PKCS1_SHA384),
                Algorithm::RS512 => Some(&signature::RSA_PKCS1_SHA512),
                Algorithm::PS256 => Some(&signature::RSA_PSS_SHA256),
                Algorithm::PS384 => Some(&signature::RSA_PSS_SHA384),
                Algorithm::PS512 => Some(&signature::RSA_PSS_SHA512),
                _ => None,
            };
            if let Some(encoding) = rsa {
                let pair = RsaKeyPair::from_pkcs8(der).expect("an RSA PKCS#8 key");
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(encoding, &rng, input, &mut out)
                    .expect("RSA signing");
                return out;
            }
            let ecdsa = match alg {
                Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                _ => {
                    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                        .expect("an Ed25519 PKCS#8 key");
                    return pair.sign(input).as_ref().to_vec();
                }
            };
            let pair = EcdsaKeyPair::from_pkcs8(ecdsa, der, &rng).expect("an EC PKCS#8 key");
            pair.sign(&rng, input)
                .expect("ECDSA signing")
                .as_ref()
                .to_vec()
        }
        _ => panic!("{alg} is not signed with this kind of key"),
    }
}
