//! The TLS ClientHello as the client sent it, read from the raw bytes
//! before rustls consumes them, for the JA4 fingerprint (`super::ja4`).
//!
//! rustls hands a server only a digest of the ClientHello (server name,
//! ALPN, cipher suites, signature schemes), without the extensions in the
//! order they came, the GREASE values or the supported versions, which is
//! what a client fingerprint is made of. So the listener buffers the first
//! TLS records itself, [`Reassembler`] joins the handshake fragments they
//! carry (RFC 8446 5.1: a handshake message may span records, and a record
//! may be a single byte), [`parse`] reads the ClientHello (RFC 8446 4.1.2),
//! and the buffered bytes are then replayed to rustls unchanged.
//!
//! Everything is bounded: at most [`MAX_BUFFERED_BYTES`] of records are
//! buffered and a ClientHello of more than [`MAX_HELLO_BYTES`] is not read.
//! Input a client controls never panics; a malformed hello is an error that
//! says what was wrong, and the handshake is left to rustls to refuse.

/// The largest ClientHello read. A browser's, with a post-quantum key
/// share, is under 2 KiB; TLS allows 16 MiB, which no fingerprint needs.
pub const MAX_HELLO_BYTES: usize = 16 * 1024;
/// The most record bytes buffered before giving up on the ClientHello:
/// room for [`MAX_HELLO_BYTES`] split into small records.
pub const MAX_BUFFERED_BYTES: usize = 32 * 1024;

const RECORD_HEADER_BYTES: usize = 5;
const CONTENT_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
const HANDSHAKE_HEADER_BYTES: usize = 4;

/// Why no ClientHello could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HelloError {
    #[error("the connection does not start with a TLS handshake record")]
    NotHandshake,
    #[error("the first handshake message is not a ClientHello")]
    NotClientHello,
    #[error("the ClientHello is larger than {MAX_HELLO_BYTES} bytes")]
    TooLarge,
    #[error("the ClientHello's records exceed {MAX_BUFFERED_BYTES} bytes")]
    TooFragmented,
    #[error("the ClientHello ends inside its {0}")]
    Truncated(&'static str),
    #[error("the ClientHello's {0} has an invalid length")]
    BadLength(&'static str),
    #[error("bytes follow the ClientHello's last extension")]
    TrailingBytes,
}

impl HelloError {
    /// A short, fixed name for metrics labels.
    pub fn kind(self) -> &'static str {
        match self {
            HelloError::NotHandshake => "not_handshake",
            HelloError::NotClientHello => "not_client_hello",
            HelloError::TooLarge => "too_large",
            HelloError::TooFragmented => "too_fragmented",
            HelloError::Truncated(_) | HelloError::BadLength(_) | HelloError::TrailingBytes => {
                "malformed"
            }
        }
    }
}

/// How far the buffered records go towards a whole ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are needed.
    NeedMore,
    /// The ClientHello handshake message, without its 4-byte header.
    Complete(Vec<u8>),
}

/// Joins the handshake fragments of the records buffered so far, one
/// record at a time, so that feeding a byte at a time stays linear.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Where the next unread record starts in the buffered bytes.
    next_record: usize,
    handshake: Vec<u8>,
}

impl Reassembler {
    /// Reads the whole records in `buffered` (every byte read from the
    /// connection so far, the same prefix each call) past those already
    /// read.
    pub fn feed(&mut self, buffered: &[u8]) -> Result<Progress, HelloError> {
        if buffered.len() > MAX_BUFFERED_BYTES {
            return Err(HelloError::TooFragmented);
        }
        while let Some(header) =
            buffered.get(self.next_record..self.next_record + RECORD_HEADER_BYTES)
        {
            if header[0] != CONTENT_HANDSHAKE {
                return Err(HelloError::NotHandshake);
            }
            let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
            let start = self.next_record + RECORD_HEADER_BYTES;
            let Some(fragment) = buffered.get(start..start + length) else {
                break;
            };
            self.handshake.extend_from_slice(fragment);
            self.next_record = start + length;
            if let Some(progress) = self.whole_message()? {
                return Ok(progress);
            }
        }
        Ok(Progress::NeedMore)
    }

    fn whole_message(&self) -> Result<Option<Progress>, HelloError> {
        let Some(header) = self.handshake.get(..HANDSHAKE_HEADER_BYTES) else {
            return Ok(None);
        };
        if header[0] != HANDSHAKE_CLIENT_HELLO {
            return Err(HelloError::NotClientHello);
        }
        let length =
            usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
        if length > MAX_HELLO_BYTES {
            return Err(HelloError::TooLarge);
        }
        Ok(self
            .handshake
            .get(HANDSHAKE_HEADER_BYTES..HANDSHAKE_HEADER_BYTES + length)
            .map(|body| Progress::Complete(body.to_vec())))
    }
}

/// What a ClientHello says, in the order the client wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version`: the version before `supported_versions` existed.
    pub legacy_version: u16,
    pub cipher_suites: Vec<u16>,
    /// Every extension type, in order.
    pub extensions: Vec<u16>,
    /// `supported_versions` (43), when sent.
    pub supported_versions: Vec<u16>,
    /// `signature_algorithms` (13), when sent.
    pub signature_algorithms: Vec<u16>,
    /// The protocols of `application_layer_protocol_negotiation` (16), in order.
    pub alpn: Vec<Vec<u8>>,
}

/// Extension types the fingerprint reads inside of.
const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
const EXT_ALPN: u16 = 16;
const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// Reads a ClientHello handshake message body (what
/// [`Progress::Complete`] holds).
pub fn parse(body: &[u8]) -> Result<ClientHello, HelloError> {
    let mut reader = Reader(body);
    let mut hello = ClientHello {
        legacy_version: reader.u16("version")?,
        ..ClientHello::default()
    };
    reader.take(32, "random")?;
    let session_id = reader.u8("session id")?;
    if session_id > 32 {
        return Err(HelloError::BadLength("session id"));
    }
    reader.take(usize::from(session_id), "session id")?;
    hello.cipher_suites = reader
        .vector16("cipher suites")?
        .u16_list("cipher suites")?;
    let compression = reader.u8("compression methods")?;
    reader.take(usize::from(compression), "compression methods")?;
    if reader.0.is_empty() {
        return Ok(hello);
    }
    let mut extensions = reader.vector16("extensions")?;
    reader.end()?;
    while !extensions.0.is_empty() {
        let kind = extensions.u16("extensions")?;
        let mut data = extensions.vector16("extensions")?;
        match kind {
            EXT_SIGNATURE_ALGORITHMS => {
                hello.signature_algorithms = data
                    .vector16("signature algorithms")?
                    .u16_list("signature algorithms")?;
                data.end()?;
            }
            EXT_SUPPORTED_VERSIONS => {
                let length = data.u8("supported versions")?;
                hello.supported_versions =
                    Reader(data.take(usize::from(length), "supported versions")?)
                        .u16_list("supported versions")?;
                data.end()?;
            }
            EXT_ALPN => {
                let mut protocols = data.vector16("ALPN")?;
                data.end()?;
                while !protocols.0.is_empty() {
                    let length = protocols.u8("ALPN")?;
                    hello
                        .alpn
                        .push(protocols.take(usize::from(length), "ALPN")?.to_vec());
                }
            }
            _ => {}
        }
        hello.extensions.push(kind);
    }
    Ok(hello)
}

/// A cursor over the hello's bytes; every read names what it reads, for
/// the error.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], HelloError> {
        if self.0.len() < n {
            return Err(HelloError::Truncated(what));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, HelloError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, HelloError> {
        let bytes = self.take(2, what)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// A vector with a two-byte length prefix.
    fn vector16(&mut self, what: &'static str) -> Result<Reader<'a>, HelloError> {
        let length = self.u16(what)?;
        Ok(Reader(self.take(usize::from(length), what)?))
    }

    /// The rest as two-byte values.
    fn u16_list(self, what: &'static str) -> Result<Vec<u16>, HelloError> {
        if !self.0.len().is_multiple_of(2) {
            return Err(HelloError::BadLength(what));
        }
        Ok(self
            .0
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect())
    }

    fn end(&self) -> Result<(), HelloError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(HelloError::TrailingBytes)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ClientHello body with these fields; extensions as (type, data).
    pub(crate) fn hello_body(ciphers: &[u16], extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([7u8; 32]);
        body.push(32);
        body.extend([9u8; 32]);
        body.extend(u16_bytes((ciphers.len() * 2) as u16));
        for cipher in ciphers {
            body.extend(u16_bytes(*cipher));
        }
        body.extend([1, 0]);
        let mut all = Vec::new();
        for (kind, data) in extensions {
            all.extend(u16_bytes(*kind));
            all.extend(u16_bytes(data.len() as u16));
            all.extend(data);
        }
        body.extend(u16_bytes(all.len() as u16));
        body.extend(all);
        body
    }

    pub(crate) fn u16_bytes(value: u16) -> [u8; 2] {
        value.to_be_bytes()
    }

    /// The handshake message in records of at most `fragment` bytes.
    pub(crate) fn records(body: &[u8], fragment: usize) -> Vec<u8> {
        let mut message = vec![HANDSHAKE_CLIENT_HELLO, 0];
        message.extend(u16_bytes(body.len() as u16));
        message.extend(body);
        let mut out = Vec::new();
        for chunk in message.chunks(fragment) {
            out.extend([CONTENT_HANDSHAKE, 3, 1]);
            out.extend(u16_bytes(chunk.len() as u16));
            out.extend(chunk);
        }
        out
    }

    fn sample() -> Vec<u8> {
        let alpn = [
            vec![0, 12, 2],
            b"h2".to_vec(),
            vec![8],
            b"http/1.1".to_vec(),
        ]
        .concat();
        hello_body(
            &[0x0a0a, 0x1301, 0xc02b],
            &[
                (0x0000, vec![0, 0]),
                (EXT_ALPN, alpn),
                (EXT_SIGNATURE_ALGORITHMS, vec![0, 4, 4, 3, 8, 4]),
                (EXT_SUPPORTED_VERSIONS, vec![4, 0x3a, 0x3a, 3, 4]),
            ],
        )
    }

    fn feed_all(bytes: &[u8], step: usize) -> Result<Progress, HelloError> {
        let mut reassembler = Reassembler::default();
        let mut end = 0;
        loop {
            end = (end + step).min(bytes.len());
            match reassembler.feed(&bytes[..end])? {
                Progress::NeedMore if end == bytes.len() => return Ok(Progress::NeedMore),
                Progress::NeedMore => {}
                done => return Ok(done),
            }
        }
    }

    #[test]
    fn reads_every_field_the_fingerprint_needs() {
        let hello = parse(&sample()).unwrap();
        assert_eq!(hello.legacy_version, 0x0303);
        assert_eq!(hello.cipher_suites, [0x0a0a, 0x1301, 0xc02b]);
        assert_eq!(hello.extensions, [0, 16, 13, 43]);
        assert_eq!(hello.alpn, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert_eq!(hello.signature_algorithms, [0x0403, 0x0804]);
        assert_eq!(hello.supported_versions, [0x3a3a, 0x0304]);
    }

    #[test]
    fn one_record_or_one_byte_records_fed_in_any_steps_give_the_same_hello() {
        let body = sample();
        for (fragment, step) in [(usize::MAX >> 1, 4096), (1, 1), (7, 3), (100, 1)] {
            let bytes = records(&body, fragment.min(16 * 1024));
            assert_eq!(
                feed_all(&bytes, step).unwrap(),
                Progress::Complete(body.clone()),
                "fragment {fragment}, step {step}"
            );
        }
    }

    #[test]
    fn incomplete_records_ask_for_more() {
        let bytes = records(&sample(), 50);
        assert_eq!(
            feed_all(&bytes[..bytes.len() - 1], 8).unwrap(),
            Progress::NeedMore
        );
    }

    #[test]
    fn refuses_what_is_no_client_hello_or_too_large() {
        assert_eq!(
            feed_all(b"GET / HTTP/1.1\r\n\r\n", 100),
            Err(HelloError::NotHandshake)
        );
        let server_hello = [CONTENT_HANDSHAKE, 3, 3, 0, 4, 2, 0, 0, 0];
        assert_eq!(
            feed_all(&server_hello, 100),
            Err(HelloError::NotClientHello)
        );
        let huge = [CONTENT_HANDSHAKE, 3, 3, 0, 4, 1, 0, 0x40, 1];
        assert_eq!(feed_all(&huge, 100), Err(HelloError::TooLarge));
        let body = hello_body(&[0x1301; 4000], &[]);
        assert!(
            body.len() > MAX_BUFFERED_BYTES / 6,
            "one-byte records exceed the buffer"
        );
        assert_eq!(
            feed_all(&records(&body, 1), 1024),
            Err(HelloError::TooFragmented)
        );
    }

    #[test]
    fn malformed_hellos_say_where() {
        let body = sample();
        // Cut right after the compression methods, a hello has no
        // extensions, which is valid; cut anywhere else, it is not.
        let without_extensions = hello_body(&[0x0a0a, 0x1301, 0xc02b], &[]).len() - 2;
        for cut in (0..body.len()).filter(|cut| *cut != without_extensions) {
            assert!(parse(&body[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(parse(&body[..10]), Err(HelloError::Truncated("random")));
        let mut trailing = body.clone();
        trailing.push(0);
        assert_eq!(parse(&trailing), Err(HelloError::TrailingBytes));
        let odd = hello_body(&[], &[(EXT_SIGNATURE_ALGORITHMS, vec![0, 3, 4, 3, 8])]);
        assert_eq!(
            parse(&odd),
            Err(HelloError::BadLength("signature algorithms"))
        );
    }

    #[test]
    fn a_hello_without_extensions_is_valid() {
        let mut body = hello_body(&[0x002f], &[]);
        body.truncate(body.len() - 2);
        let hello = parse(&body).unwrap();
        assert_eq!(hello.cipher_suites, [0x002f]);
        assert!(hello.extensions.is_empty());
    }
}
