//! Compressed request bodies (`Content-Encoding: gzip`, `deflate`, `br`),
//! inflated for inspection within bounds.
//!
//! A client may compress what it sends, and an application behind the
//! gateway will inflate it before reading it: the detectors must read what
//! the application reads, or a compressed payload walks past them. Inflating
//! is also an attack surface of its own: a few hundred bytes of brotli or a
//! few hundred kilobytes of gzip can expand to gigabytes. So the decoder
//! here is streaming (input arrives in chunks, output leaves in pieces) and
//! bounded twice:
//!
//! - an absolute bound on the inflated size ([`InflateLimits::max_output_bytes`]);
//! - a bound on the expansion ratio, enforced once the output is past
//!   [`RATIO_FLOOR_BYTES`] (small bodies compress far beyond any ratio worth
//!   refusing and are harmless anyway).
//!
//! Input is fed in slices of [`INPUT_SLICE`] bytes, so the output held at
//! any moment is what one slice inflates to, never the whole body. Codings
//! are undone in reverse order of application (`Content-Encoding: gzip, br`
//! was gzipped then brotli-compressed), at most [`MAX_CODINGS`] of them.
//! `deflate` is zlib-wrapped by the RFC, but clients send raw deflate too:
//! the first two bytes decide.

use flate2::write::{DeflateDecoder, GzDecoder, ZlibDecoder};
use std::io::{self, Write};

/// Codings undone at most; more than that is refused rather than peeled.
pub const MAX_CODINGS: usize = 3;

/// The expansion ratio is judged only once this much has been inflated.
pub const RATIO_FLOOR_BYTES: u64 = 256 * 1024;

/// Input bytes handed to a decoder at a time (bounds the output held).
const INPUT_SLICE: usize = 1024;

/// Buffer the brotli decoder writes through.
const BROTLI_BUFFER: usize = 4096;

/// How far a compressed body may inflate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InflateLimits {
    /// Inflated bytes at most (every layer).
    pub max_output_bytes: u64,
    /// Inflated bytes per compressed byte at most, past [`RATIO_FLOOR_BYTES`].
    pub max_ratio: u64,
}

/// Why a compressed body could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    #[error("content coding `{0}` is not supported (gzip, deflate, br, identity)")]
    Unsupported(String),
    #[error("more than {MAX_CODINGS} content codings")]
    TooManyCodings,
    #[error("the {coding} data is corrupt: {reason}")]
    Corrupt {
        coding: &'static str,
        reason: String,
    },
    #[error("the body inflates past {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the body inflates {ratio}:1, past the bound of {limit}:1")]
    Ratio { ratio: u64, limit: u64 },
}

impl InflateError {
    /// Whether the body is a decompression bomb (as opposed to a coding the
    /// gateway does not know or data that does not decode).
    pub fn is_bomb(&self) -> bool {
        matches!(
            self,
            InflateError::TooLarge { .. } | InflateError::Ratio { .. }
        )
    }
}

/// One content coding, as named in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
}

impl Coding {
    fn parse(token: &str) -> Result<Option<Coding>, InflateError> {
        match token.to_ascii_lowercase().as_str() {
            "" | "identity" => Ok(None),
            "gzip" | "x-gzip" => Ok(Some(Coding::Gzip)),
            "deflate" => Ok(Some(Coding::Deflate)),
            "br" => Ok(Some(Coding::Brotli)),
            _ => Err(InflateError::Unsupported(token.to_owned())),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
        }
    }
}

/// Where a decoder writes: what one slice inflated to, and a running total
/// that refuses to pass the bound.
#[derive(Debug)]
struct Sink {
    out: Vec<u8>,
    total: u64,
    limit: u64,
    exceeded: bool,
}

impl Sink {
    fn new(limit: u64) -> Sink {
        Sink {
            out: Vec::new(),
            total: 0,
            limit,
            exceeded: false,
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.total + buf.len() as u64 > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("inflated size bound"));
        }
        self.total += buf.len() as u64;
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One coding being undone.
enum Layer {
    Gzip(GzDecoder<Sink>),
    /// `deflate` before its first two bytes tell zlib from raw deflate.
    DeflateUndecided {
        head: Vec<u8>,
        limit: u64,
    },
    Zlib(ZlibDecoder<Sink>),
    RawDeflate(DeflateDecoder<Sink>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Sink>>),
}

impl Layer {
    fn new(coding: Coding, limit: u64) -> Layer {
        match coding {
            Coding::Gzip => Layer::Gzip(GzDecoder::new(Sink::new(limit))),
            Coding::Deflate => Layer::DeflateUndecided {
                head: Vec::new(),
                limit,
            },
            Coding::Brotli => Layer::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(Sink::new(limit), BROTLI_BUFFER),
            )),
        }
    }

    fn coding(&self) -> Coding {
        match self {
            Layer::Gzip(_) => Coding::Gzip,
            Layer::DeflateUndecided { .. } | Layer::Zlib(_) | Layer::RawDeflate(_) => {
                Coding::Deflate
            }
            Layer::Brotli(_) => Coding::Brotli,
        }
    }

    fn sink(&mut self) -> Option<&mut Sink> {
        match self {
            Layer::Gzip(d) => Some(d.get_mut()),
            Layer::Zlib(d) => Some(d.get_mut()),
            Layer::RawDeflate(d) => Some(d.get_mut()),
            Layer::Brotli(d) => Some(d.get_mut()),
            Layer::DeflateUndecided { .. } => None,
        }
    }

    /// Writes compressed bytes; the inflated ones wait in the sink.
    fn write(&mut self, input: &[u8]) -> io::Result<()> {
        if let Layer::DeflateUndecided { head, limit } = self {
            head.extend_from_slice(input);
            if head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(head);
            *self = if is_zlib_header(head[0], head[1]) {
                Layer::Zlib(ZlibDecoder::new(Sink::new(*limit)))
            } else {
                Layer::RawDeflate(DeflateDecoder::new(Sink::new(*limit)))
            };
            return self.write(&head);
        }
        match self {
            Layer::Gzip(d) => d.write_all(input),
            Layer::Zlib(d) => d.write_all(input),
            Layer::RawDeflate(d) => d.write_all(input),
            Layer::Brotli(d) => d.write_all(input),
            Layer::DeflateUndecided { .. } => Ok(()),
        }
    }

    /// Ends the stream: a truncated one is corrupt.
    fn finish(&mut self) -> io::Result<()> {
        match self {
            Layer::Gzip(d) => d.try_finish(),
            Layer::Zlib(d) => d.try_finish(),
            Layer::RawDeflate(d) => d.try_finish(),
            Layer::Brotli(d) => d.close(),
            Layer::DeflateUndecided { head, .. } if head.is_empty() => Ok(()),
            Layer::DeflateUndecided { .. } => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stream ends inside its header",
            )),
        }
    }

    /// Turns a write error into the reason: the bound, or the data.
    fn error(&mut self, e: io::Error) -> InflateError {
        match self.sink() {
            Some(sink) if sink.exceeded => InflateError::TooLarge { limit: sink.limit },
            _ => InflateError::Corrupt {
                coding: self.coding().name(),
                reason: e.to_string(),
            },
        }
    }

    fn take_output(&mut self) -> Vec<u8> {
        self.sink()
            .map(|s| std::mem::take(&mut s.out))
            .unwrap_or_default()
    }
}

/// RFC 1950: compression method 8 and a header checksum that divides by 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// A streaming, bounded decoder for one body's content codings.
pub struct BodyDecoder {
    /// The last coding applied first: the order in which they are undone.
    layers: Vec<Layer>,
    limits: InflateLimits,
    compressed: u64,
    inflated: u64,
}

impl std::fmt::Debug for BodyDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let codings: Vec<&str> = self.layers.iter().map(|l| l.coding().name()).collect();
        f.debug_struct("BodyDecoder")
            .field("codings", &codings)
            .field("compressed", &self.compressed)
            .field("inflated", &self.inflated)
            .finish()
    }
}

impl BodyDecoder {
    /// A decoder for the `Content-Encoding` value `header`, or `None` when
    /// the body is not encoded (absent, empty or `identity`).
    pub fn new(header: &str, limits: InflateLimits) -> Result<Option<BodyDecoder>, InflateError> {
        let mut codings = Vec::new();
        for token in header.split(',') {
            if let Some(coding) = Coding::parse(token.trim())? {
                if codings.len() == MAX_CODINGS {
                    return Err(InflateError::TooManyCodings);
                }
                codings.push(coding);
            }
        }
        if codings.is_empty() {
            return Ok(None);
        }
        let layers = codings
            .into_iter()
            .rev()
            .map(|c| Layer::new(c, limits.max_output_bytes))
            .collect();
        Ok(Some(BodyDecoder {
            layers,
            limits,
            compressed: 0,
            inflated: 0,
        }))
    }

    /// The codings in the order they are undone (`br`, then `gzip`...).
    pub fn codings(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.layers.iter().map(|l| l.coding().name())
    }

    /// Inflated bytes so far.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// Feeds compressed bytes; `emit` receives the inflated ones in pieces
    /// (each at most what one input slice inflates to).
    pub fn feed(&mut self, input: &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<(), InflateError> {
        for slice in input.chunks(INPUT_SLICE) {
            self.compressed += slice.len() as u64;
            self.pass(slice, false, emit)?;
        }
        Ok(())
    }

    /// Ends the body: what the decoders held back is emitted, and a body that
    /// stops mid-stream is corrupt.
    pub fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), InflateError> {
        self.pass(&[], true, emit)
    }

    /// Runs `input` through every layer, finishing each one when `end` is
    /// set, and emits what comes out of the last.
    fn pass(
        &mut self,
        input: &[u8],
        end: bool,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<(), InflateError> {
        let mut output;
        let mut data = input;
        for layer in &mut self.layers {
            if !data.is_empty() {
                if let Err(e) = layer.write(data) {
                    return Err(layer.error(e));
                }
            }
            if end {
                if let Err(e) = layer.finish() {
                    return Err(layer.error(e));
                }
            }
            output = layer.take_output();
            data = &output;
        }
        self.inflated += data.len() as u64;
        self.check_ratio()?;
        if !data.is_empty() {
            emit(data);
        }
        Ok(())
    }

    fn check_ratio(&self) -> Result<(), InflateError> {
        if self.inflated <= RATIO_FLOOR_BYTES {
            return Ok(());
        }
        let ratio = self.inflated / self.compressed.max(1);
        if ratio > self.limits.max_ratio {
            return Err(InflateError::Ratio {
                ratio,
                limit: self.limits.max_ratio,
            });
        }
        Ok(())
    }
}

/// Inflates a whole body at once; `Ok(None)` when it is not encoded.
pub fn inflate(
    header: &str,
    body: &[u8],
    limits: InflateLimits,
) -> Result<Option<Vec<u8>>, InflateError> {
    let Some(mut decoder) = BodyDecoder::new(header, limits)? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    decoder.feed(body, &mut |piece| out.extend_from_slice(piece))?;
    decoder.finish(&mut |piece| out.extend_from_slice(piece))?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;

    const LIMITS: InflateLimits = InflateLimits {
        max_output_bytes: 8 * 1024 * 1024,
        max_ratio: 100,
    };

    const ATTACK: &[u8] = br#"{"q":"1' UNION SELECT password FROM users--"}"#;

    /// `{"q":"1' UNION SELECT password FROM users--","note":"a…a"}` (200
    /// `a`), compressed by the reference brotli encoder (Python `brotli` 1.1).
    const BROTLI_ATTACK: &str = "1bfe00201c0976ec841bc7e0ce50da166939d9db2c3161714aa7cf2907ccd56a9e60a027c0776be3c80cccb9e1e8336d459c7b5a62aa7005a9880fb40a";

    /// 64 MiB of zero bytes in 106 bytes of brotli (the same encoder).
    const BROTLI_BOMB: &str = "cbffff3ff82700e2b14020f7fe8fffff7ff04f00c4611180eefd1fffffffe09f0088c30200ddfb3ffeffffc13f0110870500baf77ffcffff837f02200e0b0074effff8ffff07ff04401c1600e8defff1ffff0ffe0980382c00d0bdffe3ffff1ffc1300715800a07bff37";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Feeds `body` in pieces of `step` bytes.
    fn inflate_in_steps(header: &str, body: &[u8], step: usize) -> Result<Vec<u8>, InflateError> {
        let mut decoder = BodyDecoder::new(header, LIMITS)?.expect("encoded");
        let mut out = Vec::new();
        for piece in body.chunks(step) {
            decoder.feed(piece, &mut |p| out.extend_from_slice(p))?;
        }
        decoder.finish(&mut |p| out.extend_from_slice(p))?;
        Ok(out)
    }

    #[test]
    fn inflates_each_coding_whole_and_byte_by_byte() {
        let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(ATTACK).unwrap();
        let mut raw = DeflateEncoder::new(Vec::new(), Compression::default());
        raw.write_all(ATTACK).unwrap();
        let cases = [
            ("gzip", gzip(ATTACK)),
            ("X-GZIP", gzip(ATTACK)),
            ("deflate", zlib.finish().unwrap()),
            ("deflate", raw.finish().unwrap()),
        ];
        for (header, body) in &cases {
            assert_eq!(inflate(header, body, LIMITS).unwrap().unwrap(), ATTACK);
            assert_eq!(
                inflate_in_steps(header, body, 1).unwrap(),
                ATTACK,
                "{header}"
            );
        }
        let brotli = inflate_in_steps("br", &hex(BROTLI_ATTACK), 3).unwrap();
        assert!(brotli.starts_with(ATTACK.strip_suffix(b"}").unwrap()));
        assert_eq!(brotli.len(), 255);
    }

    #[test]
    fn undoes_codings_in_reverse_order() {
        let twice = gzip(&gzip(ATTACK));
        assert_eq!(
            inflate("gzip, gzip", &twice, LIMITS).unwrap().unwrap(),
            ATTACK
        );
        assert_eq!(inflate("identity", ATTACK, LIMITS).unwrap(), None);
        assert_eq!(inflate("", ATTACK, LIMITS).unwrap(), None);
        assert_eq!(
            inflate("gzip, gzip, gzip, gzip", &twice, LIMITS),
            Err(InflateError::TooManyCodings)
        );
    }

    #[test]
    fn refuses_unknown_codings_and_corrupt_or_truncated_data() {
        assert_eq!(
            inflate("zstd", ATTACK, LIMITS),
            Err(InflateError::Unsupported("zstd".into()))
        );
        let err = inflate("gzip", ATTACK, LIMITS).unwrap_err();
        assert!(
            matches!(err, InflateError::Corrupt { coding: "gzip", .. }),
            "{err}"
        );
        let whole = gzip(ATTACK);
        let err = inflate("gzip", &whole[..whole.len() / 2], LIMITS).unwrap_err();
        assert!(matches!(err, InflateError::Corrupt { .. }), "{err}");
        assert!(!err.is_bomb());
        let bomb = hex(BROTLI_BOMB);
        let err = inflate("br", &bomb[..40], LIMITS).unwrap_err();
        assert!(err.is_bomb() || matches!(err, InflateError::Corrupt { .. }));
    }

    #[test]
    fn a_bomb_stops_at_the_bound_without_inflating_it_all() {
        let err = inflate("br", &hex(BROTLI_BOMB), LIMITS).unwrap_err();
        assert!(err.is_bomb(), "{err}");
        let zeros = gzip(&vec![0u8; 20 * 1024 * 1024]);
        let limits = InflateLimits {
            max_ratio: 10_000,
            ..LIMITS
        };
        assert_eq!(
            inflate("gzip", &zeros, limits),
            Err(InflateError::TooLarge {
                limit: LIMITS.max_output_bytes
            })
        );
        let err = inflate("gzip", &zeros, LIMITS).unwrap_err();
        assert!(
            matches!(err, InflateError::Ratio { limit: 100, .. }),
            "{err}"
        );
    }

    #[test]
    fn ordinary_compressible_json_is_not_a_bomb() {
        let rows: String = (0..5000)
            .map(|i| format!(r#"{{"id":{i},"name":"customer {i}","active":true}},"#))
            .collect();
        let json = format!("[{}{{}}]", rows);
        let out = inflate("gzip", &gzip(json.as_bytes()), LIMITS)
            .unwrap()
            .unwrap();
        assert_eq!(out, json.as_bytes());
    }
}
