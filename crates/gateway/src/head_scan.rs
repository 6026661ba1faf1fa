//! Scans raw HTTP/1 request heads for the two framing headers, and for
//! how their header names are written.
//!
//! hyper resolves a request that carries both `Content-Length` and
//! `Transfer-Encoding` by dropping the former, which hides the ambiguity from
//! the gateway. This scanner sees the bytes before hyper does and reports a
//! head that named both, so the request can be refused. It is a byte-at-a-time
//! state machine with a fixed-size buffer: no allocation, no bound to hit.

/// Follows HTTP/1 request heads byte by byte, remembering which of the two
/// framing headers each head names. Bodies are not scanned: after a head
/// ends, scanning resumes when the gateway writes its response.
#[derive(Debug)]
pub struct HeadScanner {
    scanning: bool,
    /// The stream turned out to be HTTP/2 (binary framing): never scan again.
    disabled: bool,
    /// A non-empty line of this head was seen (leading blank lines are allowed).
    started: bool,
    in_name: bool,
    line_len: usize,
    name: [u8; NAME_PREFIX],
    name_len: usize,
    lines: usize,
    content_length: bool,
    transfer_encoding: bool,
    /// How the current name's letters are cased so far.
    case: NameCase,
    /// The casing classes of this head's names, in order, folded (FNV-1a).
    casing: u32,
}

const NAME_PREFIX: usize = 20;

/// Where a name's upper- and lowercase letters were: at the start of a word
/// (the name's first letter, or one after `-`) or inside one.
#[derive(Debug, Default, Clone, Copy)]
struct NameCase {
    at_word_start: bool,
    upper_at_start: bool,
    lower_at_start: bool,
    upper_inside: bool,
    lower_inside: bool,
}

impl NameCase {
    fn new() -> Self {
        NameCase {
            at_word_start: true,
            ..NameCase::default()
        }
    }

    fn push(&mut self, b: u8) {
        let start = std::mem::replace(&mut self.at_word_start, b == b'-');
        match (b.is_ascii_uppercase(), b.is_ascii_lowercase(), start) {
            (true, _, true) => self.upper_at_start = true,
            (true, _, false) => self.upper_inside = true,
            (_, true, true) => self.lower_at_start = true,
            (_, true, false) => self.lower_inside = true,
            _ => {}
        }
    }

    /// `l`owercase, `t`itle-Case, `u`PPERCASE or `m`ixed.
    fn class(&self) -> u8 {
        let upper = self.upper_at_start || self.upper_inside;
        let lower = self.lower_at_start || self.lower_inside;
        match (upper, lower) {
            (false, _) => b'l',
            (true, false) => b'u',
            _ if !self.lower_at_start && !self.upper_inside => b't',
            _ => b'm',
        }
    }
}

const CASING_SEED: u32 = 0x811c_9dc5;

impl Default for HeadScanner {
    fn default() -> Self {
        HeadScanner {
            scanning: true,
            disabled: false,
            started: false,
            in_name: true,
            line_len: 0,
            name: [0; NAME_PREFIX],
            name_len: 0,
            lines: 0,
            content_length: false,
            transfer_encoding: false,
            case: NameCase::new(),
            casing: CASING_SEED,
        }
    }
}

impl HeadScanner {
    /// Resumes scanning for the next head (after a response was written).
    pub fn expect_next_head(&mut self) {
        if !self.scanning && !self.disabled {
            *self = HeadScanner::default();
        }
    }

    /// Whether the stream opened with the HTTP/2 preface.
    pub fn is_http2(&self) -> bool {
        self.disabled
    }

    /// The casing signature of the head just scanned: `Some` once an
    /// HTTP/1 head has ended, until scanning resumes for the next one.
    pub fn casing(&self) -> Option<u32> {
        (!self.scanning && !self.disabled).then_some(self.casing)
    }

    /// Scans fresh bytes; true when a head just ended naming both headers.
    pub fn scan(&mut self, bytes: &[u8]) -> bool {
        let mut ambiguous = false;
        for &b in bytes {
            if !self.scanning {
                break;
            }
            match b {
                b'\n' => ambiguous |= self.end_line(),
                b'\r' => {}
                _ => {
                    self.line_len += 1;
                    if self.in_name {
                        if b == b':' && self.lines > 0 {
                            self.in_name = false;
                            let name = &self.name[..self.name_len];
                            self.content_length |= name == b"content-length";
                            self.transfer_encoding |= name == b"transfer-encoding";
                            self.casing = (self.casing ^ u32::from(self.case.class()))
                                .wrapping_mul(0x0100_0193);
                        } else {
                            self.case.push(b);
                            if self.name_len < NAME_PREFIX {
                                self.name[self.name_len] = b.to_ascii_lowercase();
                                self.name_len += 1;
                            }
                        }
                    }
                }
            }
        }
        ambiguous
    }

    fn end_line(&mut self) -> bool {
        let blank = self.line_len == 0;
        if !blank && !self.started {
            self.started = true;
            if self.name[..self.name_len].starts_with(b"pri * http/2.0") {
                self.disabled = true;
                self.scanning = false;
                return false;
            }
        }
        let head_ended = blank && self.started;
        if !blank {
            self.lines += 1;
        }
        self.in_name = true;
        self.line_len = 0;
        self.name_len = 0;
        self.case = NameCase::new();
        if head_ended {
            self.scanning = false;
            return self.content_length && self.transfer_encoding;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::HeadScanner;

    fn ambiguous(pieces: &[&str]) -> bool {
        let mut scanner = HeadScanner::default();
        pieces.iter().any(|p| scanner.scan(p.as_bytes()))
    }

    #[test]
    fn finds_both_framing_headers_across_reads() {
        assert!(ambiguous(&[
            "POST / HTTP/1.1\r\nContent-Len",
            "gth: 4\r\ntransfer-encoding: chunked\r\n",
            "\r\n"
        ]));
        assert!(!ambiguous(&[
            "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n"
        ]));
        assert!(!ambiguous(&[
            "POST / HTTP/1.1\r\nX: content-length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        ]));
        assert!(!ambiguous(&[
            "\r\nGET http://content-length:80/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        ]));
    }

    fn casing(head: &str) -> Option<u32> {
        let mut scanner = HeadScanner::default();
        scanner.scan(head.as_bytes());
        scanner.casing()
    }

    #[test]
    fn the_casing_of_header_names_in_order_is_a_signature() {
        let title = casing("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n");
        let same_casing_other_values =
            casing("GET /b HTTP/1.1\r\nHost: b\r\nX-Request-Id: 7\r\nAccept: json\r\n\r\n");
        let lower = casing("GET / HTTP/1.1\r\nhost: a\r\nuser-agent: x\r\naccept: */*\r\n\r\n");
        let upper = casing("GET / HTTP/1.1\r\nHost: a\r\nUSER-AGENT: x\r\nAccept: */*\r\n\r\n");
        let mixed = casing("GET / HTTP/1.1\r\nHost: a\r\nUser-agent: x\r\nAccept: */*\r\n\r\n");
        let reordered = casing("GET / HTTP/1.1\r\nhost: a\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n");
        assert!(title.is_some());
        assert_eq!(
            title, same_casing_other_values,
            "names and values do not count, casing does"
        );
        let all = [title, lower, upper, mixed, reordered];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b, "{all:?}");
            }
        }
        assert_eq!(
            casing("GET / HTTP/1.1\r\nHost: a\r\n"),
            None,
            "the head has not ended"
        );
    }

    #[test]
    fn the_casing_is_read_across_reads_and_afresh_for_the_next_head() {
        let mut scanner = HeadScanner::default();
        scanner.scan(b"GET / HTTP/1.1\r\nUs");
        scanner.scan(b"er-Agent: x\r\nhost: a\r\n\r\n");
        let split = scanner.casing();
        assert_eq!(
            split,
            casing("GET / HTTP/1.1\r\nUser-Agent: x\r\nhost: a\r\n\r\n")
        );
        scanner.expect_next_head();
        assert_eq!(scanner.casing(), None);
        scanner.scan(b"GET / HTTP/1.1\r\nuser-agent: x\r\nhost: a\r\n\r\n");
        assert_ne!(scanner.casing(), split);
    }

    #[test]
    fn bodies_and_http2_are_not_scanned() {
        let mut scanner = HeadScanner::default();
        assert!(!scanner.scan(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assert!(
            !scanner.scan(b"content-length: 1\r\ntransfer-encoding: x\r\n\r\n"),
            "body bytes"
        );
        let mut h2 = HeadScanner::default();
        assert!(
            !h2.scan(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\ncontent-length:1\ntransfer-encoding:1\n\n")
        );
        h2.expect_next_head();
        assert!(!h2.scan(b"content-length:1\ntransfer-encoding:1\n\n"));
    }
}
