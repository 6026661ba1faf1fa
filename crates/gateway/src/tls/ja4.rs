//! The JA4 fingerprint of a TLS client, from its ClientHello
//! (`super::client_hello`): the same client software gives the same JA4
//! whatever address it connects from, which is what lets Rampart follow a
//! client that rotates addresses.
//!
//! Written from the FoxIO specification, "JA4: TLS Client Fingerprinting"
//! (<https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md>;
//! JA4 TLS client fingerprinting is BSD-3-Clause), for TLS over TCP:
//!
//! `t` `13` `d` `15` `16` `h2` `_` cipher hash `_` extension hash, where
//! - `t` is TLS over TCP (Rampart terminates no QUIC or DTLS);
//! - the version is the highest of `supported_versions`, else the hello's
//!   `legacy_version` (`13`, `12`, `11`, `10`, `s3`, `s2`, `s1`, else `00`);
//! - `d` when the client sent a server name (SNI), `i` when not;
//! - the counts of cipher suites and of extensions, two digits, at most 99;
//! - the first and last characters of the first ALPN protocol (`00`
//!   without ALPN; the first and last hex digits of its bytes when either
//!   end is not an ASCII letter or digit);
//! - the cipher hash: the first 12 hex digits of the SHA-256 of the cipher
//!   suites as 4-digit lower-case hex, sorted, comma separated;
//! - the extension hash: the same of the extensions, sorted, without SNI
//!   (`0000`) and ALPN (`0010`), then `_` and the signature algorithms in
//!   the order sent, when there are any.
//!
//! GREASE values (RFC 8701) are ignored everywhere; an empty list hashes to
//! `000000000000`.

use super::client_hello::ClientHello;
use std::fmt::Write as _;

const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_ALPN: u16 = 0x0010;

/// The JA4 fingerprint of `hello`.
pub fn ja4(hello: &ClientHello) -> String {
    let ciphers = without_grease(&hello.cipher_suites);
    let extensions = without_grease(&hello.extensions);
    let destination = if extensions.contains(&EXT_SERVER_NAME) {
        'd'
    } else {
        'i'
    };
    let mut hashed_extensions: Vec<u16> = extensions
        .iter()
        .copied()
        .filter(|kind| *kind != EXT_SERVER_NAME && *kind != EXT_ALPN)
        .collect();
    hashed_extensions.sort_unstable();
    let mut sorted_ciphers = ciphers.clone();
    sorted_ciphers.sort_unstable();
    let mut extension_text = hex_list(&hashed_extensions);
    let signature_algorithms = without_grease(&hello.signature_algorithms);
    if !signature_algorithms.is_empty() {
        extension_text.push('_');
        extension_text.push_str(&hex_list(&signature_algorithms));
    }
    format!(
        "t{}{destination}{:02}{:02}{}_{}_{}",
        version(hello),
        ciphers.len().min(99),
        extensions.len().min(99),
        alpn(hello.alpn.first().map(Vec::as_slice)),
        truncated_sha256(&hex_list(&sorted_ciphers)),
        truncated_sha256(&extension_text),
    )
}

/// Whether `value` is one of the sixteen GREASE values (RFC 8701 2):
/// `0x0a0a`, `0x1a1a`, ..., `0xfafa`.
fn is_grease(value: u16) -> bool {
    let [high, low] = value.to_be_bytes();
    high == low && low & 0x0f == 0x0a
}

fn without_grease(values: &[u16]) -> Vec<u16> {
    values.iter().copied().filter(|v| !is_grease(*v)).collect()
}

fn version(hello: &ClientHello) -> &'static str {
    let highest = without_grease(&hello.supported_versions).into_iter().max();
    match highest.unwrap_or(hello.legacy_version) {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0200 => "s2",
        0x0100 => "s1",
        _ => "00",
    }
}

/// The two characters standing for the first ALPN protocol.
fn alpn(first: Option<&[u8]>) -> String {
    let (Some(&head), Some(&tail)) = (first.and_then(<[u8]>::first), first.and_then(<[u8]>::last))
    else {
        return "00".to_string();
    };
    if head.is_ascii_alphanumeric() && tail.is_ascii_alphanumeric() {
        return [char::from(head), char::from(tail)].iter().collect();
    }
    let hex = |nibble: u8| char::from_digit(u32::from(nibble), 16).unwrap_or('0');
    [hex(head >> 4), hex(tail & 0x0f)].iter().collect()
}

fn hex_list(values: &[u16]) -> String {
    let mut text = String::with_capacity(values.len() * 5);
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{value:04x}");
    }
    text
}

/// The first 12 hex digits of the SHA-256 of `text`; `000000000000` for
/// an empty text.
fn truncated_sha256(text: &str) -> String {
    if text.is_empty() {
        return "000000000000".to_string();
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let mut hex = String::with_capacity(12);
    for byte in &digest.as_ref()[..6] {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::super::client_hello::{parse, tests::hello_body};
    use super::*;

    /// Type and data of the extensions a hello sends, in order: the
    /// listed types empty, but for the three the fingerprint reads inside.
    fn extensions(kinds: &[u16], alpn: &[u8], signature_algorithms: &[u16]) -> Vec<(u16, Vec<u8>)> {
        kinds
            .iter()
            .map(|kind| {
                let data = match kind {
                    0x0010 => {
                        let mut list = vec![alpn.len() as u8];
                        list.extend(alpn);
                        [(list.len() as u16).to_be_bytes().to_vec(), list].concat()
                    }
                    0x000d => {
                        let list: Vec<u8> = signature_algorithms
                            .iter()
                            .flat_map(|s| s.to_be_bytes())
                            .collect();
                        [(list.len() as u16).to_be_bytes().to_vec(), list].concat()
                    }
                    0x002b => vec![6, 0x6a, 0x6a, 3, 4, 3, 3],
                    _ => Vec::new(),
                };
                (*kind, data)
            })
            .collect()
    }

    fn fingerprint(ciphers: &[u16], kinds: &[u16], alpn: &[u8], signatures: &[u16]) -> String {
        let body = hello_body(ciphers, &extensions(kinds, alpn, signatures));
        ja4(&parse(&body).unwrap())
    }

    const CHROME_SIGNATURES: [u16; 8] = [
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
    ];

    const CHROME_CIPHERS: [u16; 15] = [
        0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
        0x009c, 0x009d, 0x002f, 0x0035,
    ];

    /// The specification's worked example (JA4.md, "Cipher hash" and
    /// "Extension hash"): its cipher list hashes to `8daaf6152771`, its
    /// extensions `001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,
    /// 002b,ff01,000b,000a,0015` with those signature algorithms to
    /// `e5627efa2ab1`, and the hello is `t13d1516h2`. GREASE values are
    /// added in front as Chrome sends them; they must change nothing.
    #[test]
    fn the_specification_example() {
        let ciphers = [&[0x8a8a][..], &CHROME_CIPHERS].concat();
        let kinds = [
            0xdada, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023,
            0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
        ];
        assert_eq!(
            fingerprint(&ciphers, &kinds, b"h2", &CHROME_SIGNATURES),
            "t13d1516h2_8daaf6152771_e5627efa2ab1"
        );
    }

    /// Chrome 143 as browserleaks.com fingerprinted it, published with its
    /// raw lists in their original order (`ja4_ro`):
    /// `t13d1516h2_8daaf6152771_d8a2da3f94cd`.
    #[test]
    fn a_published_chrome_fingerprint() {
        let kinds = [
            0x2a2a, 0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b,
            0xff01, 0x0023, 0x0012, 0x0005, 0x000d, 0x001b, 0x3a3a,
        ];
        assert_eq!(
            fingerprint(&CHROME_CIPHERS, &kinds, b"h2", &CHROME_SIGNATURES),
            "t13d1516h2_8daaf6152771_d8a2da3f94cd"
        );
    }

    #[test]
    fn the_first_part_follows_the_rules_of_the_specification() {
        // No SNI, no ALPN, no supported_versions: the legacy version.
        assert_eq!(
            &fingerprint(&[0x002f], &[0x000a], b"", &[])[..10],
            "t12i010100"
        );
        // ALPN "http/1.1" is "h1"; a non-alphanumeric end is hex.
        assert_eq!(alpn(Some(b"http/1.1")), "h1");
        assert_eq!(alpn(Some(&[0xab])), "ab");
        assert_eq!(alpn(Some(&[0xab, 0xcd])), "ad");
        assert_eq!(alpn(Some(b"h")), "hh");
        assert_eq!(alpn(Some(b"")), "00");
        // Counts stop at 99.
        let many: Vec<u16> = (1..=150).collect();
        assert_eq!(&fingerprint(&many, &[], b"", &[])[4..8], "9900");
    }

    #[test]
    fn empty_lists_hash_to_zeros() {
        let mut body = hello_body(&[], &[]);
        body.truncate(body.len() - 2);
        assert_eq!(
            ja4(&parse(&body).unwrap()),
            "t12i000000_000000000000_000000000000"
        );
    }

    #[test]
    fn grease_values_are_the_sixteen_of_rfc_8701() {
        let grease: Vec<u16> = (0..=u16::MAX).filter(|v| is_grease(*v)).collect();
        assert_eq!(grease.len(), 16);
        assert_eq!(grease.first(), Some(&0x0a0a));
        assert_eq!(grease.last(), Some(&0xfafa));
    }
}
