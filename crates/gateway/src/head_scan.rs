//! Scans raw HTTP/1 request heads for the two framing headers.
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
}

const NAME_PREFIX: usize = 20;

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
                        } else if self.name_len < NAME_PREFIX {
                            self.name[self.name_len] = b.to_ascii_lowercase();
                            self.name_len += 1;
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
