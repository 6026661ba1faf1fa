//! Reading a listener's certificate chain and private key from PEM text.
//!
//! Operators hand Rampart whatever their tooling wrote: a chain with text
//! around the blocks, a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key, sometimes the
//! wrong file. The decoding itself is `rustls-pki-types`' PEM reader (the
//! crate rustls already depends on; `rustls-pemfile` is unmaintained,
//! RUSTSEC-2025-0134). This module adds what an operator needs on top: a
//! size bound before anything is decoded, one answer for the whole file, and
//! errors that say what the file holds instead of what it lacks, without ever
//! echoing key material.

use rustls::pki_types::pem::{self, PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;

/// The largest PEM file read: a server chain with a few intermediates is a
/// few kilobytes; anything this large is the wrong file.
pub const MAX_PEM_FILE_BYTES: usize = 1 << 20;

/// Why PEM text gave no certificate chain or no private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {MAX_PEM_FILE_BYTES} bytes; a PEM certificate or key is far smaller")]
    TooLarge,
    #[error("the file holds no PEM block (-----BEGIN ...-----); a DER file must be converted to PEM first")]
    NotPem,
    #[error("invalid PEM: {0}")]
    Syntax(String),
    #[error("the file holds no CERTIFICATE block (it holds {found}){hint}", hint = if found.has_key() { ": is this the private key file?" } else { "" })]
    NoCertificate { found: Found },
    #[error("the file holds no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY; it holds {found}){hint}", hint = if found.has_certificate() { ": is this the certificate file?" } else { "" })]
    NoKey { found: Found },
    #[error("the private key is encrypted; Rampart needs it unencrypted (for example `openssl pkey -in KEY -out PLAIN_KEY`) and readable only by the gateway's user")]
    EncryptedKey,
    #[error("the file holds {0} private keys; expected exactly one")]
    SeveralKeys(usize),
}

/// The kinds of PEM block a file holds, each once, in the order they first
/// appear (for error messages, which stay short whatever the file holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found(Vec<&'static str>);

impl Found {
    fn has_key(&self) -> bool {
        self.0.iter().any(|label| label.ends_with("PRIVATE KEY"))
    }

    fn has_certificate(&self) -> bool {
        self.0.contains(&"CERTIFICATE")
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no block Rampart knows");
        }
        f.write_str(&self.0.join(", "))
    }
}

/// The certificate chain in `pem`, in file order (leaf first, as rustls
/// expects). Blocks of other kinds are skipped; a file without any
/// certificate is an error that says what it holds instead.
pub fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let blocks = blocks(pem)?;
    let certs: Vec<_> = blocks
        .iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| CertificateDer::from(der.clone()))
        .collect();
    if certs.is_empty() {
        return Err(PemError::NoCertificate {
            found: found(&blocks),
        });
    }
    Ok(certs)
}

/// The one private key in `pem`: PKCS#8 (`PRIVATE KEY`), PKCS#1
/// (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`). Certificates beside it
/// are allowed (a combined file); two keys are ambiguous and refused.
pub fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, PemError> {
    let blocks = blocks(pem)?;
    let mut keys: Vec<_> = blocks
        .iter()
        .filter_map(|(kind, der)| PrivateKeyDer::from_pem(*kind, der.clone()))
        .collect();
    match keys.len() {
        1 => Ok(keys.remove(0)),
        0 if holds_encrypted_key(pem) => Err(PemError::EncryptedKey),
        0 => Err(PemError::NoKey {
            found: found(&blocks),
        }),
        n => Err(PemError::SeveralKeys(n)),
    }
}

/// Every block of a kind rustls names, after the checks common to both
/// files: bounded, not empty, PEM at all, well formed.
fn blocks(pem: &[u8]) -> Result<Vec<(SectionKind, Vec<u8>)>, PemError> {
    if pem.len() > MAX_PEM_FILE_BYTES {
        return Err(PemError::TooLarge);
    }
    if pem.iter().all(u8::is_ascii_whitespace) {
        return Err(PemError::Empty);
    }
    let blocks = <(SectionKind, Vec<u8>)>::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(syntax)?;
    if blocks.is_empty() && memchr::memmem::find(pem, b"-----BEGIN ").is_none() {
        return Err(PemError::NotPem);
    }
    Ok(blocks)
}

fn found(blocks: &[(SectionKind, Vec<u8>)]) -> Found {
    let mut labels = Vec::new();
    for (kind, _) in blocks {
        let label = label(*kind);
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    Found(labels)
}

fn holds_encrypted_key(pem: &[u8]) -> bool {
    memchr::memmem::find(pem, b"-----BEGIN ENCRYPTED PRIVATE KEY-----").is_some()
        || memchr::memmem::find(pem, b"Proc-Type: 4,ENCRYPTED").is_some()
}

/// The PEM label of a block kind, as written after `-----BEGIN `.
fn label(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Certificate => "CERTIFICATE",
        SectionKind::PublicKey => "PUBLIC KEY",
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        SectionKind::PrivateKey => "PRIVATE KEY",
        SectionKind::EcPrivateKey => "EC PRIVATE KEY",
        SectionKind::Crl => "X509 CRL",
        SectionKind::Csr => "CERTIFICATE REQUEST",
        SectionKind::EchConfigList => "ECHCONFIG",
        _ => "another block",
    }
}

/// A reader error in words an operator can act on. Never the block's
/// content: in a key file that is the secret.
fn syntax(error: pem::Error) -> PemError {
    PemError::Syntax(match error {
        pem::Error::MissingSectionEnd { end_marker } => {
            format!("a {} block has no -----END line", printable(&end_marker))
        }
        pem::Error::IllegalSectionStart { line } => {
            format!("malformed -----BEGIN line: {:?}", printable(&line))
        }
        pem::Error::Base64Decode(_) => "a block's base64 content is invalid".to_string(),
        pem::Error::SectionTooLarge => "a block is too large".to_string(),
        _ => "unreadable PEM".to_string(),
    })
}

/// At most 80 characters of a marker line, for quoting in an error.
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end()
        .chars()
        .take(80)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(certificates(b" \n\r\n\t").unwrap_err(), PemError::Empty);
        assert_eq!(private_key(b"").unwrap_err(), PemError::Empty);
    }

    #[test]
    fn oversized_input_is_refused_before_decoding() {
        let big = vec![b'A'; MAX_PEM_FILE_BYTES + 1];
        assert_eq!(certificates(&big).unwrap_err(), PemError::TooLarge);
    }

    #[test]
    fn bad_base64_in_a_key_is_not_quoted() {
        let pem = b"-----BEGIN PRIVATE KEY-----\nSECRET!!material\n-----END PRIVATE KEY-----\n";
        let message = private_key(pem).unwrap_err().to_string();
        assert!(message.contains("base64"), "{message}");
        assert!(!message.contains("SECRET"), "{message}");
    }

    #[test]
    fn unterminated_block_names_its_kind() {
        let message = certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("CERTIFICATE block has no -----END"),
            "{message}"
        );
    }

    #[test]
    fn unknown_blocks_only_are_reported_as_such() {
        let pem = b"-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----\n";
        let message = certificates(pem).unwrap_err().to_string();
        assert!(message.contains("no block Rampart knows"), "{message}");
    }

    #[test]
    fn many_blocks_are_named_once_each() {
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let message = private_key(cert.repeat(1000).as_bytes())
            .unwrap_err()
            .to_string();
        assert_eq!(message.matches("CERTIFICATE").count(), 1, "{message}");
    }

    #[test]
    fn two_keys_are_ambiguous() {
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let pem = format!("{key}{key}");
        assert_eq!(
            private_key(pem.as_bytes()).unwrap_err(),
            PemError::SeveralKeys(2)
        );
    }
}
