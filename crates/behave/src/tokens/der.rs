//! Just enough DER to read a PEM public key (SubjectPublicKeyInfo, RFC
//! 5280) into the raw key `ring` verifies with: the RSA modulus and
//! exponent, the EC point, or the Ed25519 key, and which of those it is.
//! Every length is checked against what is left, so a hostile file gives
//! an error, never a panic or an over-read.

use super::algorithm::KeyKind;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;

const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A public key as `ring` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Big-endian modulus and exponent, without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// An uncompressed EC point (`04 || x || y`) or an Ed25519 key.
    Point { kind: KeyKind, bytes: Vec<u8> },
}

impl PublicKey {
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicKey::Rsa { .. } => KeyKind::Rsa,
            PublicKey::Point { kind, .. } => *kind,
        }
    }
}

/// Reads a DER SubjectPublicKeyInfo.
pub fn subject_public_key_info(der: &[u8]) -> Result<PublicKey, String> {
    let (spki, rest) = element(der, SEQUENCE)?;
    if !rest.is_empty() {
        return Err("trailing bytes after the public key".into());
    }
    let (algorithm, rest) = element(spki, SEQUENCE)?;
    let (bits, _) = element(rest, BIT_STRING)?;
    let key = match bits.split_first() {
        Some((0, key)) => key,
        _ => return Err("the key's bit string has unused bits".into()),
    };
    let (oid, parameters) = element(algorithm, OID)?;
    let point = |kind: KeyKind| PublicKey::Point {
        kind,
        bytes: key.to_vec(),
    };
    match oid {
        RSA_ENCRYPTION => {
            let (rsa, _) = element(key, SEQUENCE)?;
            let (n, rest) = element(rsa, INTEGER)?;
            let (e, _) = element(rest, INTEGER)?;
            Ok(PublicKey::Rsa {
                n: unsigned(n),
                e: unsigned(e),
            })
        }
        EC_PUBLIC_KEY => match element(parameters, OID)?.0 {
            P256 => Ok(point(KeyKind::EcP256)),
            P384 => Ok(point(KeyKind::EcP384)),
            _ => Err("an EC key on a curve other than P-256 or P-384".into()),
        },
        ED25519 => Ok(point(KeyKind::Ed25519)),
        _ => Err("not an RSA, EC (P-256, P-384) or Ed25519 public key".into()),
    }
}

/// The contents of the element at the start of `input` if it has `tag`,
/// and what follows it.
fn element(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), String> {
    let malformed = || "malformed DER".to_string();
    let (&found, rest) = input.split_first().ok_or_else(malformed)?;
    if found != tag {
        return Err(malformed());
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(malformed)?;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 3 || rest.len() < count {
            return Err(malformed());
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes
            .iter()
            .fold(0usize, |length, byte| (length << 8) | usize::from(*byte))
    };
    if rest.len() < length {
        return Err(malformed());
    }
    Ok(rest.split_at(length))
}

fn unsigned(integer: &[u8]) -> Vec<u8> {
    let start = integer
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(integer.len());
    integer[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_or_wrong_der_is_an_error() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x82, 0xff, 0xff],
            &[0x30, 0x03, 0x30, 0x01, 0x06],
            &[0x31, 0x00],
        ] {
            assert!(subject_public_key_info(bad).is_err(), "{bad:?}");
        }
    }
}
