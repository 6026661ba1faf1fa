//! Masking card numbers, US social security numbers and well-known secret
//! tokens in response bodies, chunk by chunk.
//!
//! Masking replaces bytes one for one, so a body keeps its length (and its
//! `Content-Length`) and a JSON body stays valid: in JSON, masked digits
//! become `0` (the first digit is kept, so a bare number stays a number), in
//! text they become `*`. Card numbers must pass the Luhn check and SSNs the
//! issuance rules, which keeps order ids and phone numbers intact.
//!
//! [`StreamMasker`] holds less than twice [`HOLD_BYTES`] and sends only what
//! lies more than [`HOLD_BYTES`] before the end of what it holds: every pattern is shorter than that, so
//! a value that starts in the sent part was wholly in view when it was
//! masked, however the body was split into chunks.

use regex::bytes::Regex;
use std::sync::OnceLock;

/// The longest value recognised across a chunk boundary.
pub const HOLD_BYTES: usize = 4096;

/// How masked digits are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Text,
}

/// What was masked, for the event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaskCounts {
    pub cards: u32,
    pub ssns: u32,
    pub secrets: u32,
}

struct Patterns {
    card: Regex,
    ssn: Regex,
    secret: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        // 13 to 19 digits in a row, or in groups of 4 (4-6-5 for Amex)
        // separated by a space or a dash.
        card: compile(concat!(
            r"\b\d{13,19}\b",
            r"|\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}\b",
            r"|\b\d{4}[ -]\d{6}[ -]\d{5}\b",
        )),
        ssn: compile(r"\b\d{3}-\d{2}-\d{4}\b"),
        secret: compile(concat!(
            r"\bAKIA[0-9A-Z]{16}\b",               // AWS access key id
            r"|\bgh[pousr]_[A-Za-z0-9]{36}\b",     // GitHub token
            r"|\bxox[abprs]-[A-Za-z0-9-]{10,200}", // Slack token
            r"|\b[sr]k_live_[A-Za-z0-9]{16,200}",  // Stripe secret key
            r"|\beyJ[A-Za-z0-9_-]{8,1300}\.eyJ[A-Za-z0-9_-]{8,1300}\.[A-Za-z0-9_-]{8,1300}", // JWT
        )),
    })
}

/// The patterns are constants of this file: a failure is a bug caught by
/// every test, never by input.
fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(regex) => regex,
        Err(error) => panic!("built-in mask pattern {pattern:?}: {error}"),
    }
}

/// Masks every sensitive value in `body`, in place.
pub fn mask_in_place(body: &mut [u8], kind: BodyKind) -> MaskCounts {
    let end = body.len();
    mask_starting_before(body, end, kind)
}

/// Masks the values that start before `limit`; those after are left for a
/// later scan that sees them whole.
fn mask_starting_before(body: &mut [u8], limit: usize, kind: BodyKind) -> MaskCounts {
    let patterns = patterns();
    let mut counts = MaskCounts::default();
    for (start, end) in spans(&patterns.card, body, limit, luhn_valid) {
        mask_digits(&mut body[start..end], kind, 4);
        counts.cards += 1;
    }
    for (start, end) in spans(&patterns.ssn, body, limit, ssn_valid) {
        mask_digits(&mut body[start..end], kind, 0);
        counts.ssns += 1;
    }
    let secrets = spans(&patterns.secret, body, limit, |_| true);
    for (start, end) in secrets {
        // Keep the prefix that says what kind of secret it was.
        for byte in body[start..end].iter_mut().skip(4) {
            *byte = b'*';
        }
        counts.secrets += 1;
    }
    counts
}

/// Where `pattern` matches with `valid` values, for matches starting before
/// `limit`.
fn spans(
    pattern: &Regex,
    body: &[u8],
    limit: usize,
    valid: fn(&[u8]) -> bool,
) -> Vec<(usize, usize)> {
    pattern
        .find_iter(body)
        .take_while(|m| m.start() < limit)
        .filter(|m| valid(m.as_bytes()))
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Masks a body that arrives in chunks.
#[derive(Debug, Clone)]
pub struct StreamMasker {
    kind: BodyKind,
    held: Vec<u8>,
    counts: MaskCounts,
}

impl StreamMasker {
    pub fn new(kind: BodyKind) -> Self {
        StreamMasker {
            kind,
            held: Vec::new(),
            counts: MaskCounts::default(),
        }
    }

    /// Takes the next chunk; returns the bytes that are ready to send.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.held.extend_from_slice(chunk);
        // Scanning only once twice the hold has gathered sends at least a
        // hold's worth per scan: the work stays linear in the body however
        // small the chunks.
        if self.held.len() < 2 * HOLD_BYTES {
            return Vec::new();
        }
        // Values starting before the cut are shorter than the hold, so they
        // are whole in view; those after it are masked in a later round.
        let cut = self.held.len() - HOLD_BYTES;
        let counts = mask_starting_before(&mut self.held, cut, self.kind);
        self.add(counts);
        let rest = self.held.split_off(cut);
        std::mem::replace(&mut self.held, rest)
    }

    /// The end of the body: the held bytes, masked.
    pub fn finish(mut self) -> (Vec<u8>, MaskCounts) {
        let counts = mask_in_place(&mut self.held, self.kind);
        self.add(counts);
        (self.held, self.counts)
    }

    fn add(&mut self, counts: MaskCounts) {
        self.counts.cards += counts.cards;
        self.counts.ssns += counts.ssns;
        self.counts.secrets += counts.secrets;
    }
}

/// Replaces the digits of `value`, keeping the last `keep_last` (and, in
/// JSON, the first, so that a bare number stays a valid number).
fn mask_digits(value: &mut [u8], kind: BodyKind, keep_last: usize) {
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let mut seen = 0;
    for byte in value.iter_mut().filter(|b| b.is_ascii_digit()) {
        seen += 1;
        let keep = seen > digits - keep_last.min(digits) || (kind == BodyKind::Json && seen == 1);
        if !keep {
            *byte = match kind {
                BodyKind::Json => b'0',
                BodyKind::Text => b'*',
            };
        }
    }
}

fn luhn_valid(candidate: &[u8]) -> bool {
    let digits: Vec<u32> = candidate
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| u32::from(b - b'0'))
        .collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// SSA rules: no area 000, 666 or 9xx, no group 00, no serial 0000.
fn ssn_valid(candidate: &[u8]) -> bool {
    let [a1, a2, a3, _, g1, g2, _, s1, s2, s3, s4] = candidate else {
        return false;
    };
    let area = [*a1, *a2, *a3];
    &area != b"000"
        && &area != b"666"
        && *a1 != b'9'
        && [*g1, *g2] != *b"00"
        && [*s1, *s2, *s3, *s4] != *b"0000"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, kind: BodyKind) -> (String, MaskCounts) {
        let mut body = text.as_bytes().to_vec();
        let counts = mask_in_place(&mut body, kind);
        (String::from_utf8(body).unwrap(), counts)
    }

    #[test]
    fn masks_luhn_valid_cards_and_keeps_the_last_four() {
        let (text, counts) = masked(
            "card 4111 1111 1111 1111, amex 3782-822463-10005, visa 4012888888881881, order 4111111111111112",
            BodyKind::Text,
        );
        assert_eq!(
            text,
            "card **** **** **** 1111, amex ****-******-*0005, visa ************1881, order 4111111111111112"
        );
        assert_eq!(counts.cards, 3);
    }

    #[test]
    fn json_stays_valid_json_with_the_same_length() {
        let body =
            r#"{"card":4111111111111111,"pan":"5555555555554444","ssn":"123-45-6789","n":1234}"#;
        let (text, counts) = masked(body, BodyKind::Json);
        assert_eq!(text.len(), body.len());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["card"], 4_000_000_000_001_111u64);
        assert_eq!(value["pan"], "5000000000004444");
        assert_eq!(value["ssn"], "100-00-0000");
        assert_eq!(value["n"], 1234);
        assert_eq!((counts.cards, counts.ssns), (2, 1));
    }

    #[test]
    fn ssns_follow_the_issuance_rules() {
        let (text, counts) = masked(
            "a 123-45-6789 b 000-12-3456 c 666-12-3456 d 912-12-3456 e 123-00-4567 f 123-45-0000",
            BodyKind::Text,
        );
        assert_eq!(
            text,
            "a ***-**-**** b 000-12-3456 c 666-12-3456 d 912-12-3456 e 123-00-4567 f 123-45-0000"
        );
        assert_eq!(counts.ssns, 1);
    }

    #[test]
    fn secrets_keep_only_their_prefix() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let body = format!(
            "AKIAIOSFODNN7EXAMPLE ghp_{} {jwt} sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "a".repeat(36)
        );
        let (text, counts) = masked(&body, BodyKind::Text);
        assert_eq!(counts.secrets, 4);
        assert!(text.starts_with("AKIA**************** ghp_****"));
        assert!(
            !text.contains("IOSFODNN7") && !text.contains("dozjgNry") && !text.contains("4eC39")
        );
        assert_eq!(text.len(), body.len());
    }

    #[test]
    fn values_split_across_chunks_are_masked_once_at_any_split() {
        let mut body = "x".repeat(HOLD_BYTES);
        body.push_str(" pay with 4111-1111-1111-1111 or 5555555555554444, ssn 123-45-6789 ");
        body.push_str(&"y".repeat(HOLD_BYTES));
        let (expected, expected_counts) = masked(&body, BodyKind::Text);
        assert_eq!(expected_counts.cards, 2);
        for chunk_size in [1, 7, 64, HOLD_BYTES - 1, HOLD_BYTES + 13, body.len()] {
            let mut stream = StreamMasker::new(BodyKind::Text);
            let mut out = Vec::new();
            for chunk in body.as_bytes().chunks(chunk_size) {
                out.extend(stream.push(chunk));
            }
            let (rest, counts) = stream.finish();
            out.extend(rest);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected,
                "chunks of {chunk_size}"
            );
            assert_eq!(counts, expected_counts, "chunks of {chunk_size}");
        }
    }

    #[test]
    fn the_stream_holds_back_less_than_twice_the_hold() {
        let mut stream = StreamMasker::new(BodyKind::Text);
        assert!(stream.push(&[b'a'; 100]).is_empty());
        assert!(stream.push(&vec![b'b'; HOLD_BYTES]).is_empty());
        let sent = stream.push(&vec![b'c'; HOLD_BYTES * 3]);
        assert_eq!(sent.len(), 100 + HOLD_BYTES * 3);
        let (rest, _) = stream.finish();
        assert_eq!(rest.len(), HOLD_BYTES);
    }
}
