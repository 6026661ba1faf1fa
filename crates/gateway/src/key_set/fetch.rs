//! One bounded `GET` of published keys (an identity provider's key set, an
//! agent's key directory): `https` (or plain `http` to a loopback address
//! only), HTTP/1.1, one overall timeout, the body capped at what the format
//! allows, redirects refused rather than followed (keys that moved are an
//! operator's change to make, not something a response may decide). TLS is rustls with ring, as for the
//! listeners, trusting the system's CA bundle.

use super::cache_control::{self, Freshness};
use bytes::Bytes;
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_LENGTH, HOST, LOCATION, USER_AGENT};
use http::{HeaderMap, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How long one fetch may take, from name resolution to the last body byte.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the system keeps its CA bundle, tried in order after the
/// `SSL_CERT_FILE` environment variable (Debian/Ubuntu, Fedora/RHEL,
/// openSUSE, Alpine).
const CA_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// How much of a refused URL its error quotes.
const MAX_SHOWN_CHARS: usize = 256;

/// A key set URL as configured, checked: `https`, or `http` to a loopback
/// address (where no one on the network can swap the keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySetUrl {
    text: String,
    https: bool,
    host: String,
    port: u16,
    authority: String,
    path_and_query: String,
}

impl std::fmt::Display for KeySetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl KeySetUrl {
    /// Checks a configured URL; the error says what was expected.
    pub fn parse(text: &str) -> Result<KeySetUrl, String> {
        let shown: String = text.chars().take(MAX_SHOWN_CHARS).collect();
        let uri: Uri = text
            .parse()
            .map_err(|e| format!("expected an https:// URL, got {shown:?}: {e}"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("expected an https:// URL, got {shown:?}")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("expected an https:// URL with a host, got {shown:?}"))?;
        if authority.as_str().contains('@') {
            return Err(format!(
                "expected a URL without credentials (user@), got {shown:?}"
            ));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !https && !is_loopback_name(&host) {
            return Err(format!(
                "expected https:// (plain http:// is accepted only to a loopback address such as 127.0.0.1, ::1 or localhost), got {shown:?}"
            ));
        }
        Ok(KeySetUrl {
            text: text.to_string(),
            https,
            port: authority.port_u16().unwrap_or(if https { 443 } else { 80 }),
            authority: authority.as_str().to_string(),
            path_and_query: uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.as_str().to_string()),
            host,
        })
    }

    /// The authority a request to this URL names, as RFC 9421's
    /// `@authority` has it: the host, lowercase, and the port when it is not
    /// the scheme's default.
    pub fn request_authority(&self) -> String {
        let host = match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        };
        let default_port = if self.https { 443 } else { 80 };
        let authority = match self.port == default_port {
            true => host,
            false => format!("{host}:{}", self.port),
        };
        authority.to_ascii_lowercase()
    }
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A document as served, its header fields (a directory's signature is
/// in them), and how long it says it stays fresh.
#[derive(Debug)]
pub struct Document {
    pub body: Bytes,
    pub headers: HeaderMap,
    pub freshness: Freshness,
}

/// Why a fetch gave no document.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("no answer within {FETCH_TIMEOUT:?}")]
    Timeout,
    #[error("answered {0}, expected 200")]
    Status(StatusCode),
    #[error("answered {status} redirecting to {location:?}; redirects are not followed, configure the new URL")]
    Redirect {
        status: StatusCode,
        location: String,
    },
    #[error("the document is larger than the {0} bytes it may have")]
    TooLarge(usize),
    /// The document arrived but is no usable key set (set by the caller).
    #[error("{0}")]
    Invalid(String),
    /// The document arrived without a valid signature of its own where
    /// one is required (set by the caller).
    #[error("{0}")]
    Unsigned(String),
}

impl FetchError {
    /// The `result` label of the fetch counters.
    pub fn label(&self) -> &'static str {
        match self {
            FetchError::Unreachable(_) => "unreachable",
            FetchError::Timeout => "timeout",
            FetchError::Status(_) | FetchError::Redirect { .. } => "status",
            FetchError::TooLarge(_) => "too_large",
            FetchError::Invalid(_) => "invalid",
            FetchError::Unsigned(_) => "unsigned",
        }
    }
}

/// Fetches documents from one URL (TLS settings made once).
pub struct Fetcher {
    url: KeySetUrl,
    tls: Option<Result<tokio_rustls::TlsConnector, String>>,
    accept: &'static str,
    max_bytes: usize,
}

impl Fetcher {
    /// A fetcher of `url` asking for `accept` and reading at most
    /// `max_bytes` of body.
    pub fn new(url: KeySetUrl, accept: &'static str, max_bytes: usize) -> Fetcher {
        let tls = url.https.then(client_tls);
        Fetcher {
            url,
            tls,
            accept,
            max_bytes,
        }
    }

    pub fn url(&self) -> &KeySetUrl {
        &self.url
    }

    /// One bounded fetch.
    pub async fn fetch(&self) -> Result<Document, FetchError> {
        tokio::time::timeout(FETCH_TIMEOUT, self.fetch_unbounded())
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    async fn fetch_unbounded(&self) -> Result<Document, FetchError> {
        let tcp = self.connect().await?;
        match &self.tls {
            None => self.exchange(tcp).await,
            Some(Err(why)) => Err(FetchError::Unreachable(why.clone())),
            Some(Ok(connector)) => {
                let name = rustls::pki_types::ServerName::try_from(self.url.host.clone())
                    .map_err(|e| FetchError::Unreachable(format!("TLS server name: {e}")))?;
                let stream = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| FetchError::Unreachable(format!("TLS: {e}")))?;
                self.exchange(stream).await
            }
        }
    }

    /// A connection to the first address of the host that accepts; for
    /// plain http, loopback addresses only.
    async fn connect(&self) -> Result<TcpStream, FetchError> {
        let resolved = tokio::net::lookup_host((self.url.host.as_str(), self.url.port))
            .await
            .map_err(|e| FetchError::Unreachable(format!("resolving {}: {e}", self.url.host)))?;
        let addresses: Vec<SocketAddr> = resolved
            .filter(|a| self.url.https || a.ip().is_loopback())
            .collect();
        let mut last = format!("{} resolves to no usable address", self.url.host);
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = format!("connecting to {address}: {e}"),
            }
        }
        Err(FetchError::Unreachable(last))
    }

    async fn exchange<S>(&self, stream: S) -> Result<Document, FetchError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let protocol = |e: hyper::Error| FetchError::Unreachable(format!("HTTP: {e}"));
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(protocol)?;
        let request = Request::get(self.url.path_and_query.as_str())
            .header(HOST, self.url.authority.as_str())
            .header(ACCEPT, self.accept)
            .header(USER_AGENT, concat!("rampart/", env!("CARGO_PKG_VERSION")))
            .body(Empty::<Bytes>::new())
            .map_err(|e| FetchError::Unreachable(format!("request: {e}")))?;
        let max_bytes = self.max_bytes;
        let exchange = async move {
            let response = sender.send_request(request).await.map_err(protocol)?;
            read_response(response, max_bytes).await
        };
        let mut connection = std::pin::pin!(connection);
        let mut exchange = std::pin::pin!(exchange);
        tokio::select! {
            document = &mut exchange => document,
            ended = &mut connection => match ended {
                Err(e) => Err(protocol(e)),
                Ok(()) => exchange.await,
            },
        }
    }
}

async fn read_response(
    response: http::Response<hyper::body::Incoming>,
    max_bytes: usize,
) -> Result<Document, FetchError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(LOCATION)
            .map(|l| {
                String::from_utf8_lossy(l.as_bytes())
                    .chars()
                    .take(200)
                    .collect()
            })
            .unwrap_or_default();
        return Err(FetchError::Redirect { status, location });
    }
    if status != StatusCode::OK {
        return Err(FetchError::Status(status));
    }
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_bytes as u64) {
        return Err(FetchError::TooLarge(max_bytes));
    }
    let freshness = cache_control::freshness(
        response
            .headers()
            .get_all(CACHE_CONTROL)
            .iter()
            .map(|v| v.as_bytes()),
    );
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, max_bytes)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                FetchError::TooLarge(max_bytes)
            } else {
                FetchError::Unreachable(format!("reading the body: {e}"))
            }
        })?
        .to_bytes();
    Ok(Document {
        body,
        headers: parts.headers,
        freshness,
    })
}

/// The TLS client settings: the system's CA bundle as roots.
fn client_tls() -> Result<tokio_rustls::TlsConnector, String> {
    let from_env = std::env::var_os("SSL_CERT_FILE").map(std::path::PathBuf::from);
    let bundle = from_env
        .into_iter()
        .chain(CA_BUNDLES.iter().map(std::path::PathBuf::from))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!(
                "no CA bundle to verify the key set's server with (SSL_CERT_FILE unset, none of {})",
                CA_BUNDLES.join(", ")
            )
        })?;
    let roots = system_roots(&bundle)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS protocol versions: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

fn system_roots(bundle: &Path) -> Result<rustls::RootCertStore, String> {
    let certificates = crate::tls::read_certs(bundle).map_err(|e| e.to_string())?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _unusable) = roots.add_parsable_certificates(certificates);
    if added == 0 {
        return Err(format!("{}: no usable CA certificate", bundle.display()));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_urls_are_accepted() {
        let url = KeySetUrl::parse("https://id.example/.well-known/jwks.json?v=2").unwrap();
        assert!(url.https);
        assert_eq!((url.host.as_str(), url.port), ("id.example", 443));
        assert_eq!(url.path_and_query, "/.well-known/jwks.json?v=2");
        for loopback in [
            "http://127.0.0.1:8080/keys",
            "http://[::1]:9000/keys",
            "http://localhost/keys",
        ] {
            let url = KeySetUrl::parse(loopback).unwrap();
            assert!(!url.https, "{loopback}");
        }
        assert_eq!(KeySetUrl::parse("http://[::1]:9000/k").unwrap().host, "::1");
        let authority = |url: &str| KeySetUrl::parse(url).unwrap().request_authority();
        assert_eq!(authority("https://Agent.Example:443/d"), "agent.example");
        assert_eq!(
            authority("https://agent.example:8443/d"),
            "agent.example:8443"
        );
        assert_eq!(authority("http://127.0.0.1:80/d"), "127.0.0.1");
        assert_eq!(authority("http://[::1]:9000/d"), "[::1]:9000");
    }

    #[test]
    fn plain_http_elsewhere_and_other_schemes_are_refused_with_the_reason() {
        let error = KeySetUrl::parse("http://id.example/keys").unwrap_err();
        assert!(error.contains("loopback"), "{error}");
        let error = KeySetUrl::parse("http://10.0.0.1/keys").unwrap_err();
        assert!(error.contains("loopback"), "{error}");
        for bad in [
            "ftp://id.example/keys",
            "/keys",
            "id.example",
            "https://user:pw@id.example/keys",
            "not a url",
        ] {
            assert!(KeySetUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
