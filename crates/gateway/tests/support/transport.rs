//! The same requests over each client transport the gateway serves:
//! HTTP/1.1, HTTP/2 in cleartext with prior knowledge (h2c) and HTTP/2 over
//! TLS (ALPN `h2`), so that a test can assert that the pipeline behaves the
//! same whatever the client speaks.
//!
//! Requests are written once, the HTTP/1.1 way (origin-form path and a `Host`
//! header); for HTTP/2 the host moves into the URI, from which the client
//! sends `:scheme` and `:authority`, and no `Host` header is sent, as curl
//! and browsers do.

use super::{full, h2_connect, send, BoxBody, TestGateway};
use http::{Request, Response, Uri, Version};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http1,
    H2c,
    H2Tls,
}

impl Transport {
    pub const ALL: [Transport; 3] = [Transport::Http1, Transport::H2c, Transport::H2Tls];

    /// Starts a gateway from `config_text` (see `support::config`), its
    /// listener serving this transport.
    pub async fn serve(self, config_text: &str) -> TransportGateway {
        let (tls, config_text) = match self {
            Transport::H2Tls => {
                let tls = TlsFiles::new();
                let text = tls.on_listener(config_text);
                (Some(tls), text)
            }
            Transport::Http1 | Transport::H2c => (None, config_text.to_string()),
        };
        TransportGateway {
            gw: TestGateway::start(&config_text).await,
            transport: self,
            tls,
        }
    }
}

/// A gateway and the transport its tests speak to it.
pub struct TransportGateway {
    pub gw: TestGateway,
    pub transport: Transport,
    tls: Option<TlsFiles>,
}

impl TransportGateway {
    /// Sends `request` (origin-form, with a `Host` header) on a fresh
    /// connection of this transport and checks the answer's version.
    pub async fn send(&self, request: Request<BoxBody>) -> Response<Incoming> {
        let addr = self.gw.addr();
        let response = match (self.transport, &self.tls) {
            (Transport::Http1, _) => send(addr, request).await,
            (Transport::H2c, _) => {
                let (mut sender, _connection) = h2_connect(addr).await;
                sender.send_request(as_h2(request, "http")).await.unwrap()
            }
            (Transport::H2Tls, Some(tls)) => {
                let stream = tls_connect(addr, tls.cert.clone(), b"h2").await;
                let (mut sender, connection) =
                    hyper::client::conn::http2::handshake(super::executor(), TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(connection);
                sender.send_request(as_h2(request, "https")).await.unwrap()
            }
            (Transport::H2Tls, None) => unreachable!("an h2 over TLS gateway has TLS files"),
        };
        let expected = match self.transport {
            Transport::Http1 => Version::HTTP_11,
            Transport::H2c | Transport::H2Tls => Version::HTTP_2,
        };
        assert_eq!(response.version(), expected, "{:?}", self.transport);
        response
    }

    /// The scheme of the connection: `https` over TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        match self.transport {
            Transport::H2Tls => "https",
            Transport::Http1 | Transport::H2c => "http",
        }
    }

    /// `GET path` with `Host: host`.
    pub async fn get(&self, host: &str, path: &str) -> Response<Incoming> {
        let request = Request::get(path)
            .header("host", host)
            .body(full(""))
            .unwrap();
        self.send(request).await
    }
}

/// The request as an HTTP/2 client sends it: the `Host` header becomes the
/// URI's authority (hence `:authority`), with the scheme of the connection.
/// A request written with an absolute URI is sent as written.
fn as_h2(request: Request<BoxBody>, scheme: &str) -> Request<BoxBody> {
    let (mut parts, body) = request.into_parts();
    parts.version = Version::HTTP_2;
    if parts.uri.authority().is_some() {
        return Request::from_parts(parts, body);
    }
    let host = parts
        .headers
        .remove("host")
        .expect("requests are written with a Host header");
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = Uri::try_from(format!("{scheme}://{}{path}", host.to_str().unwrap())).unwrap();
    Request::from_parts(parts, body)
}

/// A self-signed certificate for `localhost` and its key, as PEM files.
pub struct TlsFiles {
    pub cert: CertificateDer<'static>,
    dir: tempfile::TempDir,
}

impl TlsFiles {
    pub fn new() -> TlsFiles {
        let dir = tempfile::tempdir().unwrap();
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        std::fs::write(dir.path().join("cert.pem"), certified.cert.pem()).unwrap();
        std::fs::write(
            dir.path().join("key.pem"),
            certified.key_pair.serialize_pem(),
        )
        .unwrap();
        TlsFiles {
            cert: certified.cert.der().clone(),
            dir,
        }
    }

    /// `config_text` (see `support::config`) with TLS on its listener.
    pub fn on_listener(&self, config_text: &str) -> String {
        let tls = format!(
            "tls = {{ cert = \"{}\", key = \"{}\" }}",
            self.dir.path().join("cert.pem").display(),
            self.dir.path().join("key.pem").display()
        );
        let listener = "listen = \"127.0.0.1:0\"\n\n[[upstreams]]";
        assert!(config_text.contains(listener), "no listener to put TLS on");
        config_text.replace(
            listener,
            &format!("listen = \"127.0.0.1:0\"\n{tls}\n\n[[upstreams]]"),
        )
    }
}

/// A TLS connection to `addr` trusting only `cert`, offering one ALPN protocol.
pub async fn tls_connect(
    addr: SocketAddr,
    cert: CertificateDer<'static>,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tls_connector(cert, alpn)
        .connect(localhost(), tcp)
        .await
        .unwrap()
}

/// The server name the test certificate is for.
pub fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

/// The TLS client of these tests: trusting only `cert`, offering one ALPN
/// protocol.
pub fn tls_connector(cert: CertificateDer<'static>, alpn: &[u8]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.alpn_protocols = vec![alpn.to_vec()];
    tokio_rustls::TlsConnector::from(Arc::new(client))
}
