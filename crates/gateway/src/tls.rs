//! TLS termination settings: certificates and keys from PEM files, ALPN for
//! HTTP/2 and HTTP/1.1, on rustls with the ring provider (no OpenSSL); and
//! the client's JA4 fingerprint, read from its ClientHello (`capture`).

pub mod capture;
pub mod client_hello;
pub mod ja4;
pub mod pem;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a listener's TLS settings could not be built; every case names the
/// file at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Pem {
        path: PathBuf,
        source: pem::PemError,
    },
    #[error("{} and {} do not form a usable certificate and key: {source}", cert.display(), key.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        source: rustls::Error,
    },
    #[error("TLS protocol versions: {0}")]
    Versions(rustls::Error),
}

/// Builds a server TLS configuration from a PEM certificate chain and key.
pub fn server_config(
    cert_path: &Path,
    key_path: &Path,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs = read_certs(cert_path)?;
    let key = read_key(key_path)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Versions)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|source| TlsError::Mismatch {
            cert: cert_path.to_path_buf(),
            key: key_path.to_path_buf(),
            source,
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificate chain in the PEM file at `path`.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    pem::certificates(&read_bounded(path)?).map_err(|source| in_file(path, source))
}

/// The one private key in the PEM file at `path`.
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    pem::private_key(&read_bounded(path)?).map_err(|source| in_file(path, source))
}

fn in_file(path: &Path, source: pem::PemError) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        source,
    }
}

/// The file's bytes, or one byte past the bound so the PEM reader refuses
/// it as too large: a path pointing at a huge file (or a device) is never
/// read whole.
fn read_bounded(path: &Path) -> Result<Vec<u8>, TlsError> {
    let read_error = |source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(pem::MAX_PEM_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    Ok(bytes)
}
