//! A listener's certificate and key come from PEM files an operator wrote
//! with whatever tool they had. Each key encoding rustls accepts must serve
//! a real TLS handshake, and each wrong file must be refused with an error
//! that names the file and says what it holds.

use rampart_gateway::tls::{read_certs, server_config, TlsError};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// Writes `contents` to a fresh file in `dir` and returns its path.
fn file(dir: &tempfile::TempDir, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// A self-signed `localhost` certificate and its PKCS#8 key, as rcgen writes them.
fn pkcs8_pair(dir: &tempfile::TempDir) -> (PathBuf, PathBuf) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = certified.key_pair.serialize_pem();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    (
        file(dir, "cert.pem", certified.cert.pem()),
        file(dir, "key.pem", key),
    )
}

/// Runs a TLS handshake in memory between the server configuration and a
/// client that trusts only `cert`, and returns the ALPN protocol agreed.
fn handshake(server: Arc<rustls::ServerConfig>, cert: CertificateDer<'static>) -> Vec<u8> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client_config.alpn_protocols = vec![b"h2".to_vec()];
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = rustls::ClientConnection::new(Arc::new(client_config), name).unwrap();
    let mut server = rustls::ServerConnection::new(server).unwrap();
    // A TLS 1.3 handshake takes two flights each way; the bound only stops a
    // broken handshake from spinning.
    for _ in 0..8 {
        if !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
        let mut wire = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut wire).unwrap();
        }
        server.read_tls(&mut wire.as_slice()).unwrap();
        server.process_new_packets().unwrap();
        wire.clear();
        while server.wants_write() {
            server.write_tls(&mut wire).unwrap();
        }
        client.read_tls(&mut wire.as_slice()).unwrap();
        client.process_new_packets().unwrap();
    }
    assert!(!client.is_handshaking(), "the handshake did not complete");
    client.alpn_protocol().unwrap().to_vec()
}

fn only_cert(path: &Path) -> CertificateDer<'static> {
    read_certs(path).unwrap().remove(0)
}

/// The error for `cert`/`key`, as an operator reads it.
fn refusal(cert: &Path, key: &Path) -> String {
    server_config(cert, key).unwrap_err().to_string()
}

fn assert_names(message: &str, path: &Path, says: &str) {
    assert!(
        message.contains(&path.display().to_string()),
        "{message:?} does not name {}",
        path.display()
    );
    assert!(message.contains(says), "{message:?} does not say {says:?}");
}

#[test]
fn pkcs8_key_serves_a_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pkcs8_pair(&dir);
    let config = server_config(&cert, &key).unwrap();
    assert_eq!(handshake(config, only_cert(&cert)), b"h2");
}

#[test]
fn pkcs1_rsa_key_serves_a_handshake() {
    let (cert, key) = (fixture("rsa.crt"), fixture("rsa-pkcs1.key"));
    let config = server_config(&cert, &key).unwrap();
    assert_eq!(handshake(config, only_cert(&cert)), b"h2");
}

#[test]
fn sec1_ec_key_serves_a_handshake() {
    let (cert, key) = (fixture("ec.crt"), fixture("ec-sec1.key"));
    let config = server_config(&cert, &key).unwrap();
    assert_eq!(handshake(config, only_cert(&cert)), b"h2");
}

#[test]
fn one_file_may_hold_certificate_and_key_with_text_around() {
    let dir = tempfile::tempdir().unwrap();
    let combined = [
        "Bag Attributes\n    friendlyName: localhost\n".as_bytes(),
        &std::fs::read(fixture("ec.crt")).unwrap(),
        b"subject=CN = localhost\n",
        &std::fs::read(fixture("ec-sec1.key")).unwrap(),
    ]
    .concat();
    let both = file(&dir, "both.pem", combined);
    let config = server_config(&both, &both).unwrap();
    assert_eq!(handshake(config, only_cert(&both)), b"h2");
}

#[test]
fn garbage_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = pkcs8_pair(&dir);
    let garbage = file(&dir, "garbage.key", b"\x00\xffnot a key at all\n\x1b[2J");
    assert_names(&refusal(&cert, &garbage), &garbage, "holds no PEM block");
}

#[test]
fn der_certificate_is_refused_with_a_hint_to_convert() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pkcs8_pair(&dir);
    let der = file(&dir, "cert.der", only_cert(&cert).as_ref());
    assert_names(&refusal(&der, &key), &der, "converted to PEM");
}

#[test]
fn empty_file_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pkcs8_pair(&dir);
    let empty = file(&dir, "empty.pem", b"");
    assert_names(&refusal(&empty, &key), &empty, "is empty");
    assert_names(&refusal(&cert, &empty), &empty, "is empty");
}

#[test]
fn swapped_files_are_refused_naming_the_file_and_what_it_holds() {
    let (cert, key) = (fixture("rsa.crt"), fixture("rsa-pkcs1.key"));
    assert_names(
        &refusal(&cert, &cert),
        &cert,
        "holds no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY; \
         it holds CERTIFICATE): is this the certificate file?",
    );
    assert_names(
        &refusal(&key, &key),
        &key,
        "holds no CERTIFICATE block (it holds RSA PRIVATE KEY): is this the private key file?",
    );
}

#[test]
fn encrypted_key_is_refused_with_what_to_do() {
    let key = fixture("ec-encrypted.key");
    assert_names(&refusal(&fixture("ec.crt"), &key), &key, "openssl pkey");
}

#[test]
fn missing_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = pkcs8_pair(&dir);
    let missing = dir.path().join("nope.key");
    let error = server_config(&cert, &missing).unwrap_err();
    assert!(matches!(error, TlsError::Read { .. }), "{error:?}");
    assert_names(&error.to_string(), &missing, "cannot read");
}

#[test]
fn key_of_another_certificate_is_refused_naming_both() {
    let (cert, key) = (fixture("ec.crt"), fixture("rsa-pkcs1.key"));
    let message = refusal(&cert, &key);
    assert_names(&message, &cert, "do not form a usable certificate and key");
    assert_names(&message, &key, "do not form a usable certificate and key");
}

#[test]
fn oversized_file_is_refused_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = pkcs8_pair(&dir);
    let mut big = std::fs::read(fixture("ec-sec1.key")).unwrap();
    big.resize(4 << 20, b'\n');
    let big = file(&dir, "big.key", big);
    assert_names(&refusal(&cert, &big), &big, "is larger than");
}

#[test]
fn configuration_reports_the_listener_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = pkcs8_pair(&dir);
    let config_path = file(
        &dir,
        "rampart.toml",
        "[[listeners]]\nname = \"tls\"\nlisten = \"127.0.0.1:0\"\n\
         tls = { cert = \"cert.pem\", key = \"cert.pem\" }\n\n\
         [[upstreams]]\nname = \"api\"\naddresses = [\"127.0.0.1:9\"]\n\n\
         [[routes]]\nname = \"all\"\npath_prefix = \"/\"\nupstream = \"api\"\n",
    );
    let message = rampart_gateway::GatewayConfig::load(&config_path)
        .unwrap_err()
        .to_string();
    assert!(message.contains("listeners[0].tls"), "{message}");
    assert_names(&message, &cert, "holds no private key block");
}
